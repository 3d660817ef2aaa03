/* mqtt_topics.c — MQTT topics and payloads (pure; see mqtt_sink.h). */
#include "mqtt_sink.h"

#include "core/clock.h"
#include "format/float_repr.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

static const char *const placeholders[] = {"device", "machine_id", "point"};

static int placeholder_id(const char *name, size_t n)
{
    for (int i = 0; i < 3; i++)
        if (strlen(placeholders[i]) == n && memcmp(placeholders[i], name, n) == 0) return i;
    return -1;
}

int mdc_mqtt_topic_check(const char *tmpl, bool allow_point, mdc_err *err)
{
    if (!tmpl || !*tmpl) return mdc_err_set(err, MDC_EINVAL, "empty topic");
    if (strpbrk(tmpl, "+#"))
        return mdc_err_set(err, MDC_EINVAL,
                           "\"%s\": '+' and '#' are wildcards, not allowed in a topic to publish",
                           tmpl);
    for (const char *p = strchr(tmpl, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        if (!end) break;
        int id = placeholder_id(p + 1, (size_t)(end - p - 1));
        if (id < 0 || (id == 2 && !allow_point))
            return mdc_err_set(err, MDC_EINVAL, "\"%s\": unknown placeholder %.*s (known: %s)",
                               tmpl, (int)(end - p + 1), p,
                               allow_point ? "{device}, {machine_id}, {point}"
                                           : "{device}, {machine_id}");
        p = end;
    }
    return 0;
}

void mdc_mqtt_topic_prefix(const char *tmpl, strbuf *out)
{
    size_t n = strcspn(tmpl, "{");
    while (n > 0 && tmpl[n - 1] == '/')
        n--;
    if (n == 0)
        sb_puts(out, "mdc");
    else
        sb_append(out, tmpl, n);
}

static void put_clean(strbuf *out, const char *s)
{
    for (; *s; s++)
        sb_putc(out, (*s == '/' || *s == '+' || *s == '#') ? '_' : *s);
}

void mdc_mqtt_topic_expand(const char *tmpl, const mdc_record *r, const char *point, strbuf *out)
{
    const char *p = tmpl;
    while (*p) {
        const char *open = strchr(p, '{');
        const char *end = open ? strchr(open, '}') : NULL;
        int id = end ? placeholder_id(open + 1, (size_t)(end - open - 1)) : -1;
        if (id < 0) { /* copy up to and including the brace (or the rest) literally */
            size_t n = open ? (size_t)(open - p) + 1 : strlen(p);
            sb_append(out, p, n);
            p += n;
            continue;
        }
        sb_append(out, p, (size_t)(open - p));
        if (id == 0)
            put_clean(out, r->device ? r->device : "unknown");
        else if (id == 1 && r->has_machine_id)
            sb_printf(out, "%" PRId64, r->machine_id);
        else if (id == 1)
            sb_puts(out, "unknown");
        else
            put_clean(out, point ? point : "");
        p = end + 1;
    }
}

/* A JSON string (payload bytes beyond ASCII are passed through as they are). */
void mdc_mqtt_json_string(strbuf *out, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    sb_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            sb_putc(out, '\\');
            sb_putc(out, (char)*p);
        } else if (*p < 0x20) {
            sb_puts(out, "\\u00");
            sb_putc(out, hex[*p >> 4]);
            sb_putc(out, hex[*p & 15]);
        } else {
            sb_putc(out, (char)*p);
        }
    }
    sb_putc(out, '"');
}

static void put_value(strbuf *out, const mdc_value *v)
{
    char buf[MDC_FLOAT_REPR_MAX];
    switch (v->type) {
    case MDC_BOOL:
        sb_puts(out, v->u.b ? "true" : "false");
        break;
    case MDC_INT:
        sb_printf(out, "%" PRId64, v->u.i);
        break;
    case MDC_DOUBLE:
        if (!isfinite(v->u.d)) {
            sb_puts(out, "null");
            break;
        }
        mdc_float_repr(v->u.d, buf, sizeof buf);
        sb_puts(out, buf);
        break;
    case MDC_STRING:
        mdc_mqtt_json_string(out, v->u.s);
        break;
    default:
        sb_puts(out, "null");
    }
}

static void timestamp(strbuf *out, const mdc_record *r)
{
    char ts[48];
    mdc_format_utc_us(r->ts_us, ts, sizeof ts);
    sb_printf(out, "{\"timestamp\": \"%s\"", ts);
}

void mdc_mqtt_point_payload(const mdc_record *r, const char *name, const mdc_value *v,
                            const char *error, strbuf *out)
{
    (void)name;
    timestamp(out, r);
    sb_puts(out, ", \"value\": ");
    put_value(out, v);
    const char *why = error ? error : r->error;
    if (why) {
        sb_puts(out, ", \"error\": ");
        mdc_mqtt_json_string(out, why);
    }
    sb_putc(out, '}');
}

static const char *state_name(const mdc_record *r)
{
    if (r->error) return "UNREACHABLE";
    switch (r->status) {
    case MDC_STATUS_OFF:
        return "OFF";
    case MDC_STATUS_ON:
        return "ON";
    case MDC_STATUS_PRODUCTION:
        return "PRODUCTION";
    default:
        return "ONLINE";
    }
}

void mdc_mqtt_status_payload(const mdc_record *r, strbuf *out)
{
    timestamp(out, r);
    sb_puts(out, ", \"device\": ");
    mdc_mqtt_json_string(out, r->device ? r->device : "");
    if (r->has_machine_id)
        sb_printf(out, ", \"machine_id\": %" PRId64, r->machine_id);
    else
        sb_puts(out, ", \"machine_id\": null");
    if (r->status >= 0)
        sb_printf(out, ", \"status\": %d", r->status);
    else
        sb_puts(out, ", \"status\": null");
    sb_printf(out, ", \"state\": \"%s\", \"error\": ", state_name(r));
    if (r->error)
        mdc_mqtt_json_string(out, r->error);
    else
        sb_puts(out, "null");
    sb_putc(out, '}');
}
