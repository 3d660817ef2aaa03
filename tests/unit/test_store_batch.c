/* SPDX-License-Identifier: Apache-2.0 */
/* The embedded store writes a batch's per-device rows (devices, live, shift_energy) once per
 * device rather than once per record: every table must hold exactly the rows that writing the
 * same records one by one leaves. A seeded random sequence of records of a few devices (status
 * changes, unreachable records, value errors, shift changes, energy and part counts present or
 * NULL, records without a machine id, replays of committed records) is written once record by
 * record, each by a writer of its own (which reads the live status and closes older shifts
 * from the database), and once in batches of random sizes by one writer (which keeps both from
 * the batches it committed); the two stores are compared table by table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/strbuf.h"
#include "sinks/sink_store.h"
#include "test_sqlite.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include "test_util.h"

#define T0      (INT64_C(1795307400) * MDC_US_PER_SEC) /* 2026-11-22T00:30:00Z */
#define SHIFT   (INT64_C(8) * 3600 * MDC_US_PER_SEC)
#define RECORDS 600
#define DEVICES 4

static uint64_t rng = 0x9E3779B97F4A7C15u;

static unsigned next_rand(unsigned n)
{
    rng = rng * 6364136223846793005u + 1442695040888963407u;
    return (unsigned)(rng >> 33) % n;
}

static void make(mdc_record *r, int64_t seq)
{
    char dev[16];
    mdc_record_init(r);
    r->seq = seq;
    r->ts_us = T0 + seq * 1000 * 1000 + next_rand(1000);
    snprintf(dev, sizeof dev, "dev-%u", next_rand(DEVICES));
    mdc_record_set_device(r, dev);
    r->has_machine_id = next_rand(8) != 0;
    r->machine_id = next_rand(3) + 1;
    r->status = (int)next_rand(4) - 1; /* -1: none */
    r->shift_start_us = next_rand(10) == 0 ? 0 : T0 + (int64_t)next_rand(3) * SHIFT;
    if (next_rand(6) == 0) mdc_record_set_error(r, "timeout after 500 ms");
    if (next_rand(5) == 0)
        mdc_record_add_null(r, "power_kw", "illegal data address");
    else
        mdc_record_add_double(r, "power_kw", (double)next_rand(1000) / 10.0);
    if (next_rand(3) == 0) mdc_record_add_int(r, "part_count_delta", next_rand(3));
    if (next_rand(8) != 0) mdc_record_add_int(r, "shift", next_rand(3) + 1);
    unsigned e = next_rand(4);
    if (e == 0) mdc_record_add_null(r, "shift_energy_kwh", NULL);
    if (e >= 2) mdc_record_add_double(r, "shift_energy_kwh", (double)next_rand(500) / 8.0);
    unsigned p = next_rand(4);
    if (p == 0) mdc_record_add_null(r, "part_count", NULL);
    if (p >= 2) mdc_record_add_int(r, "part_count", next_rand(100));
}

static mdc_sink *writer(const char *path)
{
    mdc_sink *s = mdc_sink_store_new(path, NULL);
    mdc_err err;
    assert_int_equal(s->ops->open(s, &err), 0);
    s->ops->committed_seq(s, 5);
    return s;
}

static void write_all(const char *path, mdc_record *recs, size_t n, bool batched)
{
    mdc_sink *s = writer(path);
    mdc_err err;
    const mdc_record *p[64];
    for (size_t i = 0; i < n;) {
        if (!batched) { /* a writer per record: nothing known from before */
            mdc_sink_destroy(s);
            s = writer(path);
        }
        size_t k = batched ? 1 + next_rand(40) : 1;
        if (k > n - i) k = n - i;
        /* a replay: the batch starts with records committed before (skipped) */
        size_t back =
            batched && i > 0 && next_rand(5) == 0 ? 1 + next_rand(i < 8 ? (unsigned)i : 8) : 0;
        for (size_t j = 0; j < k + back; j++)
            p[j] = &recs[i - back + j];
        if (mdc_sink_write(s, p, k + back, NULL, &err) < 0) fail_msg("%s", err.msg);
        i += k;
    }
    mdc_sink_destroy(s);
}

static char *dump(const char *path, const char *sql)
{
    return tu_sqlite_rows(path, sql);
}

static void test_batches_equal_records(void **state)
{
    (void)state;
    static const char *const tables[] = {
        "SELECT * FROM devices ORDER BY id",
        "SELECT * FROM records ORDER BY rowid",
        "SELECT * FROM live ORDER BY device",
        "SELECT * FROM status_history ORDER BY rowid",
        "SELECT * FROM shift_energy ORDER BY device, shift_start",
        "SELECT * FROM part_events ORDER BY rowid",
        "SELECT * FROM sink_state",
    };
    char *dir = tu_tmpdir(), one[600], many[600];
    snprintf(one, sizeof one, "%s/one.db", dir);
    snprintf(many, sizeof many, "%s/many.db", dir);
    mdc_record *recs = calloc(RECORDS, sizeof *recs);
    for (int64_t i = 0; i < RECORDS; i++)
        make(&recs[i], i + 1);
    write_all(one, recs, RECORDS, false);
    write_all(many, recs, RECORDS, true);
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        char *a = dump(one, tables[t]), *b = dump(many, tables[t]);
        if (t < 6) assert_true(strlen(a) > 0); /* every table has rows to compare */
        assert_string_equal(b, a);
        free(a);
        free(b);
    }
    char *h = dump(one, "SELECT count(*) > 50 FROM status_history");
    assert_string_equal(h, "1\n"); /* enough status changes to mean something */
    free(h);
    for (int i = 0; i < RECORDS; i++)
        mdc_record_free(&recs[i]);
    free(recs);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batches_equal_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
