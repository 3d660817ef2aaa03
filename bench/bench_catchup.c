/* bench_catchup — catching up after an outage into PostgreSQL, end to end (bench/postgres.sh):
 *   bench_catchup CONNINFO SPOOL N DEVICES BATCH [ARRIVALS]
 * Fills the spool file SPOOL with the backlog an outage of DEVICES meters leaves (N records,
 * 1 s apart per meter, 11 values each), then drains it into the postgres sink (schema "mdc")
 * the way the runtime's delivery thread does (runtime/delivery.c: read a batch after the
 * cursor, write it, acknowledge it) while a producer thread keeps appending ARRIVALS records
 * per second (default DEVICES: the fleet goes on; 0: nothing arrives). Prints
 *   "SECONDS RECORDS SAMPLES READ_S WRITE_S ACK_S ARRIVED FILL_S"
 * SECONDS: from the start of the drain until the sink had every record, backlog and arrivals;
 * READ_S, WRITE_S, ACK_S: the time spent reading (and decoding) batches from the spool, in the
 * sink's write() and in acknowledging; ARRIVED: records appended during the drain; FILL_S: the
 * time the backlog took to append (not part of SECONDS). */
#include "bench_records.h"
#include "core/clock.h"
#include "core/spool.h"
#include "sinks/sink_postgres.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 (INT64_C(1795307400) * MDC_US_PER_SEC) /* 2026-11-22T00:30:00Z */

typedef struct producer {
    mdc_spool *sp;
    int devices, per_s;
    int64_t next; /* record number */
    atomic_bool stop;
    atomic_llong appended;
} producer;

static int append(mdc_spool *sp, int64_t i, int devices, strbuf *enc)
{
    mdc_record r;
    bench_record(&r, i, devices, T0 + (i / devices) * MDC_US_PER_SEC + (i % devices) * 100);
    r.shift_start_us = T0;
    mdc_err err = {0};
    int rc = mdc_spool_append(sp, &r, NULL, NULL, enc, NULL, &err);
    if (rc < 0) fprintf(stderr, "append: %s\n", err.msg);
    mdc_record_free(&r);
    return rc;
}

/* DEVICES records a second, spread over the second. */
static void *produce(void *arg)
{
    producer *p = arg;
    strbuf enc = STRBUF_INIT;
    int64_t start = mdc_mono_us(), done = 0;
    while (!atomic_load(&p->stop)) {
        int64_t due = (mdc_mono_us() - start) * p->per_s / MDC_US_PER_SEC;
        for (; done < due && !atomic_load(&p->stop); done++)
            if (append(p->sp, p->next++, p->devices, &enc) == 0) atomic_fetch_add(&p->appended, 1);
        mdc_sleep_us(10 * 1000);
    }
    sb_free(&enc);
    return NULL;
}

typedef struct drain {
    double read_s, write_s, ack_s;
    int64_t records, samples;
} drain;

/* One batch: read, write, ack; returns 0 when there was nothing to read, -1 on failure. */
static int drain_batch(mdc_spool *sp, mdc_sink *s, int64_t *pos, size_t batch, drain *d)
{
    mdc_record *recs;
    size_t n;
    mdc_err err = {0};
    int64_t t0 = mdc_mono_us();
    if (mdc_spool_read(sp, *pos, batch, &recs, &n, NULL, &err) < 0) {
        fprintf(stderr, "read: %s\n", err.msg);
        return -1;
    }
    int64_t t1 = mdc_mono_us();
    d->read_s += (double)(t1 - t0) / 1e6;
    if (n == 0) {
        free(recs);
        return 0;
    }
    const mdc_record **ptrs = malloc(n * sizeof *ptrs);
    for (size_t i = 0; i < n; i++) {
        ptrs[i] = &recs[i];
        d->samples += (int64_t)recs[i].nfields;
    }
    int rc = mdc_sink_write(s, ptrs, n, NULL, &err);
    int64_t t2 = mdc_mono_us();
    d->write_s += (double)(t2 - t1) / 1e6;
    if (rc < 0) fprintf(stderr, "write: %s\n", err.msg);
    *pos = recs[n - 1].seq;
    if (rc == 0 && mdc_spool_ack(sp, "postgres", *pos, &err) < 0) {
        fprintf(stderr, "ack: %s\n", err.msg);
        rc = -1;
    }
    d->ack_s += (double)(mdc_mono_us() - t2) / 1e6;
    d->records += (int64_t)n;
    for (size_t i = 0; i < n; i++)
        mdc_record_free(&recs[i]);
    free(recs);
    free(ptrs);
    return rc < 0 ? -1 : 1;
}

static mdc_sink *open_sink(const char *conninfo)
{
    mdc_postgres_sink_cfg c = {.flavour = MDC_PG_MDC, .conn = {.conninfo = conninfo}};
    mdc_sink *s;
    mdc_err err = {0};
    if (mdc_sink_postgres_new(&c, &s, &err) < 0 || s->ops->open(s, &err) < 0) {
        fprintf(stderr, "postgres: %s\n", err.msg);
        exit(1);
    }
    return s;
}

int main(int argc, char **argv)
{
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: bench_catchup CONNINFO SPOOL N DEVICES BATCH [ARRIVALS]\n");
        return 2;
    }
    int64_t n = atoll(argv[3]);
    int devices = atoi(argv[4]);
    size_t batch = (size_t)atoll(argv[5]);
    mdc_spool *sp;
    mdc_spool_opts o = {.synchronous = MDC_SPOOL_SYNC_NORMAL};
    mdc_err err = {0};
    int64_t pos;
    if (mdc_spool_open(argv[2], &o, &sp, &err) < 0 ||
        mdc_spool_cursor(sp, "postgres", -1, &pos, &err) < 0) {
        fprintf(stderr, "spool: %s\n", err.msg);
        return 1;
    }
    mdc_sink *s = open_sink(argv[1]);
    s->ops->committed_seq(s, mdc_spool_epoch(sp));
    strbuf enc = STRBUF_INIT;
    int64_t t0 = mdc_mono_us();
    for (int64_t i = 0; i < n; i++)
        if (append(sp, i, devices, &enc) < 0) return 1;
    double fill_s = (double)(mdc_mono_us() - t0) / 1e6;
    sb_free(&enc);
    producer p = {
        .sp = sp, .devices = devices, .per_s = argc > 6 ? atoi(argv[6]) : devices, .next = n};
    pthread_t th;
    pthread_create(&th, NULL, produce, &p);
    drain d = {0};
    int64_t t1 = mdc_mono_us();
    int rc;
    while ((rc = drain_batch(sp, s, &pos, batch, &d)) > 0) {
    }
    double secs = (double)(mdc_mono_us() - t1) / 1e6;
    atomic_store(&p.stop, true);
    pthread_join(th, NULL);
    s->ops->close(s);
    mdc_sink_destroy(s);
    mdc_spool_close(sp);
    if (rc < 0) return 1;
    printf("%.3f %lld %lld %.3f %.3f %.3f %lld %.3f\n", secs, (long long)d.records,
           (long long)d.samples, d.read_s, d.write_s, d.ack_s, (long long)atomic_load(&p.appended),
           fill_s);
    return 0;
}
