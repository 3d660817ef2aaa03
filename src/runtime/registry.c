/* registry.c — the drivers this build knows: one table, by name, plus drivers registered at run
 * time (tests, embedders) before a runtime is built. */
#include "runtime.h"

#include "drivers/broute/broute_driver.h"
#include "drivers/lsv2/lsv2_driver.h"
#include "drivers/modbus/modbus_driver.h"
#include "drivers/opcua/opcua_driver.h"

#include "core/catalog.h"
#include "core/keys.h"
#include "derive/derive.h"
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

/* The i-th set of a NULL-terminated list, counting i down past the list. */
static const mdc_keyset *nth(const mdc_keyset *const *list, size_t *i)
{
    for (; list && *list; list++)
        if ((*i)-- == 0) return *list;
    return NULL;
}

const mdc_keyset *mdc_keysets(size_t i)
{
    static const mdc_keyset *const core[] = {&mdc_top_keyset,
                                             &mdc_shift_keyset,
                                             &mdc_spool_keyset,
                                             &mdc_runtime_keyset,
                                             &mdc_device_keyset,
                                             &mdc_field_info_keyset,
                                             NULL};
    const mdc_keyset *ks = nth(core, &i);
    if (!ks) ks = nth(mdc_derive_keysets, &i);
    for (size_t k = 0; !ks && drivers[k]; k++) {
        const mdc_keyset *const own[] = {drivers[k]->keys, NULL};
        if (drivers[k]->keys) ks = nth(own, &i);
        if (!ks) ks = nth(drivers[k]->nested_keys, &i);
    }
    return ks ? ks : mdc_sink_type_keys(i);
}
