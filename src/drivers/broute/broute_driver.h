/* SPDX-License-Identifier: Apache-2.0 */
/* broute_driver.h — the "broute" device driver (CONFIG.md): a Japanese low-voltage smart
 * meter over Wi-SUN B-route (SKSTACK-IP module + ECHONET Lite). One module, one meter, one
 * bus; the joined session persists across polls. Fields: the hems-data-collector record keys
 * (collect.h mdc_brt_field_names). */
#ifndef MDC_BROUTE_DRIVER_H
#define MDC_BROUTE_DRIVER_H

#include "drivers/driver.h"

extern const mdc_driver mdc_broute_driver;

#endif
