/* SPDX-License-Identifier: Apache-2.0 */
/* modbus_async.c — the event-driven Modbus TCP bus: one non-blocking connection (tcp_conn.c)
 * per TCP endpoint, shared by the units behind it; a poll is a job that sends the requests of
 * the device's plan one after the other and decodes each reply as it comes, exactly as the
 * blocking poll does (an exception fails its points and the poll goes on; a timeout or a broken
 * connection ends it). */
#include "modbus_impl.h"
#include "tcp_conn.h"

#include "core/xalloc.h"

#include <stdlib.h>

typedef struct mb_abus mb_abus;

typedef struct mb_job {
    mdc_mb_txn txn; /* first: the transaction's done() finds its job */
    mb_abus *bus;
    const mdc_mb_dev *dev;
    mdc_record *rec;
    size_t r, ok; /* the request in progress; requests that succeeded */
    bool probe;
    mdc_async_done done;
    void *ctx;
    uint16_t *values; /* room for the device's largest request */
    uint16_t cap;
    struct mb_job *next_free;
} mb_job;

struct mb_abus {
    mdc_mb_conn *conn;
    mb_job *free_jobs; /* finished jobs, reused */
    mb_job **all;      /* every job, for bus_free */
    size_t nall, capall;
    uint64_t discarded_seen;
};

static bool mb_async_enabled(const void *cfg)
{
    const mdc_mb_dev *c = cfg;
    return c->link.kind == MDC_MB_TCP && c->engine == MDC_MB_ENGINE_EVENT;
}

static int mb_async_new(const void *cfg, void **out, mdc_err *err)
{
    const mdc_mb_dev *c = cfg;
    mb_abus *b = xcalloc(1, sizeof *b);
    if (mdc_mb_conn_new(c->link.host, c->link.port, c->max_outstanding, &b->conn, err) < 0) {
        free(b);
        return -1;
    }
    *out = b;
    return 0;
}

static void mb_async_free(void *p)
{
    mb_abus *b = p;
    if (!b) return;
    mdc_mb_conn_free(b->conn);
    for (size_t i = 0; i < b->nall; i++) {
        free(b->all[i]->values);
        free(b->all[i]);
    }
    free(b->all);
    free(b);
}

static mb_job *get_job(mb_abus *b, const mdc_mb_dev *dev)
{
    mb_job *j = b->free_jobs;
    if (j) {
        b->free_jobs = j->next_free;
    } else {
        j = xcalloc(1, sizeof *j);
        j->bus = b;
        xgrow(&b->all, &b->capall, b->nall + 1, sizeof *b->all);
        b->all[b->nall++] = j;
    }
    if (j->cap < dev->ps->max_count) {
        j->values = xrealloc(j->values, dev->ps->max_count * sizeof *j->values);
        j->cap = dev->ps->max_count;
    }
    return j;
}

static void finish(mb_job *j, int rc, const mdc_err *err)
{
    mdc_async_done done = j->done;
    void *ctx = j->ctx;
    j->next_free = j->bus->free_jobs; /* free before done(): it may submit again */
    j->bus->free_jobs = j;
    done(ctx, rc, err);
}

static void txn_done(mdc_mb_txn *t, int rc, const mdc_err *err);

static void send_request(mb_job *j, int64_t now)
{
    const mdc_mb_request *q = &j->dev->ps->plan.requests[j->r];
    j->txn = (mdc_mb_txn){.unit = (uint8_t)j->dev->unit_id,
                          .fc = (uint8_t)q->function,
                          .addr = q->address,
                          .count = q->count,
                          .out = j->values,
                          .timeout_us = j->dev->link.timeout_us,
                          .low_priority = j->probe,
                          .done = txn_done,
                          .ctx = j};
    mdc_mb_conn_submit(j->bus->conn, &j->txn, now);
}

static void txn_done(mdc_mb_txn *t, int rc, const mdc_err *err)
{
    mb_job *j = t->ctx;
    const mdc_mb_dev *c = j->dev;
    size_t n = c->ps->plan.nrequests;
    if (rc == MDC_MB_TXN_OK) {
        j->ok++;
        mdc_mb_rec_store(c, j->r, j->values, j->rec);
    } else if (err->code == MDC_EDEVICE) { /* an exception: the other requests go on */
        mdc_mb_rec_fail(c, j->r, j->r + 1, err->msg, j->rec);
    } else { /* a timeout or a broken connection: stop */
        mdc_mb_rec_fail(c, j->r, n, err->msg, j->rec);
        if (j->ok > 0)
            finish(j, MDC_ASYNC_OK, NULL);
        else
            finish(j, rc == MDC_MB_TXN_NO_CONN ? MDC_ASYNC_NO_CONNECTION : MDC_ASYNC_FAILED, err);
        return;
    }
    if (++j->r < n) {
        send_request(j, t->sent_us); /* time enough for the queue: run() passes the real now */
        return;
    }
    finish(j, MDC_ASYNC_OK, NULL);
}

static void mb_async_submit(void *p, const void *cfg, mdc_record *rec, bool probe,
                            mdc_async_done done, void *ctx, int64_t now)
{
    mb_abus *b = p;
    const mdc_mb_dev *c = cfg;
    mb_job *j = get_job(b, c);
    j->dev = c;
    j->rec = rec;
    j->r = j->ok = 0;
    j->probe = probe;
    j->done = done;
    j->ctx = ctx;
    mdc_mb_rec_begin(c, rec);
    send_request(j, now);
}

static int mb_async_fd(void *p, uint64_t *generation)
{
    mb_abus *b = p;
    *generation = mdc_mb_conn_generation(b->conn);
    return mdc_mb_conn_fd(b->conn);
}

static int64_t mb_async_deadline(void *p)
{
    return mdc_mb_conn_deadline(((mb_abus *)p)->conn);
}

static void mb_async_run(void *p, uint32_t events, int64_t now)
{
    mdc_mb_conn_run(((mb_abus *)p)->conn, events, now);
}

static uint64_t mb_async_take_discarded(void *p)
{
    mb_abus *b = p;
    uint64_t total = mdc_mb_conn_discarded(b->conn), n = total - b->discarded_seen;
    b->discarded_seen = total;
    return n;
}

const mdc_async_ops mdc_mb_async_ops = {
    .enabled = mb_async_enabled,
    .bus_new = mb_async_new,
    .bus_free = mb_async_free,
    .submit = mb_async_submit,
    .fd = mb_async_fd,
    .deadline = mb_async_deadline,
    .run = mb_async_run,
    .take_discarded = mb_async_take_discarded,
};
