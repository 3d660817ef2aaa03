/* store_internal.h — shared by the store's files. */
#ifndef MDC_STORE_INTERNAL_H
#define MDC_STORE_INTERNAL_H

#include "store/store.h"

#include <stdbool.h>

enum {
    ST_DEVICE,
    ST_SAMPLE,
    ST_LIVE_STATUS,
    ST_LIVE,
    ST_HISTORY,
    ST_SHIFT_CLOSE,
    ST_SHIFT,
    ST_PART,
    ST_STATE,
    ST_COUNT
};

struct mdc_store {
    char *path;
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
    uint64_t epoch;
    bool loaded;      /* last_seq was read for `epoch` */
    int64_t last_seq; /* committed for `epoch`; -1 none */
    strbuf json;
    int fail_code; /* SQLite's code for the record a write stopped at */
};

/* ---- reading (store_query.c): read-only connections opened per request ---- */

/* Opens the store at path read-only (busy timeout 2 s). */
int mdc_store_open_ro(const char *path, sqlite3 **db, mdc_err *err);
int mdc_store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, mdc_err *err);
/* "the embedded store cannot be read: ..." */
int mdc_store_read_failed(sqlite3 *db, mdc_err *err);
/* {"device": ..., "from": ..., "to": ... (the object is left open) */
void mdc_store_range_json(strbuf *out, const char *device, int64_t from_us, int64_t to_us);

#endif
