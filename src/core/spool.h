/* spool.h — the durable queue between derive and the sinks.
 *
 * Every record is committed to disk (SQLite in WAL mode, data_dir/spool.db) before any sink
 * sees it, in the same transaction as the device's derive state — so a crash never loses a
 * record, never counts energy twice, and never forgets a baseline. Each sink has its own cursor
 * (the last sequence number it has taken); a record is deleted once every registered sink has
 * it. The spool is bounded: beyond max_records the oldest records are dropped and counted.
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

typedef struct mdc_spool_opts {
    int64_t max_records; /* 0 = unbounded */
    bool fsync;          /* fsync every commit (power-loss safe); default: process-crash safe */
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
/* Saved state for key into out; returns 1 if found, 0 if none, -1 on error. */
int mdc_spool_get_state(mdc_spool *sp, const char *key, strbuf *out, mdc_err *err);

/* Registers a sink cursor and returns its position. A new sink starts at the current tail
 * (it does not receive history). `at_least`: a position the sink committed by itself (or -1). */
int mdc_spool_cursor(mdc_spool *sp, const char *sink_id, int64_t at_least, int64_t *pos,
                     mdc_err *err);
/* Reads up to max records with seq > after, in order. The caller frees each with
 * mdc_record_free and the array with free(). A record that cannot be decoded is skipped and
 * counted in *corrupt (may be NULL). */
int mdc_spool_read(mdc_spool *sp, int64_t after, size_t max, mdc_record **recs, size_t *n,
                   size_t *corrupt, mdc_err *err);
/* Moves a sink's cursor and deletes records every registered sink has taken. */
int mdc_spool_ack(mdc_spool *sp, const char *sink_id, int64_t seq, mdc_err *err);
/* Blocks until a record with seq > after exists, the spool is woken, or timeout passes.
 * Returns true if records are available. */
bool mdc_spool_wait(mdc_spool *sp, int64_t after, int64_t timeout_us);
/* Wakes every waiter (used at shutdown). */
void mdc_spool_wake(mdc_spool *sp);
/* A random number fixed when the spool file is created; sequence numbers are unique within it. */
uint64_t mdc_spool_epoch(const mdc_spool *sp);
int mdc_spool_stats_get(mdc_spool *sp, mdc_spool_stats *st, mdc_err *err);
/* Backlog of a registered sink (records after its cursor). */
int64_t mdc_spool_backlog(mdc_spool *sp, const char *sink_id);

#endif
