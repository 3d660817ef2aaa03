/* SPDX-License-Identifier: Apache-2.0 */
/* format_yaml_module.c — YAML through the yaml module (format_module.h). */
#include "format/format_module.h"

#include <stdatomic.h>
#include <stddef.h>

static _Atomic(const mdc_format_module *) yaml_module;

int mdc_format_load(mdc_format_kind k, mdc_err *err)
{
    if (k != MDC_FMT_YAML || atomic_load(&yaml_module)) return 0;
    const mdc_format_module *m = (const mdc_format_module *)mdc_module_entry("yaml", err);
    if (!m) {
        mdc_err_prefix(err, "the format \"yaml\"");
        return -1;
    }
    atomic_store(&yaml_module, m);
    return 0;
}

void mdc_fmt_yaml_as_json(mdc_format_style st, const mdc_record *r, strbuf *out)
{
    if (st == MDC_STYLE_MDC) sb_puts(out, "--- ");
    mdc_fmt_json_record(st, r, out);
    if (st == MDC_STYLE_HEMS) sb_putc(out, '\n'); /* as after a dump: format.h */
}

void mdc_fmt_yaml_record(mdc_format_style st, const mdc_record *r, strbuf *out)
{
    mdc_err err = {0};
    if (mdc_format_load(MDC_FMT_YAML, &err) == 0)
        atomic_load(&yaml_module)->yaml_record(st, r, out);
    else
        mdc_fmt_yaml_as_json(st, r, out);
}
