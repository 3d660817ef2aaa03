/* SPDX-License-Identifier: Apache-2.0 */
/* delivery.c — one thread per sink: reads the spool after the sink's cursor, writes batches and
 * moves the cursor by what the sink says it delivered (sink.h). A temporary failure is retried
 * after a capped, jittered backoff that any progress resets (the sink is closed and reopened
 * first when nothing went through); a record the sink rejects `dead_letter_after` times goes to
 * the spool's dead-letter table and the sink moves on. Records arrive in order and none is
 * lost; other sinks are not affected. Dead letters marked for retry (`mdc spool retry`) are
 * offered to the sink again between batches. While a backlog drains, the next batch is read
 * while the sink writes the current one (core/spool_prefetch.h). */
#include "runtime_internal.h"

#include "core/backoff.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "core/spool_prefetch.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define SINK_RETRY_BASE_US   (500 * 1000)
#define SINK_RETRY_CAP_US    (60 * MDC_US_PER_SEC)
#define RETRY_AFTER_CAP_US   (600 * MDC_US_PER_SEC) /* a longer Retry-After is not believed */
#define DEAD_RETRY_CHECK_US  (2 * MDC_US_PER_SEC)
#define SINK_LOG_INTERVAL_US (60 * MDC_US_PER_SEC)
/* batches grow to this many times spool.batch while a backlog drains: with 1,000 devices, a
 * batch of 8,000 records writes each device's per-batch rows (the store's and PostgreSQL's
 * devices, live and shift_energy) half as often per record as one of 4,000 (the store's catch-up
 * took 0.64-0.92 times as long); a batch and the one read ahead of it stay a few MB */
#define CATCH_UP_FACTOR 16
/* the next batch is read while the sink writes once batches are CATCH_UP_FACTOR times
 * spool.batch (a catch-up) and the sink's turn with one takes at least PREFETCH_RATIO times as
 * long as reading one: the database and broker sinks, not a file */
#define PREFETCH_RATIO 8

typedef struct worker {
    mdc_rt_sink *s;
    mdc_runtime *rt;
    int64_t pos;
    bool open;
    mdc_backoff backoff;
    mdc_ratelimit log;
    bool failing;           /* since the last failure, nothing was delivered */
    int64_t head_seq;       /* the record the sink last rejected ... */
    int64_t head_rejects;   /* ... and how often in a row */
    int64_t dead_check_us;  /* when to look for dead letters marked for retry */
    mdc_spool_prefetch *pf; /* batches of spool.batch records, up to CATCH_UP_FACTOR times that
                             * while a backlog drains, the next read while one is written */
} worker;

static bool stopping(const worker *w)
{
    return atomic_load(&w->rt->stop_sinks);
}

static void set_error(worker *w, const char *what, const mdc_err *err)
{
    pthread_mutex_lock(&w->s->err_mu);
    if (what)
        snprintf(w->s->last_error, sizeof w->s->last_error, "%s: %s", what, err->msg);
    else
        w->s->last_error[0] = '\0';
    pthread_mutex_unlock(&w->s->err_mu);
}

static void log_failure(worker *w, const char *what, const mdc_err *err)
{
    uint64_t held = 0;
    if (!mdc_ratelimit_allow(&w->log, err->msg, mdc_now_us(), &held)) return;
    LOG_ERROR(w->s->sink->id, "%s: %s (backlog %lld, retrying with backoff%s)", what, err->msg,
              (long long)mdc_spool_backlog(w->rt->spool, w->s->sink->id),
              held ? "; the same failure happened again meanwhile" : "");
}

static void close_sink(worker *w)
{
    if (!w->open) return;
    w->s->sink->ops->close(w->s->sink);
    w->open = false;
}

