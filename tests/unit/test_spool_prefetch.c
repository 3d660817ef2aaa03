/* SPDX-License-Identifier: Apache-2.0 */
/* The spool's prefetcher against a real spool file: the exact records of every batch, the
 * batch sizes, whether a batch came from the prefetch, and a prefetch discarded whenever the
 * caller did not deliver the whole batch (partial delivery, reject, dead letter, a cursor moved
 * back or forward), and freed at stop with a read under way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/spool.h"
#include "core/spool_prefetch.h"
#include "test_util.h"

#include <sqlite3.h>
#include <time.h>

static char *dir;
static char path[600];
static mdc_spool *sp;
static int64_t seq[64]; /* seq[k]: the sequence number of record k (ts_us = k) */

static int setup(void **state)
{
    (void)state;
    dir = tu_tmpdir();
    snprintf(path, sizeof path, "%s/spool.db", dir);
    mdc_spool_opts o = {.synchronous = MDC_SPOOL_SYNC_NORMAL};
    mdc_err err;
    if (mdc_spool_open(path, &o, &sp, &err) < 0) return -1;
    int64_t pos;
    return mdc_spool_cursor(sp, "sink", -1, &pos, &err);
}

static int teardown(void **state)
{
    (void)state;
    mdc_spool_close(sp);
    tu_rmdir(dir);
    return 0;
}

/* Appends records first..last (ts_us = k, one value k / 10) in one transaction. */
static void append(int first, int last)
{
    mdc_record recs[64];
    mdc_spool_item items[64];
    strbuf enc[64];
    size_t n = 0;
    for (int k = first; k <= last; k++, n++) {
        mdc_record_init(&recs[n]);
        recs[n].ts_us = k;
        mdc_record_set_device(&recs[n], "meter-1");
        mdc_record_add_double(&recs[n], "power_kw", (double)k / 10);
        enc[n] = (strbuf)STRBUF_INIT;
        items[n] = (mdc_spool_item){.rec = &recs[n], .enc = &enc[n]};
    }
    mdc_err err;
    if (mdc_spool_append_batch(sp, items, n, NULL, &err) < 0) fail_msg("%s", err.msg);
    for (size_t i = 0; i < n; i++) {
        seq[first + (int)i] = recs[i].seq;
        mdc_record_free(&recs[i]);
        sb_free(&enc[i]);
    }
}

/* The next batch after `after` must be records first..last (none if last < first). */
static void expect(mdc_spool_prefetch *pf, int64_t after, int first, int last)
{
    mdc_spool_batch b;
    mdc_err err;
    assert_int_equal(mdc_spool_prefetch_next(pf, after, &b, &err), 0);
    assert_int_equal(b.corrupt, 0);
    size_t want = last >= first ? (size_t)(last - first + 1) : 0;
    if (b.n != want) fail_msg("after %lld: %zu records, expected %zu", (long long)after, b.n, want);
    for (size_t i = 0; i < b.n; i++) {
        assert_int_equal(b.recs[i].ts_us, first + (int)i);
        assert_int_equal(b.recs[i].seq, seq[first + (int)i]);
        assert_true(mdc_record_find(&b.recs[i], "power_kw")->v.u.d == (double)b.recs[i].ts_us / 10);
    }
    mdc_spool_batch_free(&b);
    assert_null(b.recs);
}

static void expect_stats(mdc_spool_prefetch *pf, uint64_t used, uint64_t read, uint64_t discarded)
{
    mdc_spool_prefetch_stats st = mdc_spool_prefetch_stats_get(pf);
    if (st.used != used || st.read != read || st.discarded != discarded)
        fail_msg("used %llu read %llu discarded %llu, expected %llu %llu %llu",
                 (unsigned long long)st.used, (unsigned long long)st.read,
                 (unsigned long long)st.discarded, (unsigned long long)used,
                 (unsigned long long)read, (unsigned long long)discarded);
}

/* Every batch delivered whole: sizes 2, 4, 8, 8 (the cap) and back to 2 after a short one; each
 * batch after a full one comes from the prefetch, records that arrive meanwhile follow in order,
 * and an empty prefetch is handed out as such. */
