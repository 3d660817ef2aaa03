/* SPDX-License-Identifier: Apache-2.0 */
/* modbus_points.c — "points" → formats, spans and the request plan; point sets from a
 * points_file are parsed once and shared by every device that names the same file (a fleet of
 * identical meters keeps one copy of its register map, not one per meter). */
#include "modbus_impl.h"

#include "core/keys.h"
#include "core/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const mdc_mb_roundings[] = {"decimal", "python", NULL};

static const mdc_key point_keys[] = {
    {.name = "name", .type = MDC_KEY_STRING, .required = true, .help = "the field in records"},
    {.name = "function",
     .type = MDC_KEY_INT,
     .def = "3",
     .min = 1,
     .max = 4,
     .help = "1 coils, 2 discrete inputs, 3 holding registers, 4 input registers"},
    {.name = "address",
     .type = MDC_KEY_INT,
     .min = 0,
     .max = 65535,
     .help = "required: the 0-based PDU address"},
    {.name = "type",
     .type = MDC_KEY_STRING,
     .def = "uint16 (bool for functions 1, 2)",
     .help = "bool uint16 int16 uint32 int32 uint64 int64 float32 float64 string"},
    {.name = "order",
     .type = MDC_KEY_STRING,
     .def = "big-endian",
     .help = "ABCD CDAB BADC DCBA; 64-bit ABCDEFGH GHEFCDAB BADCFEHG HGFEDCBA"},
    {.name = "unit", .type = MDC_KEY_STRING, .help = "\"kW\", \"kWh\", \"V\", ..."},
    {.name = "label", .type = MDC_KEY_STRING, .help = "a name for people"},
    {.name = "enum", .type = MDC_KEY_OBJECT, .help = "{\"0\": \"STOPPED\", ...}: names of values"},
    {.name = "scale", .type = MDC_KEY_NUMBER, .def = "1", .help = "value x scale + offset"},
    {.name = "offset", .type = MDC_KEY_NUMBER, .def = "0", .help = "value x scale + offset"},
    {.name = "decimals",
     .type = MDC_KEY_INT,
     .def = "-1",
     .min = -1,
     .max = 15,
     .help = "rounded to (-1: not rounded)"},
    {.name = "length",
     .type = MDC_KEY_INT,
     .def = "0",
     .min = 0,
     .max = MDC_MB_STRING_MAX_REGS,
     .help = "registers of a string"},
    {.name = "bytes_per_register",
     .type = MDC_KEY_INT,
     .def = "the device's",
     .min = 1,
     .max = 2,
     .help = "1: each register carries one byte in its low half"},
    {.name = "rounding",
     .type = MDC_KEY_ENUM,
     .def = "the device's",
     .choices = mdc_mb_roundings,
     .help = "how decimals rounds: decimal, or python (BELmc's)"},
    {.name = "na",
     .type = MDC_KEY_BOOL,
     .def = "false",
     .help = "all-ones and 0x7FFF.../0x8000... values are null"},
    {0},
};
const mdc_keyset mdc_mb_point_keyset = {"device (modbus): points[]", point_keys, NULL};

static const mdc_key points_file_keys[] = {
    {.name = "points", .type = MDC_KEY_ARRAY, .help = "the points, as a device's \"points\""},
    {0},
};
const mdc_keyset mdc_mb_points_file_keyset = {"modbus points_file", points_file_keys, NULL};

static int type_error(const mdc_cfgnode *p, const char *type, const mdc_err *e, mdc_err *err)
{
    static const char *const types[] = {"bool",  "uint16",  "int16",   "uint32", "int32", "uint64",
                                        "int64", "float32", "float64", "string", NULL};
    const char *near = mdc_did_you_mean(type, types);
    if (near) return cfg_error(p, "type", err, "%s (did you mean \"%s\"?)", e->msg, near);
    return cfg_error(p, "type", err, "%s", e->msg);
}

/* The keys of one point, read into pt; fc, addr and length still to be checked. */
static int read_point(const mdc_cfgnode *p, const mdc_mb_point_defaults *pd, mdc_mb_point *pt,
                      int64_t *fc, int64_t *addr, int64_t *length, mdc_err *err)
{
    int64_t decimals, bpr;
    int rounding;
    const char *type = NULL, *order = NULL;
    mdc_mb_format_init(&pt->fmt);
    const mdc_keyset *ks = &mdc_mb_point_keyset;
    if (mdc_keys_check(p, ks, err) < 0 || mdc_key_string(p, ks, "name", &pt->name, err) < 0 ||
        mdc_key_int(p, ks, "function", fc, err) < 0 ||
        mdc_key_int_or(p, ks, "address", -1, addr, err) < 0 ||
        mdc_key_string_or(p, ks, "type", *fc <= 2 ? "bool" : "uint16", &type, err) < 0 ||
        mdc_key_string_or(p, ks, "order", NULL, &order, err) < 0 ||
        mdc_key_string(p, ks, "unit", &pt->unit, err) < 0 ||
        mdc_key_number(p, ks, "scale", &pt->fmt.scale, err) < 0 ||
        mdc_key_number(p, ks, "offset", &pt->fmt.offset, err) < 0 ||
        mdc_key_int(p, ks, "decimals", &decimals, err) < 0 ||
        mdc_key_int(p, ks, "length", length, err) < 0 ||
        mdc_key_int_or(p, ks, "bytes_per_register", pd->bpr, &bpr, err) < 0 ||
        mdc_key_enum_or(p, ks, "rounding", (int)pd->rounding, &rounding, err) < 0 ||
        mdc_key_bool(p, ks, "na", &pt->fmt.na_markers, err) < 0)
        return -1;
    mdc_err e;
    if (mdc_mb_type_parse(type, &pt->fmt.type, &e) < 0) return type_error(p, type, &e, err);
    if (order && mdc_mb_order_parse(order, pt->fmt.type, &pt->fmt.order, &e) < 0)
        return cfg_error(p, "order", err, "%s", e.msg);
    pt->fmt.decimals = (int)decimals;
    pt->fmt.rounding = (mdc_mb_rounding)rounding;
    pt->fmt.length = (int)*length;
    pt->fmt.bytes_per_register = (int)bpr;
    return 0;
}

