/* SPDX-License-Identifier: Apache-2.0 */
/* sink_config.h — builds sinks from their configuration objects (CONFIG.md "Sinks"). */
#ifndef MDC_SINK_CONFIG_H
#define MDC_SINK_CONFIG_H

#include "core/config.h"
#include "core/confread.h"
#include "core/module.h"
#include "sinks/sink.h"

/* Builds a sink from its configuration object (cfg: data_dir, time zone, shifts, devices). */
typedef int (*mdc_sink_builder)(const mdc_cfgnode *n, const mdc_config *cfg, mdc_sink **out,
                                mdc_err *err);

typedef struct mdc_sink_type {
    const char *name; /* the "type" key's value */
    mdc_sink_builder build;
    const struct mdc_keyset *keys; /* its configuration keys (core/keys.h); NULL: not declared */
    /* The module that has build and keys (core/module.h), loaded when the type is first used;
     * NULL: built in. */
    const char *module;
} mdc_sink_type;

/* What a sink module exports as mdc_module_NAME (core/module.h). */
typedef struct mdc_sink_module {
    mdc_module_head head;
    const mdc_sink_type *types;             /* terminated by a NULL name */
    const struct mdc_keyset *const *nested; /* keys of nested objects, NULL-terminated */
} mdc_sink_module;

/* Loads the module of every sink type that lives in one (for `mdc keys`): 0, or -1 with the
 * first failure in err (the other types are still usable). */
int mdc_sink_modules_load(mdc_err *err);

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
