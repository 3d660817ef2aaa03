/* SPDX-License-Identifier: Apache-2.0 */
/* schema.c — numbered migrations of the embedded store (store.h). Append new ones; never edit
 * or reorder the old ones. */
#include "store/store.h"

#include <stdio.h>

static const char *const migrations[] = {
    /* 1: the initial schema */
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
    " last_seq INTEGER NOT NULL);",
    /* 2: plant totals read the shifts of every device since a time (HTTP /api/plant) */
    "CREATE INDEX shift_energy_start ON shift_energy(shift_start);",
    /* 3: a row per record, its values one JSON object ({"name": value, ...} in the record's
     * order; errors likewise, NULL when none): a catch-up writes a row where it wrote one per
     * value, and the file is a quarter of the size. `samples` stays as a view of the same
     * columns, so queries written for the long format keep working. The old rows move over in
     * their order (a group's values in index order, which is rowid order; SQLite's JSON keeps
     * 15 significant digits of a REAL). */
    "CREATE TABLE records(device TEXT NOT NULL, ts TEXT NOT NULL, fields TEXT NOT NULL,"
    " errors TEXT);"
    "INSERT INTO records(device, ts, fields, errors)"
    " SELECT device, ts, json_group_object(name, value),"
    " NULLIF(json_group_object(name, error) FILTER (WHERE error IS NOT NULL), '{}')"
    " FROM samples INDEXED BY samples_device_ts GROUP BY device, ts ORDER BY min(rowid);"
    "DROP TABLE samples;"
    "CREATE INDEX records_device_ts ON records(device, ts);"
    "CREATE VIEW samples(device, ts, name, value, error) AS"
    " SELECT r.device, r.ts, f.key, f.value, e.value FROM records AS r"
    " JOIN json_each(r.fields) AS f LEFT JOIN json_each(r.errors) AS e ON e.key = f.key;",
};

int mdc_store_schema_version(void)
{
    return (int)(sizeof migrations / sizeof migrations[0]);
}

static int exec(sqlite3 *db, const char *sql, mdc_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        mdc_err_set(err, MDC_EIO, "%s", msg ? msg : "sqlite error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int current_version(sqlite3 *db)
{
    sqlite3_stmt *st;
    int v = 0;
    if (sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

int mdc_store_migrate(sqlite3 *db, mdc_err *err)
{
    if (exec(db,
             "CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY,"
             " applied TEXT NOT NULL)",
             err) < 0)
        return -1;
    int have = current_version(db);
    int want = mdc_store_schema_version();
    if (have > want)
        return mdc_err_set(err, MDC_EINVAL,
                           "the store has schema version %d but this mdc knows only up to %d; "
                           "use a newer mdc",
                           have, want);
    for (int v = have + 1; v <= want; v++) {
        char mark[160];
        snprintf(mark, sizeof mark,
                 "INSERT INTO schema_migrations(version, applied) "
                 "VALUES(%d, strftime('%%Y-%%m-%%dT%%H:%%M:%%S+00:00', 'now'))",
                 v);
        if (exec(db, "BEGIN IMMEDIATE", err) < 0) return -1;
        if (exec(db, migrations[v - 1], err) < 0 || exec(db, mark, err) < 0) {
            exec(db, "ROLLBACK", NULL);
            return mdc_err_prefix(err, "migration %d", v);
        }
        if (exec(db, "COMMIT", err) < 0) return -1;
    }
    return 0;
}
