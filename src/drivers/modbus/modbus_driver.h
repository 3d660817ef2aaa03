/* SPDX-License-Identifier: Apache-2.0 */
/* modbus_driver.h — the "modbus" device driver (CONFIG.md): configuration, request plan, poll. */
#ifndef MDC_MODBUS_DRIVER_H
#define MDC_MODBUS_DRIVER_H

#include "drivers/driver.h"

extern const mdc_driver mdc_modbus_driver;

#endif
