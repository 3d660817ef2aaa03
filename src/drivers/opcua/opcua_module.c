/* SPDX-License-Identifier: Apache-2.0 */
/* opcua_module.c — the opcua module's entry (core/module.h): the OPC UA driver and the client
 * certificate of `mdc opcua-cert`. */
#include "opcua_driver.h"
#include "ua_pki.h"

#include <stdio.h>

static int cert_ensure(const char *pki_dir, const char *app_uri, mdc_opcua_cert_info *out,
                       mdc_err *err)
{
    ua_own_cert own;
    if (mdc_opcua_cert_ensure(pki_dir, app_uri, &out->created, err) < 0 ||
        ua_own_cert_load(pki_dir, &own, err) < 0)
        return -1;
    snprintf(out->app_uri, sizeof out->app_uri, "%s", own.app_uri);
    snprintf(out->thumbprint, sizeof out->thumbprint, "%s", own.thumbprint);
    ua_own_cert_free(&own);
    return 0;
}

static const mdc_driver *const opcua_drivers[] = {&mdc_opcua_driver, NULL};

const mdc_opcua_module mdc_module_opcua = {{{"opcua", MDC_VERSION}, opcua_drivers}, cert_ensure};
