/* SPDX-License-Identifier: Apache-2.0 */
/* The embedded store: exact rows, status history on change, shift energy live/closed, part
 * events, and exactly-once writes across a replay. */
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
#include "test_util.h"

#define T0  (INT64_C(1795307400) * MDC_US_PER_SEC) /* 2026-11-22T00:30:00Z */
#define SH1 T0
#define SH3 (T0 - INT64_C(8) * 3600 * MDC_US_PER_SEC)

static char *dir;
static char dbpath[600];

static int setup(void **state)
{
    (void)state;
    dir = tu_tmpdir();
    snprintf(dbpath, sizeof dbpath, "%s/mdc.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmdir(dir);
    return 0;
}

static void rec(mdc_record *r, int64_t seq, int64_t ts, int status, double power, double shift_e,
                int64_t parts_delta, int64_t shift_start)
{
    mdc_record_init(r);
    r->seq = seq;
    r->ts_us = ts;
    mdc_record_set_device(r, "meter-1");
    r->has_machine_id = true;
    r->machine_id = 1;
    r->status = status;
    r->shift_start_us = shift_start;
    if (status == 0 && power < 0) {
        mdc_record_add_null(r, "power_kw", NULL);
        mdc_record_set_error(r, "timeout after 500 ms");
    } else {
        mdc_record_add_double(r, "power_kw", power);
    }
    mdc_record_add_int(r, "part_count_delta", parts_delta);
    mdc_record_add_int(r, "shift", shift_start == SH1 ? 1 : 3);
    mdc_record_add_double(r, "shift_energy_kwh", shift_e);
}

/* Runs a query and returns its rows as "a|b|c\n" text. */
static char *rows(const char *sql)
{
    return tu_sqlite_rows(dbpath, sql);
}

static void assert_rows(const char *sql, const char *expect)
{
    char *got = rows(sql);
    assert_string_equal(got, expect);
    free(got);
}

static void write_batch(mdc_sink *s, mdc_record *r, size_t n)
{
    const mdc_record *p[8];
    for (size_t i = 0; i < n; i++)
        p[i] = &r[i];
    mdc_err err;
    if (mdc_sink_write(s, p, n, NULL, &err) < 0) fail_msg("%s", err.msg);
}

static void test_rows(void **state)
{
    (void)state;
    const char *store_file = dbpath;
    mdc_sink *s = mdc_sink_store_new(store_file, NULL);
    mdc_err err;
    assert_int_equal(s->ops->open(s, &err), 0);
    assert_int_equal(s->ops->committed_seq(s, 77), -1);
    mdc_record r[4];
    const int64_t m = 60 * MDC_US_PER_SEC;
    rec(&r[0], 1, SH1 - 2 * m, 1, 0.8, 1.5, 0, SH3);
    rec(&r[1], 2, SH1 - m, 2, 6.1, 1.6, 1, SH3);
    rec(&r[2], 3, SH1, 2, 6.2, 0.1, 0, SH1);
    rec(&r[3], 4, SH1 + m, 0, -1, 0.1, 0, SH1);
    write_batch(s, r, 2);
    write_batch(s, r + 2, 2);
    assert_rows("SELECT id, machine_id, first_seen, last_seen FROM devices",
                "meter-1|1|2026-11-22T00:28:00.000000+00:00|2026-11-22T00:31:00.000000+00:00\n");
    assert_rows("SELECT ts, name, value, error FROM samples WHERE name = 'power_kw' ORDER BY ts",
                "2026-11-22T00:28:00.000000+00:00|power_kw|0.8|NULL\n"
                "2026-11-22T00:29:00.000000+00:00|power_kw|6.1|NULL\n"
                "2026-11-22T00:30:00.000000+00:00|power_kw|6.2|NULL\n"
                "2026-11-22T00:31:00.000000+00:00|power_kw|NULL|NULL\n");
    assert_rows("SELECT count(*) FROM samples", "16\n");
    /* a row per record, its values one JSON object in the record's order */
    assert_rows("SELECT device, ts, fields, errors FROM records ORDER BY rowid LIMIT 1 OFFSET 3",
                "meter-1|2026-11-22T00:31:00.000000+00:00|{\"power_kw\":null,"
                "\"part_count_delta\":0,\"shift\":1,\"shift_energy_kwh\":0.1}|NULL\n");
    assert_rows("SELECT ts, status, previous, error FROM status_history ORDER BY ts",
                "2026-11-22T00:28:00.000000+00:00|1|NULL|NULL\n"
                "2026-11-22T00:29:00.000000+00:00|2|1|NULL\n"
                "2026-11-22T00:31:00.000000+00:00|0|2|timeout after 500 ms\n");
    assert_rows("SELECT device, ts, status, error, record FROM live",
                "meter-1|2026-11-22T00:31:00.000000+00:00|0|timeout after 500 ms|"
                "{\"timestamp\": \"2026-11-22T00:31:00.000000+00:00\", \"device\": \"meter-1\", "
                "\"machine_id\": 1, \"status\": 0, \"power_kw\": null, \"part_count_delta\": 0, "
                "\"shift\": 1, \"shift_energy_kwh\": 0.1, \"error\": \"timeout after 500 ms\"}\n");
    /* an unreachable record does not overwrite the shift's energy */
    assert_rows(
        "SELECT shift_start, shift, energy_kwh, closed FROM shift_energy ORDER BY shift_start",
        "2026-11-21T16:30:00+00:00|3|1.6|1\n"
        "2026-11-22T00:30:00+00:00|1|0.1|0\n");
    assert_rows("SELECT ts, count FROM part_events", "2026-11-22T00:29:00.000000+00:00|1\n");
    assert_rows("SELECT sink, epoch, last_seq FROM sink_state", "sqlite|77|4\n");
    assert_rows("SELECT version FROM schema_migrations", "1\n2\n3\n");

    /* replay after a crash: records up to 4 are skipped, 5 is new */
    s->ops->close(s);
    assert_int_equal(s->ops->open(s, &err), 0);
    assert_int_equal(s->ops->committed_seq(s, 77), 4);
    mdc_record r5[2];
    rec(&r5[0], 4, SH1 + m, 0, -1, 0.1, 0, SH1);
    rec(&r5[1], 5, SH1 + 2 * m, 1, 0.9, 0.2, 0, SH1);
    write_batch(s, r5, 2);
    assert_rows("SELECT count(*) FROM samples", "20\n");
    assert_rows("SELECT last_seq FROM sink_state", "5\n");
    /* a new spool epoch (the spool was recreated): nothing is skipped */
    assert_int_equal(s->ops->committed_seq(s, 99), -1);
    for (int i = 0; i < 4; i++)
        mdc_record_free(&r[i]);
    for (int i = 0; i < 2; i++)
        mdc_record_free(&r5[i]);
    mdc_sink_destroy(s);
}

static void exec_sql(const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) fail_msg("%s", sqlite3_errmsg(db));
    sqlite3_close(db);
}

