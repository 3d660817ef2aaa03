/* SPDX-License-Identifier: Apache-2.0 */
/* sink_config.c — JSON sink objects → sink instances. */
#include "sink_config.h"
#include "sink_config_text.h"
#include "sink_file.h"
#include "sink_store.h"
#include "sink_stdout.h"

#include "core/keys.h"
#include "core/xalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const mdc_key stdout_keys[] = {
    {.name = "type", .type = MDC_KEY_STRING, .required = true, .help = "\"stdout\""},
    {.name = "format",
     .type = MDC_KEY_ENUM,
     .def = "json",
     .choices = mdc_text_format_names,
     .help = "how a record is written"},
    {.name = "csv_header",
     .type = MDC_KEY_BOOL,
     .def = "true",
     .help = "a CSV header line first (hems style: false)"},
    {0},
};
static const mdc_keyset stdout_keyset = {"sink stdout", stdout_keys, &mdc_text_keyset};

static const mdc_key file_keys[] = {
    {.name = "type", .type = MDC_KEY_STRING, .required = true, .help = "\"file\""},
    {.name = "path",
     .type = MDC_KEY_STRING,
     .required = true,
     .help = "with {device}, {machine_id}, {date} (UTC); appended to"},
    {.name = "format",
     .type = MDC_KEY_ENUM,
     .choices = mdc_text_format_names,
     .help = "default: from the path's extension, else json"},
    {.name = "fsync",
     .type = MDC_KEY_BOOL,
     .def = "true",
     .help = "each batch on the disk before it counts as delivered"},
    {0},
};
static const mdc_keyset file_keyset = {"sink file", file_keys, &mdc_text_keyset};

static const mdc_key sqlite_keys[] = {
    {.name = "type", .type = MDC_KEY_STRING, .required = true, .help = "\"sqlite\""},
    {.name = "path", .type = MDC_KEY_STRING, .def = "DATA_DIR/mdc.db", .help = "the store's file"},
    {.name = "retention",
     .type = MDC_KEY_OBJECT,
     .help = "{\"samples_days\": 30, \"history_days\": 3650}; 0 keeps forever"},
    {0},
};
static const mdc_keyset sqlite_keyset = {"sink sqlite (the embedded store)", sqlite_keys, NULL};

static const mdc_key retention_keys[] = {
    {.name = "samples_days",
     .type = MDC_KEY_INT,
     .def = "30",
     .min = 0,
     .max = 100000,
     .help = "days samples are kept (0: forever)"},
    {.name = "history_days",
     .type = MDC_KEY_INT,
     .def = "3650",
     .min = 0,
     .max = 100000,
     .help = "days status history, part events and shift energy are kept (0: forever)"},
    {0},
};
static const mdc_keyset retention_keyset = {"sink sqlite: retention", retention_keys, NULL};

static int build_sqlite(const mdc_cfgnode *n, const mdc_config *cfg, mdc_sink **out, mdc_err *err)
{
    char def[4096];
    snprintf(def, sizeof def, "%s/mdc.db", cfg->data_dir);
    const char *path;
    mdc_store_sink_cfg c = mdc_store_sink_defaults();
    c.min_free_bytes = cfg->spool.min_free_bytes;
    c.sync_full = cfg->spool.sync_full;
    mdc_cfgnode r = {0};
    bool have = false;
    if (mdc_keys_check(n, &sqlite_keyset, err) < 0 || cfg_string(n, "path", def, &path, err) < 0 ||
        cfg_object(n, "retention", &r, &have, err) < 0 ||
        (have && mdc_keys_check(&r, &retention_keyset, err) < 0))
        return -1;
    if (have && (mdc_key_int(&r, &retention_keyset, "samples_days", &c.samples_days, err) < 0 ||
                 mdc_key_int(&r, &retention_keyset, "history_days", &c.history_days, err) < 0))
        return -1;
    *out = mdc_sink_store_new(path, &c);
    return 0;
}

