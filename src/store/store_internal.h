/* SPDX-License-Identifier: Apache-2.0 */
/* store_internal.h — shared by the store's files. */
#ifndef MDC_STORE_INTERNAL_H
#define MDC_STORE_INTERNAL_H

#include "store/store.h"

#include <stdbool.h>

enum {
    ST_DEVICE,
    ST_LIVE_STATUS,
    ST_LIVE,
    ST_HISTORY,
    ST_SHIFT_CLOSE,
    ST_SHIFT,
    ST_PART,
    ST_STATE,
    ST_RECORD,
    ST_COUNT
};

/* ---- a batch's plan (store_batch.c) ---- */

/* What a device's rows say: its live row's status (once status_known), and the shift start
 * before which every one of its shift_energy rows is closed (once shift_known). */
typedef struct st_rows {
    bool status_known, has_status, unreachable;
    int status;
    bool shift_known;
    int64_t closed_before_us;
} st_rows;

/* One device of the batch being written. */
typedef struct st_dev {
    const char *device; /* borrowed from the batch's records; NULL: a free slot */
    uint64_t hash;
    int32_t first, last; /* the device's first and last record in the batch */
    bool seeded;         /* rows starts from what committed batches left (store_known.c) */
    st_rows rows;        /* ... and is what this transaction has left so far */
} st_dev;

typedef struct st_plan {
    st_dev *slots; /* open addressing, cap a power of two */
    size_t cap;
    int32_t *dev_of; /* per record: its device's slot, -1 when not written */
    int32_t *next;   /* per record: the next record of the same device, -1 for the last */
    size_t devices;  /* how many devices the batch has */
    size_t nrec_cap;
} st_plan;

/* Plans recs[0, n): records with skip[i] set (or no device) take no part. Reuses p's memory. */
void mdc_store_plan(st_plan *p, const mdc_record *const *recs, size_t n, const bool *skip);
void mdc_store_plan_free(st_plan *p);

/* ---- what the writer knows of committed rows (store_known.c) ---- */

/* A device's rows as committed. */
typedef struct st_known {
    char *device; /* owned; NULL: a free slot */
    uint64_t hash;
    st_rows rows;
} st_known;

typedef struct st_known_map {
    st_known *slots; /* open addressing, cap a power of two */
    size_t cap, n;
} st_known_map;

/* device's rows (hash: the plan's hash of it), or NULL when nothing is known. */
const st_rows *mdc_store_known_find(const st_known_map *m, const char *device, uint64_t hash);
/* After a commit: the rows of the batch's seeded devices become what is known. */
void mdc_store_known_commit(st_known_map *m, const st_plan *p);
void mdc_store_known_free(st_known_map *m);

struct mdc_store {
    char *path;
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
    uint64_t epoch;
    bool loaded;        /* last_seq was read for `epoch` */
    int64_t last_seq;   /* committed for `epoch`; -1 none */
    strbuf json;        /* a live row's record */
    strbuf fields;      /* a records row's fields and errors (fields_json) */
    int fail_code;      /* SQLite's code for the record a write stopped at */
    st_plan plan;       /* the batch being written */
    st_known_map known; /* what committed batches left in live and shift_energy */
    bool *skip;         /* per record of the batch: committed before, not written again */
    size_t skip_cap;
    int64_t cache_kb;         /* the page cache's size */
    int64_t devices;          /* devices the cache is sized for */
    int64_t cache_checked_us; /* when the devices table was last counted */
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
