/* SPDX-License-Identifier: Apache-2.0 */
/* format_csv.c — CSV rows and headers.
 *
 * MDC style: RFC 4180 quoting only where needed (comma, double quote, CR, LF, leading or
 * trailing blank), bools true/false, a final "error" column: the device-level error and/or
 * "field: message" for each field error, joined by "; " (empty when none).
 * HEMS style: Python str() of each value, joined by ",", a present null as "None" and a value
 * that could not be read (or a column the record lacks) as an empty field, no error column; a
 * value is quoted only if it holds a comma, quote, CR or LF (the hems tool never has one).
 * Lines end in "\n".
 */
#include "format/format.h"
#include "format/float_repr.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool needs_quotes(mdc_format_style st, const char *s)
{
    if (strpbrk(s, ",\"\r\n")) return true;
    if (st == MDC_STYLE_HEMS || !*s) return false;
    size_t n = strlen(s);
    return s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t';
}

static bool is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80) return false;
    return true;
}

static void csv_text(mdc_format_style st, strbuf *out, const char *s)
{
    strbuf clean = STRBUF_INIT;
    if (!is_ascii(s)) {
        mdc_fmt_utf8_clean(&clean, s);
        s = sb_str(&clean);
    }
    if (!needs_quotes(st, s)) {
        sb_puts(out, s);
    } else {
        sb_putc(out, '"');
        for (const char *p = s; *p; p++) {
            if (*p == '"') sb_putc(out, '"');
            sb_putc(out, *p);
        }
        sb_putc(out, '"');
    }
    sb_free(&clean);
}

static void csv_double(mdc_format_style st, strbuf *out, double d)
{
    if (!isfinite(d) && st == MDC_STYLE_MDC) return; /* like null */
    char b[MDC_FLOAT_REPR_MAX];
    mdc_float_repr(d, b, sizeof b);
    sb_puts(out, b);
}

static void csv_value(mdc_format_style st, strbuf *out, const mdc_fmt_kv *kv)
{
    const mdc_value *v = &kv->v;
    switch (v->type) {
    case MDC_NULL:
        if (st == MDC_STYLE_HEMS && !kv->missing) sb_puts(out, "None"); /* Python str(None) */
        break;
    case MDC_BOOL:
        if (st == MDC_STYLE_HEMS)
            sb_puts(out, v->u.b ? "True" : "False");
        else
            sb_puts(out, v->u.b ? "true" : "false");
        break;
    case MDC_INT:
        sb_printf(out, "%" PRId64, v->u.i);
        break;
    case MDC_DOUBLE:
        csv_double(st, out, v->u.d);
        break;
    case MDC_STRING:
        csv_text(st, out, v->u.s ? v->u.s : "");
        break;
    }
}

/* The MDC "error" column's text. */
static void error_text(const mdc_record *r, strbuf *out)
{
    if (r->error) sb_puts(out, r->error);
    for (size_t i = 0; i < r->nfields; i++) {
        const mdc_field *f = &r->fields[i];
        if (!f->error) continue;
        if (out->len) sb_puts(out, "; ");
        sb_printf(out, "%s: %s", f->name, f->error);
    }
}

static void csv_error_field(strbuf *out, const mdc_record *r)
{
    strbuf e = STRBUF_INIT;
    error_text(r, &e);
    csv_text(MDC_STYLE_MDC, out, sb_str(&e));
    sb_free(&e);
}

void mdc_fmt_csv_record(mdc_format_style st, const mdc_record *r, strbuf *out)
{
    char ts[MDC_FMT_TS_MAX];
    mdc_fmt_kv *kv;
    size_t n = mdc_fmt_collect(st, r, ts, &kv);
    for (size_t i = 0; i < n; i++) {
        if (i) sb_putc(out, ',');
        csv_value(st, out, &kv[i]);
    }
    free(kv);
    if (st == MDC_STYLE_MDC) {
        sb_putc(out, ',');
        csv_error_field(out, r);
    }
    sb_putc(out, '\n');
}

void mdc_format_csv_header(mdc_format_style st, const mdc_record *r, strbuf *out)
{
    char ts[MDC_FMT_TS_MAX];
    mdc_fmt_kv *kv;
    size_t n = mdc_fmt_collect(st, r, ts, &kv);
    for (size_t i = 0; i < n; i++) {
        if (i) sb_putc(out, ',');
        csv_text(st, out, kv[i].key);
    }
    free(kv);
    if (st == MDC_STYLE_MDC) sb_puts(out, ",error");
    sb_putc(out, '\n');
}

void mdc_format_csv_header_cols(const char *const *cols, size_t ncols, strbuf *out)
{
    for (size_t i = 0; i < ncols; i++) {
        if (i) sb_putc(out, ',');
        csv_text(MDC_STYLE_HEMS, out, cols[i]);
    }
    sb_putc(out, '\n');
}

static void col_value(mdc_format_style st, const mdc_record *r, const mdc_fmt_kv *kv, size_t n,
                      const char *col, strbuf *out)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(kv[i].key, col) == 0) {
            csv_value(st, out, &kv[i]);
            return;
        }
    }
    if (strcmp(col, "error") == 0) {
        if (st == MDC_STYLE_MDC)
            csv_error_field(out, r);
        else if (r->error)
            csv_text(st, out, r->error);
    }
}

void mdc_format_csv_row_cols(mdc_format_style st, const mdc_record *r, const char *const *cols,
                             size_t ncols, strbuf *out)
{
    char ts[MDC_FMT_TS_MAX];
    mdc_fmt_kv *kv;
    size_t n = mdc_fmt_collect(st, r, ts, &kv);
    for (size_t i = 0; i < ncols; i++) {
        if (i) sb_putc(out, ',');
        col_value(st, r, kv, n, cols[i], out);
    }
    free(kv);
    sb_putc(out, '\n');
}
