/* SPDX-License-Identifier: Apache-2.0 */
/* test_sqlite.h — a query's rows as text, for unit tests that check SQLite files (include
 * after cmocka.h). */
#ifndef MDC_TEST_SQLITE_H
#define MDC_TEST_SQLITE_H

#include "core/strbuf.h"

#include <sqlite3.h>

/* The rows of sql in the database at path as "a|b|c\n" lines (NULL as "NULL"); caller frees. */
static inline char *tu_sqlite_rows(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    strbuf out = STRBUF_INIT;
    sb_puts(&out, "");
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const char *t = (const char *)sqlite3_column_text(st, i);
            sb_printf(&out, "%s%s", i ? "|" : "", t ? t : "NULL");
        }
        sb_putc(&out, '\n');
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return sb_detach(&out);
}

#endif
