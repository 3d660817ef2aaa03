/* registry.c — the drivers compiled into this build. */
#include "runtime.h"

#include "drivers/broute/broute_driver.h"
#include "drivers/lsv2/lsv2_driver.h"
#include "drivers/modbus/modbus_driver.h"
#include "drivers/opcua/opcua_driver.h"

#include <string.h>

static const mdc_driver *const drivers[] = {&mdc_modbus_driver, &mdc_lsv2_driver, &mdc_opcua_driver,
                                            &mdc_broute_driver};
static const char *const names[] = {"modbus", "lsv2", "opcua", "broute", NULL};

const mdc_driver *mdc_driver_find(const char *name)
{
    for (size_t i = 0; i < sizeof drivers / sizeof drivers[0]; i++)
        if (strcmp(drivers[i]->name, name) == 0) return drivers[i];
    return NULL;
}

const char *const *mdc_driver_names(void)
{
    return names;
}
