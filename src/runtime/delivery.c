/* delivery.c — one thread per sink: reads the spool after the sink's cursor, writes batches,
 * acknowledges them. A failing sink is closed and reopened with a capped, jittered backoff and
 * the same batch is retried, so records arrive in order and nothing is lost; other sinks are
 * not affected. */
#include "runtime_internal.h"

#include "core/backoff.h"
#include "core/clock.h"
#include "core/log.h"

#include <stdlib.h>
#include <string.h>

#define SINK_RETRY_BASE_US (500 * 1000)
#define SINK_RETRY_CAP_US  (60 * MDC_US_PER_SEC)

typedef struct worker {
    mdc_rt_sink *s;
    mdc_runtime *rt;
    int64_t pos;
    bool open;
    mdc_backoff backoff;
    char last_error[MDC_ERR_MSG_MAX];
} worker;

static bool stopping(const worker *w)
{
    return atomic_load(&w->rt->stop_sinks);
}

static void failed(worker *w, const char *what, const mdc_err *err)
{
    atomic_fetch_add(&w->s->failures, 1);
    atomic_store(&w->s->healthy, false);
    int64_t delay = mdc_backoff_next(&w->backoff);
    if (strcmp(w->last_error, err->msg) != 0)
        LOG_ERROR(w->s->sink->id, "%s: %s (backlog %lld, retrying with backoff)", what, err->msg,
                  (long long)mdc_spool_backlog(w->rt->spool, w->s->sink->id));
    snprintf(w->last_error, sizeof w->last_error, "%s", err->msg);
    pthread_mutex_lock(&w->s->err_mu);
    snprintf(w->s->last_error, sizeof w->s->last_error, "%s: %s", what, err->msg);
    pthread_mutex_unlock(&w->s->err_mu);
    if (w->open) {
        w->s->sink->ops->close(w->s->sink);
        w->open = false;
    }
    mdc_rt_wait_until(w->rt, mdc_now_us() + delay, &w->rt->stop_sinks);
}

static void recovered(worker *w)
{
    if (w->last_error[0]) LOG_INFO(w->s->sink->id, "delivering again");
    w->last_error[0] = '\0';
    pthread_mutex_lock(&w->s->err_mu);
    w->s->last_error[0] = '\0';
    pthread_mutex_unlock(&w->s->err_mu);
    mdc_backoff_reset(&w->backoff);
    atomic_store(&w->s->healthy, true);
}

static void free_batch(mdc_record *recs, size_t n, const mdc_record **ptrs)
{
    for (size_t i = 0; i < n; i++)
        mdc_record_free(&recs[i]);
    free(recs);
    free(ptrs);
}

/* Delivers one batch; returns false when there was nothing to deliver. */
static bool deliver_batch(worker *w)
{
    mdc_sink *sink = w->s->sink;
    mdc_record *recs;
    size_t n, corrupt = 0;
    mdc_err err = {0};
    if (mdc_spool_read(w->rt->spool, w->pos, (size_t)w->rt->cfg->spool.batch, &recs, &n, &corrupt,
                       &err) < 0) {
        failed(w, "reading the spool", &err);
        return true;
    }
    if (corrupt)
        LOG_ERROR(sink->id, "skipped %zu corrupt record%s in the spool", corrupt,
                  corrupt == 1 ? "" : "s");
    if (n == 0) {
        free(recs);
        return false;
    }
    const mdc_record **ptrs = malloc(n * sizeof *ptrs);
    for (size_t i = 0; i < n; i++)
        ptrs[i] = &recs[i];
    int64_t last = recs[n - 1].seq;
    if (sink->ops->write(sink, (const mdc_record *const *)ptrs, n, &err) < 0) {
        free_batch(recs, n, ptrs);
        failed(w, "delivery failed", &err);
        return true;
    }
    free_batch(recs, n, ptrs);
    atomic_fetch_add(&w->s->delivered, n);
    w->pos = last;
    if (mdc_spool_ack(w->rt->spool, sink->id, last, &err) < 0)
        LOG_ERROR(sink->id, "cannot save the delivery cursor: %s", err.msg);
    recovered(w);
    return true;
}

static bool ensure_open(worker *w)
{
    if (w->open) return true;
    mdc_err err = {0};
    if (w->s->sink->ops->open(w->s->sink, &err) < 0) {
        failed(w, "cannot open", &err);
        return false;
    }
    w->open = true;
    return true;
}

void *mdc_rt_sink_thread(void *arg)
{
    mdc_rt_sink *s = arg;
    worker w = {.s = s, .rt = s->rt};
    mdc_backoff_init(&w.backoff, SINK_RETRY_BASE_US, SINK_RETRY_CAP_US,
                     (uint64_t)(uintptr_t)s ^ (uint64_t)mdc_now_us());
    mdc_err err = {0};
    bool asked = false;
    /* The cursor was registered at start-up, so records wait for this sink even while it is
     * down. */
    if (mdc_spool_cursor(w.rt->spool, s->sink->id, -1, &w.pos, &err) < 0)
        LOG_ERROR(s->sink->id, "%s", err.msg);
    while (!stopping(&w)) {
        if (!ensure_open(&w)) continue;
        if (!asked && s->sink->ops->committed_seq) { /* a sink that commits its own position */
            int64_t committed = s->sink->ops->committed_seq(s->sink, mdc_spool_epoch(w.rt->spool));
            if (committed > w.pos) {
                LOG_INFO(s->sink->id, "already has records up to %lld; skipping them",
                         (long long)committed);
                w.pos = committed;
                mdc_spool_ack(w.rt->spool, s->sink->id, committed, &err);
            }
        }
        asked = true;
        if (!deliver_batch(&w)) mdc_spool_wait(w.rt->spool, w.pos, 500 * 1000);
    }
    if (w.open) s->sink->ops->close(s->sink);
    return NULL;
}
