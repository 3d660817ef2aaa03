/* sink_store.h — the embedded store as a sink (type "sqlite", the default): a thin adapter over
 * store/store.h. Its id is "sqlite:PATH" (the spool cursor name, stable across versions). */
#ifndef MDC_SINK_STORE_H
#define MDC_SINK_STORE_H

#include "sinks/sink.h"

/* path is copied. Never returns NULL. */
mdc_sink *mdc_sink_store_new(const char *path);
/* The store file a store sink writes, or NULL when s is another kind of sink. */
const char *mdc_sink_store_path(const mdc_sink *s);

#endif
