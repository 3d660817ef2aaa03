/* SPDX-License-Identifier: Apache-2.0 */
/* mqtt_topics.c — MQTT topics and payloads (pure; see mqtt_sink.h). */
#include "mqtt_sink.h"

#include "core/clock.h"
#include "format/json_out.h"
#include "format/placeholders.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

static const char *const placeholders[] = {"device", "machine_id", "point", NULL};

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
        int id = mdc_placeholder_id(placeholders, p + 1, (size_t)(end - p - 1));
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

typedef struct topic_ctx {
    const mdc_record *r;
    const char *point;
} topic_ctx;

static void put_topic_part(strbuf *out, int id, void *ctx)
{
    const topic_ctx *c = ctx;
    if (id == 0)
        put_clean(out, c->r->device ? c->r->device : "unknown");
    else if (id == 1 && c->r->has_machine_id)
        sb_printf(out, "%" PRId64, c->r->machine_id);
    else if (id == 1)
        sb_puts(out, "unknown");
    else
        put_clean(out, c->point ? c->point : "");
}

void mdc_mqtt_topic_expand(const char *tmpl, const mdc_record *r, const char *point, strbuf *out)
{
    topic_ctx c = {r, point};
    mdc_placeholders_expand(tmpl, placeholders, put_topic_part, &c, out);
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
    mdc_json_value(out, v);
    const char *why = error ? error : r->error;
    if (why) {
        sb_puts(out, ", \"error\": ");
        mdc_json_str(out, why);
    }
    sb_putc(out, '}');
}

void mdc_mqtt_status_payload(const mdc_record *r, strbuf *out)
{
    timestamp(out, r);
    sb_puts(out, ", \"device\": ");
    mdc_json_str(out, r->device ? r->device : "");
    if (r->has_machine_id)
        sb_printf(out, ", \"machine_id\": %" PRId64, r->machine_id);
    else
        sb_puts(out, ", \"machine_id\": null");
    if (r->status >= 0)
        sb_printf(out, ", \"status\": %d", r->status);
    else
        sb_puts(out, ", \"status\": null");
    sb_printf(out, ", \"state\": \"%s\", \"error\": ", mdc_record_state_name(r));
    if (r->error)
        mdc_json_str(out, r->error);
    else
        sb_puts(out, "null");
    sb_putc(out, '}');
}
