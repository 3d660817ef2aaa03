/* SPDX-License-Identifier: Apache-2.0 */
/* sink_log.h — the "log" sink: each record as one line of mdc's log (stderr), at a level.
 *
 * Style hems: "Data retrieved: {...}" with the record as Python's dict repr, the line
 * hems-data-collector logs when it has no output configured. Style mdc: "record: " and the
 * record in the configured format (JSON by default; YAML and CSV are put on one line). The
 * sink never fails. id "log".
 */
#ifndef MDC_SINK_LOG_H
#define MDC_SINK_LOG_H

#include "format/render.h"
#include "sinks/sink.h"

typedef struct mdc_log_sink_cfg {
    mdc_render_cfg render;
    int level; /* log.h MDC_LOG_* */
} mdc_log_sink_cfg;

/* The config is copied (csv_columns too). Never returns NULL. */
mdc_sink *mdc_sink_log_new(const mdc_log_sink_cfg *cfg);

#endif
