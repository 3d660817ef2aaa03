/* SPDX-License-Identifier: Apache-2.0 */
/* The spool: order, cursors, trimming, the bound, restart, state atomicity, and the codec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/record_codec.h"
#include "core/spool.h"
#include "test_util.h"

#include <math.h>
#include <sys/stat.h>

static char *dir;
static char path[600];

static int setup(void **state)
{
    (void)state;
    dir = tu_tmpdir();
    snprintf(path, sizeof path, "%s/spool.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmdir(dir);
    return 0;
}

static void make(mdc_record *r, int64_t ts, double v)
{
    mdc_record_init(r);
    r->ts_us = ts;
    mdc_record_set_device(r, "meter-1");
    r->status = 1;
    mdc_record_add_double(r, "power_kw", v);
}

/* Appends record number k (ts = k, power_kw = k / 10) and returns its sequence number. */
static int64_t append(mdc_spool *sp, int64_t k, const char *state)
{
    mdc_record r;
    make(&r, k, (double)k / 10);
    mdc_err err;
    if (mdc_spool_append(sp, &r, state ? "derive:meter-1" : NULL, state, NULL, NULL, &err) < 0)
        fail_msg("%s", err.msg);
    int64_t seq = r.seq;
    mdc_record_free(&r);
    return seq;
}

/* Reads every record after `after`; returns how many, with the record numbers (ts) of the first
 * and the last. Sequence numbers rise; record numbers follow each other. */
static size_t read_all(mdc_spool *sp, int64_t after, int64_t *first, int64_t *last)
{
    mdc_record *recs;
    size_t n;
    mdc_err err;
    assert_int_equal(mdc_spool_read(sp, after, 1000, &recs, &n, NULL, NULL, &err), 0);
    for (size_t i = 0; i < n; i++) {
        assert_true(mdc_record_find(&recs[i], "power_kw")->v.u.d == (double)recs[i].ts_us / 10);
        if (i) assert_true(recs[i].seq > recs[i - 1].seq && recs[i].ts_us == recs[i - 1].ts_us + 1);
    }
    if (n) {
        *first = recs[0].ts_us;
        *last = recs[n - 1].ts_us;
    }
    for (size_t i = 0; i < n; i++)
        mdc_record_free(&recs[i]);
    free(recs);
    return n;
}

static void test_order_cursors_trim(void **state)
{
    (void)state;
    mdc_spool *sp;
    mdc_err err;
    assert_int_equal(mdc_spool_open(path, NULL, &sp, &err), 0);
    int64_t a, b;
    assert_int_equal(mdc_spool_cursor(sp, "a", -1, &a, &err), 0);
    assert_int_equal(mdc_spool_cursor(sp, "b", -1, &b, &err), 0);
    assert_true(a == 0 && b == 0);
    int64_t seq[11];
    for (int i = 1; i <= 10; i++)
        seq[i] = append(sp, i, NULL);
    assert_true(seq[1] == mdc_spool_run_first_seq(sp) && seq[10] == seq[1] + 9);
    int64_t first = 0, last = 0;
    assert_int_equal(read_all(sp, 0, &first, &last), 10);
    assert_true(first == 1 && last == 10);
    assert_int_equal(mdc_spool_backlog(sp, "a"), 10);
    assert_int_equal(mdc_spool_ack(sp, "a", seq[10], &err), 0);
    assert_int_equal(mdc_spool_ack(sp, "b", seq[4], &err), 0);
    mdc_spool_stats st;
    mdc_spool_stats_get(sp, &st, &err);
    assert_true(st.records == 6 && st.first_seq == seq[5] && st.last_seq == seq[10]);
    assert_int_equal(read_all(sp, seq[4], &first, &last), 6);
    assert_true(first == 5 && last == 10);
    assert_int_equal(mdc_spool_ack(sp, "b", seq[10], &err), 0);
    mdc_spool_stats_get(sp, &st, &err);
    assert_true(st.records == 0);
    assert_false(mdc_spool_wait(sp, seq[10], 1000));
    mdc_spool_close(sp);

    /* restart: cursors survive, numbering goes on above the old numbers; a new sink starts at
     * the tail */
    assert_int_equal(mdc_spool_open(path, NULL, &sp, &err), 0);
    assert_true(mdc_spool_prev_last_seq(sp) == seq[10] && mdc_spool_run_first_seq(sp) > seq[10]);
    int64_t s11 = append(sp, 11, NULL);
    assert_true(s11 == mdc_spool_run_first_seq(sp));
    assert_int_equal(mdc_spool_cursor(sp, "a", -1, &a, &err), 0);
    assert_int_equal(mdc_spool_cursor(sp, "c", -1, &b, &err), 0);
    assert_true(a == seq[10] && b == s11);
    assert_int_equal(mdc_spool_backlog(sp, "a"), 1);
    assert_true(mdc_spool_wait(sp, seq[10], 1000));
    mdc_spool_close(sp);
}