static void test_full_deliveries(void **state)
{
    (void)state;
    append(1, 20);
    mdc_spool_prefetch *pf = mdc_spool_prefetch_new(sp, 2, 4, 2, 0);
    int64_t pos = seq[1] - 1;
    expect(pf, pos, 1, 2);
    assert_int_equal(mdc_spool_prefetch_size(pf), 4);
    append(21, 22); /* while batch 3..6 is being prefetched (or already was) */
    expect(pf, seq[2], 3, 6);
    assert_int_equal(mdc_spool_prefetch_size(pf), 8);
    mdc_err err;
    assert_int_equal(mdc_spool_ack(sp, "sink", seq[6], &err), 0);
    expect(pf, seq[6], 7, 14);
    assert_int_equal(mdc_spool_prefetch_size(pf), 8);
    expect(pf, seq[14], 15, 22);
    expect_stats(pf, 3, 1, 0);
    assert_int_equal(mdc_spool_prefetch_size(pf), 8);
    expect(pf, seq[22], 1, 0); /* the prefetch found nothing: a short batch */
    assert_int_equal(mdc_spool_prefetch_size(pf), 2);
    expect_stats(pf, 4, 1, 0);
    expect(pf, seq[22], 1, 0); /* nothing prefetched after a short batch: read here */
    expect_stats(pf, 4, 2, 0);
    append(23, 25);
    expect(pf, seq[22], 23, 24);
    expect(pf, seq[24], 25, 25);
    expect_stats(pf, 5, 3, 0);
    mdc_spool_prefetch_free(pf);
}

/* As the delivery thread has it (from = the largest size): the batches of 2, 4 and the first 8
 * are read as they are wanted; the one after a full batch of 8 (a catch-up) is prefetched. */
static void test_prefetch_from_largest(void **state)
{
    (void)state;
    append(1, 30);
    mdc_spool_prefetch *pf = mdc_spool_prefetch_new(sp, 2, 4, 8, 0);
    expect(pf, seq[1] - 1, 1, 2);
    expect(pf, seq[2], 3, 6);
    expect(pf, seq[6], 7, 14); /* a full batch of 8: the next one is prefetched */
    expect_stats(pf, 0, 3, 0);
    expect(pf, seq[14], 15, 22);
    expect(pf, seq[22], 23, 30);
    expect_stats(pf, 2, 3, 0);
    expect(pf, seq[30], 1, 0); /* the last prefetch found nothing */
    expect_stats(pf, 3, 3, 0);
    mdc_spool_prefetch_free(pf);
}

/* With a ratio: a caller that comes back at once (its turn far shorter than ratio reads) gets no
 * prefetch; one whose turn took long enough does. The margins are wide (a read of 8 records
 * against 100,000 times its time; a turn of 300 ms against one read), not a timing bet. */
static void test_prefetch_ratio(void **state)
{
    (void)state;
    append(1, 40);
    mdc_spool_prefetch *pf = mdc_spool_prefetch_new(sp, 8, 1, 8, 100000);
    expect(pf, seq[1] - 1, 1, 8);
    expect(pf, seq[8], 9, 16);
    expect_stats(pf, 0, 2, 0);
    mdc_spool_prefetch_free(pf);
    pf = mdc_spool_prefetch_new(sp, 8, 1, 8, 1);
    expect(pf, seq[1] - 1, 1, 8);
    struct timespec turn = {.tv_nsec = 300 * 1000 * 1000};
    nanosleep(&turn, NULL);    /* the sink writes */
    expect(pf, seq[8], 9, 16); /* read here; its turn was long: the next one is prefetched */
    expect(pf, seq[16], 17, 24);
    expect_stats(pf, 1, 2, 0);
    mdc_spool_prefetch_free(pf);
}

/* The sink took only part of a batch: the prefetch (after the whole batch) is dropped, and the
 * next batch starts right after the last record delivered, with or without an explicit discard. */
static void test_partial_delivery(void **state)
{
    (void)state;
    append(1, 10);
    mdc_spool_prefetch *pf = mdc_spool_prefetch_new(sp, 2, 4, 2, 0);
    expect(pf, seq[1] - 1, 1, 2);
    mdc_spool_prefetch_discard(pf); /* delivered 1 of 2, as runtime/delivery.c does */
    expect_stats(pf, 0, 1, 1);
    expect(pf, seq[1], 2, 5);
    expect(pf, seq[3], 4, 10); /* delivered 2 of 4, no discard: next sees the position */
    expect_stats(pf, 0, 3, 2);
    expect(pf, seq[10], 1, 0);
    mdc_spool_prefetch_free(pf);
}

