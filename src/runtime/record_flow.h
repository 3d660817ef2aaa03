/* SPDX-License-Identifier: Apache-2.0 */
/* record_flow.h — what follows every completed poll, for the bus threads (poller.c) and the
 * event threads (mux.c) alike: derive, spool (with the derive state, atomically), the device's
 * live record, the observer; and the bookkeeping both kinds of thread share (latency histogram,
 * retry backoff, records of an unreachable device). Private to src/runtime. */
#ifndef MDC_RUNTIME_RECORD_FLOW_H
#define MDC_RUNTIME_RECORD_FLOW_H

#include "runtime_internal.h"

/* Retries back off from this, doubling up to the device's retry_max (core/config.h). */
#define MDC_RT_RETRY_BASE_US (1 * MDC_US_PER_SEC)
/* A slot's record waits for a probe until the device's next slot, at most this long. */
#define MDC_RT_HOLD_MAX_US (60 * MDC_US_PER_SEC)
/* A probe of a failing device on a shared bus waits for a gap this long at most ... */
#define MDC_RT_PROBE_FORCE_US (30 * MDC_US_PER_SEC)
/* ... a gap of its last poll's duration plus this margin. */
#define MDC_RT_PROBE_MARGIN_US (20 * 1000)

/* A kept error message: *slot (owned, NULL for none) becomes a copy of msg (NULL: none).
 * Returns whether it changed. mdc_rt_err_text gives "" for none. */
bool mdc_rt_err_keep(char **slot, const char *msg);
const char *mdc_rt_err_text(const char *slot);
/* Adds a poll's duration to the device's latency histogram. */
void mdc_rt_note_latency(mdc_rt_device *d, int64_t us);
/* The capped, jittered delay before retry number `failures` (core/backoff.h). */
int64_t mdc_rt_retry_delay(unsigned failures, uint64_t seed, int64_t cap);
/* A jitter seed that differs between devices and over time. */
uint64_t mdc_rt_seed(const void *p, int64_t t);
/* A failed poll of d at now (wall clock): counted, the next retry after the backoff (capped at
 * cap), the error kept as the device's last error and logged when it changed. */
void mdc_rt_note_failure(mdc_rt_device *d, const mdc_err *err, int64_t now, bool log_changes,
                         int64_t cap);
/* The longest pause between retries of a bus: its most impatient device's retry_max. */
int64_t mdc_rt_bus_retry_cap(const mdc_rt_bus *bus);
/* A failed reconnect of d's bus is a failed attempt of d, the device that needed it: counted,
 * failing from now on (its slots leave the bus alone), retried with the bus at retry_at, msg
 * kept as its last error. The caller counts the attempt in polls and poll_errors. */
void mdc_rt_charge_reconnect(mdc_rt_device *d, int64_t retry_at, const char *msg);
/* Gives rec d's identity (device id, machine id), stamped at now (wall clock). */
void mdc_rt_set_identity(const mdc_rt_device *d, mdc_record *rec, int64_t now);
/* Turns rec into the record of an unreachable device: every field null without point errors,
 * the device error `why`. */
void mdc_rt_fill_unreachable(mdc_rt_device *d, mdc_record *rec, const char *why);

/* Held slots (one record per slot). A slot whose failing device could not be read keeps its
 * record back when the device's next probe (probe_at, wall clock) comes before the slot ends —
 * its next slot (d->next_due_us, already advanced), at most MDC_RT_HOLD_MAX_US after rec's
 * time. mdc_rt_hold copies rec into d->held and returns true (the caller keeps rec back), or
 * returns false (the caller delivers rec); a held rec is derived with a copy of the derive
 * state (rec gets the derived fields) and shown in the live state at once. Only the thread
 * that polls d calls these. */
bool mdc_rt_hold(mdc_runtime *rt, mdc_rt_device *d, mdc_record *rec, int64_t probe_at);
/* The hold ends (its time has come, the next slot is due or the runtime stops): the held
 * record (d->held, to be delivered now), or NULL when none is held. */
mdc_record *mdc_rt_take_held(mdc_rt_device *d);
/* A probe read d: when a slot's record was held, it is dropped and true is returned — the
 * probe's record is that slot's and is to be delivered instead. */
bool mdc_rt_held_answered(mdc_rt_device *d);

/* Derives rec with the device's state, commits both to the spool (blocking until durable),
 * makes rec the device's live record and hands it to the observer. */
void mdc_rt_record_done(mdc_runtime *rt, mdc_rt_device *d, mdc_record *rec);

/* The same for many records at once, with one durable append: mdc_rt_batch_add derives a
 * record now (rec must stay untouched until the flush); mdc_rt_batch_flush commits every record
 * added since the last flush in one transaction, then updates live records and the observer.
 * The batch owns its buffers and reuses them from flush to flush. One thread per batch. */
typedef struct mdc_rt_batch_slot {
    mdc_rt_device *d;
    mdc_record *rec;
    mdc_record copy; /* rec when added with mdc_rt_batch_add_copy (memory reused) */
    strbuf state, enc;
    mdc_derive_state before; /* the device's state before rec: back if rec is lost */
} mdc_rt_batch_slot;

typedef struct mdc_rt_batch {
    mdc_rt_batch_slot *slots;
    size_t n, cap;
    mdc_spool_item *items;
    size_t capitems;
    char (*keys)[128];
    size_t capkeys;
    strbuf events;
    mdc_spool_ticket *ticket; /* started, not yet finished */
} mdc_rt_batch;

void mdc_rt_batch_init(mdc_rt_batch *b);
void mdc_rt_batch_free(mdc_rt_batch *b);
void mdc_rt_batch_add(mdc_runtime *rt, mdc_rt_batch *b, mdc_rt_device *d, mdc_record *rec);
/* The same with a copy of rec that the batch keeps: rec is free again at once. */
void mdc_rt_batch_add_copy(mdc_runtime *rt, mdc_rt_batch *b, mdc_rt_device *d,
                           const mdc_record *rec);
void mdc_rt_batch_flush(mdc_runtime *rt, mdc_rt_batch *b);
/* The flush in two steps, so that a thread need not wait for the disk: start queues the batch
 * for the spool's writer (nothing may be added until it is finished); finish publishes it once
 * committed and returns true, or returns false at once while the commit is under way (wait
 * false). A batch with nothing in it is finished. */
void mdc_rt_batch_start(mdc_runtime *rt, mdc_rt_batch *b);
bool mdc_rt_batch_finish(mdc_runtime *rt, mdc_rt_batch *b, bool wait);

#endif
