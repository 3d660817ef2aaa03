/* SPDX-License-Identifier: Apache-2.0 */
/* threads.c — starting and stopping the runtime's threads. */
#include "runtime_internal.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/mkdirs.h"
#include "core/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define THREAD_STACK (256 * 1024)
#define EVENT_STACK  (512 * 1024) /* many buses each; name resolution runs on it */

bool mdc_rt_wait_until(mdc_runtime *rt, int64_t deadline_us, const atomic_bool *flag)
{
    pthread_mutex_lock(&rt->mu);
    while (!atomic_load(flag)) {
        int64_t now = mdc_now_us();
        if (now >= deadline_us) break;
        struct timespec ts = {.tv_sec = deadline_us / MDC_US_PER_SEC,
                              .tv_nsec = (deadline_us % MDC_US_PER_SEC) * 1000};
        pthread_cond_timedwait(&rt->cv, &rt->mu, &ts); /* CLOCK_REALTIME: schedules are wall time */
    }
    bool ok = !atomic_load(flag);
    pthread_mutex_unlock(&rt->mu);
    return ok;
}

void mdc_rt_wake_all(mdc_runtime *rt)
{
    pthread_mutex_lock(&rt->mu);
    pthread_cond_broadcast(&rt->cv);
    pthread_mutex_unlock(&rt->mu);
    mdc_rt_mux_wake(rt);
    if (rt->spool) mdc_spool_wake(rt->spool);
}

static void load_states(mdc_runtime *rt)
{
    for (size_t i = 0; i < rt->ndevs; i++) {
        mdc_rt_device *d = &rt->devs[i];
        char key[128];
        snprintf(key, sizeof key, "derive:%s", d->cfg->id);
        strbuf s = STRBUF_INIT;
        mdc_err err = {0};
        int found = mdc_spool_get_state(rt->spool, key, &s, &err);
        if (found < 0 || (found == 1 && mdc_derive_state_from_json(sb_str(&s), &d->st, &err) < 0))
            LOG_WARN(d->cfg->id, "starting with fresh derive state: %s", err.msg);
        sb_free(&s);
    }
}

static int start_thread(pthread_t *t, void *(*fn)(void *), void *arg, mdc_err *err)
{
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, THREAD_STACK);
    int rc = pthread_create(t, &a, fn, arg);
    pthread_attr_destroy(&a);
    if (rc != 0) return mdc_err_set(err, MDC_EIO, "cannot start a thread: %s", strerror(rc));
    return 0;
}

int mdc_runtime_start(mdc_runtime *rt, const mdc_run_opts *opts, mdc_err *err)
{
    rt->opts = opts ? *opts : (mdc_run_opts){0};
    if (rt->opts.drain_seconds <= 0) rt->opts.drain_seconds = 3;
    if (mdc_mkdirs(rt->cfg->data_dir, 0755, "data directory", err) < 0) return -1;
    char path[4096];
    snprintf(path, sizeof path, "%s/spool.db", rt->cfg->data_dir);
    mdc_spool_opts so = {.max_records = rt->cfg->spool.max_records,
                         .max_bytes = rt->cfg->spool.max_bytes,
                         .min_free = rt->cfg->spool.min_free_bytes,
                         .synchronous = rt->cfg->spool.sync_full ? MDC_SPOOL_SYNC_FULL
                                                                 : MDC_SPOOL_SYNC_NORMAL};
    if (mdc_spool_open(path, &so, &rt->spool, err) < 0) return -1;
    load_states(rt);
    for (size_t i = 0; i < rt->nsinks; i++) {
        int64_t pos;
        if (mdc_spool_cursor(rt->spool, rt->sinks[i].sink->id, -1, &pos, err) < 0) return -1;
    }
    for (size_t i = 0; i < rt->nsinks; i++) {
        mdc_sink *s = rt->sinks[i].sink;
        if (s->ops->catalog) s->ops->catalog(s, &rt->catalog);
    }
    for (size_t i = 0; i < rt->nsinks; i++) {
        rt->sinks[i].rt = rt;
        if (start_thread(&rt->sinks[i].thread, mdc_rt_sink_thread, &rt->sinks[i], err) < 0)
            return -1;
        rt->sinks[i].started = true;
    }
    for (size_t i = 0; i < rt->nbuses; i++) {
        if (mdc_rt_bus_is_async(rt->buses[i])) continue; /* served by the event threads */
        if (start_thread(&rt->buses[i]->thread, mdc_rt_bus_thread, rt->buses[i], err) < 0)
            return -1;
        rt->buses[i]->started = true;
    }
    return mdc_rt_mux_start(rt, EVENT_STACK, err);
}

