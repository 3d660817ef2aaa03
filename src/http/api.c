/* SPDX-License-Identifier: Apache-2.0 */
/* api.c — see api.h. */
#include "api.h"
#include "catalog_json.h"
#include "format/json_out.h"

#include "core/clock.h"
#include "core/xalloc.h"

#include <inttypes.h>
#include <string.h>
#include <strings.h>

typedef struct cache_entry {
    bool valid;
    int64_t seq, ts_us; /* the record it was rendered from */
    strbuf json;
} cache_entry;

struct mdc_api_cache {
    size_t n;
    cache_entry *e;
    strbuf *points;      /* per device: its points object (fixed while the runtime runs) */
    const char **power;  /* per device: the value plant totals take as its power, or NULL */
    double *power_to_kw; /* ... and its factor to kW */
};

mdc_api_cache *mdc_api_cache_new(mdc_runtime *rt)
{
    mdc_api_cache *c = xcalloc(1, sizeof *c);
    c->n = mdc_runtime_device_count(rt);
    c->e = xcalloc(c->n ? c->n : 1, sizeof *c->e);
    c->points = xcalloc(c->n ? c->n : 1, sizeof *c->points);
    c->power = xcalloc(c->n ? c->n : 1, sizeof *c->power);
    c->power_to_kw = xcalloc(c->n ? c->n : 1, sizeof *c->power_to_kw);
    const mdc_catalog *cat = mdc_runtime_catalog(rt);
    for (size_t i = 0; i < c->n; i++) {
        const mdc_device_info *di = i < cat->ndevices ? &cat->devices[i] : NULL;
        mdc_catalog_points_json(di, &c->points[i]);
        c->power[i] = mdc_api_power_point(mdc_runtime_device(rt, i), di, &c->power_to_kw[i]);
    }
    return c;
}

void mdc_api_cache_free(mdc_api_cache *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) {
        sb_free(&c->e[i].json);
        sb_free(&c->points[i]);
    }
    free(c->e);
    free(c->points);
    free(c->power);
    free(c->power_to_kw);
    free(c);
}

const char *mdc_api_state_name(const mdc_record *rec)
{
    return rec ? mdc_record_state_name(rec) : "PENDING";
}

static void field_or_null(strbuf *out, const mdc_record *rec, const char *const *names)
{
    for (; rec && *names; names++) {
        const mdc_field *f = mdc_record_find(rec, *names);
        if (f) {
            mdc_json_value(out, &f->v);
            return;
        }
    }
    sb_puts(out, "null");
}

static void values_json(strbuf *out, const mdc_record *rec)
{
    sb_puts(out, "{");
    for (size_t i = 0; rec && i < rec->nfields; i++) {
        mdc_json_key(out, rec->fields[i].name, i == 0);
        mdc_json_value(out, &rec->fields[i].v);
    }
    sb_puts(out, "}");
}

static void errors_json(strbuf *out, const mdc_record *rec)
{
    sb_puts(out, "{");
    int first = 1;
    for (size_t i = 0; rec && i < rec->nfields; i++)
        if (rec->fields[i].error) {
            mdc_json_key(out, rec->fields[i].name, first);
            mdc_json_str(out, rec->fields[i].error);
            first = 0;
        }
    sb_puts(out, "}");
}

static void identity_json(strbuf *out, const mdc_rt_device *d)
{
    const mdc_device_cfg *c = mdc_runtime_device_cfg(d);
    sb_puts(out, "{\"id\": ");
    mdc_json_str(out, c->id);
    sb_puts(out, ", \"name\": ");
    mdc_json_str(out, c->name);
    if (c->has_machine_id)
        sb_printf(out, ", \"machine_id\": %" PRId64, c->machine_id);
    else
        sb_puts(out, ", \"machine_id\": null");
    sb_puts(out, ", \"driver\": ");
    mdc_json_str(out, c->driver);
}

/* "last_success" always; "last_values" while unreachable: what was read last. */
static void last_ok_json(strbuf *out, const mdc_record *rec, const mdc_record *ok)
{
    sb_puts(out, ", \"last_success\": ");
    if (ok)
        mdc_json_time(out, ok->ts_us);
    else
        sb_puts(out, "null");
    if (rec && rec->error && ok) {
        sb_puts(out, ", \"last_values\": ");
        values_json(out, ok);
    }
}

