/* SPDX-License-Identifier: Apache-2.0 */
/* json_out.c — see json_out.h. */
#include "format/json_out.h"

#include "core/clock.h"
#include "format/float_repr.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || len > n || (len == 2 && c < 0xC2) || (len == 4 && c > 0xF4)) return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    if (len == 3 && ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))) return 0;
    if (len == 4 && ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))) return 0;
    return len;
}

static void escape_char(strbuf *out, unsigned char c)
{
    switch (c) {
    case '"':
        sb_puts(out, "\\\"");
        break;
    case '\\':
        sb_puts(out, "\\\\");
        break;
    case '\n':
        sb_puts(out, "\\n");
        break;
    case '\r':
        sb_puts(out, "\\r");
        break;
    case '\t':
        sb_puts(out, "\\t");
        break;
    default:
        sb_printf(out, "\\u%04x", c);
    }
}

void mdc_json_str(strbuf *out, const char *s)
{
    if (!s) {
        sb_puts(out, "null");
        return;
    }
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (p[n])
        n++;
    sb_putc(out, '"');
    for (size_t i = 0; i < n;) {
        size_t run = i;
        while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
            run++;
        sb_append(out, s + i, run - i);
        i = run;
        if (i >= n) break;
        if (p[i] < 0x80) {
            escape_char(out, p[i++]);
            continue;
        }
        size_t len = utf8_len(p + i, n - i);
        if (len) {
            sb_append(out, s + i, len);
            i += len;
        } else {
            sb_puts(out, "\xEF\xBF\xBD");
            i++;
        }
    }
    sb_putc(out, '"');
}

void mdc_json_key(strbuf *out, const char *key, int first)
{
    if (!first) sb_puts(out, ", ");
    mdc_json_str(out, key);
    sb_puts(out, ": ");
}

void mdc_json_double(strbuf *out, double d)
{
    if (!isfinite(d)) {
        sb_puts(out, "null");
        return;
    }
    char buf[MDC_FLOAT_REPR_MAX];
    mdc_float_repr(d, buf, sizeof buf);
    sb_puts(out, buf);
}

void mdc_json_value(strbuf *out, const mdc_value *v)
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
        mdc_json_double(out, v->u.d);
        break;
    case MDC_STRING:
        mdc_json_str(out, v->u.s);
        break;
    }
}

void mdc_json_time(strbuf *out, int64_t t_us)
{
    char ts[48];
    mdc_format_utc_us(t_us, ts, sizeof ts);
    mdc_json_str(out, ts);
}
