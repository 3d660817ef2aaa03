/* SPDX-License-Identifier: Apache-2.0 */
/* sink_store.h — the embedded store as a sink (type "sqlite", the default): a thin adapter over
 * store/store.h that also applies the retention (a chunk at a time, between batches) and the
 * free-space reserve. Its id is "sqlite:PATH" (the spool cursor name, stable across versions). */
#ifndef MDC_SINK_STORE_H
#define MDC_SINK_STORE_H

#include "sinks/sink.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct mdc_store_sink_cfg {
    int64_t samples_days;   /* keep samples this long (0: forever) */
    int64_t history_days;   /* status history, part events, shift energy (0: forever) */
    int64_t min_free_bytes; /* stop writing (records wait in the spool) below this free space */
    bool sync_full;         /* every commit on disk before write() returns: the spool's
                             * synchronous=full (a record leaves the spool once delivered) */
} mdc_store_sink_cfg;

/* samples 30 days, history 10 years, no reserve, sync_full (the spool's default). */
mdc_store_sink_cfg mdc_store_sink_defaults(void);
/* path and cfg are copied (cfg NULL: the defaults). Never returns NULL. */
mdc_sink *mdc_sink_store_new(const char *path, const mdc_store_sink_cfg *cfg);
/* The store file a store sink writes, or NULL when s is another kind of sink. */
const char *mdc_sink_store_path(const mdc_sink *s);

#endif