static void live_json(strbuf *out, const mdc_record *rec, const mdc_record *ok)
{
    static const char *const program[] = {"program", "active_program", "selected_program", NULL};
    static const char *const parts[] = {"part_count", NULL};
    static const char *const shift[] = {"shift", NULL};
    static const char *const energy[] = {"shift_energy_kwh", NULL};
    sb_puts(out, ", \"state\": ");
    mdc_json_str(out, mdc_api_state_name(rec));
    if (rec && rec->status >= 0)
        sb_printf(out, ", \"status\": %d", rec->status);
    else
        sb_puts(out, ", \"status\": null");
    sb_printf(out, ", \"reachable\": %s, \"error\": ", rec && !rec->error ? "true" : "false");
    mdc_json_str(out, rec ? rec->error : NULL);
    sb_puts(out, ", \"timestamp\": ");
    if (rec)
        mdc_json_time(out, rec->ts_us);
    else
        sb_puts(out, "null");
    sb_puts(out, ", \"program\": ");
    field_or_null(out, rec, program);
    sb_puts(out, ", \"part_count\": ");
    field_or_null(out, rec, parts);
    sb_puts(out, ", \"shift\": ");
    field_or_null(out, rec, shift);
    sb_puts(out, ", \"shift_energy_kwh\": ");
    field_or_null(out, rec, energy);
    sb_puts(out, ", \"values\": ");
    values_json(out, rec);
    sb_puts(out, ", \"errors\": ");
    errors_json(out, rec);
    last_ok_json(out, rec, ok);
}

static void counters_json(strbuf *out, mdc_rt_device *d)
{
    mdc_rt_device_stats st;
    mdc_runtime_device_stats(d, &st);
    sb_printf(out,
              ", \"polls\": %" PRIu64 ", \"poll_errors\": %" PRIu64 ", \"missed_slots\": %" PRIu64
              ", \"last_poll_seconds\": ",
              st.polls, st.poll_errors, st.missed);
    if (st.polls)
        mdc_json_double(out, (double)st.last_latency_us / 1e6);
    else
        sb_puts(out, "null");
    sb_puts(out, "}");
}

static cache_entry *entry_of(mdc_api_cache *cache, size_t i)
{
    return cache && i < cache->n ? &cache->e[i] : NULL;
}

typedef struct live_ctx {
    strbuf *out;
    cache_entry *entry; /* NULL: no cache */
} live_ctx;

/* Under the device's lock: the cached rendering when it is of this record, else a new one (the
 * last good record changes only with the live one). */
static void live_visit(void *ctx, const mdc_record *rec, const mdc_record *ok)
{
    live_ctx *c = ctx;
    cache_entry *e = c->entry;
    if (!e || !rec) {
        live_json(c->out, rec, ok);
        return;
    }
    if (!e->valid || e->seq != rec->seq || e->ts_us != rec->ts_us) {
        sb_reset(&e->json);
        live_json(&e->json, rec, ok);
        e->valid = true;
        e->seq = rec->seq;
        e->ts_us = rec->ts_us;
    }
    sb_append(c->out, e->json.buf, e->json.len);
}

static void points_json(mdc_runtime *rt, mdc_api_cache *cache, size_t i, strbuf *out)
{
    const mdc_catalog *cat = mdc_runtime_catalog(rt);
    const mdc_device_info *di = i < cat->ndevices ? &cat->devices[i] : NULL;
    double f;
    sb_puts(out, ", \"power_point\": ");
    mdc_json_str(out, cache && i < cache->n
                          ? cache->power[i]
                          : mdc_api_power_point(mdc_runtime_device(rt, i), di, &f));
    sb_puts(out, ", \"points\": ");
    if (cache && i < cache->n) {
        sb_append(out, cache->points[i].buf, cache->points[i].len);
        return;
    }
    mdc_catalog_points_json(di, out);
}

static void device_json(mdc_runtime *rt, mdc_api_cache *cache, size_t i, strbuf *out)
{
    mdc_rt_device *d = mdc_runtime_device(rt, i);
    cache_entry *entry = entry_of(cache, i);
    identity_json(out, d);
    points_json(rt, cache, i, out);
    live_ctx c = {out, entry};
    mdc_runtime_device_visit_ok(d, live_visit, &c); /* renders under the lock: no copy */
    counters_json(out, d);
}

static void state_visit(void *ctx, const mdc_record *rec)
{
    *(const char **)ctx = mdc_api_state_name(rec);
}

/* Contains `needle`, in any case (ASCII). */
static bool contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0) return true;
    return n == 0;
}

static bool matches(mdc_rt_device *d, const mdc_api_filter *f)
{
    const mdc_device_cfg *c = mdc_runtime_device_cfg(d);
    if (f->q && f->q[0] && !contains(c->id, f->q) && !contains(c->name, f->q)) return false;
    if (!f->state || !f->state[0]) return true;
    const char *state = NULL;
    mdc_runtime_device_visit(d, state_visit, &state);
    return strcmp(state, f->state) == 0;
}

