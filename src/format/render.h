/* SPDX-License-Identifier: Apache-2.0 */
/* render.h — records as request bodies and log text, for the webhook, Pub/Sub and log
 * sinks (format.h does the formats; this adds the framing of one or several records). */
#ifndef MDC_SINK_RENDER_H
#define MDC_SINK_RENDER_H

#include "core/record.h"
#include "core/strbuf.h"
#include "format/format.h"

#include <stddef.h>

typedef struct mdc_render_cfg {
    mdc_format_kind format;
    mdc_format_style style;
    const char *const *csv_columns; /* NULL: each record's own keys */
    size_t ncsv_columns;
} mdc_render_cfg;

/* One record as a document of its own: JSON without the trailing newline (json.dumps() of the
 * record in hems style), a YAML document (hems: the dump, without print()'s blank line), or a
 * CSV header line and row. */
void mdc_render_one(const mdc_render_cfg *c, const mdc_record *r, strbuf *out);
/* Several records as one document: a JSON array "[{...}, {...}]", YAML documents one after the
 * other, or CSV rows with a header line first and wherever the columns change. */
void mdc_render_many(const mdc_render_cfg *c, const mdc_record *const *recs, size_t n, strbuf *out);
/* The MIME type of a format: application/json, application/yaml, text/csv. */
const char *mdc_render_content_type(mdc_format_kind k);
/* Python's repr() of the record as a dict (hems-data-collector's "Data retrieved: {...}" log
 * line): {'timestamp': '...', 'instant_power_w': 500, 'current_t_a': None}. */
void mdc_render_pyrepr(const mdc_record *r, strbuf *out);

#endif
