/* SPDX-License-Identifier: Apache-2.0 */
/* format_json.c — JSON rendering (Python json.dumps defaults), plus what every format shares:
 * the format names, the dispatcher, the flat key/value view of a record and UTF-8 decoding. */
#include "format/format.h"
#include "format/float_repr.h"

#include "core/clock.h"
#include "core/xalloc.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int mdc_format_parse(const char *name, mdc_format_kind *out)
{
    if (!name) return -1;
    if (strcmp(name, "json") == 0)
        *out = MDC_FMT_JSON;
    else if (strcmp(name, "yaml") == 0 || strcmp(name, "yml") == 0)
        *out = MDC_FMT_YAML;
    else if (strcmp(name, "csv") == 0)
        *out = MDC_FMT_CSV;
    else
        return -1;
    return 0;
}

int mdc_format_style_parse(const char *name, mdc_format_style *out)
{
    if (name && strcmp(name, "mdc") == 0)
        *out = MDC_STYLE_MDC;
    else if (name && strcmp(name, "hems") == 0)
        *out = MDC_STYLE_HEMS;
    else
        return -1;
    return 0;
}

const char *mdc_format_name(mdc_format_kind k)
{
    switch (k) {
    case MDC_FMT_JSON:
        return "json";
    case MDC_FMT_YAML:
        return "yaml";
    case MDC_FMT_CSV:
        return "csv";
    }
    return "?";
}

const char *mdc_format_extension(mdc_format_kind k)
{
    switch (k) {
    case MDC_FMT_JSON:
        return ".json";
    case MDC_FMT_YAML:
        return ".yaml";
    case MDC_FMT_CSV:
        return ".csv";
    }
    return "";
}

const char *mdc_format_style_name(mdc_format_style st)
{
    return st == MDC_STYLE_HEMS ? "hems" : "mdc";
}

void mdc_format_record(mdc_format_kind k, mdc_format_style st, const mdc_record *r, strbuf *out)
{
    switch (k) {
    case MDC_FMT_JSON:
        mdc_fmt_json_record(st, r, out);
        break;
    case MDC_FMT_YAML:
        mdc_fmt_yaml_record(st, r, out);
        break;
    case MDC_FMT_CSV:
        mdc_fmt_csv_record(st, r, out);
        break;
    }
}

/* ---- shared helpers ---- */

static void format_ts(mdc_format_style st, int64_t ts_us, char *buf)
{
    /* Python's isoformat() leaves out a zero fraction. */
    if (st == MDC_STYLE_HEMS && ts_us % MDC_US_PER_SEC == 0)
        mdc_format_utc_s(ts_us, buf, MDC_FMT_TS_MAX);
    else
        mdc_format_utc_us(ts_us, buf, MDC_FMT_TS_MAX);
}

size_t mdc_fmt_collect(mdc_format_style st, const mdc_record *r, char ts[MDC_FMT_TS_MAX],
                       mdc_fmt_kv **kv)
{
    mdc_fmt_kv *a = xcalloc(r->nfields + 5, sizeof *a); /* + error, see format.h */
    size_t n = 0;
    format_ts(st, r->ts_us, ts);
    a[n].key = "timestamp";
    a[n].v.type = MDC_STRING;
    a[n++].v.u.s = ts;
    bool hems = st == MDC_STYLE_HEMS;
    if (r->device && !hems) {
        a[n].key = "device";
        a[n].v.type = MDC_STRING;
        a[n++].v.u.s = r->device;
    }
    if (r->has_machine_id && !hems) {
        a[n].key = "machine_id";
        a[n].v.type = MDC_INT;
        a[n++].v.u.i = r->machine_id;
    }
    if (r->status >= 0 && !hems) {
        a[n].key = "status";
        a[n].v.type = MDC_INT;
        a[n++].v.u.i = r->status;
    }
    for (size_t i = 0; i < r->nfields; i++) {
        a[n].key = r->fields[i].name;
        a[n].missing = hems && r->fields[i].v.type == MDC_NULL && r->fields[i].error;
        a[n++].v = r->fields[i].v;
    }
    *kv = a;
    return n;
}

static size_t utf8_len(unsigned char c, uint32_t *cp, uint32_t *min)
{
    if (c >= 0xC2 && c <= 0xDF) {
        *cp = c & 0x1F;
        *min = 0x80;
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        *cp = c & 0x0F;
        *min = 0x800;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        *cp = c & 0x07;
        *min = 0x10000;
        return 4;
    }
    return 0;
}