void mdc_api_devices(mdc_runtime *rt, mdc_api_cache *cache, const mdc_api_filter *f, int64_t now_us,
                     strbuf *out)
{
    sb_puts(out, "{\"timestamp\": ");
    mdc_json_time(out, now_us);
    sb_puts(out, ", \"devices\": [");
    size_t n = mdc_runtime_device_count(rt);
    int64_t total = 0, shown = 0;
    for (size_t i = 0; i < n; i++) {
        if (f && !matches(mdc_runtime_device(rt, i), f)) continue;
        int64_t k = total++;
        if (f && (k < f->offset || (f->limit >= 0 && k >= f->offset + f->limit))) continue;
        if (shown++) sb_puts(out, ", ");
        device_json(rt, cache, i, out);
    }
    sb_printf(out, "], \"total\": %" PRId64 ", \"offset\": %" PRId64 "}\n", total,
              f ? f->offset : 0);
}

bool mdc_api_device(mdc_runtime *rt, mdc_api_cache *cache, const char *id, strbuf *out)
{
    mdc_rt_device *d = mdc_runtime_find_device(rt, id);
    if (!d) return false;
    size_t i = 0;
    while (mdc_runtime_device(rt, i) != d)
        i++;
    device_json(rt, cache, i, out);
    sb_putc(out, '\n');
    return true;
}

static void reason(strbuf *out, int *n, const char *kind, const char *id, const char *why)
{
    strbuf r = STRBUF_INIT;
    sb_printf(&r, "%s %s: %s", kind, id, why);
    if ((*n)++) sb_puts(out, ", ");
    mdc_json_str(out, sb_str(&r));
    sb_free(&r);
}

typedef struct reason_ctx {
    const char *id;
    strbuf *out;
    int *n;
} reason_ctx;

static void reason_visit(void *ctx, const mdc_record *rec)
{
    reason_ctx *c = ctx;
    if (!rec || !rec->error) return;
    strbuf why = STRBUF_INIT;
    sb_printf(&why, "unreachable: %s", rec->error);
    reason(c->out, c->n, "device", c->id, sb_str(&why));
    sb_free(&why);
}

static void device_reasons(mdc_runtime *rt, strbuf *out, int *n)
{
    for (size_t i = 0; i < mdc_runtime_device_count(rt); i++) {
        mdc_rt_device *d = mdc_runtime_device(rt, i);
        reason_ctx c = {mdc_runtime_device_cfg(d)->id, out, n};
        mdc_runtime_device_visit(d, reason_visit, &c);
    }
}

/* Records lost in the last LOSS_WINDOW_US: the disk (or its reserve) was full. */
#define LOSS_WINDOW_US (300 * MDC_US_PER_SEC)

static void loss_reasons(mdc_runtime *rt, strbuf *out, int *n)
{
    int64_t now = mdc_now_us();
    for (size_t i = 0; i < mdc_runtime_device_count(rt); i++) {
        mdc_rt_device *d = mdc_runtime_device(rt, i);
        mdc_rt_device_stats st;
        mdc_runtime_device_stats(d, &st);
        if (!st.last_loss_us || now - st.last_loss_us > LOSS_WINDOW_US) continue;
        char why[160];
        snprintf(why, sizeof why,
                 "records lost (%llu: disk full, %llu: spool errors) in the "
                 "last 5 minutes",
                 (unsigned long long)st.lost_disk_full, (unsigned long long)st.lost_spool_error);
        reason(out, n, "device", mdc_runtime_device_cfg(d)->id, why);
    }
}

static void sink_reasons(mdc_runtime *rt, strbuf *out, int *n)
{
    for (size_t i = 0; i < mdc_runtime_sink_count(rt); i++) {
        mdc_rt_sink *s = mdc_runtime_sink(rt, i);
        int64_t dead = mdc_runtime_sink_dead_letters(rt, s);
        if (dead > 0) {
            char why[160];
            snprintf(why, sizeof why, "%lld record%s in the dead-letter table (mdc spool list)",
                     (long long)dead, dead == 1 ? "" : "s");
            reason(out, n, "sink", mdc_runtime_sink_id(s), why);
        }
        mdc_rt_sink_stats st;
        mdc_runtime_sink_stats(s, &st);
        if (st.healthy) continue;
        char why[MDC_ERR_MSG_MAX + 64];
        mdc_runtime_sink_error(s, why, sizeof why);
        reason(out, n, "sink", mdc_runtime_sink_id(s), why[0] ? why : "failing");
    }
}

int mdc_api_health(mdc_runtime *rt, strbuf *out)
{
    strbuf reasons = STRBUF_INIT;
    int n = 0;
    device_reasons(rt, &reasons, &n);
    loss_reasons(rt, &reasons, &n);
    sink_reasons(rt, &reasons, &n);
    sb_printf(out, "{\"status\": \"%s\", \"reasons\": [%s]}\n", n ? "unhealthy" : "ok",
              sb_str(&reasons));
    sb_free(&reasons);
    return n ? 503 : 200;
}
