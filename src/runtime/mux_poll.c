/* SPDX-License-Identifier: Apache-2.0 */
/* mux_poll.c — one poll on an event thread: started at its slot (or answered at once from the
 * backoff state), completed by the driver, bookkept as on a bus thread (poller.c), its record
 * into the thread's batch, the device back into the slot heap. As on a bus thread, a failing
 * device is also probed between its slots when its retry comes first, and a slot that could
 * not be read keeps its record back while such a probe can still come within the slot
 * (record_flow.h, mdc_rt_hold): a probe that reads the device delivers that slot's record,
 * otherwise the held record goes out when the hold ends. */
#include "mux.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *bus_name(const mux_bus *mb)
{
    return mb->bus->key ? mb->bus->key : mb->bus->devs[0]->cfg->id;
}

/* When md may be retried: its own backoff, and its bus's while the bus could not be opened. */
static int64_t probe_at(const mux_dev *md)
{
    int64_t at = md->d->retry_at_us;
    if (md->mb->failures && md->mb->retry_at_us > at) at = md->mb->retry_at_us;
    return at;
}

/* md needs the thread at `at` for a probe between slots (when it is failing and that comes
 * before its next slot, which would probe anyway), at the latest when its held slot ends. */
static void arm_retry(mdc_rt_mux *m, mux_dev *md, int64_t at)
{
    const mdc_rt_device *d = md->d;
    int64_t t = d->failures && at < d->next_due_us ? at : INT64_MAX;
    if (d->has_held && d->held_until_us < t) t = d->held_until_us;
    if (t == INT64_MAX || t == md->wake_at) return;
    md->wake_at = t;
    mdc_heap_push(&m->retries, t, md);
}

void mdc_rt_mux_release_held(mdc_rt_mux *m, mux_dev *md)
{
    const mdc_record *held = mdc_rt_take_held(md->d);
    if (held) mdc_rt_mux_add_copy(m, md, held);
}

/* The slot's record is complete: into the batch (or held for a probe); the device's next slot
 * into the heap. rec is always d->scratch. */
static void complete(mdc_rt_mux *m, mux_dev *md, mdc_record *rec)
{
    mdc_rt_device *d = md->d;
    if (m->rt->opts.once) {
        mdc_rt_mux_add_record(m, md);
        d->next_due_us = INT64_MAX;
        m->once_done++; /* counted in the runtime once the records are spooled */
        return;
    }
    uint64_t missed = 0;
    d->next_due_us = mdc_schedule_advance(&d->cfg->schedule, md->due, mdc_now_us(), &missed);
    if (missed) {
        atomic_fetch_add(&d->missed, missed);
        LOG_DEBUG(d->cfg->id, "poll overran its schedule: skipped %llu slot%s",
                  (unsigned long long)missed, missed == 1 ? "" : "s");
    }
    if (!mdc_rt_hold(m->rt, d, rec, probe_at(md))) mdc_rt_mux_add_record(m, md);
    arm_retry(m, md, probe_at(md));
    if (d->next_due_us != MDC_SCHED_NEVER) mdc_heap_push(&m->slots, d->next_due_us, md);
}

static void bus_opened(mux_bus *mb)
{
    if (mb->failures) LOG_INFO(bus_name(mb), "connected again");
    mb->failures = 0;
}

static void bus_failed(mux_bus *mb, const mdc_err *err, int64_t now)
{
    mb->failures++;
    mb->retry_at_us =
        now + mdc_rt_retry_delay(mb->failures, mdc_rt_seed(mb, now), mdc_rt_bus_retry_cap(mb->bus));
    if (!mb->last_error || strcmp(mb->last_error, err->msg) != 0) {
        LOG_WARN(bus_name(mb), "%s (retrying with backoff)", err->msg);
        free(mb->last_error);
        mb->last_error = xstrdup(err->msg);
    }
}

static void device_ok(mdc_rt_device *d)
{
    if (d->failures)
        LOG_INFO(d->cfg->id, "reachable again after %u failed poll%s", d->failures,
                 d->failures == 1 ? "" : "s");
    d->failures = 0;
    d->retry_at_us = 0;
    mdc_rt_err_keep(&d->last_error, NULL);
}

/* The bookkeeping of a finished poll or probe of md (rc: MDC_ASYNC_*), as on a bus thread: a
 * bus that could not be opened backs off, and the failed reconnect counts against the device
 * that needed it. rec becomes an unreachable record when the device could not be read. */
static void account(mux_dev *md, int rc, const mdc_err *err, mdc_record *rec)
{
    mdc_rt_device *d = md->d;
    mux_bus *mb = md->mb;
    int64_t now = mdc_now_us();
    mdc_rt_assert_async_done(d, rc, rec, err);
    mdc_rt_note_latency(d, mdc_mono_us() - md->t0_us);
    atomic_fetch_add(&d->polls, 1);
    if (mb->ops->take_discarded)
        atomic_fetch_add(&d->discarded, mb->ops->take_discarded(mb->handle));
    if (rc == MDC_ASYNC_NO_CONNECTION) {
        atomic_fetch_add(&d->poll_errors, 1);
        bus_failed(mb, err, now);
        mdc_rt_charge_reconnect(d, mb->retry_at_us, err->msg);
        mdc_rt_fill_unreachable(d, rec, err->msg);
    } else if (rc != MDC_ASYNC_OK) {
        bus_opened(mb);
        mdc_rt_note_failure(d, err, now, true, d->cfg->retry_max_us);
        mdc_rt_fill_unreachable(d, rec, err->msg);
    } else {
        bus_opened(mb);
        device_ok(d);
    }
}

