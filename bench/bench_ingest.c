/* SPDX-License-Identifier: Apache-2.0 */
/* bench_ingest — database sink throughput (bench/postgres.sh, bench/sqlite_ingest.sh):
 *   postgres CONNINFO N TSV [DEVICES [BATCH]]
 *                             N records (DEVICES meters, default 10, 1 s apart per meter; 11
 *                             values each: 8 readings and the derived energy delta, shift and
 *                             shift energy) through mdc's postgres sink (schema "mdc", batches
 *                             of BATCH, default 500 like the spool's), and the same samples
 *                             rows in COPY text format into TSV for `psql \copy`
 *   sqlite DBPATH N TSV       the same through the embedded store, and its `records` rows as
 *                             TSV for `sqlite3 .import`
 * Prints "SECONDS SAMPLES" for the sink: the time spent in write() alone, records in memory.
 * The sink writes all its tables (samples or records, live, devices, status history, shift
 * energy, sink_state), the references only the samples or records rows. */
#include "bench_records.h"
#include "core/clock.h"
#include "sinks/postgres/sink_postgres.h"
#include "sinks/sink_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BATCH 100000
#define T0        (INT64_C(1795307400) * MDC_US_PER_SEC) /* 2026-11-22T00:30:00Z */

static int devices = 10;
static size_t batch = 500;

static void make(mdc_record *r, int64_t i)
{
    bench_record(r, i, devices, T0 + (i / devices) * MDC_US_PER_SEC + (i % devices) * 100);
    r->seq = i + 1;
    r->shift_start_us = T0;
}

static int run(mdc_sink *s, int64_t n, const char *tsv_path, bool pg)
{
    mdc_err err = {0};
    if (s->ops->open(s, &err) < 0) {
        fprintf(stderr, "open: %s\n", err.msg);
        return 1;
    }
    s->ops->committed_seq(s, 1);
    mdc_record *recs = calloc(batch, sizeof *recs);
    const mdc_record **ptrs = calloc(batch, sizeof *ptrs);
    FILE *f = fopen(tsv_path, "w");
    if (!recs || !f) return 1;
    double busy = 0;
    int64_t samples = 0;
    for (int64_t i = 0; i < n; i += (int64_t)batch) {
        size_t m = (size_t)(n - i < (int64_t)batch ? n - i : (int64_t)batch);
        for (size_t j = 0; j < m; j++) {
            make(&recs[j], i + (int64_t)j);
            ptrs[j] = &recs[j];
            bench_tsv(f, &recs[j], pg);
            samples += (int64_t)recs[j].nfields;
        }
        int64_t t0 = mdc_mono_us();
        if (mdc_sink_write(s, ptrs, m, NULL, &err) < 0) {
            fprintf(stderr, "write: %s\n", err.msg);
            return 1;
        }
        busy += (double)(mdc_mono_us() - t0) / 1e6;
        for (size_t j = 0; j < m; j++)
            mdc_record_free(&recs[j]);
    }
    fclose(f);
    free(recs);
    free(ptrs);
    s->ops->close(s);
    mdc_sink_destroy(s);
    printf("%.6f %lld\n", busy, (long long)samples);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 5 || argc > 7) {
        fprintf(stderr, "usage: bench_ingest postgres CONNINFO N TSV [DEVICES [BATCH]] | sqlite "
                        "DBPATH N TSV\n");
        return 2;
    }
    int64_t n = atoll(argv[3]);
    if (argc > 5) devices = atoi(argv[5]);
    if (argc > 6) batch = (size_t)atoll(argv[6]);
    if (devices < 1 || batch < 1 || batch > MAX_BATCH) {
        fprintf(stderr, "bench_ingest: DEVICES >= 1, BATCH 1..%d\n", MAX_BATCH);
        return 2;
    }
    if (strcmp(argv[1], "postgres") == 0) {
        mdc_postgres_sink_cfg c = {.flavour = MDC_PG_MDC, .conn = {.conninfo = argv[2]}};
        mdc_sink *s;
        mdc_err err;
        if (mdc_sink_postgres_new(&c, &s, &err) < 0) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        return run(s, n, argv[4], true);
    }
    if (strcmp(argv[1], "sqlite") == 0) {
        return run(mdc_sink_store_new(argv[2], NULL), n, argv[4], false);
    }
    fprintf(stderr, "bench_ingest: unknown mode %s\n", argv[1]);
    return 2;
}
