/* SPDX-License-Identifier: Apache-2.0 */
/* sink_config_text.c — shared text-sink keys; the log sink object. */
#include "sink_config_text.h"
#include "sink_log.h"
#include "sink_shape.h"

#include "core/keys.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "format/format_module.h"

#include <stdlib.h>
#include <string.h>

static const char *const style_names[] = {"mdc", "hems", NULL};
const char *const mdc_text_format_names[] = {"json", "yaml", "csv", NULL};
static const char *const level_names[] = {"debug", "info", "warn", "error", NULL};

static const mdc_key text_keys[] = {
    {.name = "style",
     .type = MDC_KEY_ENUM,
     .def = "mdc",
     .choices = style_names,
     .help = "hems: the hems-data-collector record, byte for byte"},
    {.name = "fields", .type = MDC_KEY_ARRAY, .help = "only these fields, in this order"},
    {.name = "skip_empty",
     .type = MDC_KEY_BOOL,
     .def = "false",
     .help = "records whose fields are all null are not delivered (hems style: true)"},
    {.name = "csv_columns",
     .type = MDC_KEY_ARRAY,
     .help = "fixed CSV columns (hems style: its ten)"},
    {0},
};
const mdc_keyset mdc_text_keyset = {"every text sink", text_keys, NULL};

static const mdc_key log_keys[] = {
    MDC_SINK_TYPE_KEY("\"log\""),
    MDC_SINK_FORMAT_KEY,
    {.name = "level",
     .type = MDC_KEY_ENUM,
     .def = "info",
     .choices = level_names,
     .help = "the level of each record's line"},
    {0},
};
const mdc_keyset mdc_log_keyset = {"sink log", log_keys, &mdc_text_keyset};

void mdc_text_opts_free(mdc_text_opts *t)
{
    free(t->cols);
    free(t->fields);
    t->cols = t->fields = NULL;
}

static int string_list(const mdc_cfgnode *n, const char *key, const char ***out, size_t *count,
                       mdc_err *err)
{
    size_t len;
    if (cfg_array(n, key, &len, err) < 0) return -1;
    *out = xcalloc(len ? len : 1, sizeof **out);
    *count = len;
    for (size_t i = 0; i < len; i++) {
        if (cfg_array_string(n, key, i, &(*out)[i], err) < 0) return -1;
        if (!*(*out)[i]) return cfg_error(n, key, err, "element %zu is an empty name", i);
    }
    return 0;
}

static const char **copy_list(const char *const *src, size_t n)
{
    const char **a = xcalloc(n, sizeof *a);
    memcpy(a, src, n * sizeof *a);
    return a;
}

int mdc_text_opts_parse(const mdc_cfgnode *n, mdc_text_opts *t, mdc_err *err)
{
    int st;
    *t = (mdc_text_opts){0};
    if (mdc_key_enum(n, &mdc_text_keyset, "style", &st, err) < 0) return -1;
    t->style = st ? MDC_STYLE_HEMS : MDC_STYLE_MDC;
    bool hems = t->style == MDC_STYLE_HEMS;
    if (cfg_bool(n, "skip_empty", hems, &t->skip_empty, err) < 0) return -1;
    if (cfg_has(n, "csv_columns")) {
        if (string_list(n, "csv_columns", &t->cols, &t->ncols, err) < 0) return -1;
        if (!t->ncols) return cfg_error(n, "csv_columns", err, "needs at least one column");
    } else if (hems) {
        t->cols = copy_list(MDC_HEMS_CSV_COLUMNS, MDC_HEMS_CSV_NCOLUMNS);
        t->ncols = MDC_HEMS_CSV_NCOLUMNS;
    }
    if (cfg_has(n, "fields")) return string_list(n, "fields", &t->fields, &t->nfields, err);
    if (hems) {
        t->fields = copy_list(MDC_HEMS_FIELDS, MDC_HEMS_NFIELDS);
        t->nfields = MDC_HEMS_NFIELDS;
    }
    return 0;
}

mdc_sink *mdc_text_shaped(mdc_sink *inner, const mdc_text_opts *t)
{
    bool bare = t->style == MDC_STYLE_HEMS;
    if (!bare && !t->fields && !t->skip_empty) return inner;
    mdc_shape_cfg c = {
        .fields = t->fields, .nfields = t->nfields, .bare = bare, .skip_empty = t->skip_empty};
    return mdc_sink_shape_new(inner, &c);
}

int mdc_text_format_parse(const mdc_cfgnode *n, mdc_format_kind def, mdc_format_kind *out,
                          mdc_err *err)
{
    int f;
    mdc_err e = {0};
    if (cfg_enum(n, "format", mdc_text_format_names, (int)def, &f, err) < 0) return -1;
    if (mdc_format_load((mdc_format_kind)f, &e) < 0)
        return cfg_error(n, "format", err, "%s", e.msg);
    *out = (mdc_format_kind)f;
    return 0;
}

int mdc_text_render_parse(const mdc_cfgnode *n, const mdc_text_opts *t, mdc_render_cfg *r,
                          mdc_err *err)
{
    mdc_format_kind f = MDC_FMT_JSON;
    if (mdc_text_format_parse(n, MDC_FMT_JSON, &f, err) < 0) return -1;
    *r = (mdc_render_cfg){
        .format = f, .style = t->style, .csv_columns = t->cols, .ncsv_columns = t->ncols};
    return 0;
}

/* ---- log ---- */

int mdc_sink_log_from_config(const mdc_cfgnode *n, mdc_sink **out, mdc_err *err)
{
    mdc_log_sink_cfg c = {0};
    mdc_text_opts t = {0};
    int level, rc = -1;
    if (mdc_keys_check(n, &mdc_log_keyset, err) < 0 || mdc_text_opts_parse(n, &t, err) < 0 ||
        mdc_text_render_parse(n, &t, &c.render, err) < 0 ||
        mdc_key_enum(n, &mdc_log_keyset, "level", &level, err) < 0)
        goto done;
    c.level = MDC_LOG_DEBUG + level;
    *out = mdc_text_shaped(mdc_sink_log_new(&c), &t);
    rc = 0;
done:
    mdc_text_opts_free(&t);
    return rc;
}