static int parse_point(const mdc_cfgnode *p, const mdc_mb_point_defaults *pd, mdc_mb_point *pt,
                       mdc_err *err)
{
    int64_t fc, addr, length;
    if (read_point(p, pd, pt, &fc, &addr, &length, err) < 0) return -1;
    if (addr < 0) return cfg_error(p, NULL, err, "missing \"address\" (the 0-based PDU address)");
    if (pt->name[0] == '_')
        return cfg_error(p, "name", err, "names starting with '_' are reserved");
    if (fc <= 2 && pt->fmt.type != MDC_MB_BOOL)
        return cfg_error(p, "type", err, "function %lld reads bits: the type must be bool",
                         (long long)fc);
    if (pt->fmt.type == MDC_MB_STRING && length == 0)
        return cfg_error(p, NULL, err, "a string needs \"length\" (number of registers)");
    mdc_err e;
    if (mdc_mb_format_check(&pt->fmt, &e) < 0) return cfg_error(p, NULL, err, "%s", e.msg);
    int nregs =
        fc <= 2 ? 1 : mdc_mb_point_registers(pt->fmt.type, pt->fmt.bytes_per_register, (int)length);
    if (nregs < 1 || addr + nregs > 65536)
        return cfg_error(p, "address", err, "the point does not fit in the address space");
    pt->span = (mdc_mb_span){
        .name = pt->name, .function = (int)fc, .address = (uint16_t)addr, .count = (uint16_t)nregs};
    pt->info = mdc_field_info_none(pt->name);
    pt->info.unit = pt->unit;
    pt->info.decimals = pt->fmt.decimals;
    return mdc_field_info_parse(p, &pt->info, err); /* last: nothing to free on failure */
}

static void free_set(mdc_mb_pointset *ps)
{
    mdc_mb_plan_free(&ps->plan);
    for (size_t i = 0; i < ps->npoints; i++)
        mdc_field_info_release(&ps->points[i].info);
    free(ps->points);
    free(ps->spans);
    free(ps->fields);
    free(ps->key);
    if (ps->doc) mdc_cfgdoc_free(ps->doc);
    free(ps);
}

/* The points at nodes[0..n-1]: a device's "points", or its template's merged with them. */
static int parse_nodes(const mdc_cfgnode *nodes, size_t n, mdc_mb_pointset *ps,
                       const mdc_mb_point_defaults *pd, mdc_err *err)
{
    ps->points = xcalloc(n, sizeof *ps->points);
    ps->spans = xcalloc(n, sizeof *ps->spans);
    ps->fields = xcalloc(n + 1, sizeof *ps->fields);
    for (size_t i = 0; i < n; i++, ps->npoints++) {
        const mdc_cfgnode *p = &nodes[i];
        if (parse_point(p, pd, &ps->points[i], err) < 0) return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(ps->points[j].name, ps->points[i].name) == 0) {
                mdc_field_info_release(&ps->points[i].info);
                return cfg_error(p, "name", err, "duplicate point name \"%s\"", ps->points[i].name);
            }
        ps->spans[i] = ps->points[i].span;
        ps->fields[i] = ps->points[i].name;
    }
    return 0;
}

static int parse_all(const mdc_cfgnode *node, mdc_mb_pointset *ps, const mdc_mb_point_defaults *pd,
                     mdc_err *err)
{
    size_t n;
    if (cfg_array(node, "points", &n, err) < 0) return -1;
    if (n == 0)
        return cfg_error(node, cfg_has(node, "points") ? "points" : NULL, err,
                         "needs at least one point in \"points\" (or a \"template\")");
    mdc_cfgnode *nodes = xcalloc(n, sizeof *nodes);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = cfg_array_object(node, "points", i, &nodes[i], err);
    if (rc == 0) rc = parse_nodes(nodes, n, ps, pd, err);
    free(nodes);
    return rc;
}