/* A record whose data the store refuses: the ones before it are committed, it is reported as
 * rejected ("data"), and the ones after it go through on the next write. */
static void test_refused_record(void **state)
{
    (void)state;
    mdc_sink *s = mdc_sink_store_new(dbpath, NULL);
    mdc_err err;
    assert_int_equal(s->ops->open(s, &err), 0);
    assert_int_equal(s->ops->committed_seq(s, 5), -1);
    exec_sql("CREATE TRIGGER poison BEFORE INSERT ON records WHEN "
             "json_extract(NEW.fields, '$.power_kw') = 66.6 "
             "BEGIN SELECT RAISE(ABORT, 'value refused'); END;");
    const int64_t m = 60 * MDC_US_PER_SEC;
    mdc_record r[4];
    for (int i = 0; i < 4; i++)
        rec(&r[i], i + 1, SH1 + i * m, 1, i == 2 ? 66.6 : 1.0 + i, 0.5, 0, SH1);
    const mdc_record *p[4] = {&r[0], &r[1], &r[2], &r[3]};
    mdc_sink_result res = {0};
    assert_int_equal(mdc_sink_write(s, p, 4, &res, &err), -1);
    assert_true(res.delivered == 2 && res.rejected);
    assert_string_equal(res.reason, "data");
    assert_non_null(strstr(err.msg, "value refused"));
    assert_rows("SELECT value FROM samples WHERE name = 'power_kw' ORDER BY ts", "1.0\n2.0\n");
    assert_rows("SELECT last_seq FROM sink_state", "2\n");
    assert_int_equal(mdc_sink_write(s, p + 3, 1, &res, &err), 0);
    assert_rows("SELECT value FROM samples WHERE name = 'power_kw' ORDER BY ts", "1.0\n2.0\n4.0\n");
    /* the refused record offered again from the dead-letter table, below the position: written */
    exec_sql("DROP TRIGGER poison");
    assert_int_equal(mdc_sink_write(s, p + 2, 1, &res, &err), 0);
    assert_rows("SELECT count(*) FROM samples WHERE value = 66.6", "0\n"); /* skipped: seq 3 <= 4 */
    r[2].redelivered = true;
    assert_int_equal(mdc_sink_write(s, p + 2, 1, &res, &err), 0);
    assert_rows("SELECT count(*) FROM samples WHERE value = 66.6", "1\n");
    assert_rows("SELECT last_seq FROM sink_state", "4\n");
    for (int i = 0; i < 4; i++)
        mdc_record_free(&r[i]);
    mdc_sink_destroy(s);
}

