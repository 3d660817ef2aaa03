/* SPDX-License-Identifier: Apache-2.0 */
/* sink_config_text.h — configuration of the text sinks (sink_config.c builds the others):
 * the keys every text sink shares (style, fields, skip_empty, csv_columns) and the log sink;
 * the webhook and pubsub sinks (a module, http/http_sinks_config.c) use them too. See
 * docs/configuration.md "Sinks". */
#ifndef MDC_SINK_CONFIG_TEXT_H
#define MDC_SINK_CONFIG_TEXT_H

#include "core/confread.h"
#include "format/format.h"
#include "format/render.h"
#include "sinks/sink.h"

#include <stdbool.h>
#include <stddef.h>

/* The shared keys, parsed. Style hems means the hems-data-collector record: its nine fields
 * (format/hems.h MDC_HEMS_FIELDS), no identity, empty records skipped, its fixed CSV columns —
 * each unless the keys say otherwise. */
typedef struct mdc_text_opts {
    mdc_format_style style;
    const char **cols; /* csv_columns, or NULL */
    size_t ncols;
    const char **fields; /* fields, or NULL */
    size_t nfields;
    bool skip_empty;
} mdc_text_opts;

/* The keys every text sink shares (core/keys.h), and the sets of the sinks built here. */
struct mdc_keyset;
extern const struct mdc_keyset mdc_text_keyset, mdc_log_keyset;
extern const char *const mdc_text_format_names[]; /* json, yaml, csv */
int mdc_text_opts_parse(const mdc_cfgnode *n, mdc_text_opts *t, mdc_err *err);
void mdc_text_opts_free(mdc_text_opts *t);
/* inner wrapped in a shape sink when the options change records (takes ownership). */
mdc_sink *mdc_text_shaped(mdc_sink *inner, const mdc_text_opts *t);

/* The "format" key (def when absent), made usable: the yaml module loaded for YAML
 * (format_module.h); a module that cannot be loaded is that key's configuration error. */
int mdc_text_format_parse(const mdc_cfgnode *n, mdc_format_kind def, mdc_format_kind *out,
                          mdc_err *err);

/* The render settings (format, style, CSV columns) of a text sink's object and options. */
int mdc_text_render_parse(const mdc_cfgnode *n, const mdc_text_opts *t, mdc_render_cfg *r,
                          mdc_err *err);

int mdc_sink_log_from_config(const mdc_cfgnode *n, mdc_sink **out, mdc_err *err);

/* Key table entries every text-writing sink shares (core/keys.h). */
#define MDC_SINK_TYPE_KEY(t)                                                                       \
    {                                                                                              \
        .name = "type", .type = MDC_KEY_STRING, .required = true, .help = t                        \
    }
#define MDC_SINK_FORMAT_KEY                                                                        \
    {                                                                                              \
        .name = "format", .type = MDC_KEY_ENUM, .def = "json", .choices = mdc_text_format_names,   \
        .help = "how a record is written"                                                          \
    }

#endif
