/* SPDX-License-Identifier: Apache-2.0 */
/* poller.c — one thread per bus: polls its devices on their schedules, derives, spools.
 * A device that fails is retried with a capped, jittered backoff (1 s doubling up to the
 * device's retry_max, default 5 s; a closed bus is reopened as often as its most impatient
 * device wants), and every failed attempt — poll, probe or reconnect — counts against it. Its
 * slots still yield records (status 0 with the last error) without touching the bus, and the
 * retries ("probes") are made only in the bus's idle gaps — when the next healthy poll is
 * further away than a failed poll takes — so one dead unit on a shared line never delays the
 * others. A probe that cannot find a gap for PROBE_FORCE_US is made anyway.
 * A slot that could not be read keeps its record back while a probe can still come within the
 * slot (record_flow.h, mdc_rt_hold): a probe that reads the device then delivers the slot's
 * record (with the values and the time it read them) instead of the unreachable one, which is
 * otherwise delivered when the hold ends (the live state shows it at once). A slot yields one
 * record. */
#include "record_flow.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/ratelimit.h"

#include <stdio.h>
#include <string.h>

#define PROBE_FORCE_US  MDC_RT_PROBE_FORCE_US
#define PROBE_MARGIN_US MDC_RT_PROBE_MARGIN_US

const double mdc_rt_latency_bounds_s[MDC_RT_LATENCY_BUCKETS] = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

/* Opens the bus when it is closed and its retry time has come. A failed attempt counts as a
 * failed poll of the device d that needed it. */
static bool bus_ready(mdc_rt_bus *bus, mdc_rt_device *d, int64_t now, char *why, size_t n)
{
    if (bus->handle) return true;
    if (now < bus->retry_at_us) {
        snprintf(why, n, "%s", mdc_rt_err_text(bus->last_error));
        return false;
    }
    mdc_err err = {0};
    int64_t t0 = mdc_mono_us();
    if (bus->driver->bus_open(bus->devs[0]->dcfg, &bus->handle, &err) == 0) {
        if (bus->failures) LOG_INFO(bus->key ? bus->key : bus->devs[0]->cfg->id, "connected again");
        bus->failures = 0;
        return true;
    }
    bus->handle = NULL;
    mdc_rt_note_latency(d, mdc_mono_us() - t0);
    atomic_fetch_add(&d->polls, 1);
    atomic_fetch_add(&d->poll_errors, 1);
    bus->failures++;
    bus->retry_at_us =
        now + mdc_rt_retry_delay(bus->failures, mdc_rt_seed(bus, now), mdc_rt_bus_retry_cap(bus));
    if (mdc_rt_err_keep(&bus->last_error, err.msg))
        LOG_WARN(bus->key ? bus->key : bus->devs[0]->cfg->id, "%s (retrying with backoff)",
                 err.msg);
    snprintf(why, n, "%s", err.msg);
    mdc_rt_charge_reconnect(d, bus->retry_at_us, err.msg);
    return false;
}

/* One real poll; returns the driver's result and keeps the failure bookkeeping. */
static int poll_io(mdc_rt_bus *bus, mdc_rt_device *d, mdc_record *rec, int64_t now,
                   bool log_changes, mdc_err *err)
{
    int64_t t0 = mdc_mono_us();
    int rc = d->driver->poll(bus->handle, d->dcfg, rec, err);
    mdc_rt_assert_poll(d, rc, rec, err);
    mdc_rt_note_latency(d, mdc_mono_us() - t0);
    atomic_fetch_add(&d->polls, 1);
    if (d->driver->take_discarded)
        atomic_fetch_add(&d->discarded, d->driver->take_discarded(bus->handle));
    if (rc < 0) {
        mdc_rt_note_failure(d, err, now, log_changes, d->cfg->retry_max_us);
        if (d->driver->bus_broken && d->driver->bus_broken(bus->handle)) {
            d->driver->bus_close(bus->handle);
            bus->handle = NULL;
        }
        return -1;
    }
    if (d->failures && log_changes)
        LOG_INFO(d->cfg->id, "reachable again after %u failed poll%s", d->failures,
                 d->failures == 1 ? "" : "s");
    d->failures = 0;
    d->retry_at_us = 0;
    mdc_rt_err_keep(&d->last_error, NULL);
    return 0;
}

