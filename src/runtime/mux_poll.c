/* mux_poll.c — one poll on an event thread: started at its slot (or answered at once from the
 * backoff state), completed by the driver, bookkept as on a bus thread (poller.c), its record
 * into the thread's batch, the device back into the slot heap. */
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

/* The record is complete: into the batch; the device's next slot into the heap. */
static void complete(mdc_rt_mux *m, mux_dev *md, mdc_record *rec)
{
    mdc_rt_device *d = md->d;
    (void)rec; /* always d->scratch */
    mdc_rt_mux_add_record(m, md);
    if (m->rt->opts.once) {
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
        now + mdc_rt_retry_delay(mb->failures, mdc_rt_seed(mb, now), MDC_RT_RETRY_CAP_US);
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

static void poll_done(void *ctx, int rc, const mdc_err *err)
{
    mux_dev *md = ctx;
    mdc_rt_device *d = md->d;
    mux_bus *mb = md->mb;
    int64_t now = mdc_now_us();
    mdc_rt_note_latency(d, mdc_mono_us() - md->t0_us);
    atomic_fetch_add(&d->polls, 1);
    if (mb->ops->take_discarded)
        atomic_fetch_add(&d->discarded, mb->ops->take_discarded(mb->handle));
    mdc_record *rec = &d->scratch;
    if (rc == MDC_ASYNC_NO_CONNECTION) {
        atomic_fetch_add(&d->poll_errors, 1);
        bus_failed(mb, err, now);
        mdc_rt_fill_unreachable(d, rec, err->msg);
    } else if (rc != MDC_ASYNC_OK) {
        bus_opened(mb);
        mdc_rt_note_failure(d, err, now, true, MDC_RT_RETRY_CAP_US);
        mdc_rt_fill_unreachable(d, rec, err->msg);
    } else {
        bus_opened(mb);
        device_ok(d);
    }
    complete(mb->mux, md, rec);
}

static void begin_record(mdc_rt_device *d, mdc_record *rec, int64_t now)
{
    mdc_record_clear(rec);
    rec->ts_us = now;
    mdc_record_set_device(rec, d->cfg->id);
    rec->has_machine_id = d->cfg->has_machine_id;
    rec->machine_id = d->cfg->machine_id;
}

bool mdc_rt_mux_is_probe(const mux_dev *md, int64_t now)
{
    const mdc_rt_device *d = md->d;
    return d->failures && now >= d->retry_at_us && !(md->mb->failures && now < md->mb->retry_at_us);
}

/* On a bus shared with healthy devices a probe (which may take its whole timeout) is made only
 * when it ends before their next slot, or when it has waited PROBE_FORCE_US for such a gap. */
static bool probe_fits(const mux_dev *md, int64_t now)
{
    const mdc_rt_bus *bus = md->mb->bus;
    const mdc_rt_device *d = md->d;
    if (bus->ndevs == 1 || now - d->retry_at_us > MDC_RT_PROBE_FORCE_US) return true;
    int64_t cost = atomic_load(&d->last_latency_us) + MDC_RT_PROBE_MARGIN_US, healthy = INT64_MAX;
    for (size_t i = 0; i < bus->ndevs; i++) {
        const mdc_rt_device *o = bus->devs[i];
        if (o == d || o->failures) continue;
        int64_t next = mdc_schedule_next(&o->cfg->schedule, now);
        if (next < healthy) healthy = next;
    }
    return healthy == INT64_MAX || healthy - now >= cost;
}

void mdc_rt_mux_start_poll(mdc_rt_mux *m, mux_dev *md, int64_t now)
{
    mdc_rt_device *d = md->d;
    mux_bus *mb = md->mb;
    mdc_record *rec = &d->scratch;
    md->due = d->next_due_us;
    begin_record(d, rec, now);
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
    mb->ops->submit(mb->handle, d->dcfg, rec, d->failures > 0, poll_done, md, md->t0_us);
    mdc_rt_mux_after_call(m, mb);
}
