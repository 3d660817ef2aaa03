/* SPDX-License-Identifier: Apache-2.0 */
/* sink_shape.h — a sink that reshapes records before handing them to another sink.
 *
 * Used by the configuration for the keys every text sink shares (docs/configuration.md):
 *   fields      only these fields, in this order; one a record lacks is null. The timestamp
 *               always comes first and is not listed.
 *   bare        drop the record's status and its device-level error: what the
 *               hems-data-collector record looks like (style "hems", whose formats also leave
 *               out device and machine_id; both stay on the record for path templates).
 *   skip_empty  records whose fields are all null are not delivered (the hems tool outputs
 *               nothing when no value could be read: "No data could be retrieved.").
 * The wrapper has the inner sink's id (so its spool cursor is the same) and forwards open,
 * close and committed_seq. It owns the inner sink.
 */
#ifndef MDC_SINK_SHAPE_H
#define MDC_SINK_SHAPE_H

#include "format/shape.h"
#include "sinks/sink.h"

#include <stdbool.h>
#include <stddef.h>

/* Takes ownership of inner; the config is copied. Never returns NULL. */
mdc_sink *mdc_sink_shape_new(mdc_sink *inner, const mdc_shape_cfg *cfg);

#endif