/* Records a failure and waits `delay` (or the pause the destination asked for). */
static void pause_after(worker *w, const char *what, const mdc_err *err, int64_t delay,
                        int64_t retry_after_us)
{
    atomic_fetch_add(&w->s->failures, 1);
    atomic_store(&w->s->healthy, false);
    if (retry_after_us > delay)
        delay = retry_after_us < RETRY_AFTER_CAP_US ? retry_after_us : RETRY_AFTER_CAP_US;
    log_failure(w, what, err);
    set_error(w, what, err);
    mdc_spool_prefetch_discard(w->pf); /* not kept through a pause */
    w->failing = true;
    if (delay > 0) mdc_rt_wait_until(w->rt, mdc_now_us() + delay, &w->rt->stop_sinks);
}

/* A temporary failure: after progress the destination works, and the rest of the batch is
 * tried at once (unless it asked for a pause); without, the sink is closed and the backoff
 * grows. */
static void failed(worker *w, const char *what, const mdc_err *err, bool progress,
                   int64_t retry_after_us)
{
    if (progress)
        mdc_backoff_reset(&w->backoff);
    else
        close_sink(w);
    pause_after(w, what, err, progress ? 0 : mdc_backoff_next(&w->backoff), retry_after_us);
}

static void recovered(worker *w)
{
    if (w->failing) LOG_INFO(w->s->sink->id, "delivering again");
    w->failing = false;
    mdc_ratelimit_reset(&w->log);
    set_error(w, NULL, NULL);
    mdc_backoff_reset(&w->backoff);
    atomic_store(&w->s->healthy, true);
}

/* Counts a rejection under its reason (a sink's static string). */
static void count_reject(mdc_rt_sink *s, const char *reason)
{
    if (!reason) reason = "rejected";
    size_t n = atomic_load(&s->nreasons);
    for (size_t i = 0; i < n; i++)
        if (strcmp(s->rejected[i].reason, reason) == 0) {
            atomic_fetch_add(&s->rejected[i].n, 1);
            return;
        }
    size_t slot = n < MDC_RT_REJECT_REASONS ? n : MDC_RT_REJECT_REASONS - 1;
    if (slot == n) {
        s->rejected[slot].reason = reason;
        atomic_store(&s->nreasons, n + 1);
    }
    atomic_fetch_add(&s->rejected[slot].n, 1);
}

/* The sink refused rec. After dead_letter_after refusals in a row it becomes a dead letter and
 * the cursor moves past it; until then it is tried again after a pause. */
static void rejected(worker *w, const mdc_record *rec, const mdc_sink_result *res,
                     const mdc_err *err)
{
    mdc_sink *sink = w->s->sink;
    count_reject(w->s, res->reason);
    w->head_rejects = rec->seq == w->head_seq ? w->head_rejects + 1 : 1;
    w->head_seq = rec->seq;
    if (w->head_rejects < w->rt->cfg->spool.dead_letter_after) { /* in case it was not final */
        pause_after(w, "record refused", err, mdc_backoff_next(&w->backoff), res->retry_after_us);
        return;
    }
    mdc_err e = {0};
    if (mdc_spool_dead_letter(w->rt->spool, sink->id, rec, res->reason, err->msg, w->head_rejects,
                              &e) < 0) {
        failed(w, "cannot store a dead letter", &e, false, 0);
        return;
    }
    atomic_fetch_add(&w->s->dead_lettered, 1);
    LOG_WARN(sink->id,
             "record %lld of %s refused %lld times (%s): moved to the dead-letter table "
             "(mdc spool list)",
             (long long)rec->seq, rec->device ? rec->device : "?", (long long)w->head_rejects,
             err->msg);
    w->pos = rec->seq;
    w->head_rejects = 0;
}

/* Moves the cursor past the first `delivered` records of the batch. */
static void acknowledge(worker *w, const mdc_record *recs, size_t delivered)
{
    if (delivered == 0) return;
    mdc_err err = {0};
    atomic_fetch_add(&w->s->delivered, delivered);
    w->pos = recs[delivered - 1].seq;
    if (mdc_spool_ack(w->rt->spool, w->s->sink->id, w->pos, &err) < 0)
        LOG_ERROR(w->s->sink->id, "cannot save the delivery cursor: %s", err.msg);
}