static int build_stdout(const mdc_cfgnode *n, mdc_sink **out, mdc_err *err)
{
    mdc_stdout_sink_cfg c = {.style = MDC_STYLE_MDC};
    mdc_text_opts t = {0};
    if (mdc_keys_check(n, &stdout_keyset, err) < 0 || mdc_text_opts_parse(n, &t, err) < 0 ||
        mdc_text_format_parse(n, MDC_FMT_JSON, &c.format, err) < 0 ||
        cfg_bool(n, "csv_header", t.style == MDC_STYLE_MDC, &c.csv_header, err) < 0) {
        mdc_text_opts_free(&t);
        return -1;
    }
    c.style = t.style;
    c.csv_columns = t.cols;
    c.ncsv_columns = t.ncols;
    *out = mdc_text_shaped(mdc_sink_stdout_new(&c), &t);
    mdc_text_opts_free(&t);
    return 0;
}

static int build_file(const mdc_cfgnode *n, mdc_sink **out, mdc_err *err)
{
    mdc_file_sink_cfg c = {.style = MDC_STYLE_MDC};
    const char *path;
    if (mdc_keys_check(n, &file_keyset, err) < 0 ||
        cfg_required_string(n, "path", &path, err) < 0 ||
        mdc_key_bool(n, &file_keyset, "fsync", &c.fsync, err) < 0)
        return -1;
    mdc_format_kind def = MDC_FMT_JSON;
    const char *dot = strrchr(path, '.');
    if (dot && mdc_format_parse(dot + 1, &def) < 0) def = MDC_FMT_JSON;
    if (mdc_text_format_parse(n, def, &c.format, err) < 0) return -1;
    mdc_err e;
    if (mdc_file_template_check(path, &e) < 0) return cfg_error(n, "path", err, "%s", e.msg);
    mdc_text_opts t;
    if (mdc_text_opts_parse(n, &t, err) < 0) {
        mdc_text_opts_free(&t);
        return -1;
    }
    c.path_template = (char *)path;
    c.style = t.style;
    c.csv_columns = t.cols;
    c.ncsv_columns = t.ncols;
    *out = mdc_text_shaped(mdc_sink_file_new(&c), &t);
    mdc_text_opts_free(&t);
    return 0;
}

int mdc_sink_from_config(const mdc_cfgnode *n, const char *data_dir, mdc_sink **out, mdc_err *err)
{
    mdc_config cfg = {.data_dir = data_dir, .timezone = "UTC"};
    return mdc_sink_build(n, &cfg, out, err);
}

static int build_log(const mdc_cfgnode *n, const mdc_config *cfg, mdc_sink **out, mdc_err *err)
{
    (void)cfg;
    return mdc_sink_log_from_config(n, out, err);
}

static int build_stdout_sink(const mdc_cfgnode *n, const mdc_config *cfg, mdc_sink **out,
                             mdc_err *err)
{
    (void)cfg;
    return build_stdout(n, out, err);
}

static int build_file_sink(const mdc_cfgnode *n, const mdc_config *cfg, mdc_sink **out,
                           mdc_err *err)
{
    (void)cfg;
    return build_file(n, out, err);
}

#define MAX_SINK_TYPES 24
#define MAX_NESTED     16

/* The sink types: built in, in modules (build and keys filled in when the module is loaded),
 * then registered (tests, embedders). */
static mdc_sink_type types[MAX_SINK_TYPES + 1] = {
    {"sqlite", build_sqlite, &sqlite_keyset, NULL},
    {"stdout", build_stdout_sink, &stdout_keyset, NULL},
    {"file", build_file_sink, &file_keyset, NULL},
    {"webhook", NULL, NULL, "http_sinks"},
    {"pubsub", NULL, NULL, "http_sinks"},
    {"log", build_log, &mdc_log_keyset, NULL},
    {"postgres", NULL, NULL, "postgres"},
    {"mqtt", NULL, NULL, "mqtt"},
    {"sparkplug", NULL, NULL, "mqtt"},
};
static const char *type_names[MAX_SINK_TYPES + 1] = {
    "sqlite", "stdout", "file", "webhook", "pubsub", "log", "postgres", "mqtt", "sparkplug", NULL};
/* The keys of nested objects: the built-in types', then the loaded modules'. */
static const mdc_keyset *nested[MAX_NESTED + 1] = {&retention_keyset, &mdc_text_keyset};
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

