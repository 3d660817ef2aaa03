/* SPDX-License-Identifier: Apache-2.0 */
/* runtime.c — building the runtime from a configuration, and describing it. */
#include "runtime_internal.h"

#include "core/clock.h"
#include "core/keys.h"
#include "core/xalloc.h"
#include "sinks/sink_store.h"

#include <stdio.h>
#include <string.h>

static mdc_rt_bus *bus_for(mdc_runtime *rt, const mdc_driver *drv, const char *key)
{
    if (key)
        for (size_t i = 0; i < rt->nbuses; i++)
            if (rt->buses[i]->driver == drv && rt->buses[i]->key &&
                strcmp(rt->buses[i]->key, key) == 0)
                return rt->buses[i];
    mdc_rt_bus *b = xcalloc(1, sizeof *b);
    b->key = key ? xstrdup(key) : NULL;
    b->driver = drv;
    b->rt = rt;
    xgrow(&rt->buses, &rt->capbuses, rt->nbuses + 1, sizeof *rt->buses);
    rt->buses[rt->nbuses++] = b;
    return b;
}

static int attach_to_bus(mdc_runtime *rt, mdc_rt_device *d, mdc_err *err)
{
    const char *key = d->driver->bus_key ? d->driver->bus_key(d->dcfg) : NULL;
    mdc_rt_bus *b = bus_for(rt, d->driver, key);
    if (b->ndevs && d->driver->bus_check &&
        d->driver->bus_check(b->devs[0]->dcfg, d->dcfg, err) < 0)
        return cfg_error(&d->cfg->node, NULL, err, "shares %s with device \"%s\": %s", key,
                         b->devs[0]->cfg->id, err->msg);
    xgrow(&b->devs, &b->capdevs, b->ndevs + 1, sizeof *b->devs);
    b->devs[b->ndevs++] = d;
    d->bus = b;
    return 0;
}

static int build_device(mdc_runtime *rt, const mdc_device_cfg *dc, mdc_rt_device *d, mdc_err *err)
{
    d->cfg = dc;
    pthread_mutex_init(&d->live_mu, NULL);
    mdc_record_init(&d->live);
    mdc_record_init(&d->last_ok);
    mdc_record_init(&d->scratch);
    mdc_record_init(&d->held);
    sb_init(&d->events);
    sb_init(&d->state);
    sb_init(&d->enc);
    mdc_ratelimit_init(&d->loss_log, 60 * MDC_US_PER_SEC);
    mdc_err merr;
    d->driver = mdc_driver_load(dc->driver, &merr);
    if (!d->driver && merr.code) return cfg_error(&dc->node, "driver", err, "%s", merr.msg);
    if (!d->driver) {
        const char *near = mdc_did_you_mean(dc->driver, mdc_driver_names());
        strbuf names = STRBUF_INIT;
        for (const char *const *n = mdc_driver_names(); *n; n++)
            sb_printf(&names, "%s%s", names.len ? ", " : "", *n);
        cfg_error(&dc->node, "driver", err, "unknown driver \"%s\"%s%s%s; allowed: %s", dc->driver,
                  near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "",
                  sb_str(&names));
        sb_free(&names);
        return -1;
    }
    if (d->driver->parse(dc, &d->dcfg, err) < 0) return -1;
    d->fields = d->driver->fields(d->dcfg);
    const char *signal =
        d->driver->part_signal_field ? d->driver->part_signal_field(d->dcfg) : NULL;
    if (mdc_derive_parse(&dc->node, d->fields, signal, &d->derive, err) < 0) return -1;
    mdc_derive_state_init(&d->st);
    atomic_init(&d->status, MDC_STATUS_NONE);
    return attach_to_bus(rt, d, err);
}

static void build_shifts(mdc_runtime *rt)
{
    const mdc_config *cfg = rt->cfg;
    rt->shift_starts = xcalloc(cfg->nshifts, sizeof *rt->shift_starts);
    rt->shift_ids = xcalloc(cfg->nshifts, sizeof *rt->shift_ids);
    for (size_t i = 0; i < cfg->nshifts; i++) {
        rt->shift_starts[i] = cfg->shifts[i].start_min;
        rt->shift_ids[i] = cfg->shifts[i].id;
    }
    rt->shifts = (mdc_shift_ctx){
        .tz = cfg->tz, .starts_min = rt->shift_starts, .ids = rt->shift_ids, .n = cfg->nshifts};
}

