/* SPDX-License-Identifier: Apache-2.0 */
/* shape.h — reshaping a record: field selection, bare (hems) records, empty records.
 *   fields      only these fields, in this order; one a record lacks is null. The timestamp
 *               always comes first and is not listed.
 *   bare        drop the record's status and its device-level error: what the
 *               hems-data-collector record looks like (style "hems", whose formats also leave
 *               out device and machine_id; both stay on the record for path templates).
 *   skip_empty  records whose fields are all null are dropped (the hems tool outputs nothing
 *               when no value could be read: "No data could be retrieved.").
 */
#ifndef MDC_FORMAT_SHAPE_H
#define MDC_FORMAT_SHAPE_H

#include "core/record.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct mdc_shape_cfg {
    const char *const *fields; /* NULL: every field as it is */
    size_t nfields;
    bool bare;
    bool skip_empty;
} mdc_shape_cfg;

/* Fills dst (initialised here; the caller frees it) with the reshaped copy of src. Returns
 * false when skip_empty drops it (dst is then initialised and empty). */
bool mdc_shape_record(const mdc_shape_cfg *cfg, const mdc_record *src, mdc_record *dst);

#endif
