/* SPDX-License-Identifier: Apache-2.0 */
/* bench_catchup — catching up after an outage, end to end (bench/catchup.sh, bench/postgres.sh).
 *
 *   bench_catchup SINK TARGET SPOOL N DEVICES BATCH [ARRIVALS]
 *
 * SINK TARGET: postgres CONNINFO (schema "mdc"), sqlite DBPATH (the embedded store), mqtt
 * HOST:PORT (QoS 1, topic bench/{device}) or null - (takes everything: the spool's own cost).
 * Fills the spool file SPOOL with the backlog an outage of DEVICES meters leaves (N records,
 * 1 s apart per meter, 11 values each), then drains it into the sink the way the runtime's
 * delivery thread does, with its code (core/spool_prefetch.h: read a batch after the cursor,
 * write it, acknowledge it; BATCH is spool.batch, doubled after each full read up to 16 times
 * that while a backlog drains, and the next batch read while a full one is written) while a
 * producer thread keeps appending ARRIVALS records per second (default DEVICES: the fleet goes
 * on; 0: nothing arrives). Prints
 *   "SECONDS RECORDS SAMPLES READ_S WRITE_S ACK_S ARRIVED FILL_S LEFT"
 * SECONDS: from the start of the drain until the sink had every record, backlog and arrivals;
 * READ_S, WRITE_S, ACK_S: the time spent waiting for batches from the spool (reading and
 * decoding them, less what the prefetch did while the sink wrote), in the sink's write() and in
 * acknowledging; ARRIVED: records appended during the drain; FILL_S: the
 * time the backlog took to append (not part of SECONDS); LEFT: records still waiting when the
 * drain stopped (0, unless BENCH_MAX_S, environment, stopped a drain that did not catch up
 * after that many seconds). The spool has the daemon's default
 * durability, synchronous=full, and so has the store sink; BENCH_SYNC=normal (environment):
 * both normal.
 *
 *   bench_catchup ref KIND FILE N DEVICES
 *
 * The references' input for the same N records: KIND pg (COPY text for psql \copy), sqlite
 * (TSV for sqlite3 .import), mqtt (the mqtt sink's JSON payloads, one a line, for
 * mosquitto_pub -l); codec (FILE ignored): encodes and decodes the records as the spool does
 * and prints "SECONDS" (the codec alone, no disk). */
#include "bench_records.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/record_codec.h"
#include "core/spool.h"
#include "core/spool_prefetch.h"
#include "format/format.h"
#include "sinks/sink_config.h"
#include "sinks/postgres/sink_postgres.h"
#include "sinks/sink_store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0             (INT64_C(1795307400) * MDC_US_PER_SEC) /* 2026-11-22T00:30:00Z */
#define FILL_BATCH     1000
#define CATCH_UP       16 /* runtime/delivery.c CATCH_UP_FACTOR */
#define PREFETCH_RATIO 8 /* runtime/delivery.c */

static void make(mdc_record *r, int64_t i, int devices)
{
    bench_record(r, i, devices, T0 + (i / devices) * MDC_US_PER_SEC + (i % devices) * 100);
    r->shift_start_us = T0;
}

/* Appends records [first, first + n) in one transaction, as the poller's group commit does. */
static int append(mdc_spool *sp, int64_t first, int64_t n, int devices)
{
    mdc_record recs[FILL_BATCH];
    mdc_spool_item items[FILL_BATCH];
    strbuf enc[FILL_BATCH];
    for (int64_t i = 0; i < n; i++) {
        make(&recs[i], first + i, devices);
        enc[i] = (strbuf)STRBUF_INIT;
        items[i] = (mdc_spool_item){.rec = &recs[i], .enc = &enc[i]};
    }
    mdc_err err = {0};
    int rc = mdc_spool_append_batch(sp, items, (size_t)n, NULL, &err);
    if (rc < 0) fprintf(stderr, "append: %s\n", err.msg);
    for (int64_t i = 0; i < n; i++) {
        mdc_record_free(&recs[i]);
        sb_free(&enc[i]);
    }
    return rc;
}

typedef struct producer {
    mdc_spool *sp;
    int devices, per_s;
    int64_t next; /* record number */
    atomic_bool stop;
    atomic_llong appended;
} producer;

/* per_s records a second, spread over the second (a commit every 10 ms at most). */
static void *produce(void *arg)
{
    producer *p = arg;
    int64_t start = mdc_mono_us(), done = 0;
    while (!atomic_load(&p->stop)) {
        int64_t due = (mdc_mono_us() - start) * p->per_s / MDC_US_PER_SEC;
        while (done < due && !atomic_load(&p->stop)) {
            int64_t k = due - done < FILL_BATCH ? due - done : FILL_BATCH;
            if (append(p->sp, p->next, k, p->devices) < 0) break;
            p->next += k;
            done += k;
            atomic_fetch_add(&p->appended, k);
        }
        mdc_sleep_us(10 * 1000);
    }
    return NULL;
}