static const mdc_key runtime_keys[] = {
    {.name = "event_threads",
     .type = MDC_KEY_INT,
     .def = "2",
     .min = 1,
     .max = 64,
     .help = "threads serving the event-driven buses (Modbus TCP by default)"},
    {0},
};
const mdc_keyset mdc_runtime_keyset = {"runtime", runtime_keys, NULL};

/* "runtime": {"event_threads": N} — threads for the event-driven buses. */
static int parse_runtime_keys(mdc_runtime *rt, mdc_err *err)
{
    const mdc_keyset *ks = &mdc_runtime_keyset;
    rt->event_threads = 2;
    if (!rt->cfg->doc) return 0;
    mdc_cfgnode root = mdc_cfgdoc_root(rt->cfg->doc), n;
    bool have;
    int64_t threads;
    if (!root.json || cfg_object(&root, "runtime", &n, &have, err) < 0) return root.json ? -1 : 0;
    if (!have) return 0;
    if (mdc_keys_check(&n, ks, err) < 0 || mdc_key_int(&n, ks, "event_threads", &threads, err) < 0)
        return -1;
    rt->event_threads = (int)threads;
    return 0;
}

int mdc_runtime_build(const mdc_config *cfg, mdc_runtime **out, mdc_err *err)
{
    mdc_runtime *rt = xcalloc(1, sizeof *rt);
    rt->cfg = cfg;
    pthread_mutex_init(&rt->mu, NULL);
    pthread_cond_init(&rt->cv, NULL);
    build_shifts(rt);
    rt->devs = xcalloc(cfg->ndevices ? cfg->ndevices : 1, sizeof *rt->devs);
    for (size_t i = 0; i < cfg->ndevices; i++) {
        bool enabled = true;
        if (mdc_key_bool(&cfg->devices[i].node, &mdc_device_keyset, "enabled", &enabled, err) < 0)
            goto fail;
        if (!enabled) continue;
        rt->ndevs++;
        if (build_device(rt, &cfg->devices[i], &rt->devs[rt->ndevs - 1], err) < 0) goto fail;
    }
    mdc_rt_build_catalog(rt);
    if (parse_runtime_keys(rt, err) < 0 || mdc_rt_build_sinks(rt, err) < 0) goto fail;
    *out = rt;
    return 0;
fail:
    mdc_runtime_free(rt);
    return -1;
}

void mdc_runtime_free(mdc_runtime *rt)
{
    if (!rt) return;
    mdc_rt_mux_stop(rt); /* nothing when stopped already */
    for (size_t i = 0; i < rt->nbuses; i++) {
        mdc_rt_bus *b = rt->buses[i];
        if (b->handle) b->driver->bus_close(b->handle);
        free(b->key);
        free(b->devs);
        free(b->last_error);
        free(b);
    }
    free(rt->buses);
    for (size_t i = 0; i < rt->ndevs; i++) {
        mdc_rt_device *d = &rt->devs[i];
        if (d->dcfg) d->driver->free_config(d->dcfg);
        if (d->cfg) { /* built far enough to own a live record */
            mdc_record_free(&d->live);
            mdc_record_free(&d->last_ok);
            mdc_record_free(&d->scratch);
            mdc_record_free(&d->held);
            sb_free(&d->events);
            sb_free(&d->state);
            sb_free(&d->enc);
            free(d->last_error);
            pthread_mutex_destroy(&d->live_mu);
        }
    }
    free(rt->devs);
    for (size_t i = 0; i < rt->nsinks; i++) {
        mdc_sink_destroy(rt->sinks[i].sink);
        pthread_mutex_destroy(&rt->sinks[i].err_mu);
    }
    free(rt->sinks);
    mdc_rt_free_catalog(rt);
    free(rt->shift_starts);
    free(rt->shift_ids);
    pthread_cond_destroy(&rt->cv);
    pthread_mutex_destroy(&rt->mu);
    free(rt);
}

