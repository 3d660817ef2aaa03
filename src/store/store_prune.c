/* SPDX-License-Identifier: Apache-2.0 */
/* store_prune.c — retention: old rows leave the store a chunk at a time (store.h). Rows are
 * inserted in time order, so the oldest rows have the smallest rowids: each chunk looks at a
 * bounded rowid range from the start of a table and never scans the rest of it. */
#include "store/store_internal.h"

#include "core/clock.h"

#include <stdio.h>

/* Deletes up to `chunk` of the oldest rows of table whose `col` is before cutoff. Returns the
 * number deleted, or -1. */
static int64_t prune_table(mdc_store *k, const char *table, const char *col, const char *cutoff,
                           int64_t chunk, mdc_err *err)
{
    char sql[320];
    snprintf(sql, sizeof sql,
             "DELETE FROM %s WHERE rowid < (SELECT MIN(rowid) FROM %s) + ?2 AND %s < ?1", table,
             table, col);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(k->db, sql, -1, &st, NULL) != SQLITE_OK)
        return mdc_err_set(err, MDC_EIO, "sqlite %s: retention: %s", k->path,
                           sqlite3_errmsg(k->db));
    sqlite3_bind_text(st, 1, cutoff, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, chunk);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return mdc_err_set(err, MDC_EIO, "sqlite %s: retention: %s", k->path,
                           sqlite3_errmsg(k->db));
    return sqlite3_changes(k->db);
}

int mdc_store_prune(mdc_store *k, int64_t samples_before_us, int64_t history_before_us,
                    int64_t chunk, int64_t *deleted, mdc_err *err)
{
    static const struct {
        const char *table, *col;
        bool history;
    } tables[] = {{"records", "ts", false},
                  {"status_history", "ts", true},
                  {"part_events", "ts", true},
                  {"shift_energy", "shift_start", true}};
    *deleted = 0;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        int64_t before = tables[i].history ? history_before_us : samples_before_us;
        if (before <= 0) continue;
        char cutoff[48];
        mdc_format_utc_us(before, cutoff, sizeof cutoff);
        int64_t n = prune_table(k, tables[i].table, tables[i].col, cutoff, chunk, err);
        if (n < 0) return -1;
        *deleted += n;
    }
    return 0;
}
