/* SPDX-License-Identifier: Apache-2.0 */
/* ua_json.c — values as JSON text, for array fields and the browse listing. */
#include "ua_text.h"

#include "core/clock.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>

void ua_json_string(const char *s, size_t n, strbuf *out)
{
    sb_putc(out, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            sb_putc(out, '\\');
            sb_putc(out, (char)c);
        } else if (c == '\n') {
            sb_puts(out, "\\n");
        } else if (c == '\r') {
            sb_puts(out, "\\r");
        } else if (c == '\t') {
            sb_puts(out, "\\t");
        } else if (c < 0x20) {
            sb_printf(out, "\\u%04x", c);
        } else {
            sb_putc(out, (char)c);
        }
    }
    sb_putc(out, '"');
}

void ua_datetime_format(int64_t dt, strbuf *out)
{
    if (dt <= 0) return;
    int64_t us = ua_datetime_to_unix_us(dt);
    int64_t days = mdc_floordiv(us, 86400LL * 1000000);
    int64_t rest = us - days * 86400LL * 1000000;
    int64_t y;
    unsigned m, d;
    mdc_civil_from_days(days, &y, &m, &d);
    int64_t s = rest / 1000000;
    sb_printf(out, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", (long long)y, m, d, (int)(s / 3600),
              (int)(s / 60 % 60), (int)(s % 60), (int)(rest / 1000 % 1000));
}

static void json_double(double d, strbuf *out)
{
    if (!isfinite(d)) {
        sb_puts(out, "null");
        return;
    }
    char buf[32];
    snprintf(buf, sizeof buf, "%.17g", d);
    /* the shortest text that reads back the same value */
    for (int prec = 1; prec <= 17; prec++) {
        char t[32];
        snprintf(t, sizeof t, "%.*g", prec, d);
        if (strtod(t, NULL) == d) {
            snprintf(buf, sizeof buf, "%s", t);
            break;
        }
    }
    sb_puts(out, buf);
}

static void json_text(const ua_string *s, strbuf *out)
{
    if (!s->data)
        sb_puts(out, "null");
    else
        ua_json_string(s->data, (size_t)s->len, out);
}

static void json_via_text(int type, const void *e, strbuf *out)
{
    strbuf t = STRBUF_INIT;
    if (type == UA_NODEID) ua_nodeid_format(e, &t);
    if (type == UA_EXPANDEDNODEID) ua_expnodeid_format(e, &t);
    if (type == UA_GUID) ua_guid_format(e, &t);
    if (type == UA_DATETIME) ua_datetime_format(*(const int64_t *)e, &t);
    if (type == UA_QUALIFIEDNAME) {
        const ua_qname *q = e;
        if (q->ns) sb_printf(&t, "%u:", (unsigned)q->ns);
        if (q->name.data) sb_append(&t, q->name.data, (size_t)q->name.len);
    }
    if (type == UA_STATUSCODE) {
        char buf[64];
        sb_puts(&t, ua_status_text(*(const uint32_t *)e, buf, sizeof buf));
    }
    ua_json_string(t.buf ? t.buf : "", t.len, out);
    sb_free(&t);
}

/* Boolean and the numbers; false for other types. */
static bool json_number(int type, const void *e, strbuf *out)
{
    switch (type) {
    case UA_BOOLEAN:
        sb_puts(out, *(const bool *)e ? "true" : "false");
        break;
    case UA_SBYTE:
        sb_printf(out, "%d", *(const int8_t *)e);
        break;
    case UA_BYTE:
        sb_printf(out, "%u", *(const uint8_t *)e);
        break;
    case UA_INT16:
        sb_printf(out, "%d", *(const int16_t *)e);
        break;
    case UA_UINT16:
        sb_printf(out, "%u", *(const uint16_t *)e);
        break;
    case UA_INT32:
        sb_printf(out, "%d", *(const int32_t *)e);
        break;
    case UA_UINT32:
        sb_printf(out, "%u", *(const uint32_t *)e);
        break;
    case UA_INT64:
        sb_printf(out, "%lld", (long long)*(const int64_t *)e);
        break;
    case UA_UINT64:
        sb_printf(out, "%llu", (unsigned long long)*(const uint64_t *)e);
        break;
    case UA_FLOAT:
        json_double(*(const float *)e, out);
        break;
    case UA_DOUBLE:
        json_double(*(const double *)e, out);
        break;
    default:
        return false;
    }
    return true;
}

static void json_base64(const ua_string *s, strbuf *out)
{
    if (!s->data) {
        sb_puts(out, "null");
        return;
    }
    sb_putc(out, '"');
    ua_base64_encode(s->data, (size_t)s->len, out);
    sb_putc(out, '"');
}

void ua_value_json(int type, const void *e, strbuf *out)
{
    if (json_number(type, e, out)) return;
    switch (type) {
    case UA_STRING:
    case UA_XMLELEMENT:
        json_text(e, out);
        return;
    case UA_LOCALIZEDTEXT:
        json_text(&((const ua_ltext *)e)->text, out);
        return;
    case UA_VARIANT:
        ua_variant_json(e, out);
        return;
    case UA_DATAVALUE:
        ua_variant_json(&((const ua_datavalue *)e)->value, out);
        return;
    case UA_NODEID:
    case UA_EXPANDEDNODEID:
    case UA_GUID:
    case UA_DATETIME:
    case UA_QUALIFIEDNAME:
    case UA_STATUSCODE:
        json_via_text(type, e, out);
        return;
    case UA_EXTENSIONOBJECT:
    case UA_DIAGNOSTICINFO:
        sb_puts(out, "null");
        return;
    default:
        json_base64(e, out); /* ByteString and the ids read as ByteString */
    }
}

void ua_variant_json(const ua_variant *v, strbuf *out)
{
    const ua_type *t = ua_type_of(v->type);
    if (!t || !v->data) {
        sb_puts(out, v->is_array && t ? "[]" : "null");
        return;
    }
    if (!v->is_array) {
        ua_value_json(v->type, v->data, out);
        return;
    }
    sb_putc(out, '[');
    for (int32_t i = 0; i < v->n; i++) {
        if (i) sb_putc(out, ',');
        ua_value_json(v->type, (const char *)v->data + (size_t)i * t->size, out);
    }
    sb_putc(out, ']');
}