const mdc_config *mdc_runtime_config(const mdc_runtime *rt)
{
    return rt->cfg;
}

size_t mdc_runtime_device_count(const mdc_runtime *rt)
{
    return rt->ndevs;
}

mdc_rt_device *mdc_runtime_device(mdc_runtime *rt, size_t i)
{
    return i < rt->ndevs ? &rt->devs[i] : NULL;
}

mdc_rt_device *mdc_runtime_find_device(mdc_runtime *rt, const char *id)
{
    for (size_t i = 0; i < rt->ndevs; i++)
        if (strcmp(rt->devs[i].cfg->id, id) == 0) return &rt->devs[i];
    return NULL;
}

size_t mdc_runtime_sink_count(const mdc_runtime *rt)
{
    return rt->nsinks;
}

mdc_rt_sink *mdc_runtime_sink(mdc_runtime *rt, size_t i)
{
    return i < rt->nsinks ? &rt->sinks[i] : NULL;
}

const char *mdc_runtime_store_path(const mdc_runtime *rt)
{
    for (size_t i = 0; i < rt->nsinks; i++) {
        const char *path = mdc_sink_store_path(rt->sinks[i].sink);
        if (path) return path;
    }
    return NULL;
}

const mdc_shift_ctx *mdc_runtime_shifts(const mdc_runtime *rt)
{
    return &rt->shifts;
}

void mdc_runtime_set_observer(mdc_runtime *rt, mdc_rt_observer fn, void *ctx)
{
    rt->observer = fn;
    rt->observer_ctx = ctx;
}

bool mdc_runtime_device_live(mdc_rt_device *d, mdc_record *out)
{
    pthread_mutex_lock(&d->live_mu);
    bool have = d->has_live;
    if (have) mdc_record_copy(out, &d->live);
    pthread_mutex_unlock(&d->live_mu);
    return have;
}

void mdc_runtime_device_visit(mdc_rt_device *d, void (*fn)(void *ctx, const mdc_record *rec),
                              void *ctx)
{
    pthread_mutex_lock(&d->live_mu);
    fn(ctx, d->has_live ? &d->live : NULL);
    pthread_mutex_unlock(&d->live_mu);
}

void mdc_runtime_device_visit_ok(mdc_rt_device *d,
                                 void (*fn)(void *ctx, const mdc_record *live,
                                            const mdc_record *last_ok),
                                 void *ctx)
{
    pthread_mutex_lock(&d->live_mu);
    const mdc_record *live = d->has_live ? &d->live : NULL;
    const mdc_record *ok = live && !live->error ? live : d->has_last_ok ? &d->last_ok : NULL;
    fn(ctx, live, ok);
    pthread_mutex_unlock(&d->live_mu);
}

int mdc_runtime_spool_stats(mdc_runtime *rt, mdc_spool_stats *st)
{
    if (!rt->spool) return -1;
    return mdc_spool_stats_get(rt->spool, st, NULL);
}

int64_t mdc_runtime_sink_backlog(mdc_runtime *rt, const mdc_rt_sink *s)
{
    if (!rt->spool) return -1;
    return mdc_spool_backlog(rt->spool, s->sink->id);
}

int64_t mdc_runtime_sink_dead_letters(mdc_runtime *rt, const mdc_rt_sink *s)
{
    if (!rt->spool) return -1;
    return mdc_spool_dead_count(rt->spool, s->sink->id);
}

void mdc_runtime_sink_error(mdc_rt_sink *s, char *buf, size_t n)
{
    pthread_mutex_lock(&s->err_mu);
    snprintf(buf, n, "%s", s->last_error);
    pthread_mutex_unlock(&s->err_mu);
}

