/* SPDX-License-Identifier: Apache-2.0 */
/* bench_spool — the durable spool's throughput (bench/spool.sh), records of 11 values, for
 * each durability setting (synchronous=full, the default, and normal):
 *   codec     encode + decode only (no disk): the reference
 *   append    records/s committed by 1, 8 and 64 appending threads (the bus threads), each
 *             with its derive state, as the poller does (group commit gathers them)
 *   through   8 appending threads and one delivery thread to a null sink (read batches of 500,
 *             acknowledge): records/s from append to acknowledgement
 *   drain     a backlog of N records (an outage) read and acknowledged by one delivery thread
 *             in batches of 500: records/s (catch-up speed before any sink cost)
 * Usage: bench_spool DIR N */
#include "bench_records.h"
#include "core/clock.h"
#include "core/record_codec.h"
#include "core/spool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 64
#define BATCH   500

static void make(mdc_record *r, int64_t i, int dev)
{
    bench_record(r, i * THREADS + dev, THREADS, mdc_now_us());
}

static double codec_rate(int64_t n)
{
    int64_t t0 = mdc_mono_us();
    strbuf b = STRBUF_INIT;
    for (int64_t i = 0; i < n; i++) {
        mdc_record r, d;
        make(&r, i, (int)(i % THREADS));
        sb_reset(&b);
        mdc_record_encode(&r, &b);
        if (mdc_record_decode((const unsigned char *)b.buf, b.len, &d, NULL) < 0) abort();
        mdc_record_free(&r);
        mdc_record_free(&d);
    }
    sb_free(&b);
    return (double)n / ((double)(mdc_mono_us() - t0) / 1e6);
}

typedef struct job {
    mdc_spool *sp;
    int dev;
    int64_t n;
} job;

static void *appender(void *arg)
{
    job *j = arg;
    char key[32], state[160];
    snprintf(key, sizeof key, "derive:meter-%d", j->dev);
    for (int64_t i = 0; i < j->n; i++) {
        mdc_record r;
        make(&r, i, j->dev);
        snprintf(state, sizeof state, "{\"energy_base\": %lld.5, \"shift_energy\": %lld}",
                 (long long)i, (long long)i);
        mdc_err err;
        if (mdc_spool_append(j->sp, &r, key, state, NULL, NULL, &err) < 0) {
            fprintf(stderr, "append: %s\n", err.msg);
            exit(1);
        }
        mdc_record_free(&r);
    }
    return NULL;
}

/* Pre-fills a backlog quickly: 64 threads appending at once (group commit). */
static void *appender_batch(void *arg)
{
    job *j = arg;
    pthread_t t[THREADS];
    job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (job){j->sp, i, j->n / THREADS};
        pthread_create(&t[i], NULL, appender, &jobs[i]);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    return NULL;
}

typedef struct reader {
    mdc_spool *sp;
    int64_t want, got;
} reader;

/* The delivery loop with a sink that drops everything. */
static void *deliver(void *arg)
{
    reader *rd = arg;
    int64_t pos = 0;
    mdc_err err;
    mdc_spool_cursor(rd->sp, "null", -1, &pos, &err);
    while (rd->got < rd->want) {
        mdc_record *recs;
        size_t n;
        if (mdc_spool_read(rd->sp, pos, BATCH, &recs, &n, NULL, NULL, &err) < 0) abort();
        if (n == 0) {
            free(recs);
            mdc_spool_wait(rd->sp, pos, 100000);
            continue;
        }
        pos = recs[n - 1].seq;
        for (size_t i = 0; i < n; i++)
            mdc_record_free(&recs[i]);
        free(recs);
        rd->got += (int64_t)n;
        if (mdc_spool_ack(rd->sp, "null", pos, &err) < 0) abort();
    }
    return NULL;
}

static mdc_spool_sync sync_mode;