void mdc_runtime_set_drain(mdc_runtime *rt, double seconds)
{
    rt->opts.drain_seconds = seconds;
}

void mdc_runtime_request_stop(mdc_runtime *rt)
{
    atomic_store(&rt->stop_polling, true);
}

bool mdc_runtime_stopping(const mdc_runtime *rt)
{
    return atomic_load(&rt->stop_polling);
}

static int64_t total_backlog(mdc_runtime *rt)
{
    int64_t n = 0;
    for (size_t i = 0; i < rt->nsinks; i++)
        n += mdc_spool_backlog(rt->spool, rt->sinks[i].sink->id);
    return n;
}

void mdc_runtime_stop(mdc_runtime *rt)
{
    atomic_store(&rt->stop_polling, true);
    mdc_rt_wake_all(rt);
    for (size_t i = 0; i < rt->nbuses; i++)
        if (rt->buses[i]->started) {
            pthread_join(rt->buses[i]->thread, NULL);
            rt->buses[i]->started = false;
        }
    mdc_rt_mux_stop(rt);
    if (rt->spool) { /* let healthy sinks deliver what is left, briefly */
        int64_t deadline = mdc_mono_us() + (int64_t)(rt->opts.drain_seconds * 1e6);
        while (total_backlog(rt) > 0 && mdc_mono_us() < deadline)
            mdc_sleep_us(20000);
        int64_t left = total_backlog(rt);
        if (left > 0)
            LOG_WARN("spool",
                     "%lld record%s not yet delivered; kept in the spool for the next start",
                     (long long)left, left == 1 ? "" : "s");
    }
    atomic_store(&rt->stop_sinks, true);
    mdc_rt_wake_all(rt);
    for (size_t i = 0; i < rt->nsinks; i++)
        if (rt->sinks[i].started) {
            pthread_join(rt->sinks[i].thread, NULL);
            rt->sinks[i].started = false;
        }
    mdc_spool_close(rt->spool);
    rt->spool = NULL;
}

static bool unreachable_live(mdc_rt_device *d)
{
    pthread_mutex_lock(&d->live_mu);
    bool failed = d->has_live && d->live.error != NULL;
    pthread_mutex_unlock(&d->live_mu);
    return failed;
}

bool mdc_runtime_once_progress(mdc_runtime *rt, mdc_once_progress *p)
{
    *p = (mdc_once_progress){.devices = rt->ndevs};
    p->polled = (size_t)atomic_load(&rt->devices_polled_once);
    for (size_t i = 0; i < rt->ndevs; i++) {
        mdc_rt_device *d = &rt->devs[i];
        p->failed += unreachable_live(d);
        p->lost += atomic_load(&d->lost_disk_full) + atomic_load(&d->lost_spool_error);
    }
    for (size_t i = 0; i < rt->nsinks; i++)
        p->dead_lettered += atomic_load(&rt->sinks[i].dead_lettered);
    p->backlog = rt->spool ? total_backlog(rt) : 0;
    return p->polled >= p->devices && p->backlog == 0;
}

int mdc_runtime_read_once(mdc_runtime *rt, mdc_rt_device *dev, mdc_record *rec, strbuf *inspect,
                          int argc, char **argv, mdc_err *err)
{
    mdc_rt_bus *bus = dev->bus;
    if (dev->driver->bus_open(dev->dcfg, &bus->handle, err) < 0) {
        bus->handle = NULL;
        return -1;
    }
    int rc = 0;
    if (inspect) {
        if (!dev->driver->inspect)
            rc = mdc_err_set(err, MDC_EINVAL, "driver %s has no raw/inspect output",
                             dev->driver->name);
        else
            rc = dev->driver->inspect(bus->handle, dev->dcfg, argc, argv, inspect, err);
    }
    if (rc == 0 && rec) {
        mdc_rt_poll_device(bus, dev, rec, false);
        mdc_derive_state st;
        mdc_derive_state_init(&st);
        mdc_derive_apply(&dev->derive, &rt->shifts, &st, rec, NULL);
    }
    if (bus->handle) dev->driver->bus_close(bus->handle);
    bus->handle = NULL;
    return rc;
}
