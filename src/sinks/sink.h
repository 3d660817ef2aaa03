/* sink.h — the contract every destination implements.
 *
 * A sink is driven by its own thread (the runtime's delivery worker), which reads records from
 * the spool in order and hands them over in batches. A sink never sees a record before the
 * spool has it on disk, and the spool only forgets a record once every sink has taken it.
 *
 *   open()   acquire resources (connect, open files). Called again after a failure, with a
 *            capped, jittered backoff in between.
 *   write()  deliver a batch, in order. On failure the runtime closes the sink, waits, reopens
 *            it and retries the same batch, so writes should be idempotent where they can be
 *            (database sinks record the last spool sequence number they committed, in the same
 *            transaction as the data, and skip records at or below it).
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

#include "core/err.h"
#include "core/record.h"

#include <stddef.h>
#include <stdint.h>

typedef struct mdc_sink mdc_sink;

typedef struct mdc_sink_ops {
    const char *type;
    int (*open)(mdc_sink *s, mdc_err *err);
    int (*write)(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_err *err);
    int64_t (*committed_seq)(mdc_sink *s, uint64_t epoch); /* may be NULL */
    void (*close)(mdc_sink *s);
    void (*destroy)(mdc_sink *s);
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

#endif