/* Records kept across restarts: the jump in numbering is not counted as records. */
static void test_counts_across_restarts(void **state)
{
    (void)state;
    mdc_spool *sp;
    mdc_err err;
    int64_t pos, k = 0;
    for (int run = 0; run < 3; run++) {
        assert_int_equal(mdc_spool_open(path, NULL, &sp, &err), 0);
        assert_int_equal(mdc_spool_cursor(sp, "slow", -1, &pos, &err), 0);
        for (int i = 0; i < 5; i++)
            append(sp, ++k, NULL);
        mdc_spool_stats st;
        mdc_spool_stats_get(sp, &st, &err);
        assert_int_equal(st.records, 5 * (run + 1));
        assert_int_equal(mdc_spool_backlog(sp, "slow"), 5 * (run + 1));
        mdc_spool_close(sp);
    }
    assert_int_equal(mdc_spool_open(path, NULL, &sp, &err), 0);
    int64_t first = 0, last = 0;
    assert_int_equal(read_all(sp, 0, &first, &last), 15);
    assert_true(first == 1 && last == 15);
    /* take the first 7: the backlog counts what is left, across the gap */
    mdc_record *recs;
    size_t n;
    assert_int_equal(mdc_spool_read(sp, 0, 7, &recs, &n, NULL, NULL, &err), 0);
    assert_int_equal(mdc_spool_cursor(sp, "slow", -1, &pos, &err), 0);
    assert_int_equal(mdc_spool_ack(sp, "slow", recs[6].seq, &err), 0);
    assert_int_equal(mdc_spool_backlog(sp, "slow"), 8);
    mdc_spool_stats st;
    mdc_spool_stats_get(sp, &st, &err);
    assert_int_equal(st.records, 8);
    for (size_t i = 0; i < n; i++)
        mdc_record_free(&recs[i]);
    free(recs);
    mdc_spool_close(sp);
}

/* A power cut with synchronous=NORMAL, emulated by restoring an older copy of the spool: the
 * numbers handed out after it are above every number handed out before. */
