/* SPDX-License-Identifier: Apache-2.0 */
/* spool.h — the durable queue between derive and the sinks.
 *
 * Every record is committed to disk (SQLite in WAL mode, data_dir/spool.db) before any sink
 * sees it, in the same transaction as the device's derive state — so a crash never loses a
 * record, never counts energy twice, and never forgets a baseline. Each sink has its own cursor
 * (the last sequence number it has taken); a record is deleted once every registered sink has
 * it. The spool is bounded: beyond max_records or max_bytes, and while its file system has less
 * than min_free bytes free, the oldest records are dropped and counted; when there is nothing
 * left to drop, appends fail with MDC_ENOSPC.
 *
 * Thread-safe: any thread may append, read, ack or wait.
 */
#ifndef MDC_SPOOL_H
#define MDC_SPOOL_H

#include "err.h"
#include "record.h"
#include "strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mdc_spool mdc_spool;

typedef enum {
    MDC_SPOOL_SYNC_FULL,  /* every commit reaches the disk before an append returns */
    MDC_SPOOL_SYNC_NORMAL /* crash safe; a power cut may lose the last commits */
} mdc_spool_sync;

typedef struct mdc_spool_opts {
    int64_t max_records; /* 0 = unbounded */
    int64_t max_bytes;   /* the records' share of the file; 0 = unbounded */
    int64_t min_free;    /* free space kept on the file system; 0 = none */
    mdc_spool_sync synchronous;
    bool admin; /* for tools (mdc spool): no appends, no new run of sequence numbers */
} mdc_spool_opts;

typedef struct mdc_spool_stats {
    int64_t first_seq, last_seq; /* 0/0 when empty */
    int64_t records;
    int64_t dropped; /* total records dropped because the spool was full (persisted) */
} mdc_spool_stats;

int mdc_spool_open(const char *path, const mdc_spool_opts *opts, mdc_spool **out, mdc_err *err);
void mdc_spool_close(mdc_spool *sp);

/* Commits rec (assigning rec->seq) and, if state_key is given, the state text, atomically.
 * enc (may be NULL) is the caller's buffer for the encoded record, reused between calls.
 * *dropped (may be NULL) receives how many old records were dropped to make room. */
int mdc_spool_append(mdc_spool *sp, mdc_record *rec, const char *state_key, const char *state,
                     strbuf *enc, int64_t *dropped, mdc_err *err);
/* One record of a batch append. enc is the caller's buffer for the encoded record (one per
 * item: they are all held until the batch is committed). */
typedef struct mdc_spool_item {
    mdc_record *rec;               /* rec->seq is set when committed */
    const char *state_key, *state; /* may be NULL */
    strbuf *enc;
} mdc_spool_item;

/* Commits n records (each with its state, as mdc_spool_append) in order, in one transaction,
 * with one wait for the caller: either all are durable on return (0), or none (-1). Thousands of
 * polls a second cost a few commits. *dropped (may be NULL): old records dropped to make room. */
int mdc_spool_append_batch(mdc_spool *sp, mdc_spool_item *items, size_t n, int64_t *dropped,
                           mdc_err *err);
/* The same in two steps, for a thread that must not wait for the disk: start queues the batch
 * for the writer and returns at once — items, their records and buffers stay untouched until
 * finish has reported the batch committed. finish returns 1 (ticket kept) while the commit is
 * still under way and wait is false; otherwise it frees the ticket and returns 0 or -1 as
 * mdc_spool_append_batch. Tickets are finished in the order they were started. */
typedef struct mdc_spool_ticket mdc_spool_ticket;
mdc_spool_ticket *mdc_spool_append_start(mdc_spool *sp, mdc_spool_item *items, size_t n);
int mdc_spool_append_finish(mdc_spool *sp, mdc_spool_ticket *t, bool wait, int64_t *dropped,
                            mdc_err *err);
/* Saved state for key into out; returns 1 if found, 0 if none, -1 on error. */
int mdc_spool_get_state(mdc_spool *sp, const char *key, strbuf *out, mdc_err *err);

/* Registers a sink cursor and returns its position. A new sink starts at the current tail
 * (it does not receive history). `at_least`: a position the sink committed by itself (or -1). */