void mdc_rt_poll_device(mdc_rt_bus *bus, mdc_rt_device *d, mdc_record *rec, bool log_changes)
{
    int64_t now = mdc_now_us();
    mdc_rt_set_identity(d, rec, now);
    if (d->failures) { /* failing: only probes touch the bus */
        mdc_rt_fill_unreachable(d, rec, mdc_rt_err_text(d->last_error));
        return;
    }
    char why[MDC_ERR_MSG_MAX];
    if (!bus_ready(bus, d, now, why, sizeof why)) {
        mdc_rt_fill_unreachable(d, rec, why);
        return;
    }
    mdc_err err = {0};
    if (poll_io(bus, d, rec, now, log_changes, &err) < 0) mdc_rt_fill_unreachable(d, rec, err.msg);
}

/* A retry of a failing device. When it reads the device while a slot's record is held, its
 * record is that slot's; otherwise it is not kept (the slots have their own). */
static void probe(mdc_rt_bus *bus, mdc_rt_device *d)
{
    int64_t now = mdc_now_us();
    char why[MDC_ERR_MSG_MAX];
    if (!bus_ready(bus, d, now, why, sizeof why)) {
        d->retry_at_us = bus->retry_at_us;
        return;
    }
    mdc_record *rec = &d->scratch;
    mdc_record_clear(rec);
    mdc_rt_set_identity(d, rec, now);
    mdc_err err = {0};
    if (poll_io(bus, d, rec, now, true, &err) == 0 && mdc_rt_held_answered(d))
        mdc_rt_record_done(bus->rt, d, rec); /* the held slot's record */
}

/* The failing device whose probe is due first, or NULL. */
static mdc_rt_device *next_probe(mdc_rt_bus *bus)
{
    mdc_rt_device *best = NULL;
    for (size_t i = 0; i < bus->ndevs; i++) {
        mdc_rt_device *d = bus->devs[i];
        if (!d->failures) continue;
        int64_t at = d->retry_at_us > d->probe_after_us ? d->retry_at_us : d->probe_after_us;
        if (!best || at < (best->retry_at_us > best->probe_after_us ? best->retry_at_us
                                                                    : best->probe_after_us))
            best = d;
    }
    return best;
}

static int64_t probe_time(const mdc_rt_device *d)
{
    return d->retry_at_us > d->probe_after_us ? d->retry_at_us : d->probe_after_us;
}

/* Earliest slot of a healthy device on the bus (INT64_MAX if none). */
static int64_t next_healthy_due(const mdc_rt_bus *bus)
{
    int64_t t = INT64_MAX;
    for (size_t i = 0; i < bus->ndevs; i++)
        if (!bus->devs[i]->failures && bus->devs[i]->next_due_us < t) t = bus->devs[i]->next_due_us;
    return t;
}

/* Probes p now if that fits before the next healthy poll; otherwise postpones it. */
static void probe_or_postpone(mdc_rt_bus *bus, mdc_rt_device *p, int64_t now)
{
    int64_t healthy = next_healthy_due(bus);
    int64_t cost = atomic_load(&p->last_latency_us) + PROBE_MARGIN_US;
    if (healthy == INT64_MAX || healthy - now >= cost || now - p->retry_at_us > PROBE_FORCE_US) {
        p->probe_after_us = 0;
        probe(bus, p);
    } else {
        p->probe_after_us = healthy + 1; /* right after that poll */
    }
}

