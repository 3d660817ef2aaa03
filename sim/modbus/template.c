/* SPDX-License-Identifier: Apache-2.0 */
/* template.c — `--template NAME`: one of mdc's built-in meter register maps, served with the
 * meter's values. A point's name says what it carries (voltage_l1, current_l2, power_kw,
 * power_l3_kw, power_factor, frequency, energy_kwh, ...); a name the model does not know holds
 * a constant derived from the name, so that every point reads a distinct, checkable value.
 * The template's JSON is read here on its own (not with mdc's configuration reader), so that
 * the test that compares both sides checks one reading of the map against another. */
#include "msim.h"

#include "core/xalloc.h"
#include "drivers/modbus/template.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int point_format(json_t *j, msim_tpl_point *pt, char *err, size_t errcap)
{
    const char *name = json_string_value(json_object_get(j, "name"));
    const char *type = json_string_value(json_object_get(j, "type"));
    const char *order = json_string_value(json_object_get(j, "order"));
    json_t *fc = json_object_get(j, "function"), *addr = json_object_get(j, "address");
    mdc_err e;
    mdc_mb_format_init(&pt->fmt);
    snprintf(pt->name, sizeof pt->name, "%s", name ? name : "?");
    pt->function = json_is_integer(fc) ? (int)json_integer_value(fc) : 3;
    pt->address = (uint32_t)json_integer_value(addr);
    if (mdc_mb_type_parse(type ? type : "uint16", &pt->fmt.type, &e) < 0 ||
        (order && mdc_mb_order_parse(order, pt->fmt.type, &pt->fmt.order, &e) < 0)) {
        snprintf(err, errcap, "point %s: %s", pt->name, e.msg);
        return -1;
    }
    json_t *sc = json_object_get(j, "scale"), *off = json_object_get(j, "offset");
    json_t *dec = json_object_get(j, "decimals");
    pt->fmt.scale = json_is_number(sc) ? json_number_value(sc) : 1.0;
    pt->fmt.offset = json_is_number(off) ? json_number_value(off) : 0.0;
    pt->fmt.decimals = json_is_integer(dec) ? (int)json_integer_value(dec) : -1;
    pt->fmt.na_markers = json_is_true(json_object_get(j, "na"));
    pt->nregs = pt->function <= 2 ? 1 : mdc_mb_point_registers(pt->fmt.type, 2, 1);
    if (pt->nregs < 1 || pt->fmt.type == MDC_MB_STRING || pt->function < 3) {
        snprintf(err, errcap, "point %s: the simulator serves numbers in registers only", pt->name);
        return -1;
    }
    return 0;
}

int msim_tpl_load(msim_profile *p, const char *name, char *err, size_t errcap)
{
    json_t *t;
    mdc_err e;
    if (mdc_mb_template_get(name, &t, &e) < 0) {
        snprintf(err, errcap, "--template: %s", e.msg);
        return -1;
    }
    json_t *points = json_object_get(t, "points");
    p->ntpl = json_array_size(points);
    p->tpl = xcalloc(p->ntpl, sizeof *p->tpl);
    int rc = 0;
    for (size_t i = 0; i < p->ntpl && rc == 0; i++) {
        msim_tpl_point *pt = &p->tpl[i];
        rc = point_format(json_array_get(points, i), pt, err, errcap);
        uint32_t end = pt->address + (uint32_t)pt->nregs;
        uint32_t *n = pt->function == 3 ? &p->tpl_nhr : &p->tpl_nir;
        if (end > *n) *n = end;
    }
    json_decref(t);
    return rc;
}

/* A constant for a point the model has no quantity for: 10.0 .. 99.9 from its name. */
static double name_value(const char *name)
{
    unsigned h = 5381;
    for (const char *c = name; *c; c++)
        h = h * 33 + (unsigned char)*c;
    return 10.0 + (double)(h % 900) / 10.0;
}

static int phase_of(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(name, prefix, n) != 0 || name[n] < '1' || name[n] > '3') return -1;
    return name[n] - '1';
}

/* The value of a point in its unit as mdc reports it. */
static double point_value(const msim_tpl_point *pt, const msim_values *v)
{
    const char *n = pt->name;
    int k;
    if ((k = phase_of(n, "voltage_l")) >= 0) return v->v[k];
    if ((k = phase_of(n, "current_l")) >= 0) return v->i[k];
    if ((k = phase_of(n, "power_l")) >= 0) return v->p_w[k] / 1000.0;
    if (!strncmp(n, "power_factor", 12)) return v->pf;
    if (!strcmp(n, "voltage")) return v->v[0];
    if (!strcmp(n, "current")) return v->i_sum;
    if (!strcmp(n, "power_kw")) return v->p_kw;
    if (!strcmp(n, "frequency")) return v->freq;
    if (!strcmp(n, "energy_kwh") || !strcmp(n, "energy_total_kwh")) return v->e_kwh;
    if (!strcmp(n, "energy_export_kwh")) return 0.0;
    return name_value(n);
}

/* The registers carrying engineering value `value` under the point's scale and offset. */
static void encode(const msim_tpl_point *pt, double value, uint16_t *regs)
{
    double raw = (value - pt->fmt.offset) / pt->fmt.scale;
    int width = mdc_mb_type_bytes(pt->fmt.type);
    uint64_t bits;
    if (pt->fmt.type == MDC_MB_FLOAT32) {
        mdc_mb_encode_float32((float)raw, pt->fmt.order, 2, regs);
        return;
    }
    if (pt->fmt.type == MDC_MB_FLOAT64) {
        memcpy(&bits, &raw, sizeof bits);
    } else {
        double r = nearbyint(raw);
        bits = r < 0 ? (uint64_t)(int64_t)r : (uint64_t)r;
        if (width < 8) bits &= (1ull << (8 * width)) - 1;
    }
    mdc_mb_encode_bits(bits, width, pt->fmt.order, 2, regs);
}

void msim_tpl_build(msim_image *img, const msim_profile *p, const msim_meter *mt)
{
    msim_values v;
    msim_meter_values(mt, &v);
    memset(img->hr, 0, img->nhr * sizeof *img->hr);
    if (img->ir) memset(img->ir, 0, img->nir * sizeof *img->ir);
    for (size_t i = 0; i < p->ntpl; i++) {
        const msim_tpl_point *pt = &p->tpl[i];
        encode(pt, point_value(pt, &v), (pt->function == 3 ? img->hr : img->ir) + pt->address);
    }
}

void msim_tpl_say_points(const msim_profile *p, const msim_meter *meters, size_t n)
{
    uint16_t regs[8];
    for (size_t m = 0; m < n; m++) {
        msim_values v;
        msim_meter_values(&meters[m], &v);
        for (size_t i = 0; i < p->ntpl; i++) {
            const msim_tpl_point *pt = &p->tpl[i];
            encode(pt, point_value(pt, &v), regs);
            mdc_value val = {0};
            mdc_err e;
            char text[40];
            if (mdc_mb_decode(&pt->fmt, (int)pt->address, regs, (size_t)pt->nregs, &val, &e) < 0)
                snprintf(text, sizeof text, "error");
            else if (val.type == MDC_INT)
                snprintf(text, sizeof text, "%lld", (long long)val.u.i);
            else
                mdc_mb_format_double(val.type == MDC_DOUBLE ? val.u.d : NAN, text, sizeof text);
            msim_say("meter %d point %s %s", meters[m].id, pt->name, text);
            mdc_value_free(&val);
        }
    }
}