const char *const *mdc_sink_type_names(void)
{
    return type_names;
}

static void add_nested(const mdc_keyset *const *ks)
{
    size_t n = 0;
    while (nested[n])
        n++;
    for (size_t i = 0; ks && ks[i] && n < MAX_NESTED; i++)
        nested[n++] = ks[i];
}

/* Fills in every type of the module that has type t. */
static int load_module_of(mdc_sink_type *t, mdc_err *err)
{
    const mdc_sink_module *m = (const mdc_sink_module *)mdc_module_entry(t->module, err);
    if (!m) return -1;
    for (size_t k = 0; types[k].name; k++) {
        if (!types[k].module || strcmp(types[k].module, t->module) != 0) continue;
        for (const mdc_sink_type *e = m->types; e->name; e++)
            if (strcmp(e->name, types[k].name) == 0) {
                types[k].build = e->build;
                types[k].keys = e->keys;
            }
    }
    add_nested(m->nested);
    if (!t->build)
        return mdc_err_set(err, MDC_ESTATE, "the %s module has no sink type \"%s\"", t->module,
                           t->name);
    return 0;
}

/* The type with its build function, loading its module on first use. */
static const mdc_sink_type *resolved(mdc_sink_type *t, mdc_err *err)
{
    pthread_mutex_lock(&load_lock);
    int rc = t->build ? 0 : load_module_of(t, err);
    pthread_mutex_unlock(&load_lock);
    return rc < 0 ? NULL : t;
}

static const mdc_sink_type *find_type(const char *name)
{
    for (size_t i = 0; types[i].name; i++)
        if (strcmp(types[i].name, name) == 0) return &types[i];
    return NULL;
}

int mdc_sink_type_register(const mdc_sink_type *t)
{
    size_t n = 0;
    while (types[n].name)
        n++;
    if (n == MAX_SINK_TYPES || find_type(t->name) || !t->build) return -1;
    types[n] = *t;
    types[n].module = NULL;
    type_names[n] = t->name;
    return 0;
}

int mdc_sink_modules_load(mdc_err *err)
{
    int rc = 0;
    mdc_err e;
    for (size_t k = 0; types[k].name; k++)
        if (!resolved(&types[k], &e) && rc == 0) {
            rc = -1;
            if (err) *err = e;
        }
    return rc;
}

const mdc_keyset *mdc_sink_type_keys(size_t i)
{
    size_t ntypes = 0;
    while (types[ntypes].name)
        ntypes++;
    for (size_t k = 0; k < ntypes; k++) { /* the types' own sets, then the nested ones */
        mdc_err e;
        if (!resolved(&types[k], &e) || !types[k].keys) continue; /* a module missing */
        if (i-- == 0) return types[k].keys;
    }
    for (size_t k = 0; nested[k]; k++)
        if (i-- == 0) return nested[k];
    return NULL;
}

int mdc_sink_build(const mdc_cfgnode *n, const mdc_config *cfg, mdc_sink **out, mdc_err *err)
{
    strbuf allowed = STRBUF_INIT;
    for (size_t i = 0; type_names[i]; i++)
        sb_printf(&allowed, "%s%s", i ? ", " : "", type_names[i]);
    int type;
    int rc = -1;
    if (!cfg_has(n, "type"))
        cfg_error(n, NULL, err, "missing \"type\"; allowed: %s", sb_str(&allowed));
    else if (cfg_enum(n, "type", type_names, 0, &type, err) == 0) {
        mdc_err e;
        if (resolved(&types[type], &e))
            rc = types[type].build(n, cfg, out, err);
        else
            cfg_error(n, "type", err, "%s", e.msg);
    }
    sb_free(&allowed);
    return rc;
}

mdc_sink *mdc_sink_default(const mdc_config *cfg)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/mdc.db", cfg->data_dir);
    mdc_store_sink_cfg c = mdc_store_sink_defaults();
    c.min_free_bytes = cfg->spool.min_free_bytes;
    c.sync_full = cfg->spool.sync_full;
    return mdc_sink_store_new(path, &c);
}