typedef struct drain {
    double read_s, write_s, ack_s;
    int64_t records, samples;
} drain;

static int write_acked(mdc_sink *s, const mdc_record *recs, size_t n, int64_t *pos)
{
    const mdc_record **ptrs = malloc(n * sizeof *ptrs);
    for (size_t i = 0; i < n; i++)
        ptrs[i] = &recs[i];
    mdc_err err = {0};
    int rc = mdc_sink_write(s, ptrs, n, NULL, &err);
    free(ptrs);
    if (rc < 0) {
        fprintf(stderr, "write: %s\n", err.msg);
        return -1;
    }
    *pos = recs[n - 1].seq;
    return 0;
}

/* One batch as runtime/delivery.c takes it (core/spool_prefetch.h: a full batch has the next one
 * read meanwhile): read, write, ack; returns 0 when there was nothing to read, -1 on failure.
 * READ_S is the time spent waiting for a batch: the reading the prefetch did not hide. */
static int drain_batch(mdc_spool *sp, mdc_spool_prefetch *pf, mdc_sink *s, int64_t *pos, drain *d)
{
    mdc_spool_batch b;
    mdc_err err = {0};
    int64_t t0 = mdc_mono_us();
    if (mdc_spool_prefetch_next(pf, *pos, &b, &err) < 0) {
        fprintf(stderr, "read: %s\n", err.msg);
        return -1;
    }
    int64_t t1 = mdc_mono_us();
    d->read_s += (double)(t1 - t0) / 1e6;
    for (size_t i = 0; i < b.n; i++)
        d->samples += (int64_t)b.recs[i].nfields;
    int rc = b.n == 0 ? 0 : write_acked(s, b.recs, b.n, pos);
    int64_t t2 = mdc_mono_us();
    d->write_s += (double)(t2 - t1) / 1e6;
    if (rc == 0 && b.n > 0 && mdc_spool_ack(sp, s->id, *pos, &err) < 0) {
        fprintf(stderr, "ack: %s\n", err.msg);
        rc = -1;
    }
    d->ack_s += (double)(mdc_mono_us() - t2) / 1e6;
    d->records += (int64_t)b.n;
    size_t n = b.n;
    mdc_spool_batch_free(&b);
    return rc < 0 ? -1 : n > 0;
}

static int null_write(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_sink_result *res,
                      mdc_err *err)
{
    (void)s, (void)recs, (void)err;
    res->delivered = n;
    return 0;
}
static int null_open(mdc_sink *s, mdc_err *err)
{
    (void)s, (void)err;
    return 0;
}
static void null_close(mdc_sink *s)
{
    (void)s;
}
static void null_destroy(mdc_sink *s)
{
    free(s);
}
static const mdc_sink_ops null_ops = {.type = "null",
                                      .open = null_open,
                                      .write = null_write,
                                      .close = null_close,
                                      .destroy = null_destroy};

static mdc_sink *mqtt_sink(const char *hostport, mdc_err *err)
{
    char json[512];
    snprintf(json, sizeof json,
             "{\"type\": \"mqtt\", \"url\": \"mqtt://%s\", \"topic\": \"bench/{device}\", "
             "\"availability_topic\": \"\", \"qos\": 1, \"timeout\": \"30s\"}",
             hostport);
    mdc_cfgdoc *doc;
    mdc_sink *s = NULL;
    if (mdc_cfgdoc_load_string("bench", json, strlen(json), &doc, err) < 0) return NULL;
    mdc_cfgnode root = mdc_cfgdoc_root(doc);
    mdc_sink_from_config(&root, "data", &s, err);
    mdc_cfgdoc_free(doc);
    return s;
}

static mdc_sink *open_sink(const char *type, const char *target, bool sync_full)
{
    mdc_sink *s = NULL;
    mdc_err err = {0};
    if (!strcmp(type, "postgres")) {
        mdc_postgres_sink_cfg c = {.flavour = MDC_PG_MDC, .conn = {.conninfo = target}};
        mdc_sink_postgres_new(&c, &s, &err);
    } else if (!strcmp(type, "sqlite")) {
        mdc_store_sink_cfg c = mdc_store_sink_defaults();
        c.sync_full = sync_full;
        s = mdc_sink_store_new(target, &c);
    } else if (!strcmp(type, "mqtt"))
        s = mqtt_sink(target, &err);
    else if (!strcmp(type, "null"))
        s = mdc_sink_new(&null_ops, "null", NULL);
    else
        snprintf(err.msg, sizeof err.msg, "unknown sink type %s", type);
    if (!s || s->ops->open(s, &err) < 0) {
        fprintf(stderr, "%s: %s\n", type, err.msg);
        exit(1);
    }
    return s;
}

