/* SPDX-License-Identifier: Apache-2.0 */
/* opcua_driver.h — the "opcua" device driver (CONFIG.md): mapped nodes read on the schedule or
 * subscribed to, over the OPC UA client in this folder. */
#ifndef MDC_OPCUA_DRIVER_H
#define MDC_OPCUA_DRIVER_H

#include "drivers/driver.h"

extern const mdc_driver mdc_opcua_driver;

/* What `mdc opcua-cert` reports of the client certificate. */
typedef struct mdc_opcua_cert_info {
    bool created;        /* made now (else: kept) */
    char app_uri[512];   /* the application URI in its subjectAltName */
    char thumbprint[41]; /* SHA-1, hex */
} mdc_opcua_cert_info;

/* The opcua module's entry, mdc_module_opcua (core/module.h): the driver, and the client
 * certificate for `mdc opcua-cert` (ua_pki.h mdc_opcua_cert_ensure; app_uri NULL: the
 * default). */
typedef struct mdc_opcua_module {
    mdc_driver_module base;
    int (*cert_ensure)(const char *pki_dir, const char *app_uri, mdc_opcua_cert_info *out,
                       mdc_err *err);
} mdc_opcua_module;

#endif
