/* SPDX-License-Identifier: Apache-2.0 */
/* The embedded store's migration 3: a store written by an mdc of schema version 2 (a row per
 * value in `samples`) opens with every value moved into a row per record, in the same order,
 * with the same types and errors; `samples` reads as before (a view) and the history API gives
 * the same records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/strbuf.h"
#include "store/store.h"
#include "test_sqlite.h"

#include <sqlite3.h>
#include <string.h>
#include "test_util.h"

/* What version 2 created (schema.c's migrations 1 and 2, as an mdc of that version left it). */
static const char v2_schema[] =
    "CREATE TABLE schema_migrations(version INTEGER PRIMARY KEY, applied TEXT NOT NULL);"
    "INSERT INTO schema_migrations VALUES(1, '2026-11-01T00:00:00+00:00'),"
    " (2, '2026-11-01T00:00:00+00:00');"
    "CREATE TABLE devices(id TEXT PRIMARY KEY, machine_id INTEGER, first_seen TEXT NOT NULL,"
    " last_seen TEXT NOT NULL);"
    "CREATE TABLE samples(device TEXT NOT NULL, ts TEXT NOT NULL, name TEXT NOT NULL, value,"
    " error TEXT);"
    "CREATE INDEX samples_device_ts ON samples(device, ts);"
    "CREATE TABLE live(device TEXT PRIMARY KEY, ts TEXT NOT NULL, status INTEGER, error TEXT,"
    " record TEXT NOT NULL);"
    "CREATE TABLE status_history(device TEXT NOT NULL, ts TEXT NOT NULL, status INTEGER NOT NULL,"
    " previous INTEGER, error TEXT);"
    "CREATE INDEX status_history_device_ts ON status_history(device, ts);"
    "CREATE TABLE shift_energy(device TEXT NOT NULL, shift_start TEXT NOT NULL,"
    " shift INTEGER NOT NULL, energy_kwh REAL, parts INTEGER, closed INTEGER NOT NULL DEFAULT 0,"
    " updated TEXT NOT NULL, PRIMARY KEY(device, shift_start));"
    "CREATE TABLE part_events(device TEXT NOT NULL, ts TEXT NOT NULL, count INTEGER NOT NULL);"
    "CREATE INDEX part_events_device_ts ON part_events(device, ts);"
    "CREATE TABLE sink_state(sink TEXT PRIMARY KEY, epoch INTEGER NOT NULL,"
    " last_seq INTEGER NOT NULL);"
    "CREATE INDEX shift_energy_start ON shift_energy(shift_start);";

/* Two devices' polls interleaved, as the writer left them: every type a value can have, a
 * value's error, a name that needs escaping. */
static const char v2_rows[] =
    "INSERT INTO samples VALUES"
    " ('cnc-1', '2026-11-22T00:30:00.000000+00:00', 'program', 'PART \"7\".H', NULL),"
    " ('cnc-1', '2026-11-22T00:30:00.000000+00:00', 'spindle', 1, NULL),"
    " ('meter-1', '2026-11-22T00:30:00.100000+00:00', 'voltage_l1', 230.0, NULL),"
    " ('meter-1', '2026-11-22T00:30:00.100000+00:00', 'power_kw', 6.25, NULL),"
    " ('meter-1', '2026-11-22T00:30:00.100000+00:00', 'energy_kwh', NULL, 'exception 2'),"
    " ('cnc-1', '2026-11-22T00:30:01.000000+00:00', 'program', 'PART \"7\".H', NULL),"
    " ('cnc-1', '2026-11-22T00:30:01.000000+00:00', 'spindle', 0, NULL),"
    " ('meter-1', '2026-11-22T00:30:01.100000+00:00', 'voltage_l1', 229.5, NULL),"
    " ('meter-1', '2026-11-22T00:30:01.100000+00:00', 'power_kw', -0.5, NULL),"
    " ('meter-1', '2026-11-22T00:30:01.100000+00:00', 'energy_kwh', 1234567.5, NULL);";

static char *dir;
static char dbpath[600];

static void exec_sql(const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) fail_msg("%s", sqlite3_errmsg(db));
    sqlite3_close(db);
}

static void assert_rows(const char *sql, const char *expect)
{
    char *got = tu_sqlite_rows(dbpath, sql);
    assert_string_equal(got, expect);
    free(got);
}

