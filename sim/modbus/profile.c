/* SPDX-License-Identifier: Apache-2.0 */
/* profile.c — register layouts: Eastron SDM630 (float32 ABCD, FC4 mirrored to FC3) and
 * BELmc's Delta PLC (FC3, one byte per register, CDAB; research/belmc.md §3, §4). */
#include "msim.h"
#include "core/xalloc.h"
#include "drivers/modbus/decode.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const msim_delta_param_names[MSIM_DELTA_PARAMS] = {
    "PHASE_A VOLTAGE",    "PHASE_B VOLTAGE",
    "PHASE_C VOLTAGE",    "AVERAGE PHASE VOLTAGE",
    "A-B LINE VOLTAGE",   "B-C LINE VOLTAGE",
    "C-A LINE VOLTAGE",   "AVERAGE LINE VOLTAGE",
    "FREQUENCY",          "TOTAL INSTANTANEOUS ACTIVE POWER",
    "PHASE_A CURRENT",    "PHASE_B CURRENT",
    "PHASE_C CURRENT",    "THREE-PHASE AVERAGE CURRENT",
    "TOTAL POWER FACTOR", "ACTIVE ENERGY 3P DELIVERED",
};
#define DELTA_ENERGY 15

static const int delta_bases[14] = {4200, 4315, 4430, 4540, 4650, 4760, 4870,
                                    4980, 6100, 6210, 6320, 6430, 6540, 6665};
static const int offsets_12[MSIM_DELTA_PARAMS] = {0,  4,  8,  12, 16, 20, 24, 28,
                                                  40, 44, 55, 59, 63, 67, 75, 95};
static const int offsets_rest[MSIM_DELTA_PARAMS] = {0,  4,  8,  12, 16, 20, 24, 28,
                                                    35, 39, 50, 54, 58, 62, 70, 90};
#define SDM_REGS   0x200
#define DELTA_REGS 10000

static void add_entry(msim_profile *p, size_t *cap, int meter, int param, uint32_t number)
{
    xgrow(&p->entries, cap, p->nentries + 1, sizeof *p->entries);
    p->entries[p->nentries++] = (msim_delta_entry){meter, param, number};
}

static void add_meter_id(msim_profile *p, int id)
{
    for (size_t i = 0; i < p->nmeter_ids; i++)
        if (p->meter_ids[i] == id) return;
    p->meter_ids = xrealloc(p->meter_ids, (p->nmeter_ids + 1) * sizeof *p->meter_ids);
    p->meter_ids[p->nmeter_ids++] = id;
}

static void default_delta(msim_profile *p)
{
    size_t cap = 0;
    for (int m = 0; m < 14; m++) {
        const int *off = m < 2 ? offsets_12 : offsets_rest;
        add_meter_id(p, m + 1);
        for (int k = 0; k < MSIM_DELTA_PARAMS; k++)
            add_entry(p, &cap, m + 1, k, (uint32_t)(delta_bases[m] + off[k]));
    }
}

static int param_index(const char *name)
{
    for (int k = 0; k < MSIM_DELTA_PARAMS; k++)
        if (strcmp(name, msim_delta_param_names[k]) == 0) return k;
    return -1;
}

static int map_meter(msim_profile *p, size_t *cap, const char *key, json_t *params, char *err,
                     size_t errcap)
{
    char *end;
    long id = strtol(key, &end, 10);
    if (!*key || *end || id < 0 || id > 1000000 || !json_is_object(params)) {
        snprintf(err, errcap, "meter \"%s\": expected a numeric id and an object of parameters",
                 key);
        return -1;
    }
    add_meter_id(p, (int)id);
    const char *name;
    json_t *v;
    json_object_foreach(params, name, v)
    {
        int k = param_index(name);
        json_t *num = json_array_get(v, 0), *cnt = json_array_get(v, 1);
        if (k < 0 || json_array_size(v) != 2 || !json_is_integer(num) || !json_is_integer(cnt) ||
            json_integer_value(cnt) != 4 || json_integer_value(num) < 1 ||
            json_integer_value(num) + 3 > DELTA_REGS) {
            snprintf(err, errcap,
                     "meter \"%s\" \"%s\": expected one of the 16 BELmc parameter names with "
                     "[NUMBER 1..%d, 4]",
                     key, name, DELTA_REGS - 3);
            return -1;
        }
        add_entry(p, cap, (int)id, k, (uint32_t)json_integer_value(num));
    }
    return 0;
}

static int load_map(msim_profile *p, const char *path, char *err, size_t errcap)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root) {
        snprintf(err, errcap, "%s:%d:%d: %s", path, je.line, je.column, je.text);
        return -1;
    }
    int rc = 0;
    size_t cap = 0;
    const char *key;
    json_t *v;
    if (!json_is_object(root)) {
        snprintf(err, errcap, "%s: expected an object of meters", path);
        rc = -1;
    }
    json_object_foreach(root, key, v)
    {
        if (rc == 0 && map_meter(p, &cap, key, v, err, errcap) < 0) rc = -1;
    }
    json_decref(root);
    if (rc == 0 && p->nentries == 0) {
        snprintf(err, errcap, "%s: no meters", path);
        rc = -1;
    }
    if (rc < 0) {
        size_t n = strlen(err);
        if (strncmp(err, path, strlen(path)) != 0 && n + strlen(path) + 3 < errcap) {
            memmove(err + strlen(path) + 2, err, n + 1);
            memcpy(err, path, strlen(path));
            memcpy(err + strlen(path), ": ", 2);
        }
    }
    return rc;
}