/* The request plan of a parsed set; ps is freed on failure. */
static int plan_set(const mdc_cfgnode *node, mdc_mb_pointset *ps, const mdc_mb_plan_opts *opts,
                    mdc_mb_pointset **out, mdc_err *err)
{
    mdc_err e;
    if (mdc_mb_plan_build(ps->spans, ps->npoints, opts, &ps->plan, &e) < 0) {
        cfg_error(node, cfg_has(node, "points") ? "points" : NULL, err, "%s", e.msg);
        free_set(ps);
        return -1;
    }
    for (size_t r = 0; r < ps->plan.nrequests; r++)
        if (ps->plan.requests[r].count > ps->max_count) ps->max_count = ps->plan.requests[r].count;
    *out = ps;
    return 0;
}

int mdc_mb_points_parse(const mdc_cfgnode *node, const mdc_mb_point_defaults *pd,
                        const mdc_mb_plan_opts *opts, mdc_mb_pointset **out, mdc_err *err)
{
    mdc_mb_pointset *ps = xcalloc(1, sizeof *ps);
    ps->refs = 1;
    if (parse_all(node, ps, pd, err) < 0) {
        free_set(ps);
        return -1;
    }
    return plan_set(node, ps, opts, out, err);
}

int mdc_mb_points_parse_nodes(const mdc_cfgnode *dev, const mdc_cfgnode *nodes, size_t n,
                              const mdc_mb_point_defaults *pd, const mdc_mb_plan_opts *opts,
                              mdc_mb_pointset **out, mdc_err *err)
{
    if (n == 0) return cfg_error(dev, "template_points", err, "chooses no point");
    mdc_mb_pointset *ps = xcalloc(1, sizeof *ps);
    ps->refs = 1;
    if (parse_nodes(nodes, n, ps, pd, err) < 0) {
        free_set(ps);
        return -1;
    }
    return plan_set(dev, ps, opts, out, err);
}

/* ---- shared sets from points files ---- */

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static mdc_mb_pointset **cache;
static size_t ncache, capcache;

static mdc_mb_pointset *cache_find(const char *key)
{
    for (size_t i = 0; i < ncache; i++)
        if (strcmp(cache[i]->key, key) == 0) return cache[i];
    return NULL;
}

static int load_file(const mdc_cfgnode *dev, const char *file, const mdc_mb_point_defaults *pd,
                     const mdc_mb_plan_opts *opts, mdc_mb_pointset **out, mdc_err *err)
{
    mdc_cfgdoc *doc;
    mdc_err e;
    if (mdc_cfgdoc_load_file(file, &doc, &e) < 0)
        return cfg_error(dev, "points_file", err, "%s", e.msg);
    mdc_cfgnode root = mdc_cfgdoc_root(doc);
    if (mdc_keys_check(&root, &mdc_mb_points_file_keyset, err) < 0 ||
        mdc_mb_points_parse(&root, pd, opts, out, err) < 0) {
        mdc_cfgdoc_free(doc);
        return -1;
    }
    mdc_cfgdoc_drop_tree(doc); /* the strings stay; the tree is not needed any more */
    (*out)->doc = doc;
    return 0;
}

int mdc_mb_points_file(const mdc_cfgnode *dev, const char *path, const mdc_mb_point_defaults *pd,
                       const mdc_mb_plan_opts *opts, mdc_mb_pointset **out, mdc_err *err)
{
    char joined[PATH_MAX + 1], real[PATH_MAX + 1];
    if (path[0] == '/')
        snprintf(joined, sizeof joined, "%s", path);
    else
        snprintf(joined, sizeof joined, "%s/%s", mdc_cfgdoc_dir(dev->doc), path);
    if (!realpath(joined, real))
        return cfg_error(dev, "points_file", err, "cannot open %s: %s", joined, strerror(errno));
    char key[PATH_MAX + 64];
    snprintf(key, sizeof key, "%s|%d|%d|%d|%d|%d", real, pd->bpr, (int)pd->rounding,
             opts->max_registers, opts->max_bits, opts->max_gap);
    pthread_mutex_lock(&cache_mu);
    mdc_mb_pointset *ps = cache_find(key);
    int rc = 0;
    if (ps) {
        ps->refs++;
    } else if ((rc = load_file(dev, real, pd, opts, &ps, err)) == 0) {
        ps->key = xstrdup(key);
        xgrow(&cache, &capcache, ncache + 1, sizeof *cache);
        cache[ncache++] = ps;
    }
    pthread_mutex_unlock(&cache_mu);
    *out = ps;
    return rc;
}

void mdc_mb_points_release(mdc_mb_pointset *ps)
{
    if (!ps) return;
    pthread_mutex_lock(&cache_mu);
    bool last = --ps->refs == 0;
    if (last && ps->key)
        for (size_t i = 0; i < ncache; i++)
            if (cache[i] == ps) {
                cache[i] = cache[--ncache];
                break;
            }
    if (last && ncache == 0) {
        free(cache);
        cache = NULL;
        capcache = 0;
    }
    pthread_mutex_unlock(&cache_mu);
    if (last) free_set(ps);
}