/* Retention: samples older than samples_days and history older than history_days leave the
 * store on the next write; newer rows stay. */
static void test_retention(void **state)
{
    (void)state;
    mdc_store_sink_cfg c = {.samples_days = 2, .history_days = 10};
    mdc_sink *s = mdc_sink_store_new(dbpath, &c);
    mdc_err err;
    assert_int_equal(s->ops->open(s, &err), 0);
    assert_int_equal(s->ops->committed_seq(s, 5), -1);
    const int64_t day = 86400 * MDC_US_PER_SEC, now = mdc_now_us();
    const int64_t age[4] = {20 * day, 5 * day, day, 0}; /* oldest first, as they arrive */
    mdc_record r[4];
    for (int i = 0; i < 4; i++)
        rec(&r[i], i + 1, now - age[i], i % 2 ? 2 : 1, 1.0 + i, 0.5, 1, SH1);
    const mdc_record *p[4] = {&r[0], &r[1], &r[2], &r[3]};
    assert_int_equal(mdc_sink_write(s, p, 3, NULL, &err), 0); /* prunes before writing */
    assert_rows("SELECT count(*) FROM samples", "12\n");
    assert_int_equal(mdc_sink_write(s, p + 3, 1, NULL, &err), 0); /* not due again yet */
    s->ops->close(s);
    mdc_sink_destroy(s);
    s = mdc_sink_store_new(dbpath, &c); /* a new sink prunes at once */
    assert_int_equal(s->ops->open(s, &err), 0);
    assert_int_equal(s->ops->committed_seq(s, 5), 4);
    assert_int_equal(mdc_sink_write(s, p + 3, 1, NULL, &err), 0);
    assert_rows("SELECT value FROM samples WHERE name = 'power_kw' ORDER BY ts", "3.0\n4.0\n");
    assert_rows("SELECT count(*) FROM status_history", "3\n"); /* 5, 1 and 0 days old */
    assert_rows("SELECT count(*) FROM part_events", "3\n");
    for (int i = 0; i < 4; i++)
        mdc_record_free(&r[i]);
    mdc_sink_destroy(s);
}

/* OFF -> unreachable (OFF with an error) -> OFF: each change of reachability is a row too. */
static void test_reachability_rows(void **state)
{
    (void)state;
    mdc_sink *s = mdc_sink_store_new(dbpath, NULL);
    mdc_err err;
    assert_int_equal(s->ops->open(s, &err), 0);
    const int64_t m = 60 * MDC_US_PER_SEC;
    mdc_record r[4];
    rec(&r[0], 1, SH1, 0, 0.0, 0.0, 0, SH1);
    rec(&r[1], 2, SH1 + m, 0, -1, 0.0, 0, SH1);
    rec(&r[2], 3, SH1 + 2 * m, 0, -1, 0.0, 0, SH1);
    rec(&r[3], 4, SH1 + 3 * m, 0, 0.0, 0.0, 0, SH1);
    write_batch(s, r, 4);
    assert_rows("SELECT ts, status, previous, error FROM status_history ORDER BY ts",
                "2026-11-22T00:30:00.000000+00:00|0|NULL|NULL\n"
                "2026-11-22T00:31:00.000000+00:00|0|0|timeout after 500 ms\n"
                "2026-11-22T00:33:00.000000+00:00|0|0|NULL\n");
    for (int i = 0; i < 4; i++)
        mdc_record_free(&r[i]);
    s->ops->close(s);
    mdc_sink_destroy(s);
}

static void test_unwritable(void **state)
{
    (void)state;
    const char *store_file = "/nonexistent-dir/mdc.db";
    mdc_sink *s = mdc_sink_store_new(store_file, NULL);
    mdc_err err;
    assert_int_equal(s->ops->open(s, &err), -1);
    assert_string_equal(err.msg,
                        "sqlite /nonexistent-dir/mdc.db: open: unable to open database file");
    mdc_sink_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reachability_rows, setup, teardown),
        cmocka_unit_test(test_unwritable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
