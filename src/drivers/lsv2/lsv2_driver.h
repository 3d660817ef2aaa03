/* SPDX-License-Identifier: Apache-2.0 */
/* lsv2_driver.h — the "lsv2" device driver: Heidenhain TNC controls (CONFIG.md). */
#ifndef MDC_LSV2_DRIVER_H
#define MDC_LSV2_DRIVER_H

#include "drivers/driver.h"

extern const mdc_driver mdc_lsv2_driver;

#endif
