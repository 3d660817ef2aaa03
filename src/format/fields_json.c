/* SPDX-License-Identifier: Apache-2.0 */
/* fields_json.c — a record's values as the databases' `records` rows keep them (fields_json.h). */
#include "format/fields_json.h"
#include "format/json_out.h"

/* {"name":error,...} of the fields that have an error; nothing when none has. */
static void errors_json(const mdc_record *r, strbuf *out)
{
    bool first = true;
    for (size_t i = 0; i < r->nfields; i++) {
        const mdc_field *f = &r->fields[i];
        if (!f->error) continue;
        sb_putc(out, first ? '{' : ',');
        first = false;
        mdc_json_str(out, f->name);
        sb_putc(out, ':');
        mdc_json_str(out, f->error);
    }
    if (!first) sb_putc(out, '}');
}

void mdc_fields_json(const mdc_record *r, strbuf *out, size_t *errors_at)
{
    sb_reset(out);
    sb_putc(out, '{');
    for (size_t i = 0; i < r->nfields; i++) {
        if (i) sb_putc(out, ',');
        mdc_json_str(out, r->fields[i].name);
        sb_putc(out, ':');
        mdc_json_value(out, &r->fields[i].v);
    }
    sb_putc(out, '}');
    *errors_at = out->len;
    errors_json(r, out);
}
