/* sink_config.h — builds sinks from their configuration objects (CONFIG.md "Sinks"). */
#ifndef MDC_SINK_CONFIG_H
#define MDC_SINK_CONFIG_H

#include "core/confread.h"
#include "sinks/sink.h"

/* The sink types this build knows (NULL-terminated). */
extern const char *const mdc_sink_types[];

/* Validates one sink object and builds the sink. data_dir is where the default store lives. */
int mdc_sink_from_config(const mdc_cfgnode *n, const char *data_dir, mdc_sink **out, mdc_err *err);
/* The default sink: {"type": "sqlite"} in data_dir. */
mdc_sink *mdc_sink_default(const char *data_dir);

#endif