static mdc_spool *open_spool(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    mdc_spool *sp;
    mdc_err err;
    mdc_spool_opts o = {.max_records = 0, .synchronous = sync_mode};
    if (mdc_spool_open(path, &o, &sp, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    return sp;
}

/* Records/s of n records appended by `threads` threads (plus the null delivery if asked). */
static double append_rate(const char *dir, const char *name, int64_t n, int threads,
                          bool deliver_too)
{
    mdc_spool *sp = open_spool(dir, name);
    reader rd = {sp, n, 0};
    pthread_t r, *t = calloc((size_t)threads, sizeof *t);
    job *jobs = calloc((size_t)threads, sizeof *jobs);
    if (deliver_too) {
        int64_t pos;
        mdc_err err;
        mdc_spool_cursor(sp, "null", -1, &pos, &err); /* registered before the first append */
    }
    int64_t t0 = mdc_mono_us();
    if (deliver_too) pthread_create(&r, NULL, deliver, &rd);
    for (int i = 0; i < threads; i++) {
        jobs[i] = (job){sp, i, n / threads};
        pthread_create(&t[i], NULL, appender, &jobs[i]);
    }
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    if (deliver_too) pthread_join(r, NULL);
    double secs = (double)(mdc_mono_us() - t0) / 1e6;
    mdc_spool_close(sp);
    free(t);
    free(jobs);
    return (double)(n / threads * threads) / secs;
}

/* Records/s of draining a backlog of n records (appended first, not timed). */
static double drain_rate(const char *dir, const char *name, int64_t n)
{
    mdc_spool *sp = open_spool(dir, name);
    int64_t pos;
    mdc_err err;
    mdc_spool_cursor(sp, "null", -1, &pos, &err);
    job j = {sp, 0, n};
    pthread_t t;
    pthread_create(&t, NULL, appender_batch, &j);
    pthread_join(t, NULL);
    reader rd = {sp, n, 0};
    int64_t t0 = mdc_mono_us();
    deliver(&rd);
    double secs = (double)(mdc_mono_us() - t0) / 1e6;
    mdc_spool_close(sp);
    return (double)n / secs;
}

static void run_mode(const char *dir, int64_t n, double codec, mdc_spool_sync mode)
{
    sync_mode = mode;
    const char *m = mode == MDC_SPOOL_SYNC_FULL ? "full" : "normal";
    char name[64];
    snprintf(name, sizeof name, "one-%s.db", m);
    double one = append_rate(dir, name, n / 40, 1, false);
    snprintf(name, sizeof name, "eight-%s.db", m);
    double eight = append_rate(dir, name, n / 4, 8, false);
    snprintf(name, sizeof name, "many-%s.db", m);
    double many = append_rate(dir, name, n, THREADS, false);
    snprintf(name, sizeof name, "through-%s.db", m);
    double through = append_rate(dir, name, n, THREADS, true);
    snprintf(name, sizeof name, "drain-%s.db", m);
    double drain = drain_rate(dir, name, n);
    printf("spool (synchronous=%s): append %.0f records/s with 1 thread (every record committed "
           "before returning), %.0f with 8, %.0f with %d (group commit: %.2fx the codec alone)\n",
           m, one, eight, many, THREADS, many / codec);
    printf("spool (synchronous=%s): %d appending threads -> spool -> null sink: %.0f records/s "
           "(%.2fx the codec alone)\n",
           m, THREADS, through, through / codec);
    printf("spool (synchronous=%s): drain a backlog of %lld records: %.0f records/s (%.2fx the "
           "codec alone; goal >= 60000)\n",
           m, (long long)n, drain, drain / codec);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_spool DIR N\n");
        return 2;
    }
    int64_t n = atoll(argv[2]);
    double codec = codec_rate(n);
    printf("spool: record codec alone %.0f records/s (the reference, no disk)\n", codec);
    run_mode(argv[1], n, codec, MDC_SPOOL_SYNC_FULL);
    run_mode(argv[1], n, codec, MDC_SPOOL_SYNC_NORMAL);
    return 0;
}
