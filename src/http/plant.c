/* SPDX-License-Identifier: Apache-2.0 */
/* plant.c — /api/plant: the plant's totals from the live records (api.h), and the power value
 * of each device. */
#include "api.h"

#include "core/clock.h"
#include "format/json_out.h"

#include <inttypes.h>
#include <string.h>
#include <strings.h>

/* ---- which value is a device's power ---- */

static bool power_factor(const char *unit, const char *name, double *to_kw)
{
    static const struct {
        const char *unit;
        double f;
    } units[] = {{"W", 0.001}, {"kW", 1}, {"MW", 1000}};
    for (size_t i = 0; unit && i < sizeof units / sizeof units[0]; i++)
        if (!strcmp(unit, units[i].unit)) return *to_kw = units[i].f, true;
    if (unit) return false;
    size_t n = strlen(name);
    if (n >= 2 && !strcasecmp(name + n - 2, "kw")) return *to_kw = 1, true;
    if (n >= 2 && !strcmp(name + n - 2, "_w")) return *to_kw = 0.001, true;
    return false;
}

const char *mdc_api_power_point(const mdc_rt_device *d, const mdc_device_info *di, double *to_kw)
{
    *to_kw = 1;
    const char *want = mdc_runtime_device_derive(d)->power_field;
    for (size_t i = 0; want && di && i < di->nfields; i++) {
        const mdc_field_info *f = &di->fields[i];
        if (!strcmp(f->name, want)) return power_factor(f->unit, f->name, to_kw) ? f->name : NULL;
    }
    for (size_t i = 0; di && i < di->nfields; i++) {
        const mdc_field_info *f = &di->fields[i];
        if (f->quantity && !strcmp(f->quantity, "power") && power_factor(f->unit, f->name, to_kw))
            return f->name;
    }
    return NULL;
}

/* ---- shifts ---- */

typedef struct shift_span {
    int id;
    int64_t start_us, end_us;
} shift_span;

/* The shift at t and when it ends (the next shift's start: found hour by hour, then by
 * halving, as shift starts are whole minutes in local time). */
static shift_span shift_at(const mdc_shift_ctx *ctx, int64_t t_us)
{
    shift_span s;
    int64_t other;
    s.id = mdc_shift_of(ctx, t_us, &s.start_us);
    const int64_t hour = 3600 * MDC_US_PER_SEC;
    int64_t lo = t_us, hi = t_us + hour;
    while (mdc_shift_of(ctx, hi, &other) == s.id && other == s.start_us && hi - t_us < 50 * hour)
        lo = hi, hi += hour;
    while (hi - lo > MDC_US_PER_SEC) {
        int64_t mid = lo + (hi - lo) / 2;
        mdc_shift_of(ctx, mid, &other);
        if (other == s.start_us)
            lo = mid;
        else
            hi = mid;
    }
    s.end_us = hi - hi % MDC_US_PER_SEC;
    return s;
}

int64_t mdc_api_day_start(const mdc_shift_ctx *ctx, int64_t now_us)
{
    if (!ctx || !ctx->n) return 0;
    size_t first = 0; /* the day begins with the earliest shift start */
    int64_t start, t = now_us;
    for (int guard = 0; guard < 8; guard++) { /* walk back shift by shift to that start */
        int id = mdc_shift_of(ctx, t, &start);
        if (id == ctx->ids[first]) return start;
        t = start - MDC_US_PER_SEC;
    }
    return start;
}

static void span_json(strbuf *out, const char *key, const shift_span *s)
{
    sb_printf(out, ", \"%s\": {\"id\": %d, \"start\": ", key, s->id);
    mdc_json_time(out, s->start_us);
    sb_puts(out, ", \"end\": ");
    mdc_json_time(out, s->end_us);
    sb_putc(out, '}');
}

/* ---- totals ---- */

enum { ST_PRODUCTION, ST_ON, ST_OFF, ST_UNREACHABLE, ST_PENDING, ST_ONLINE, NST };
static const char *const state_names[NST] = {"PRODUCTION",  "ON",      "OFF",
                                             "UNREACHABLE", "PENDING", "ONLINE"};