static void describe_device(const mdc_rt_device *d, strbuf *out)
{
    const mdc_device_cfg *c = d->cfg;
    sb_printf(out, "  %s (driver %s", c->id, c->driver);
    if (c->has_machine_id) sb_printf(out, ", machine %lld", (long long)c->machine_id);
    if (strcmp(c->name, c->id) != 0) sb_printf(out, ", \"%s\"", c->name);
    sb_puts(out, "): ");
    mdc_schedule_describe(&c->schedule, out);
    sb_puts(out, "\n");
    d->driver->describe(d->dcfg, out);
    mdc_derive_describe(&d->derive, out);
}

/* Bytes a record's row takes in the embedded store, its index included: about 110, and 22 for
 * each value in its JSON ("name":value; measured with 11 values: 353). */
#define STORE_BYTES_PER_RECORD 110
#define STORE_BYTES_PER_VALUE  22

/* Polls a day on the device's schedule (counted over the next day; at most a poll a ms). */
static double polls_per_day(const mdc_schedule *sch)
{
    const int64_t day = 86400 * MDC_US_PER_SEC;
    int64_t t = mdc_schedule_next(sch, 0), start = t;
    int64_t second = mdc_schedule_next(sch, t);
    if (second <= t) return 0;
    if (second - t <= 60 * MDC_US_PER_SEC && second - t == mdc_schedule_next(sch, second) - second)
        return (double)day / (double)(second - t); /* a fixed interval */
    double n = 0;
    while (t > 0 && t - start < day && n < 86400000) {
        n++;
        t = mdc_schedule_next(sch, t);
    }
    return n;
}

/* "store: about X MB per day (Y at the retention)" for `mdc check`. */
static void describe_store_size(const mdc_runtime *rt, strbuf *out)
{
    double bytes = 0;
    for (size_t i = 0; i < rt->ndevs; i++) {
        const mdc_device_info *di = &rt->catalog.devices[i];
        bytes += polls_per_day(&rt->devs[i].cfg->schedule) *
                 (STORE_BYTES_PER_RECORD + (double)(di->nfields + 3) * STORE_BYTES_PER_VALUE);
    }
    const char *path = mdc_runtime_store_path(rt);
    if (!path) return;
    sb_printf(out,
              "store: %s, about %.1f MB of samples a day (%.2f MB per device-day on "
              "average)\n",
              path, bytes / 1e6, rt->ndevs ? bytes / 1e6 / (double)rt->ndevs : 0.0);
}

void mdc_runtime_describe(const mdc_runtime *rt, strbuf *out)
{
    const mdc_config *cfg = rt->cfg;
    sb_printf(out, "configuration %s: OK\n", mdc_cfgdoc_name(cfg->doc));
    sb_printf(out, "timezone %s; data in %s/; shifts:", cfg->timezone, cfg->data_dir);
    for (size_t i = 0; i < cfg->nshifts; i++)
        sb_printf(out, " %d@%02d:%02d", cfg->shifts[i].id, cfg->shifts[i].start_min / 60,
                  cfg->shifts[i].start_min % 60);
    size_t nasync = mdc_rt_async_bus_count(rt), nthreads = rt->nbuses - nasync;
    size_t nevent = nasync < (size_t)rt->event_threads ? nasync : (size_t)rt->event_threads;
    sb_printf(out, "\ndevices (%zu) on %zu thread%s", rt->ndevs, nthreads + nevent,
              nthreads + nevent == 1 ? "" : "s");
    if (nasync)
        sb_printf(out, " (%zu event-driven bus%s on %zu event thread%s)", nasync,
                  nasync == 1 ? "" : "es", nevent, nevent == 1 ? "" : "s");
    sb_puts(out, ":\n");
    for (size_t i = 0; i < rt->ndevs; i++)
        describe_device(&rt->devs[i], out);
    sb_printf(out, "sinks (%zu):\n", rt->nsinks);
    for (size_t i = 0; i < rt->nsinks; i++)
        sb_printf(out, "  %s\n", rt->sinks[i].sink->id);
    describe_store_size(rt, out);
    sb_printf(out, "spool: %s/spool.db, at most %lld records, synchronous=%s\n", cfg->data_dir,
              (long long)cfg->spool.max_records, cfg->spool.sync_full ? "full" : "normal");
    mdc_cfgdoc_mask(cfg->doc, out);
}
