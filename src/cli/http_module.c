/* SPDX-License-Identifier: Apache-2.0 */
/* http_module.c — the HTTP server through its module (http_module.h). */
#include "http_module.h"

#include <stdint.h>

static const mdc_http_module *mod;      /* NULL until a configuration has "http" */
static uint64_t early_ok, early_failed; /* reloads before the module was loaded */

int cli_http_cfg_parse(const mdc_cfgnode *n, mdc_http_cfg *out, mdc_err *err)
{
    if (!mod) {
        mdc_err e;
        mod = (const mdc_http_module *)mdc_module_entry("http", &e);
        if (!mod) return cfg_error(n, NULL, err, "%s", e.msg);
        for (; early_ok; early_ok--)
            mod->note_reload(NULL, true);
        for (; early_failed; early_failed--)
            mod->note_reload(NULL, false);
    }
    return mod->cfg_parse(n, out, err);
}

void cli_http_cfg_free(mdc_http_cfg *c)
{
    if (mod) mod->cfg_free(c);
}

bool cli_http_cfg_equal(const mdc_http_cfg *a, const mdc_http_cfg *b)
{
    return mod && mod->cfg_equal(a, b);
}

int cli_http_start(const mdc_http_cfg *cfg, mdc_http **out, mdc_err *err)
{
    if (!mod) return mdc_err_set(err, MDC_ESTATE, "the http module is not loaded");
    return mod->start(cfg, out, err);
}

void cli_http_attach(mdc_http *h, mdc_runtime *rt)
{
    if (mod && h) mod->attach(h, rt);
}

int cli_http_port(const mdc_http *h)
{
    return mod && h ? mod->port(h) : 0;
}

void cli_http_note_reload(mdc_http *h, bool ok)
{
    if (mod)
        mod->note_reload(h, ok);
    else if (ok)
        early_ok++;
    else
        early_failed++;
}

void cli_http_stop(mdc_http *h)
{
    if (mod && h) mod->stop(h);
}

const struct mdc_keyset *const *cli_http_keysets(mdc_err *err)
{
    if (!mod) mod = (const mdc_http_module *)mdc_module_entry("http", err);
    return mod ? mod->keysets : NULL;
}