typedef struct totals {
    int64_t shift_start_us;
    const char *power;
    double to_kw;
    int64_t states[NST];
    double power_kw, energy_kwh;
    int64_t power_devices, energy_devices, parts;
    bool has_parts;
} totals;

static bool number_of(const mdc_record *rec, const char *name, double *out)
{
    const mdc_field *f = name ? mdc_record_find(rec, name) : NULL;
    return f && mdc_value_as_double(&f->v, out);
}

static void totals_visit(void *ctx, const mdc_record *live, const mdc_record *ok)
{
    totals *t = ctx;
    const char *state = mdc_api_state_name(live);
    for (int s = 0; s < NST; s++)
        if (!strcmp(state, state_names[s])) t->states[s]++;
    double v;
    if (live && !live->error && number_of(live, t->power, &v)) {
        t->power_kw += v * t->to_kw;
        t->power_devices++;
    }
    if (!ok || ok->shift_start_us != t->shift_start_us) return; /* not of this shift */
    if (number_of(ok, "shift_energy_kwh", &v)) t->energy_kwh += v, t->energy_devices++;
    if (number_of(ok, "part_count", &v)) t->parts += (int64_t)v, t->has_parts = true;
}

static void totals_json(const totals *t, const double *today, strbuf *out)
{
    sb_puts(out, ", \"states\": {");
    for (int s = 0; s < NST; s++)
        sb_printf(out, "%s\"%s\": %" PRId64, s ? ", " : "", state_names[s], t->states[s]);
    sb_puts(out, "}, \"power_kw\": ");
    if (t->power_devices)
        mdc_json_double(out, t->power_kw);
    else
        sb_puts(out, "null");
    sb_printf(out, ", \"power_devices\": %" PRId64 ", \"energy_shift_kwh\": ", t->power_devices);
    if (t->energy_devices)
        mdc_json_double(out, t->energy_kwh);
    else
        sb_puts(out, "null");
    sb_puts(out, ", \"energy_today_kwh\": ");
    if (today)
        mdc_json_double(out, *today);
    else
        sb_puts(out, "null");
    if (t->has_parts)
        sb_printf(out, ", \"parts_shift\": %" PRId64 "}\n", t->parts);
    else
        sb_puts(out, ", \"parts_shift\": null}\n");
}

void mdc_api_plant(mdc_runtime *rt, int64_t now_us, const double *energy_today_kwh, strbuf *out)
{
    const mdc_shift_ctx *ctx = mdc_runtime_shifts(rt);
    const mdc_catalog *cat = mdc_runtime_catalog(rt);
    size_t n = mdc_runtime_device_count(rt);
    sb_puts(out, "{\"timestamp\": ");
    mdc_json_time(out, now_us);
    sb_puts(out, ", \"timezone\": ");
    mdc_json_str(out, ctx && ctx->tz ? mdc_tz_name(ctx->tz) : "UTC");
    totals t = {0};
    if (ctx && ctx->n) {
        shift_span cur = shift_at(ctx, now_us), prev = shift_at(ctx, cur.start_us - 1);
        t.shift_start_us = cur.start_us;
        span_json(out, "shift", &cur);
        span_json(out, "previous_shift", &prev);
        sb_puts(out, ", \"day_start\": ");
        mdc_json_time(out, mdc_api_day_start(ctx, now_us));
    } else {
        sb_puts(out, ", \"shift\": null, \"previous_shift\": null, \"day_start\": null");
    }
    sb_printf(out, ", \"devices\": %zu", n);
    for (size_t i = 0; i < n; i++) {
        mdc_rt_device *d = mdc_runtime_device(rt, i);
        t.power = mdc_api_power_point(d, i < cat->ndevices ? &cat->devices[i] : NULL, &t.to_kw);
        mdc_runtime_device_visit_ok(d, totals_visit, &t);
    }
    totals_json(&t, energy_today_kwh, out);
}
