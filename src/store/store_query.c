/* SPDX-License-Identifier: Apache-2.0 */
/* store_query.c — what the store's read queries share (store_internal.h). */
#include "store/store_internal.h"

#include "format/json_out.h"

int mdc_store_open_ro(const char *path, sqlite3 **db, mdc_err *err)
{
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        mdc_err_set(err, MDC_EIO, "the embedded store %s cannot be opened: %s", path,
                    *db ? sqlite3_errmsg(*db) : "out of memory");
        sqlite3_close(*db);
        *db = NULL;
        return -1;
    }
    sqlite3_busy_timeout(*db, 2000);
    return 0;
}

int mdc_store_read_failed(sqlite3 *db, mdc_err *err)
{
    return mdc_err_set(err, MDC_EIO, "the embedded store cannot be read: %s", sqlite3_errmsg(db));
}

int mdc_store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, mdc_err *err)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK) return 0;
    return mdc_store_read_failed(db, err);
}

void mdc_store_range_json(strbuf *out, const char *device, int64_t from_us, int64_t to_us)
{
    sb_puts(out, "{\"device\": ");
    mdc_json_str(out, device);
    sb_puts(out, ", \"from\": ");
    mdc_json_time(out, from_us);
    sb_puts(out, ", \"to\": ");
    mdc_json_time(out, to_us);
}
