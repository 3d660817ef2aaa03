/* SPDX-License-Identifier: Apache-2.0 */
/* spool_internal.h — shared by the spool's files (spool.c, spool_dead.c). */
#ifndef MDC_SPOOL_INTERNAL_H
#define MDC_SPOOL_INTERNAL_H

#include "spool.h"

#include <pthread.h>
#include <sqlite3.h>

typedef struct pending {
    struct pending *next;
    mdc_record *rec;
    strbuf *enc;
    const char *key, *state;
    int64_t dropped;
    int rc;
    bool done;
    mdc_err *err; /* where the writer puts a failure (shared by the items of one batch) */
} pending;

/* Sequence numbers (after, next) exclusive were skipped when the spool was opened: after a
 * restart numbering continues at max(last + 1, the clock in microseconds), so a spool that lost
 * its last commits (a power cut with synchronous=NORMAL, a restored backup) never hands out a
 * number a sink has already seen. */
typedef struct spool_gap {
    int64_t after, next;
} spool_gap;

typedef struct cursor {
    char *sink;
    int64_t pos;
} cursor;

struct mdc_spool {
    sqlite3 *db;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int64_t max_records;
    bool sync_full;              /* synchronous=full for appends */
    int64_t max_bytes, min_free; /* 0: no limit */
    char *path;                  /* the spool file (statvfs) */
    int64_t free_bytes, free_checked_us;
    int64_t first_seq, last_seq; /* cached bounds of the records table (0 when empty) */
    int64_t run_first_seq;       /* the first seq this run assigns (gaps: before it, none) */
    int64_t prev_last_seq;       /* the highest seq the spool remembered when it was opened */
    spool_gap *gaps;             /* sequence numbers that were never assigned, oldest first */
    size_t ngaps, capgaps;
    int64_t dropped;
    uint64_t epoch;
    cursor *cursors;
    size_t ncursors, capcursors;
    sqlite3_stmt *ins, *state_put, *state_get, *read, *cur_put;
    /* the append queue, served by the writer thread */
    pthread_mutex_t qmu;
    pthread_cond_t qcv;    /* work for the writer */
    pthread_cond_t donecv; /* batches committed */
    pending *qhead, *qtail;
    bool qstop;
    pthread_t writer;
    bool writer_started;
};

int spool_exec(mdc_spool *sp, const char *sql, mdc_err *err);
int spool_db_err(mdc_spool *sp, mdc_err *err, const char *what);
/* Moves the cursor of sink_id to seq and deletes what every sink has taken (sp->mu held). */
int spool_advance_locked(mdc_spool *sp, const char *sink_id, int64_t seq, mdc_err *err);

#endif
