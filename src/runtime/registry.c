/* registry.c — the drivers this build knows: one table, by name, plus drivers registered at run
 * time (tests, embedders) before a runtime is built. */
#include "runtime.h"

#include "drivers/broute/broute_driver.h"
#include "drivers/lsv2/lsv2_driver.h"
#include "drivers/modbus/modbus_driver.h"
#include "drivers/opcua/opcua_driver.h"

#include "core/keys.h"
#include "sinks/sink_config.h"

#include <string.h>

#define MAX_DRIVERS 16

static const mdc_driver *drivers[MAX_DRIVERS + 1] = {&mdc_modbus_driver, &mdc_lsv2_driver,
                                                     &mdc_opcua_driver, &mdc_broute_driver, NULL};
static const char *names[MAX_DRIVERS + 1] = {"modbus", "lsv2", "opcua", "broute", NULL};

const mdc_driver *mdc_driver_find(const char *name)
{
    for (size_t i = 0; drivers[i]; i++)
        if (strcmp(drivers[i]->name, name) == 0) return drivers[i];
    return NULL;
}

const char *const *mdc_driver_names(void)
{
    return names;
}

int mdc_driver_register(const mdc_driver *d)
{
    size_t n = 0;
    while (drivers[n])
        n++;
    if (n == MAX_DRIVERS || mdc_driver_find(d->name)) return -1;
    drivers[n] = d;
    names[n] = d->name;
    return 0;
}

const mdc_keyset *mdc_keysets(size_t i)
{
    if (i == 0) return &mdc_spool_keyset;
    i--;
    for (size_t k = 0; drivers[k]; k++) {
        if (!drivers[k]->keys) continue;
        if (i-- == 0) return drivers[k]->keys;
    }
    return mdc_sink_type_keys(i);
}