/* Writes one batch and acts on the sink's result. */
static void write_batch(worker *w, const mdc_record *recs, size_t n)
{
    mdc_sink *sink = w->s->sink;
    const mdc_record **ptrs = malloc(n * sizeof *ptrs);
    for (size_t i = 0; i < n; i++)
        ptrs[i] = &recs[i];
    mdc_sink_result res = {0};
    mdc_err err = {0};
    int rc = sink->ops->write(sink, (const mdc_record *const *)ptrs, n, &res, &err);
    mdc_sink_assert_result(rc, n, &res, &err);
    free(ptrs);
    if (res.delivered > n) res.delivered = n;
    if (res.delivered < n) mdc_spool_prefetch_discard(w->pf); /* it follows the whole batch */
    acknowledge(w, recs, res.delivered);
    if (res.delivered) mdc_backoff_reset(&w->backoff);
    if (rc == 0 || res.delivered == n)
        recovered(w);
    else if (res.rejected)
        rejected(w, &recs[res.delivered], &res, &err);
    else
        failed(w, "delivery failed", &err, res.delivered > 0, res.retry_after_us);
}

/* Undecodable records after the last one delivered (they were logged as skipped): the cursor
 * passes them once the batch was delivered whole, or every read would stop there again. True
 * when it moved. */
static bool pass_corrupt(worker *w, const mdc_spool_batch *b)
{
    if (!b->corrupt || b->last <= w->pos) return false;
    if (b->n && w->pos != b->recs[b->n - 1].seq) return false; /* not all delivered yet */
    mdc_err err = {0};
    w->pos = b->last;
    if (mdc_spool_ack(w->rt->spool, w->s->sink->id, w->pos, &err) < 0)
        LOG_ERROR(w->s->sink->id, "cannot save the delivery cursor: %s", err.msg);
    return true;
}

/* Delivers one batch; returns false when there was nothing to deliver. A full batch has the
 * next one read meanwhile (core/spool_prefetch.h). */
static bool deliver_batch(worker *w)
{
    mdc_spool_batch b;
    mdc_err err = {0};
    if (mdc_spool_prefetch_next(w->pf, w->pos, &b, &err) < 0) {
        failed(w, "reading the spool", &err, false, 0);
        return true;
    }
    if (b.corrupt)
        LOG_ERROR(w->s->sink->id, "skipped %zu corrupt record%s in the spool (up to record %lld)",
                  b.corrupt, b.corrupt == 1 ? "" : "s", (long long)b.last);
    if (b.n) write_batch(w, b.recs, b.n);
    bool passed = pass_corrupt(w, &b);
    bool any = b.n > 0 || passed;
    mdc_spool_batch_free(&b);
    return any;
}

/* Offers one dead letter marked for retry to the sink again. */
static void retry_dead(worker *w, mdc_dead_letter *d)
{
    mdc_sink *sink = w->s->sink;
    d->rec.redelivered = true; /* at or below the sink's position: written all the same */
    const mdc_record *one = &d->rec;
    mdc_sink_result res = {0};
    mdc_err err = {0}, e = {0};
    int rc = sink->ops->write(sink, &one, 1, &res, &err);
    mdc_sink_assert_result(rc, 1, &res, &err);
    if (rc == 0) {
        if (mdc_spool_dead_settle(w->rt->spool, d->id, true, NULL, NULL, &e) == 0)
            LOG_INFO(sink->id, "dead letter %lld (record %lld) delivered on retry",
                     (long long)d->id, (long long)d->seq);
    } else if (res.rejected) {
        count_reject(w->s, res.reason);
        mdc_spool_dead_settle(w->rt->spool, d->id, false, res.reason, err.msg, &e);
        LOG_WARN(sink->id, "dead letter %lld refused again: %s", (long long)d->id, err.msg);
    } else {
        failed(w, "retrying a dead letter", &err, false, res.retry_after_us);
    }
}

