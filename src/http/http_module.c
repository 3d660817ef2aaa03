/* SPDX-License-Identifier: Apache-2.0 */
/* http_module.c — the http module's entry (core/module.h): the embedded HTTP server. */
#include "http.h"

const mdc_http_module mdc_module_http = {
    {"http", MDC_VERSION}, mdc_http_cfg_parse, mdc_http_cfg_free, mdc_http_cfg_equal,
    mdc_http_start,        mdc_http_attach,    mdc_http_port,     mdc_http_note_reload,
    mdc_http_stop,         mdc_http_keysets,
};
