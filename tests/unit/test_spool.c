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

static void append(mdc_spool *sp, int64_t ts, double v, const char *state)
{
    mdc_record r;
    make(&r, ts, v);
    mdc_err err;
    if (mdc_spool_append(sp, &r, state ? "derive:meter-1" : NULL, state, NULL, NULL, &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(r.seq, ts); /* the tests append ts = 1, 2, 3 ... */
    mdc_record_free(&r);
}

static size_t read_all(mdc_spool *sp, int64_t after, int64_t *first, int64_t *last)
{
    mdc_record *recs;
    size_t n;
    mdc_err err;
    assert_int_equal(mdc_spool_read(sp, after, 1000, &recs, &n, NULL, &err), 0);
    for (size_t i = 0; i < n; i++) {
        assert_true(recs[i].ts_us == recs[i].seq);
        assert_true(mdc_record_find(&recs[i], "power_kw")->v.u.d == (double)recs[i].seq / 10);
        if (i) assert_true(recs[i].seq == recs[i - 1].seq + 1);
    }
    if (n) {
        *first = recs[0].seq;
        *last = recs[n - 1].seq;
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
    for (int i = 1; i <= 10; i++)
        append(sp, i, i / 10.0, NULL);
    int64_t first = 0, last = 0;
    assert_int_equal(read_all(sp, 0, &first, &last), 10);
    assert_true(first == 1 && last == 10);
    assert_int_equal(mdc_spool_backlog(sp, "a"), 10);
    assert_int_equal(mdc_spool_ack(sp, "a", 10, &err), 0);
    assert_int_equal(mdc_spool_ack(sp, "b", 4, &err), 0);
    mdc_spool_stats st;
    mdc_spool_stats_get(sp, &st, &err);
    assert_true(st.records == 6 && st.first_seq == 5 && st.last_seq == 10); /* b holds 5..10 */
    assert_int_equal(read_all(sp, 4, &first, &last), 6);
    assert_int_equal(mdc_spool_ack(sp, "b", 10, &err), 0);
    mdc_spool_stats_get(sp, &st, &err);
    assert_true(st.records == 0);
    assert_false(mdc_spool_wait(sp, 10, 1000));
    mdc_spool_close(sp);

    /* restart: cursors and numbering survive; a new sink starts at the tail */
    assert_int_equal(mdc_spool_open(path, NULL, &sp, &err), 0);
    append(sp, 11, 1.1, NULL);
    assert_int_equal(mdc_spool_cursor(sp, "a", -1, &a, &err), 0);
    assert_int_equal(mdc_spool_cursor(sp, "c", -1, &b, &err), 0);
    assert_true(a == 10 && b == 11);
    assert_true(mdc_spool_wait(sp, 10, 1000));
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
    int64_t total_dropped = 0;
    for (int i = 1; i <= 250; i++) {
        mdc_record r;
        make(&r, i, i / 10.0);
        int64_t dropped;
        assert_int_equal(mdc_spool_append(sp, &r, NULL, NULL, NULL, &dropped, &err), 0);
        total_dropped += dropped;
        mdc_record_free(&r);
    }
    assert_int_equal(total_dropped, 150);
    mdc_spool_stats st;
    mdc_spool_stats_get(sp, &st, &err);
    assert_true(st.records == 100 && st.first_seq == 151 && st.dropped == 150);
    int64_t first = 0, last = 0;
    assert_int_equal(read_all(sp, pos, &first, &last), 100); /* the dead sink resumes at 151 */
    assert_true(first == 151 && last == 250);
    mdc_spool_close(sp);
    assert_int_equal(mdc_spool_open(path, &o, &sp, &err), 0); /* the count is persisted */
    mdc_spool_stats_get(sp, &st, &err);
    assert_true(st.dropped == 150);
    mdc_spool_close(sp);
}

static void test_state_with_record(void **state)
{
    (void)state;
    mdc_spool *sp;
    mdc_err err;
    assert_int_equal(mdc_spool_open(path, NULL, &sp, &err), 0);
    strbuf s = STRBUF_INIT;
    assert_int_equal(mdc_spool_get_state(sp, "derive:meter-1", &s, &err), 0);
    append(sp, 1, 0.1, "{\"energy_base\":1}");
    append(sp, 2, 0.2, "{\"energy_base\":2}");
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
        cmocka_unit_test_setup_teardown(test_state_with_record, setup, teardown),
        cmocka_unit_test(test_codec_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