static void test_power_cut_never_reuses_numbers(void **state)
{
    (void)state;
    mdc_spool *sp;
    mdc_err err;
    char copy[700], cmd[2400];
    snprintf(copy, sizeof copy, "%s/snapshot", dir);
    assert_int_equal(mdc_spool_open(path, NULL, &sp, &err), 0);
    for (int i = 1; i <= 3; i++)
        append(sp, i, NULL);
    mdc_spool_close(sp);
    snprintf(cmd, sizeof cmd, "mkdir -p %s && cp %s* %s/", copy, path, copy);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(mdc_spool_open(path, NULL, &sp, &err), 0);
    int64_t lost = 0;
    for (int i = 4; i <= 6; i++)
        lost = append(sp, i, NULL); /* "delivered" to a sink, then lost by the spool */
    mdc_spool_close(sp);
    snprintf(cmd, sizeof cmd, "rm -f %s* && cp %s/spool.db* %s/", path, copy, dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(mdc_spool_open(path, NULL, &sp, &err), 0);
    assert_true(mdc_spool_prev_last_seq(sp) < lost); /* what a sink would detect */
    assert_true(append(sp, 4, NULL) > lost);
    mdc_spool_close(sp);
}

static void test_bound_drops_oldest(void **state)
{
    (void)state;
    mdc_spool *sp;
    mdc_err err;
    mdc_spool_opts o = {.max_records = 100};
    assert_int_equal(mdc_spool_open(path, &o, &sp, &err), 0);
    int64_t pos;
    assert_int_equal(mdc_spool_cursor(sp, "dead", -1, &pos, &err), 0);
    int64_t total_dropped = 0, first_seq = 0;
    for (int i = 1; i <= 250; i++) {
        mdc_record r;
        make(&r, i, i / 10.0);
        int64_t dropped;
        assert_int_equal(mdc_spool_append(sp, &r, NULL, NULL, NULL, &dropped, &err), 0);
        if (i == 151) first_seq = r.seq;
        total_dropped += dropped;
        mdc_record_free(&r);
    }
    assert_int_equal(total_dropped, 150);
    mdc_spool_stats st;
    mdc_spool_stats_get(sp, &st, &err);
    assert_true(st.records == 100 && st.first_seq == first_seq && st.dropped == 150);
    assert_int_equal(mdc_spool_backlog(sp, "dead"), 100); /* not the dropped ones */
    int64_t first = 0, last = 0;
    assert_int_equal(read_all(sp, pos, &first, &last), 100); /* the dead sink resumes at 151 */
    assert_true(first == 151 && last == 250);
    mdc_spool_close(sp);
    assert_int_equal(mdc_spool_open(path, &o, &sp, &err), 0); /* the count is persisted */
    mdc_spool_stats_get(sp, &st, &err);
    assert_true(st.dropped == 150);
    mdc_spool_close(sp);
}

/* max_bytes: the oldest records make room, the records' share of the file stays bounded. */
static void test_max_bytes(void **state)
{
    (void)state;
    mdc_spool *sp;
    mdc_err err;
    mdc_spool_opts o = {.max_bytes = 128 * 1024, .synchronous = MDC_SPOOL_SYNC_NORMAL};
    assert_int_equal(mdc_spool_open(path, &o, &sp, &err), 0);
    int64_t pos;
    assert_int_equal(mdc_spool_cursor(sp, "dead", -1, &pos, &err), 0);
    for (int i = 1; i <= 8000; i++)
        append(sp, i, NULL);
    mdc_spool_stats st;
    mdc_spool_stats_get(sp, &st, &err);
    assert_true(st.dropped > 0 && st.records + st.dropped == 8000);
    int64_t first = 0, last = 0;
    assert_int_equal(read_all(sp, pos, &first, &last), st.records > 1000 ? 1000 : st.records);
    assert_int_equal(first, 8000 - st.records + 1); /* the newest are kept, in order */
    mdc_spool_close(sp);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(sb.st_size < 2 * 128 * 1024 + 64 * 1024); /* bounded: free pages are reused */
}

static void test_state_with_record(void **state)
{
    (void)state;
    mdc_spool *sp;
    mdc_err err;
    assert_int_equal(mdc_spool_open(path, NULL, &sp, &err), 0);
    strbuf s = STRBUF_INIT;
    assert_int_equal(mdc_spool_get_state(sp, "derive:meter-1", &s, &err), 0);
    append(sp, 1, "{\"energy_base\":1}");
    append(sp, 2, "{\"energy_base\":2}");
    mdc_spool_close(sp);
    assert_int_equal(mdc_spool_open(path, NULL, &sp, &err), 0);
    assert_int_equal(mdc_spool_get_state(sp, "derive:meter-1", &s, &err), 1);
    assert_string_equal(sb_str(&s), "{\"energy_base\":2}");
    uint64_t epoch = mdc_spool_epoch(sp);
    assert_true(epoch != 0);
    mdc_spool_close(sp);
    assert_int_equal(mdc_spool_open(path, NULL, &sp, &err), 0);
    assert_true(mdc_spool_epoch(sp) == epoch);
    mdc_spool_close(sp);
    sb_free(&s);
}

/* Dead letters: stored with the cursor move, listed, marked for retry, settled, dropped; a tool
 * opening the spool (admin) does not start a new run of numbers. */
static void test_dead_letters(void **state)
{
    (void)state;
    mdc_spool *sp;
    mdc_err err;
    assert_int_equal(mdc_spool_open(path, NULL, &sp, &err), 0);
    int64_t pos, p2;
    assert_int_equal(mdc_spool_cursor(sp, "web", -1, &pos, &err), 0);
    assert_int_equal(mdc_spool_cursor(sp, "db", -1, &p2, &err), 0);
    for (int i = 1; i <= 3; i++)
        append(sp, i, NULL);
    mdc_record *recs;
    size_t n;
    assert_int_equal(mdc_spool_read(sp, pos, 10, &recs, &n, NULL, NULL, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(
        mdc_spool_dead_letter(sp, "web", &recs[0], "http_4xx", "HTTP 400 from x", 3, &err), 0);
    assert_int_equal(mdc_spool_backlog(sp, "web"), 2);
    assert_int_equal(mdc_spool_backlog(sp, "db"), 3);
    assert_int_equal(mdc_spool_dead_count(sp, "web"), 1);
    assert_int_equal(mdc_spool_dead_count(sp, "db"), 0);
    int64_t seq0 = recs[0].seq;
    for (size_t i = 0; i < n; i++)
        mdc_record_free(&recs[i]);
    free(recs);
    mdc_spool_close(sp);

    mdc_spool_opts admin = {.admin = true};
    assert_int_equal(mdc_spool_open(path, &admin, &sp, &err), 0);
    int64_t run = mdc_spool_run_first_seq(sp);
    mdc_dead_letter *dl;
    assert_int_equal(mdc_spool_dead_list(sp, NULL, false, 10, &dl, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(dl[0].sink, "web");
    assert_true(dl[0].seq == seq0 && dl[0].rec.ts_us == 1 && dl[0].tries == 3 && !dl[0].retry);
    assert_string_equal(dl[0].reason, "http_4xx");
    assert_string_equal(dl[0].error, "HTTP 400 from x");
    int64_t id = dl[0].id;
    mdc_dead_letter_free(&dl[0]);
    free(dl);
    assert_int_equal(mdc_spool_dead_mark_retry(sp, 0, "db", &err), 0);
    assert_int_equal(mdc_spool_dead_mark_retry(sp, id, NULL, &err), 1);
    assert_int_equal(mdc_spool_dead_list(sp, "web", true, 10, &dl, &n, &err), 0);
    assert_true(n == 1 && dl[0].retry);
    mdc_dead_letter_free(&dl[0]);
    free(dl);
    assert_int_equal(mdc_spool_dead_settle(sp, id, false, "http_4xx", "HTTP 422", &err), 0);
    assert_int_equal(mdc_spool_dead_list(sp, "web", false, 10, &dl, &n, &err), 0);
    assert_true(n == 1 && !dl[0].retry && dl[0].tries == 4);
    assert_string_equal(dl[0].error, "HTTP 422");
    mdc_dead_letter_free(&dl[0]);
    free(dl);
    assert_int_equal(mdc_spool_dead_drop(sp, 0, NULL, &err), 1);
    assert_int_equal(mdc_spool_dead_count(sp, NULL), 0);
    mdc_spool_close(sp);
    assert_int_equal(mdc_spool_open(path, NULL, &sp, &err), 0);
    assert_true(mdc_spool_run_first_seq(sp) >= run); /* the admin open took no numbers */
    mdc_spool_close(sp);
}

/* A batch: records in order with increasing seqs, each device's state with its record, the
 * bound applied across the batch; then the spool is read back after a restart. */
static void test_append_batch(void **state)
{
    (void)state;
    mdc_spool *sp;
    mdc_err err;
    mdc_spool_opts o = {.max_records = 250};
    assert_int_equal(mdc_spool_open(path, &o, &sp, &err), 0);
    int64_t pos;
    assert_int_equal(mdc_spool_cursor(sp, "sink", -1, &pos, &err), 0);
    enum { N = 200 };
    static mdc_record recs[N];
    static strbuf encs[N];
    static char states[N][32];
    mdc_spool_item items[N];
    int64_t dropped_total = 0, last_seq = 0;
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < N; i++) {
            int64_t ts = round * N + i + 1;
            make(&recs[i], ts, ts / 10.0);
            sb_init(&encs[i]);
            snprintf(states[i], sizeof states[i], "{\"n\":%lld}", (long long)ts);
            items[i] = (mdc_spool_item){.rec = &recs[i],
                                        .state_key = i % 2 ? "derive:odd" : "derive:even",
                                        .state = states[i],
                                        .enc = &encs[i]};
        }
        int64_t dropped = -1;
        if (round == 0) {
            assert_int_equal(mdc_spool_append_batch(sp, items, N, &dropped, &err), 0);
        } else { /* in two steps, as the event threads do */
            mdc_spool_ticket *t = mdc_spool_append_start(sp, items, N);
            assert_int_equal(mdc_spool_append_finish(sp, t, true, &dropped, &err), 0);
        }
        dropped_total += dropped;
        for (int i = 0; i < N; i++) {
            assert_true(recs[i].seq > last_seq);
            last_seq = recs[i].seq;
            mdc_record_free(&recs[i]);
            sb_free(&encs[i]);
        }
    }
    assert_int_equal(dropped_total, 150);
    assert_int_equal(mdc_spool_append_batch(sp, items, 0, NULL, &err), 0);
    mdc_spool_close(sp);
    assert_int_equal(mdc_spool_open(path, &o, &sp, &err), 0);
    strbuf st = STRBUF_INIT;
    assert_int_equal(mdc_spool_get_state(sp, "derive:odd", &st, &err), 1);
    assert_string_equal(sb_str(&st), "{\"n\":400}");
    sb_reset(&st);
    assert_int_equal(mdc_spool_get_state(sp, "derive:even", &st, &err), 1);
    assert_string_equal(sb_str(&st), "{\"n\":399}");
    sb_free(&st);
    int64_t first = 0, last = 0;
    assert_int_equal(read_all(sp, pos, &first, &last), 250);
    assert_true(first == 151 && last == 400);
    mdc_spool_close(sp);
}

static void test_codec_roundtrip(void **state)
{
    (void)state;
    mdc_record r;
    mdc_record_init(&r);
    r.ts_us = -123456789;
    r.status = 2;
    r.has_machine_id = true;
    r.machine_id = 14;
    r.shift_start_us = INT64_C(1795307400000000);
    mdc_record_set_device(&r, "ctx");
    mdc_record_set_error(&r, "unreachable: connection refused");
    mdc_record_add_null(&r, "n", "exception 02 illegal data address");
    mdc_record_add_bool(&r, "b", true);
    mdc_record_add_int(&r, "i", INT64_MIN);
    mdc_record_add_double(&r, "d", -0.0);
    mdc_record_add_string(&r, "s", "Main 'PART.H' \xc3\xa9");
    strbuf enc = STRBUF_INIT;
    mdc_record_encode(&r, &enc);
    mdc_record out;
    mdc_err err;
    assert_int_equal(mdc_record_decode((unsigned char *)enc.buf, enc.len, &out, &err), 0);
    assert_true(out.ts_us == r.ts_us && out.status == 2 && out.has_machine_id &&
                out.machine_id == 14 && out.shift_start_us == r.shift_start_us);
    assert_string_equal(out.device, "ctx");
    assert_string_equal(out.error, r.error);
    assert_int_equal(out.nfields, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(out.fields[i].name, r.fields[i].name);
        assert_true(mdc_value_equal(&out.fields[i].v, &r.fields[i].v));
    }
    assert_string_equal(out.fields[0].error, "exception 02 illegal data address");
    assert_true(signbit(out.fields[3].v.u.d));
    mdc_record_free(&out);
    /* every truncation is rejected, never read past the end */
    for (size_t len = 0; len < enc.len; len++)
        assert_int_equal(mdc_record_decode((unsigned char *)enc.buf, len, &out, &err), -1);
    enc.buf[0] = 9; /* unknown version */
    assert_int_equal(mdc_record_decode((unsigned char *)enc.buf, enc.len, &out, &err), -1);
    assert_string_equal(err.msg, "corrupt spooled record (138 bytes, bad at byte 0)");
    sb_free(&enc);
    mdc_record_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order_cursors_trim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bound_drops_oldest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts_across_restarts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_power_cut_never_reuses_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dead_letters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_with_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_batch, setup, teardown),
        cmocka_unit_test(test_codec_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