static void poll_done(void *ctx, int rc, const mdc_err *err)
{
    mux_dev *md = ctx;
    md->in_flight = false;
    account(md, rc, err, &md->d->scratch);
    complete(md->mb->mux, md, &md->d->scratch);
}

bool mdc_rt_mux_is_probe(const mux_dev *md, int64_t now)
{
    return md->d->failures && now >= probe_at(md);
}

/* The next slot of a healthy neighbour of md on its bus (INT64_MAX for none). */
static int64_t next_healthy_slot(const mux_dev *md, int64_t now)
{
    const mdc_rt_bus *bus = md->mb->bus;
    int64_t healthy = INT64_MAX;
    for (size_t i = 0; i < bus->ndevs; i++) {
        const mdc_rt_device *o = bus->devs[i];
        if (o == md->d || o->failures) continue;
        int64_t next = mdc_schedule_next(&o->cfg->schedule, now);
        if (next < healthy) healthy = next;
    }
    return healthy;
}

/* On a bus shared with healthy devices a probe (which may take its whole timeout) is made only
 * when it ends before their next slot, or when it has waited PROBE_FORCE_US for such a gap. */
static bool probe_fits(const mux_dev *md, int64_t now)
{
    const mdc_rt_device *d = md->d;
    if (md->mb->bus->ndevs == 1 || now - d->retry_at_us > MDC_RT_PROBE_FORCE_US) return true;
    int64_t cost = atomic_load(&d->last_latency_us) + MDC_RT_PROBE_MARGIN_US;
    int64_t healthy = next_healthy_slot(md, now);
    return healthy == INT64_MAX || healthy - now >= cost;
}

void mdc_rt_mux_start_poll(mdc_rt_mux *m, mux_dev *md, int64_t now)
{
    mdc_rt_device *d = md->d;
    mux_bus *mb = md->mb;
    mdc_record *rec = &d->scratch;
    mdc_rt_mux_release_held(m, md); /* the previous slot's, before this one's */
    md->due = d->next_due_us;
    mdc_record_clear(rec);
    mdc_rt_set_identity(d, rec, now);
    if (mb->failures && now < mb->retry_at_us) { /* the bus is backing off */
        mdc_rt_fill_unreachable(d, rec, mb->last_error ? mb->last_error : "not connected");
        complete(m, md, rec);
        return;
    }
    if (d->failures && (now < d->retry_at_us || !probe_fits(md, now))) { /* backing off */
        mdc_rt_fill_unreachable(d, rec, mdc_rt_err_text(d->last_error));
        complete(m, md, rec);
        return;
    }
    md->t0_us = mdc_mono_us();
    md->in_flight = true;
    mb->ops->submit(mb->handle, d->dcfg, rec, d->failures > 0, poll_done, md, md->t0_us);
    mdc_rt_mux_after_call(m, mb);
}

/* ---- probes between slots ---- */

/* A probe's record is the held slot's when it read the device; otherwise it is not kept. A
 * slot that came meanwhile starts now. */
static void probe_done(void *ctx, int rc, const mdc_err *err)
{
    mux_dev *md = ctx;
    mdc_rt_mux *m = md->mb->mux;
    md->in_flight = false;
    account(md, rc, err, &md->d->scratch);
    if (rc == MDC_ASYNC_OK && mdc_rt_held_answered(md->d)) mdc_rt_mux_add_record(m, md);
    arm_retry(m, md, probe_at(md));
    if (md->slot_waiting) {
        md->slot_waiting = false;
        mdc_heap_push(&m->slots, md->d->next_due_us, md);
    }
}

static void start_probe(mdc_rt_mux *m, mux_dev *md, int64_t now)
{
    mdc_rt_device *d = md->d;
    mux_bus *mb = md->mb;
    if (md->in_batch) mdc_rt_mux_drain(m); /* the probe reads into the record in the batch */
    mdc_record_clear(&d->scratch);
    mdc_rt_set_identity(d, &d->scratch, now);
    md->t0_us = mdc_mono_us();
    md->in_flight = true;
    mb->ops->submit(mb->handle, d->dcfg, &d->scratch, true, probe_done, md, md->t0_us);
    mdc_rt_mux_after_call(m, mb);
}

void mdc_rt_mux_retry_due(mdc_rt_mux *m, mux_dev *md, int64_t now)
{
    mdc_rt_device *d = md->d;
    if (md->in_flight) return; /* its end arms the next retry */
    if (d->has_held && now >= d->held_until_us) mdc_rt_mux_release_held(m, md);
    if (!d->failures) return;
    if (now < probe_at(md))
        arm_retry(m, md, probe_at(md));
    else if (!probe_fits(md, now)) /* right after the healthy neighbour's poll */
        arm_retry(m, md, next_healthy_slot(md, now) + 1);
    else
        start_probe(m, md, now);
}
