/* sink_config.h — builds sinks from their configuration objects (CONFIG.md "Sinks"). */
#ifndef MDC_SINK_CONFIG_H
#define MDC_SINK_CONFIG_H

#include "core/config.h"
#include "core/confread.h"
#include "sinks/sink.h"

/* The sink types this build knows (NULL-terminated). */
extern const char *const mdc_sink_types[];

/* Validates one sink object and builds the sink. cfg gives the data_dir (where the default store
 * lives), the time zone, the shifts and the devices a sink may refer to. */
int mdc_sink_build(const mdc_cfgnode *n, const mdc_config *cfg, mdc_sink **out, mdc_err *err);
/* The same outside a configuration (tests, tools): data_dir only, time zone UTC, no devices. */
int mdc_sink_from_config(const mdc_cfgnode *n, const char *data_dir, mdc_sink **out, mdc_err *err);
/* The default sink: {"type": "sqlite"} in cfg's data_dir. */
mdc_sink *mdc_sink_default(const mdc_config *cfg);

#endif