size_t mdc_fmt_utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    uint32_t v, min;
    size_t len = utf8_len(s[0], &v, &min);
    *cp = 0xFFFD;
    if (len == 0) return 1;
    for (size_t i = 1; i < len; i++) {
        if (i >= n || (s[i] & 0xC0) != 0x80) return i;
        v = (v << 6) | (s[i] & 0x3F);
        /* Reject as early as the second byte, so the maximal prefix is what we consume. */
        if (i == 1) {
            uint32_t top = v << (6 * (len - 2));
            if (top < min || top > 0x10FFFF || (top >= 0xD800 && top <= 0xDFFF)) return 1;
        }
    }
    *cp = v;
    return len;
}

static void put_utf8(strbuf *out, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    sb_append(out, b, n);
}

void mdc_fmt_utf8_clean(strbuf *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    while (n) {
        uint32_t cp;
        size_t k = mdc_fmt_utf8_next(p, n, &cp);
        if (cp == 0xFFFD && !(k == 3 && p[0] == 0xEF))
            put_utf8(out, cp);
        else
            sb_append(out, (const char *)p, k);
        p += k;
        n -= k;
    }
}

/* ---- JSON ---- */

static void json_escape_cp(strbuf *out, uint32_t cp)
{
    switch (cp) {
    case '"':
        sb_puts(out, "\\\"");
        return;
    case '\\':
        sb_puts(out, "\\\\");
        return;
    case '\n':
        sb_puts(out, "\\n");
        return;
    case '\r':
        sb_puts(out, "\\r");
        return;
    case '\t':
        sb_puts(out, "\\t");
        return;
    case '\b':
        sb_puts(out, "\\b");
        return;
    case '\f':
        sb_puts(out, "\\f");
        return;
    default:
        break;
    }
    if (cp >= 0x10000) {
        cp -= 0x10000;
        sb_printf(out, "\\u%04x\\u%04x", 0xD800 + (unsigned)(cp >> 10),
                  0xDC00 + (unsigned)(cp & 0x3FF));
    } else {
        sb_printf(out, "\\u%04x", (unsigned)cp);
    }
}

/* A JSON string with ensure_ascii: only ' '..'~' pass through, everything else is escaped. */
static void json_str(strbuf *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    sb_putc(out, '"');
    while (n) {
        size_t run = 0;
        while (run < n && p[run] >= 0x20 && p[run] <= 0x7E && p[run] != '"' && p[run] != '\\')
            run++;
        sb_append(out, (const char *)p, run);
        p += run;
        n -= run;
        if (!n) break;
        uint32_t cp;
        size_t k = mdc_fmt_utf8_next(p, n, &cp);
        json_escape_cp(out, cp);
        p += k;
        n -= k;
    }
    sb_putc(out, '"');
}

static void json_double(mdc_format_style st, strbuf *out, double d)
{
    if (isfinite(d)) {
        char b[MDC_FLOAT_REPR_MAX];
        mdc_float_repr(d, b, sizeof b);
        sb_puts(out, b);
    } else if (st == MDC_STYLE_MDC) {
        sb_puts(out, "null"); /* strict JSON has no NaN or Infinity */
    } else {
        sb_puts(out, isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
    }
}

static void json_value(mdc_format_style st, strbuf *out, const mdc_value *v)
{
    switch (v->type) {
    case MDC_NULL:
        sb_puts(out, "null");
        break;
    case MDC_BOOL:
        sb_puts(out, v->u.b ? "true" : "false");
        break;
    case MDC_INT:
        sb_printf(out, "%" PRId64, v->u.i);
        break;
    case MDC_DOUBLE:
        json_double(st, out, v->u.d);
        break;
    case MDC_STRING:
        json_str(out, v->u.s ? v->u.s : "");
        break;
    }
}

static void json_key(strbuf *out, const char *key, bool *first)
{
    if (!*first) sb_puts(out, ", ");
    *first = false;
    json_str(out, key);
    sb_puts(out, ": ");
}

static void json_errors(const mdc_record *r, strbuf *out, bool *first)
{
    if (mdc_record_error_count(r) == 0) return;
    json_key(out, "errors", first);
    bool inner = true;
    sb_putc(out, '{');
    for (size_t i = 0; i < r->nfields; i++) {
        if (!r->fields[i].error) continue;
        json_key(out, r->fields[i].name, &inner);
        json_str(out, r->fields[i].error);
    }
    sb_putc(out, '}');
}

void mdc_fmt_json_record(mdc_format_style st, const mdc_record *r, strbuf *out)
{
    char ts[MDC_FMT_TS_MAX];
    mdc_fmt_kv *kv;
    size_t n = mdc_fmt_collect(st, r, ts, &kv);
    bool first = true;
    sb_putc(out, '{');
    for (size_t i = 0; i < n; i++) {
        if (kv[i].missing) continue;
        json_key(out, kv[i].key, &first);
        json_value(st, out, &kv[i].v);
    }
    free(kv);
    if (st == MDC_STYLE_MDC) json_errors(r, out, &first);
    if (r->error) {
        json_key(out, "error", &first);
        json_str(out, r->error);
    }
    sb_puts(out, "}\n");
}