static mdc_rt_device *next_device(mdc_rt_bus *bus)
{
    mdc_rt_device *best = bus->devs[0];
    for (size_t i = 1; i < bus->ndevs; i++)
        if (bus->devs[i]->next_due_us < best->next_due_us) best = bus->devs[i];
    return best;
}

static bool wait_for(mdc_rt_bus *bus, int64_t due)
{
    mdc_runtime *rt = bus->rt;
    if (bus->driver->idle && bus->handle) {
        while (!atomic_load(&rt->stop_polling)) {
            int64_t left = due - mdc_now_us();
            if (left <= 0) return true;
            bus->driver->idle(bus->handle, mdc_mono_us() + (left < 200000 ? left : 200000));
        }
        return false;
    }
    return mdc_rt_wait_until(rt, due, &rt->stop_polling);
}

/* The held record goes out: no probe read the device in time. */
static void release_held(mdc_runtime *rt, mdc_rt_device *d)
{
    mdc_record *held = mdc_rt_take_held(d);
    if (held) mdc_rt_record_done(rt, d, held);
}

/* Releases the holds that end by `now`; returns the earliest hold still running (INT64_MAX). */
static int64_t release_due_holds(mdc_rt_bus *bus, int64_t now)
{
    int64_t next = INT64_MAX;
    for (size_t i = 0; i < bus->ndevs; i++) {
        mdc_rt_device *d = bus->devs[i];
        if (d->has_held && d->held_until_us <= now) release_held(bus->rt, d);
        if (d->has_held && d->held_until_us < next) next = d->held_until_us;
    }
    return next;
}

static void poll_slot(mdc_rt_bus *bus, mdc_rt_device *d, int64_t due)
{
    mdc_runtime *rt = bus->rt;
    release_held(rt, d); /* the previous slot's, before this one's */
    mdc_record *rec = &d->scratch;
    mdc_record_clear(rec);
    mdc_rt_poll_device(bus, d, rec, true);
    if (rt->opts.once) {
        mdc_rt_record_done(rt, d, rec);
        d->next_due_us = INT64_MAX;
        atomic_fetch_add(&rt->devices_polled_once, 1);
        return;
    }
    uint64_t missed = 0;
    d->next_due_us = mdc_schedule_advance(&d->cfg->schedule, due, mdc_now_us(), &missed);
    if (missed) {
        atomic_fetch_add(&d->missed, missed);
        LOG_DEBUG(d->cfg->id, "poll overran its schedule: skipped %llu slot%s",
                  (unsigned long long)missed, missed == 1 ? "" : "s");
    }
    if (!mdc_rt_hold(rt, d, rec, probe_time(d))) mdc_rt_record_done(rt, d, rec);
}

void *mdc_rt_bus_thread(void *arg)
{
    mdc_rt_bus *bus = arg;
    mdc_runtime *rt = bus->rt;
    int64_t now = mdc_now_us();
    for (size_t i = 0; i < bus->ndevs; i++)
        bus->devs[i]->next_due_us =
            rt->opts.once ? now : mdc_schedule_next(&bus->devs[i]->cfg->schedule, now);
    while (!atomic_load(&rt->stop_polling)) {
        mdc_rt_device *d = next_device(bus);
        mdc_rt_device *p = rt->opts.once ? NULL : next_probe(bus);
        if (d->next_due_us == INT64_MAX) break; /* --once: every device has been polled */
        int64_t wake = d->next_due_us, held = release_due_holds(bus, mdc_now_us());
        if (p && probe_time(p) < wake) wake = probe_time(p);
        if (held < wake) wake = held;
        if (!wait_for(bus, wake)) break;
        now = mdc_now_us();
        if (now >= d->next_due_us)
            poll_slot(bus, d, d->next_due_us);
        else if (p && now >= probe_time(p))
            probe_or_postpone(bus, p, now);
    }
    release_due_holds(bus, INT64_MAX); /* the spool is still open: held records go in */
    if (bus->handle) {
        bus->driver->bus_close(bus->handle);
        bus->handle = NULL;
    }
    return NULL;
}
