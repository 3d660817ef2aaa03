/* SPDX-License-Identifier: Apache-2.0 */
/* render.c — request bodies and log text from records. */
#include "format/render.h"

#include "core/clock.h"
#include "format/float_repr.h"

#include <inttypes.h>
#include <string.h>

static void strip_newline(strbuf *out, size_t start)
{
    if (out->len > start && out->buf[out->len - 1] == '\n') out->buf[--out->len] = '\0';
}

static void csv_header(const mdc_render_cfg *c, const mdc_record *r, strbuf *out)
{
    if (c->csv_columns)
        mdc_format_csv_header_cols(c->csv_columns, c->ncsv_columns, out);
    else
        mdc_format_csv_header(c->style, r, out);
}

static void csv_row(const mdc_render_cfg *c, const mdc_record *r, strbuf *out)
{
    if (c->csv_columns)
        mdc_format_csv_row_cols(c->style, r, c->csv_columns, c->ncsv_columns, out);
    else
        mdc_format_record(MDC_FMT_CSV, c->style, r, out);
}

void mdc_render_one(const mdc_render_cfg *c, const mdc_record *r, strbuf *out)
{
    size_t start = out->len;
    switch (c->format) {
    case MDC_FMT_JSON:
        mdc_format_record(MDC_FMT_JSON, c->style, r, out);
        strip_newline(out, start);
        return;
    case MDC_FMT_YAML:
        mdc_format_record(MDC_FMT_YAML, c->style, r, out);
        if (c->style == MDC_STYLE_HEMS) strip_newline(out, start); /* print()'s blank line */
        return;
    case MDC_FMT_CSV:
        csv_header(c, r, out);
        csv_row(c, r, out);
        return;
    }
}

static void csv_many(const mdc_render_cfg *c, const mdc_record *const *recs, size_t n, strbuf *out)
{
    strbuf last = STRBUF_INIT, h = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        sb_reset(&h);
        csv_header(c, recs[i], &h);
        if (h.len != last.len || memcmp(sb_str(&h), sb_str(&last), h.len) != 0) {
            sb_append(out, sb_str(&h), h.len);
            sb_reset(&last);
            sb_append(&last, sb_str(&h), h.len);
        }
        csv_row(c, recs[i], out);
    }
    sb_free(&last);
    sb_free(&h);
}

void mdc_render_many(const mdc_render_cfg *c, const mdc_record *const *recs, size_t n, strbuf *out)
{
    switch (c->format) {
    case MDC_FMT_JSON:
        sb_putc(out, '[');
        for (size_t i = 0; i < n; i++) {
            if (i) sb_puts(out, ", ");
            size_t start = out->len;
            mdc_format_record(MDC_FMT_JSON, c->style, recs[i], out);
            strip_newline(out, start);
        }
        sb_putc(out, ']');
        return;
    case MDC_FMT_YAML:
        for (size_t i = 0; i < n; i++)
            mdc_format_record(MDC_FMT_YAML, c->style, recs[i], out);
        return;
    case MDC_FMT_CSV:
        csv_many(c, recs, n, out);
        return;
    }
}

const char *mdc_render_content_type(mdc_format_kind k)
{
    switch (k) {
    case MDC_FMT_YAML:
        return "application/yaml";
    case MDC_FMT_CSV:
        return "text/csv";
    case MDC_FMT_JSON:
        break;
    }
    return "application/json";
}

/* Python's repr() of a str: single quotes unless the text has ' and no ". Non-ASCII text is
 * kept as it is (printable in Python 3); control characters are escaped. */
static void py_str(strbuf *out, const char *s)
{
    char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
    sb_putc(out, q);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\\' || *p == (unsigned char)q)
            sb_printf(out, "\\%c", *p);
        else if (*p == '\n')
            sb_puts(out, "\\n");
        else if (*p == '\r')
            sb_puts(out, "\\r");
        else if (*p == '\t')
            sb_puts(out, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            sb_printf(out, "\\x%02x", *p);
        else
            sb_putc(out, (char)*p);
    }
    sb_putc(out, q);
}

static void py_value(strbuf *out, const mdc_value *v)
{
    char buf[MDC_FLOAT_REPR_MAX];
    switch (v->type) {
    case MDC_NULL:
        sb_puts(out, "None");
        return;
    case MDC_BOOL:
        sb_puts(out, v->u.b ? "True" : "False");
        return;
    case MDC_INT:
        sb_printf(out, "%" PRId64, v->u.i);
        return;
    case MDC_DOUBLE:
        mdc_float_repr(v->u.d, buf, sizeof buf);
        sb_puts(out, buf);
        return;
    case MDC_STRING:
        py_str(out, v->u.s);
        return;
    }
}

void mdc_render_pyrepr(const mdc_record *r, strbuf *out)
{
    char ts[48];
    if (r->ts_us % MDC_US_PER_SEC == 0) /* isoformat() leaves out a zero fraction */
        mdc_format_utc_s(r->ts_us, ts, sizeof ts);
    else
        mdc_format_utc_us(r->ts_us, ts, sizeof ts);
    sb_puts(out, "{'timestamp': ");
    py_str(out, ts);
    for (size_t i = 0; i < r->nfields; i++) {
        const mdc_field *f = &r->fields[i];
        if (f->v.type == MDC_NULL && f->error) continue; /* never read: no key (format.h) */
        sb_puts(out, ", ");
        py_str(out, r->fields[i].name);
        sb_puts(out, ": ");
        py_value(out, &r->fields[i].v);
    }
    sb_putc(out, '}');
}
