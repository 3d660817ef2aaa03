/* sink_config.h — builds sinks from their configuration objects (CONFIG.md "Sinks"). */
#ifndef MDC_SINK_CONFIG_H
#define MDC_SINK_CONFIG_H

#include "core/config.h"
#include "core/confread.h"
#include "sinks/sink.h"

/* Builds a sink from its configuration object (cfg: data_dir, time zone, shifts, devices). */
typedef int (*mdc_sink_builder)(const mdc_cfgnode *n, const mdc_config *cfg, mdc_sink **out,
                                mdc_err *err);

typedef struct mdc_sink_type {
    const char *name; /* the "type" key's value */
    mdc_sink_builder build;
    const struct mdc_keyset *keys; /* its configuration keys (core/keys.h); NULL: not declared */
} mdc_sink_type;

/* The i-th declared keyset of the sink types (their own, then nested objects'); NULL past the
 * last. For `mdc keys` and the documentation test. */
const struct mdc_keyset *mdc_sink_type_keys(size_t i);

/* The sink types this build knows (NULL-terminated). */
const char *const *mdc_sink_type_names(void);
/* Adds a sink type before a runtime is built (tests, embedders; not thread-safe). Returns -1
 * when the name is taken or the table is full. */
int mdc_sink_type_register(const mdc_sink_type *t);

/* Validates one sink object and builds the sink. cfg gives the data_dir (where the default store
 * lives), the time zone, the shifts and the devices a sink may refer to. */
int mdc_sink_build(const mdc_cfgnode *n, const mdc_config *cfg, mdc_sink **out, mdc_err *err);
/* The same outside a configuration (tests, tools): data_dir only, time zone UTC, no devices. */
int mdc_sink_from_config(const mdc_cfgnode *n, const char *data_dir, mdc_sink **out, mdc_err *err);
/* The default sink: {"type": "sqlite"} in cfg's data_dir. */
mdc_sink *mdc_sink_default(const mdc_config *cfg);

#endif
