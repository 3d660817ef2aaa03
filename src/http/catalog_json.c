/* SPDX-License-Identifier: Apache-2.0 */
/* catalog_json.c — see catalog_json.h. */
#include "catalog_json.h"

#include "format/json_out.h"

#include <inttypes.h>
#include <stdio.h>

static void enum_json(const mdc_field_info *f, strbuf *out)
{
    sb_puts(out, ", \"enum\": {");
    for (size_t i = 0; i < f->nenums; i++) {
        char key[24];
        snprintf(key, sizeof key, "%" PRId64, f->enums[i].value);
        mdc_json_key(out, key, i == 0);
        mdc_json_str(out, f->enums[i].name);
    }
    sb_putc(out, '}');
}

static void point_json(const mdc_field_info *f, strbuf *out)
{
    sb_puts(out, "{\"label\": ");
    mdc_json_str(out, f->label);
    sb_puts(out, ", \"unit\": ");
    mdc_json_str(out, f->unit);
    if (f->decimals >= 0)
        sb_printf(out, ", \"decimals\": %d", f->decimals);
    else
        sb_puts(out, ", \"decimals\": null");
    sb_puts(out, ", \"quantity\": ");
    mdc_json_str(out, f->quantity);
    sb_printf(out, ", \"total\": %s", f->total ? "true" : "false");
    if (f->nenums) enum_json(f, out);
    sb_putc(out, '}');
}

void mdc_catalog_points_json(const mdc_device_info *d, strbuf *out)
{
    sb_puts(out, "{\"status\": ");
    point_json(mdc_catalog_status_field(), out);
    for (size_t i = 0; d && i < d->nfields; i++) {
        mdc_json_key(out, d->fields[i].name, 0);
        point_json(&d->fields[i], out);
    }
    sb_putc(out, '}');
}

void mdc_catalog_device_json(const mdc_device_info *d, strbuf *out)
{
    sb_puts(out, "{\"id\": ");
    mdc_json_str(out, d->id);
    sb_puts(out, ", \"points\": ");
    mdc_catalog_points_json(d, out);
    sb_putc(out, '}');
}