/* Dead letters marked for retry, a batch at a time, every DEAD_RETRY_CHECK_US. */
static void retry_dead_letters(worker *w)
{
    int64_t now = mdc_mono_us();
    if (now < w->dead_check_us) return;
    w->dead_check_us = now + DEAD_RETRY_CHECK_US;
    mdc_dead_letter *dl;
    size_t n;
    mdc_err err = {0};
    if (mdc_spool_dead_list(w->rt->spool, w->s->sink->id, true, (size_t)w->rt->cfg->spool.batch,
                            &dl, &n, &err) < 0)
        return;
    for (size_t i = 0; i < n && w->open && !stopping(w); i++)
        retry_dead(w, &dl[i]);
    for (size_t i = 0; i < n; i++)
        mdc_dead_letter_free(&dl[i]);
    free(dl);
}

static bool ensure_open(worker *w)
{
    if (w->open) return true;
    mdc_err err = {0};
    if (w->s->sink->ops->open(w->s->sink, &err) < 0) {
        failed(w, "cannot open", &err, false, 0);
        return false;
    }
    w->open = true;
    return true;
}

/* A sink that commits its own position: skip what it already has. A position beyond what the
 * spool remembered at start-up means the spool went back in time; records numbered in this run
 * are above it (spool.h), so nothing new is skipped. */
static void resume_from_sink(worker *w)
{
    mdc_sink *sink = w->s->sink;
    int64_t committed = sink->ops->committed_seq(sink, mdc_spool_epoch(w->rt->spool));
    if (committed <= w->pos) return;
    int64_t remembered = mdc_spool_prev_last_seq(w->rt->spool);
    if (committed > remembered)
        LOG_WARN(sink->id,
                 "has records up to %lld but the spool remembers only up to %lld: it lost its "
                 "last commits (a power cut with spool.synchronous \"normal\", or a restored "
                 "copy); those records are missing for sinks that had not taken them",
                 (long long)committed, (long long)remembered);
    else
        LOG_INFO(sink->id, "already has records up to %lld; skipping them", (long long)committed);
    mdc_err err = {0};
    if (committed >= mdc_spool_run_first_seq(w->rt->spool))
        committed = mdc_spool_run_first_seq(w->rt->spool) - 1; /* never this run's records */
    w->pos = committed;
    if (mdc_spool_ack(w->rt->spool, sink->id, committed, &err) < 0)
        LOG_ERROR(sink->id, "cannot save the delivery cursor: %s", err.msg);
}

void *mdc_rt_sink_thread(void *arg)
{
    mdc_rt_sink *s = arg;
    size_t batch = (size_t)s->rt->cfg->spool.batch;
    worker w = {.s = s,
                .rt = s->rt,
                .pf = mdc_spool_prefetch_new(s->rt->spool, batch, CATCH_UP_FACTOR,
                                             batch * CATCH_UP_FACTOR, PREFETCH_RATIO)};
    mdc_backoff_init(&w.backoff, SINK_RETRY_BASE_US, SINK_RETRY_CAP_US,
                     (uint64_t)(uintptr_t)s ^ (uint64_t)mdc_now_us());
    mdc_ratelimit_init(&w.log, SINK_LOG_INTERVAL_US);
    mdc_err err = {0};
    bool asked = false;
    /* The cursor was registered at start-up, so records wait for this sink even while it is
     * down. */
    if (mdc_spool_cursor(w.rt->spool, s->sink->id, -1, &w.pos, &err) < 0)
        LOG_ERROR(s->sink->id, "%s", err.msg);
    while (!stopping(&w)) {
        if (!ensure_open(&w)) continue;
        if (!asked && s->sink->ops->committed_seq) resume_from_sink(&w);
        asked = true;
        retry_dead_letters(&w);
        if (!deliver_batch(&w)) mdc_spool_wait(w.rt->spool, w.pos, 500 * 1000);
    }
    close_sink(&w);
    mdc_spool_prefetch_free(w.pf);
    return NULL;
}
