/* SPDX-License-Identifier: Apache-2.0 */
/* sink.h — the contract every destination implements.
 *
 * A sink is driven by its own thread (the runtime's delivery worker), which reads records from
 * the spool in order and hands them over in batches. A sink never sees a record before the
 * spool has it on disk, and the spool only forgets a record once every sink has taken it.
 *
 *   open()   acquire resources (connect, open files). Called again after a failure, with a
 *            capped, jittered backoff in between.
 *   write()  deliver a batch, in order, and say how far it got (mdc_sink_result):
 *            `delivered` records from the start of the batch are durably delivered; when that is
 *            fewer than n, the next record failed and err says why: `rejected` when the
 *            destination refused that record for good (an HTTP 4xx other than 408/429, a
 *            constraint or data error, a payload the broker refuses: retrying cannot help), else
 *            the failure is temporary (the destination is down or overloaded). `retry_after_us`
 *            passes on a pause the destination asked for (HTTP Retry-After). The runtime moves
 *            the sink's cursor past what was delivered; it retries a temporary failure after a
 *            backoff (reset by any progress; closing and reopening the sink first when nothing
 *            went through) and moves a record rejected `dead_letter_after` times to the spool's
 *            dead-letter table. Writes should be idempotent where they can be (database sinks
 *            record the last spool sequence number they committed, in the same transaction as
 *            the data, and skip records at or below it).
 *   committed_seq()  optional: the highest spool sequence number this sink has durably
 *            committed by itself for this spool `epoch`, or -1 when it does not track one
 *            (or tracked it for another epoch: a spool that was deleted and recreated starts
 *            numbering again). Called after open(), before the first write(); a tracking sink
 *            stores the epoch with the sequence numbers it commits.
 *   close()  release resources; open() may follow.
 *   destroy() free everything, including the sink itself.
 *
 * Sinks know nothing about protocols: they see records only (record.h).
 */
#ifndef MDC_SINK_H
#define MDC_SINK_H

#include "core/catalog.h"
#include "core/err.h"
#include "core/record.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mdc_sink mdc_sink;

/* What one write() achieved (the runtime zeroes it before each call). */
typedef struct mdc_sink_result {
    size_t delivered;       /* records [0, delivered) of the batch are durably delivered */
    bool rejected;          /* the record at [delivered] was refused for good */
    const char *reason;     /* when rejected: a short stable class for metrics ("http_4xx", ...) */
    int64_t retry_after_us; /* > 0: the destination asked for this pause before a retry */
} mdc_sink_result;

typedef struct mdc_sink_ops {
    const char *type;
    int (*open)(mdc_sink *s, mdc_err *err);
    /* Returns 0 when every record was delivered (res->delivered == n), else -1 with err. */
    int (*write)(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_sink_result *res,
                 mdc_err *err);
    int64_t (*committed_seq)(mdc_sink *s, uint64_t epoch); /* may be NULL */
    void (*close)(mdc_sink *s);
    void (*destroy)(mdc_sink *s);
    /* Optional: what the devices' values mean (units, labels...), given once before open();
     * the catalog outlives the sink. */
    void (*catalog)(mdc_sink *s, const mdc_catalog *c);
} mdc_sink_ops;

struct mdc_sink {
    const mdc_sink_ops *ops;
    char *id; /* unique and stable across restarts: names this sink's spool cursor */
    void *impl;
};

/* Frees s->id and calls ops->destroy (which frees impl and s). NULL-safe. */
void mdc_sink_destroy(mdc_sink *s);
/* Allocates a sink with the given ops, id (copied) and impl. */
mdc_sink *mdc_sink_new(const mdc_sink_ops *ops, const char *id, void *impl);
/* Calls s->ops->write with a zeroed result (res may be NULL: not wanted). */
int mdc_sink_write(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_sink_result *res,
                   mdc_err *err);
/* Debug builds: asserts that a write() of n records returning rc kept the contract above
 * (rc 0 or -1; delivered <= n, and == n exactly when rc is 0; a rejection names its record
 * and a reason; a failure fills err). Compiled out with NDEBUG. */
void mdc_sink_assert_result(int rc, size_t n, const mdc_sink_result *res, const mdc_err *err);
/* For a sink whose batch is all or nothing: records the outcome rc (0 or -1) of writing n
 * records in res and returns rc. */
int mdc_sink_all_or_nothing(mdc_sink_result *res, size_t n, int rc);

#endif
