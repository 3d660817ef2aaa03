/* SPDX-License-Identifier: Apache-2.0 */
/* spool_prefetch.h — a sink's reader of the spool that reads the next batch while the current
 * one is being written (runtime/delivery.c, bench/bench_catchup.c).
 *
 * A batch is read after the caller's position; it has `size` records at most, the size doubling
 * after each full batch up to catch_up times the base while a backlog drains (fewer, larger
 * writes) and back to the base after a short one. A full batch means a backlog: before it is
 * handed out (from a batch of `from` records), the read of the batch after its last record
 * starts on the prefetcher's own thread,
 * so that it is ready when the caller comes back. The caller comes back with its real position:
 * the prefetched batch is used only if it was read after exactly that position (the whole batch
 * was delivered) with the size wanted now; any other position (a partial delivery, a reject, a
 * dead letter, a cursor moved back or forward) discards it and reads afresh after the position
 * given. Records after a position only ever join the spool's end, so a prefetched batch is a
 * prefix of what a fresh read would return: nothing is lost, reordered or handed out twice.
 *
 * Memory: at most one batch is prefetched (owned by the prefetcher until it is handed out, then
 * by the caller). The thread is started on the first prefetch (none while a sink keeps up) and
 * joined by mdc_spool_prefetch_free, which frees a batch still prefetched or being read.
 *
 * One caller thread per prefetcher. The spool must outlive it.
 */
#ifndef MDC_SPOOL_PREFETCH_H
#define MDC_SPOOL_PREFETCH_H

#include "err.h"
#include "record.h"
#include "spool.h"

#include <stddef.h>
#include <stdint.h>

/* Records read from the spool: seq > after, in order, at most max. */
typedef struct mdc_spool_batch {
    int64_t after;
    size_t max;
    mdc_record *recs; /* n records, owned by the holder of the batch */
    size_t n;
    size_t corrupt;  /* undecodable records skipped (mdc_spool_read) */
    int64_t last;    /* the seq of the last record read, decodable or not (after: none) */
    int64_t read_us; /* how long the read took (us) */
} mdc_spool_batch;

void mdc_spool_batch_free(mdc_spool_batch *b);

typedef struct mdc_spool_prefetch mdc_spool_prefetch;

/* base: the usual batch size (spool.batch, >= 1); catch_up: how many times that a batch may grow
 * to while a backlog drains (>= 1); from: the smallest full batch whose next one is prefetched
 * (base: after every full batch; base × catch_up: only after a full batch as large as they get,
 * a catch-up: a prefetched batch doubles the records in memory, and a sink that fell a few
 * batches behind a burst of polls catches up without it); ratio: only when the caller's turn
 * with the batch before (from handing it out to asking for the next: its write and
 * acknowledgement) took at least ratio times as long as reading this one (0: always; a sink
 * hardly slower than a read gains little from it and would hold a second batch). No thread yet:
 * it starts with the first prefetch. */
mdc_spool_prefetch *mdc_spool_prefetch_new(mdc_spool *sp, size_t base, size_t catch_up, size_t from,
                                           unsigned ratio);
/* Joins the thread and frees any batch it holds. NULL is fine. */
void mdc_spool_prefetch_free(mdc_spool_prefetch *pf);

/* The next batch after `after` into *out (the caller frees it with mdc_spool_batch_free, also
 * when it is empty). Waits for a prefetch of exactly this batch (asked for or under way); reads
 * afresh otherwise. A full batch starts the prefetch of the one after it (from `from`). -1 (err)
 * when the spool cannot be read. */
int mdc_spool_prefetch_next(mdc_spool_prefetch *pf, int64_t after, mdc_spool_batch *out,
                            mdc_err *err);
/* Drops a prefetched batch (waiting for a read under way): the caller did not deliver the whole
 * batch it has, or pauses. Not needed for correctness (next compares positions), but frees the
 * memory at once. */
void mdc_spool_prefetch_discard(mdc_spool_prefetch *pf);
typedef struct mdc_spool_prefetch_stats {
    uint64_t used;      /* batches handed out from a prefetch */
    uint64_t read;      /* batches read by the caller's own thread (nothing or a stale one there) */
    uint64_t discarded; /* prefetches dropped unused (the caller was elsewhere, or discard) */
} mdc_spool_prefetch_stats;
mdc_spool_prefetch_stats mdc_spool_prefetch_stats_get(mdc_spool_prefetch *pf);
/* The size the next batch will have (for a bench's or a test's report). */
size_t mdc_spool_prefetch_size(const mdc_spool_prefetch *pf);

#endif