/* Fills the backlog; returns the seconds it took, or -1. */
static double fill(mdc_spool *sp, int64_t n, int devices)
{
    int64_t t0 = mdc_mono_us();
    for (int64_t i = 0; i < n; i += FILL_BATCH)
        if (append(sp, i, n - i < FILL_BATCH ? n - i : FILL_BATCH, devices) < 0) return -1;
    return (double)(mdc_mono_us() - t0) / 1e6;
}

static int catchup(char **argv, int argc)
{
    int64_t n = atoll(argv[4]);
    int devices = atoi(argv[5]);
    size_t batch = (size_t)atoll(argv[6]);
    mdc_spool *sp;
    const char *sync = getenv("BENCH_SYNC");
    bool full = !sync || strcmp(sync, "normal") != 0;
    mdc_spool_opts o = {.synchronous = full ? MDC_SPOOL_SYNC_FULL : MDC_SPOOL_SYNC_NORMAL};
    mdc_err err = {0};
    int64_t pos;
    mdc_sink *s = open_sink(argv[1], argv[2], full);
    if (mdc_spool_open(argv[3], &o, &sp, &err) < 0 ||
        mdc_spool_cursor(sp, s->id, -1, &pos, &err) < 0) {
        fprintf(stderr, "spool: %s\n", err.msg);
        return 1;
    }
    if (s->ops->committed_seq) s->ops->committed_seq(s, mdc_spool_epoch(sp));
    double fill_s = fill(sp, n, devices);
    if (fill_s < 0) return 1;
    producer p = {
        .sp = sp, .devices = devices, .per_s = argc > 7 ? atoi(argv[7]) : devices, .next = n};
    pthread_t th;
    pthread_create(&th, NULL, produce, &p);
    drain d = {0};
    int64_t t1 = mdc_mono_us();
    int rc;
    const char *max = getenv("BENCH_MAX_S");
    int64_t until = max ? t1 + (int64_t)(atof(max) * 1e6) : INT64_MAX;
    mdc_spool_prefetch *pf =
        mdc_spool_prefetch_new(sp, batch, CATCH_UP, batch * CATCH_UP, PREFETCH_RATIO);
    while ((rc = drain_batch(sp, pf, s, &pos, &d)) > 0)
        if (mdc_mono_us() >= until) break; /* it does not catch up */
    double secs = (double)(mdc_mono_us() - t1) / 1e6;
    mdc_spool_prefetch_free(pf);
    atomic_store(&p.stop, true);
    pthread_join(th, NULL);
    int64_t left = mdc_spool_backlog(sp, s->id);
    s->ops->close(s);
    mdc_sink_destroy(s);
    mdc_spool_close(sp);
    if (rc < 0) return 1;
    printf("%.3f %lld %lld %.3f %.3f %.3f %lld %.3f %lld\n", secs, (long long)d.records,
           (long long)d.samples, d.read_s, d.write_s, d.ack_s, (long long)atomic_load(&p.appended),
           fill_s, (long long)left);
    return 0;
}

static int codec(int64_t n, int devices)
{
    strbuf b = STRBUF_INIT;
    int64_t t0 = mdc_mono_us();
    for (int64_t i = 0; i < n; i++) {
        mdc_record r, d;
        make(&r, i, devices);
        sb_reset(&b);
        mdc_record_encode(&r, &b);
        if (mdc_record_decode((const unsigned char *)b.buf, b.len, &d, NULL) < 0) return 1;
        mdc_record_free(&r);
        mdc_record_free(&d);
    }
    printf("%.3f\n", (double)(mdc_mono_us() - t0) / 1e6);
    sb_free(&b);
    return 0;
}

static int reference(const char *kind, const char *path, int64_t n, int devices)
{
    if (!strcmp(kind, "codec")) return codec(n, devices);
    FILE *f = fopen(path, "w");
    if (!f) return 1;
    strbuf sb = STRBUF_INIT;
    for (int64_t i = 0; i < n; i++) {
        mdc_record r;
        make(&r, i, devices);
        if (!strcmp(kind, "mqtt")) {
            sb_reset(&sb);
            mdc_format_record(MDC_FMT_JSON, MDC_STYLE_MDC, &r, &sb);
            fwrite(sb.buf, 1, sb.len, f);
        } else
            bench_tsv(f, &r, !strcmp(kind, "pg"));
        mdc_record_free(&r);
    }
    sb_free(&sb);
    return fclose(f) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 6 && !strcmp(argv[1], "ref"))
        return reference(argv[2], argv[3], atoll(argv[4]), atoi(argv[5]));
    if (argc != 7 && argc != 8) {
        fprintf(stderr, "usage: bench_catchup postgres|sqlite|mqtt|null TARGET SPOOL N DEVICES "
                        "BATCH [ARRIVALS] | ref pg|sqlite|mqtt|codec FILE N DEVICES\n");
        return 2;
    }
    return catchup(argv, argc);
}
