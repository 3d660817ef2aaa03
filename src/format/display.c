/* SPDX-License-Identifier: Apache-2.0 */
/* display.c — see display.h. */
#include "display.h"
#include "float_repr.h"

#include <inttypes.h>
#include <math.h>

static void number(double d, int decimals, strbuf *out)
{
    if (decimals >= 0 && isfinite(d)) {
        sb_printf(out, "%.*f", decimals, d);
        return;
    }
    char buf[MDC_FLOAT_REPR_MAX];
    mdc_float_repr(d, buf, sizeof buf);
    sb_puts(out, buf);
}

void mdc_display_value(const mdc_value *v, const mdc_field_info *f, strbuf *out)
{
    int decimals = f ? f->decimals : -1;
    switch (v->type) {
    case MDC_NULL:
        sb_puts(out, "-");
        return;
    case MDC_BOOL:
        sb_puts(out, v->u.b ? "yes" : "no");
        return;
    case MDC_STRING:
        sb_puts(out, v->u.s);
        return;
    case MDC_INT:
        if (decimals > 0)
            number((double)v->u.i, decimals, out);
        else
            sb_printf(out, "%" PRId64, v->u.i);
        if (f && f->nenums) {
            const char *name = mdc_field_info_enum(f, v->u.i);
            if (name) sb_printf(out, " %s", name);
        }
        break;
    case MDC_DOUBLE:
        number(v->u.d, decimals, out);
        if (f && f->nenums && v->u.d == floor(v->u.d) && fabs(v->u.d) < 9e15) {
            const char *name = mdc_field_info_enum(f, (int64_t)v->u.d);
            if (name) sb_printf(out, " %s", name);
        }
        break;
    }
    if (f && f->unit) sb_printf(out, " %s", f->unit);
}