/* A rejected record is offered again (the batch starts with it); one that became a dead letter
 * at the end of a batch moves the position past it. */
static void test_reject(void **state)
{
    (void)state;
    append(1, 14);
    mdc_spool_prefetch *pf = mdc_spool_prefetch_new(sp, 2, 4, 2, 0);
    expect(pf, seq[1] - 1, 1, 2);
    mdc_spool_prefetch_discard(pf); /* record 1 refused: nothing delivered */
    expect(pf, seq[1] - 1, 1, 4);
    mdc_spool_prefetch_discard(pf); /* 1..3 delivered, 4 refused for good: a dead letter */
    expect(pf, seq[4], 5, 12);
    expect(pf, seq[12], 13, 14);
    expect_stats(pf, 1, 3, 2);
    mdc_spool_prefetch_free(pf);
}

/* The position moved back (a sink's own committed position, a reopened cursor) or forward: the
 * prefetch is not used, the records come after the position given. */
static void test_cursor_moved(void **state)
{
    (void)state;
    append(1, 30);
    mdc_spool_prefetch *pf = mdc_spool_prefetch_new(sp, 2, 4, 2, 0);
    expect(pf, seq[1] - 1, 1, 2);
    expect(pf, seq[2], 3, 6);
    expect(pf, seq[2], 3, 10); /* back: 3..6 again, 8 records now */
    expect_stats(pf, 1, 2, 1);
    expect(pf, seq[12], 13, 20); /* forward */
    expect(pf, seq[20], 21, 28);
    expect_stats(pf, 2, 3, 2);
    mdc_spool_prefetch_free(pf);
}

/* Freed with a prefetch asked for, under way or done: joined, nothing leaks (ASan, valgrind). */
static void test_stop_in_flight(void **state)
{
    (void)state;
    append(1, 40);
    for (int i = 0; i < 20; i++) {
        mdc_spool_prefetch *pf = mdc_spool_prefetch_new(sp, 2, 8, 2, 0);
        expect(pf, seq[1] - 1, 1, 2);
        if (i % 2) expect(pf, seq[2], 3, 6); /* a larger batch in flight */
        mdc_spool_prefetch_free(pf);
    }
    mdc_spool_prefetch *pf = mdc_spool_prefetch_new(sp, 2, 8, 2, 0);
    expect(pf, seq[1] - 1, 1, 2);
    mdc_spool_prefetch_discard(pf); /* waits for the read: nothing held afterwards */
    expect_stats(pf, 0, 1, 1);
    mdc_spool_prefetch_free(pf);
    mdc_spool_prefetch_free(NULL);
    mdc_spool_prefetch_free(mdc_spool_prefetch_new(sp, 2, 8, 2, 0)); /* never started a thread */
}

/* Records that cannot be decoded (an empty body, garbage) are skipped and counted; the others
 * come in order. */
static void test_corrupt_skipped(void **state)
{
    (void)state;
    append(1, 6);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char sql[200];
    snprintf(sql, sizeof sql,
             "UPDATE records SET body = x'' WHERE seq = %lld;"
             "UPDATE records SET body = x'ff00ff' WHERE seq = %lld;",
             (long long)seq[3], (long long)seq[4]);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    mdc_spool_prefetch *pf = mdc_spool_prefetch_new(sp, 8, 1, 8, 0);
    mdc_spool_batch b;
    mdc_err err;
    assert_int_equal(mdc_spool_prefetch_next(pf, seq[1] - 1, &b, &err), 0);
    assert_true(b.n == 4 && b.corrupt == 2 && b.last == seq[6]);
    int want[] = {1, 2, 5, 6};
    for (size_t i = 0; i < 4; i++)
        assert_true(b.recs[i].ts_us == want[i] && b.recs[i].seq == seq[want[i]]);
    mdc_spool_batch_free(&b);
    mdc_spool_prefetch_free(pf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full_deliveries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prefetch_from_largest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prefetch_ratio, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_delivery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reject, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cursor_moved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_in_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_skipped, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