int msim_profile_load(msim_profile *p, const msim_opts *o, char *err, size_t errcap)
{
    memset(p, 0, sizeof *p);
    p->delta = o->delta;
    if (o->template_name[0]) return msim_tpl_load(p, o->template_name, err, errcap);
    if (!p->delta) return 0;
    if (o->map[0]) return load_map(p, o->map, err, errcap);
    default_delta(p);
    return 0;
}

void msim_profile_free(msim_profile *p)
{
    free(p->entries);
    free(p->meter_ids);
    free(p->tpl);
    memset(p, 0, sizeof *p);
}

void msim_image_alloc(msim_image *img, const msim_profile *p)
{
    memset(img, 0, sizeof *img);
    img->nhr = p->tpl ? p->tpl_nhr : p->delta ? DELTA_REGS : SDM_REGS;
    img->nir = p->tpl ? p->tpl_nir : p->delta ? 0 : SDM_REGS;
    img->hr = xcalloc(img->nhr ? img->nhr : 1, sizeof *img->hr);
    img->ir = img->nir ? xcalloc(img->nir, sizeof *img->ir) : NULL;
    img->nbits = p->delta || p->tpl ? 0 : MSIM_NBITS;
}

void msim_image_free(msim_image *img)
{
    free(img->hr);
    free(img->ir);
    memset(img, 0, sizeof *img);
}

static void put_f32(uint16_t *regs, uint32_t addr, double v)
{
    mdc_mb_encode_float32((float)v, MDC_MB_ORDER_BE, 2, regs + addr);
}

static void build_sdm(msim_image *img, const msim_meter *mt)
{
    msim_values v;
    msim_meter_values(mt, &v);
    uint16_t *r = img->ir;
    memset(r, 0, img->nir * sizeof *r);
    for (int k = 0; k < 3; k++) {
        put_f32(r, 0x00 + 2 * k, v.v[k]);
        put_f32(r, 0x06 + 2 * k, v.i[k]);
        put_f32(r, 0x0C + 2 * k, v.p_w[k]);
        put_f32(r, 0x1E + 2 * k, v.pf);
        put_f32(r, 0xC8 + 2 * k, v.vll[k]);
    }
    put_f32(r, 0x2A, v.v_avg);
    put_f32(r, 0x2E, v.i_avg);
    put_f32(r, 0x30, v.i_sum);
    put_f32(r, 0x34, v.p_w_total);
    put_f32(r, 0x3E, v.pf);
    put_f32(r, 0x46, v.freq);
    put_f32(r, 0x48, v.e_kwh);
    put_f32(r, 0x4A, 0.0);
    put_f32(r, 0xCE, v.vll_avg);
    put_f32(r, 0x156, v.e_kwh);
    memcpy(img->hr, r, img->nir * sizeof *r);
    memset(img->coils, 0, sizeof img->coils);
    img->coils[0] = mt->state != MSIM_OFF;
    memcpy(img->di, img->coils, sizeof img->di);
}

static double delta_value(const msim_values *v, int param)
{
    static const size_t at[MSIM_DELTA_PARAMS] = {
        offsetof(msim_values, v[0]),   offsetof(msim_values, v[1]),
        offsetof(msim_values, v[2]),   offsetof(msim_values, v_avg),
        offsetof(msim_values, vll[0]), offsetof(msim_values, vll[1]),
        offsetof(msim_values, vll[2]), offsetof(msim_values, vll_avg),
        offsetof(msim_values, freq),   offsetof(msim_values, p_kw),
        offsetof(msim_values, i[0]),   offsetof(msim_values, i[1]),
        offsetof(msim_values, i[2]),   offsetof(msim_values, i_avg),
        offsetof(msim_values, pf),     offsetof(msim_values, e_kwh),
    };
    double d;
    memcpy(&d, (const char *)v + at[param], sizeof d);
    return d;
}

static void put_delta(uint16_t *regs, uint32_t addr, int param, double value)
{
    if (param == DELTA_ENERGY) { /* int32 Wh */
        double wh = nearbyint(value * 1000.0);
        int64_t i = wh > 2147483647.0 ? 2147483647 : wh < -2147483648.0 ? INT32_MIN : (int64_t)wh;
        mdc_mb_encode_bits((uint32_t)i, 4, MDC_MB_ORDER_WORDSWAP, 1, regs + addr);
    } else {
        mdc_mb_encode_float32((float)value, MDC_MB_ORDER_WORDSWAP, 1, regs + addr);
    }
}

static void build_delta(msim_image *img, const msim_profile *p, const msim_meter *meters, size_t n)
{
    msim_values *v = xcalloc(n, sizeof *v);
    for (size_t k = 0; k < n; k++)
        msim_meter_values(&meters[k], &v[k]);
    size_t k = 0;
    for (size_t e = 0; e < p->nentries; e++) {
        const msim_delta_entry *en = &p->entries[e];
        if (k >= n || meters[k].id != en->meter) /* entries are grouped by meter */
            for (k = 0; k < n && meters[k].id != en->meter; k++)
                ;
        if (k < n) put_delta(img->hr, en->number - 1, en->param, delta_value(&v[k], en->param));
    }
    free(v);
}

void msim_image_build(msim_image *img, const msim_profile *p, const msim_meter *meters,
                      size_t nmeters)
{
    if (p->tpl && nmeters > 0)
        msim_tpl_build(img, p, &meters[0]);
    else if (p->delta)
        build_delta(img, p, meters, nmeters);
    else if (nmeters > 0)
        build_sdm(img, &meters[0]);
}
