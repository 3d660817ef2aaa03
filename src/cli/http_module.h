/* SPDX-License-Identifier: Apache-2.0 */
/* http_module.h — the embedded HTTP server (http/http.h) as the daemon uses it: through the
 * http module (core/module.h), loaded when a configuration first has "http". The functions are
 * http.h's; cli_http_cfg_parse() loads the module, and the others are only called for a
 * configuration it has parsed (or with a NULL server). */
#ifndef MDC_CLI_HTTP_MODULE_H
#define MDC_CLI_HTTP_MODULE_H

#include "http/http.h"

int cli_http_cfg_parse(const mdc_cfgnode *n, mdc_http_cfg *out, mdc_err *err);
void cli_http_cfg_free(mdc_http_cfg *c);
bool cli_http_cfg_equal(const mdc_http_cfg *a, const mdc_http_cfg *b);
int cli_http_start(const mdc_http_cfg *cfg, mdc_http **out, mdc_err *err);
void cli_http_attach(mdc_http *h, mdc_runtime *rt);
int cli_http_port(const mdc_http *h);
/* Counted here until the module is loaded, then handed to it (its /metrics shows them all). */
void cli_http_note_reload(mdc_http *h, bool ok);
void cli_http_stop(mdc_http *h);
/* The server's key sets (mdc_http_keysets, NULL-terminated), loading the module; NULL with
 * err when it cannot be loaded. */
const struct mdc_keyset *const *cli_http_keysets(mdc_err *err);

#endif