int mdc_spool_cursor(mdc_spool *sp, const char *sink_id, int64_t at_least, int64_t *pos,
                     mdc_err *err);
/* Reads up to max records with seq > after, in order. The caller frees each with
 * mdc_record_free and the array with free(). A record that cannot be decoded is skipped and
 * counted in *corrupt (may be NULL); *last (may be NULL) is the seq of the last one read,
 * decodable or not (after, when there was none). */
int mdc_spool_read(mdc_spool *sp, int64_t after, size_t max, mdc_record **recs, size_t *n,
                   size_t *corrupt, int64_t *last, mdc_err *err);
/* Moves a sink's cursor and deletes records every registered sink has taken. */
int mdc_spool_ack(mdc_spool *sp, const char *sink_id, int64_t seq, mdc_err *err);
/* Blocks until a record with seq > after exists, the spool is woken, or timeout passes.
 * Returns true if records are available. */
bool mdc_spool_wait(mdc_spool *sp, int64_t after, int64_t timeout_us);
/* Wakes every waiter (used at shutdown). */
void mdc_spool_wake(mdc_spool *sp);
/* A random number fixed when the spool file is created; sequence numbers are unique within it. */
uint64_t mdc_spool_epoch(const mdc_spool *sp);
/* Sequence numbers never go back, even when the spool lost its last commits (a power cut with
 * synchronous=NORMAL, a restored backup): each opening numbers on from max(last + 1, the clock
 * in microseconds). run_first_seq is the first number of this opening; prev_last_seq the
 * highest number the spool remembered when it was opened. A sink that has committed more than
 * prev_last_seq proves that the spool went back in time. */
int64_t mdc_spool_run_first_seq(const mdc_spool *sp);
int64_t mdc_spool_prev_last_seq(const mdc_spool *sp);
int mdc_spool_stats_get(mdc_spool *sp, mdc_spool_stats *st, mdc_err *err);
/* Backlog of a registered sink (records after its cursor). */
int64_t mdc_spool_backlog(mdc_spool *sp, const char *sink_id);
/* Every cursor stored in the spool (registered in this process or not) with its backlog. The
 * caller frees each id, the arrays. */
int mdc_spool_cursors(mdc_spool *sp, char ***ids, int64_t **backlogs, size_t *n, mdc_err *err);

/* ---- dead letters: records a sink rejected for good (spool_dead.c) ----
 * A dead letter is a copy of the record for that one sink; the record itself leaves the spool
 * as usual once every sink is past it. */
typedef struct mdc_dead_letter {
    int64_t id;
    char *sink;
    int64_t seq;
    mdc_record rec;
    char *reason, *error;
    int64_t tries;
    int64_t failed_at_us;
    bool retry; /* marked for another delivery attempt */
} mdc_dead_letter;

void mdc_dead_letter_free(mdc_dead_letter *d);

/* Stores rec as a dead letter of sink_id and moves the sink's cursor past it, atomically. */
int mdc_spool_dead_letter(mdc_spool *sp, const char *sink_id, const mdc_record *rec,
                          const char *reason, const char *error, int64_t tries, mdc_err *err);
/* Dead letters of sink_id (NULL: every sink), oldest first, at most max; only those marked
 * for retry when retry_only. The caller frees each and the array. */
int mdc_spool_dead_list(mdc_spool *sp, const char *sink_id, bool retry_only, size_t max,
                        mdc_dead_letter **out, size_t *n, mdc_err *err);
/* Number of dead letters of sink_id (NULL: all); -1 on error. */
int64_t mdc_spool_dead_count(mdc_spool *sp, const char *sink_id);
/* Marks dead letters for retry (id > 0: that one; else every one of sink_id, NULL: all).
 * Returns how many, or -1. */
int64_t mdc_spool_dead_mark_retry(mdc_spool *sp, int64_t id, const char *sink_id, mdc_err *err);
/* Deletes dead letters (same selection as mark_retry). Returns how many, or -1. */
int64_t mdc_spool_dead_drop(mdc_spool *sp, int64_t id, const char *sink_id, mdc_err *err);
/* After a retry: delivered (deleted) or rejected again (tries + 1, reason, unmarked). */
int mdc_spool_dead_settle(mdc_spool *sp, int64_t id, bool delivered, const char *reason,
                          const char *error, mdc_err *err);

#endif