static void migrate_v2(void)
{
    exec_sql(v2_schema);
    exec_sql(v2_rows);
    mdc_store *st;
    mdc_err err = {0};
    if (mdc_store_open(dbpath, true, &st, &err) < 0) fail_msg("%s", err.msg);
    mdc_store_close(st);
}

static void test_rows_move(void **state)
{
    (void)state;
    migrate_v2();
    assert_rows("SELECT version FROM schema_migrations", "1\n2\n3\n");
    assert_rows("SELECT device, ts, fields, errors FROM records ORDER BY rowid",
                "cnc-1|2026-11-22T00:30:00.000000+00:00|"
                "{\"program\":\"PART \\\"7\\\".H\",\"spindle\":1}|NULL\n"
                "meter-1|2026-11-22T00:30:00.100000+00:00|"
                "{\"voltage_l1\":230.0,\"power_kw\":6.25,\"energy_kwh\":null}|"
                "{\"energy_kwh\":\"exception 2\"}\n"
                "cnc-1|2026-11-22T00:30:01.000000+00:00|"
                "{\"program\":\"PART \\\"7\\\".H\",\"spindle\":0}|NULL\n"
                "meter-1|2026-11-22T00:30:01.100000+00:00|"
                "{\"voltage_l1\":229.5,\"power_kw\":-0.5,\"energy_kwh\":1234567.5}|NULL\n");
    /* the view reads as the table did: values, their types, their errors */
    assert_rows("SELECT device, ts, name, value, typeof(value), error FROM samples",
                "cnc-1|2026-11-22T00:30:00.000000+00:00|program|PART \"7\".H|text|NULL\n"
                "cnc-1|2026-11-22T00:30:00.000000+00:00|spindle|1|integer|NULL\n"
                "meter-1|2026-11-22T00:30:00.100000+00:00|voltage_l1|230.0|real|NULL\n"
                "meter-1|2026-11-22T00:30:00.100000+00:00|power_kw|6.25|real|NULL\n"
                "meter-1|2026-11-22T00:30:00.100000+00:00|energy_kwh|NULL|null|exception 2\n"
                "cnc-1|2026-11-22T00:30:01.000000+00:00|program|PART \"7\".H|text|NULL\n"
                "cnc-1|2026-11-22T00:30:01.000000+00:00|spindle|0|integer|NULL\n"
                "meter-1|2026-11-22T00:30:01.100000+00:00|voltage_l1|229.5|real|NULL\n"
                "meter-1|2026-11-22T00:30:01.100000+00:00|power_kw|-0.5|real|NULL\n"
                "meter-1|2026-11-22T00:30:01.100000+00:00|energy_kwh|1234567.5|real|NULL\n");
    assert_rows("SELECT count(*) FROM sqlite_master WHERE name = 'samples_device_ts'", "0\n");
}

static void test_history_after_migration(void **state)
{
    (void)state;
    migrate_v2();
    strbuf out = STRBUF_INIT;
    mdc_err err = {0};
    const int64_t t0 = INT64_C(1795307400) * MDC_US_PER_SEC; /* 2026-11-22T00:30:00Z */
    if (mdc_store_history(dbpath, "meter-1", t0, t0 + 10 * MDC_US_PER_SEC, 100, &out, &err) < 0)
        fail_msg("%s", err.msg);
    const char *records = strstr(sb_str(&out), "\"records\"");
    assert_non_null(records);
    const char *end = strstr(records, ", \"status_changes\"");
    assert_non_null(end);
    char *got = strndup(records, (size_t)(end - records));
    assert_string_equal(got, "\"records\": [{\"timestamp\": \"2026-11-22T00:30:00.100000+00:00\", "
                             "\"voltage_l1\": 230.0, \"power_kw\": 6.25, \"energy_kwh\": null, "
                             "\"errors\": {\"energy_kwh\": \"exception 2\"}}, "
                             "{\"timestamp\": \"2026-11-22T00:30:01.100000+00:00\", "
                             "\"voltage_l1\": 229.5, \"power_kw\": -0.5, "
                             "\"energy_kwh\": 1234567.5}], \"truncated\": false");
    free(got);
    sb_free(&out);
}

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rows_move, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_after_migration, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
