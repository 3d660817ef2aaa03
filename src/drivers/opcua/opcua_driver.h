/* opcua_driver.h — the "opcua" device driver (CONFIG.md): mapped nodes read on the schedule or
 * subscribed to, over the OPC UA client in this folder. */
#ifndef MDC_OPCUA_DRIVER_H
#define MDC_OPCUA_DRIVER_H

#include "drivers/driver.h"

extern const mdc_driver mdc_opcua_driver;

#endif
