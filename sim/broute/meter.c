/* SPDX-License-Identifier: Apache-2.0 */
/* meter.c — the simulated low-voltage smart meter: a clock in its own time zone, a daily
 * power curve with noise, energy as the exact integral of the curve (so the half-hourly
 * history, the fixed-time value and the live counter agree), and its ECHONET Lite answers. */
#include "bsim.h"
#include "drivers/broute/echonet.h"
#include "drivers/broute/meter.h"

#include "core/clock.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define DAY_S 86400.0

int bsim_meter_init(bsim_meter *m, const bsim_opts *o, char *err, size_t errcap)
{
    memset(m, 0, sizeof *m);
    m->o = o;
    mdc_err e;
    if (mdc_tz_load(o->tz, &m->tz, &e) < 0) {
        snprintf(err, errcap, "--timezone %s: %s", o->tz, e.msg);
        return -1;
    }
    m->start_mono_us = mdc_mono_us();
    m->start_utc_s = o->have_clock ? mdc_brt_local_to_utc(m->tz, &o->clock) : (int64_t)time(NULL);
    m->power_w = o->power_w;
    m->three_phase = o->three_phase;
    m->rng = o->seed * 0x9E3779B97F4A7C15ull + 1;
    return 0;
}

void bsim_meter_free(bsim_meter *m)
{
    mdc_tz_free(m->tz);
    m->tz = NULL;
}

void bsim_meter_set_clock(bsim_meter *m, const mdc_civil *local)
{
    m->start_mono_us = mdc_mono_us();
    m->start_utc_s = mdc_brt_local_to_utc(m->tz, local);
}

int64_t bsim_meter_now(const bsim_meter *m)
{
    if (m->o->frozen) return m->start_utc_s;
    return m->start_utc_s + (mdc_mono_us() - m->start_mono_us) / MDC_US_PER_SEC;
}

/* ---- the physics ---- */

static double amplitude(const bsim_meter *m)
{
    return m->o->frozen ? 0.0 : 0.5 * m->o->power_w;
}

/* A deterministic noise in [-1, 1] per 2-second step. */
static double noise(const bsim_meter *m, int64_t t)
{
    uint64_t x = (uint64_t)(t / 2) * 0xD1B54A32D192ED03ull ^ m->rng;
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 32;
    return (double)(x % 2001) / 1000.0 - 1.0;
}

static double power_at(const bsim_meter *m, int64_t t)
{
    if (m->o->frozen || m->pinned) return m->power_w;
    double w = 2 * M_PI / DAY_S;
    return m->o->power_w + amplitude(m) * sin(w * (double)t) + 0.05 * m->o->power_w * noise(m, t);
}

/* kWh at t: the integral of the mean curve (noise averages out) from the start. */
static double energy_at(const bsim_meter *m, int64_t t)
{
    double t0 = (double)m->start_utc_s, w = 2 * M_PI / DAY_S;
    double ws =
        m->o->power_w * ((double)t - t0) + amplitude(m) / w * (cos(w * t0) - cos(w * (double)t));
    return m->o->energy_kwh + ws / 3.6e6;
}

static double unit_kwh(int code)
{
    static const double units[] = {1, 0.1, 0.01, 0.001, 0.0001};
    if (code <= 4) return units[code];
    return pow(10, code - 9);
}

static uint32_t raw_energy(const bsim_meter *m, int64_t t)
{
    double per = unit_kwh(m->o->unit_code) * (m->o->coeff ? m->o->coeff : 1);
    double raw = floor(energy_at(m, t) / per + 1e-6);
    double wrap = pow(10, m->o->digits);
    raw = fmod(raw, wrap);
    return raw < 0 ? 0 : (uint32_t)raw;
}

/* ---- properties ---- */

static size_t put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return 4;
}

static size_t put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return 2;
}

static size_t currents(const bsim_meter *m, double watts, uint8_t *p)
{
    if (!m->three_phase) { /* 100 V single-phase two-wire */
        put16(p, (uint16_t)(int16_t)lround(watts * 0.1));
        return 2 + put16(p + 2, 0x7FFE);
    }
    put16(p, (uint16_t)(int16_t)lround(watts * 0.06)); /* R: 60 % at 100 V, in 0.1 A */
    return 2 + put16(p + 2, (uint16_t)(int16_t)lround(watts * 0.04));
}

static size_t fixed_time(const bsim_meter *m, int64_t now, uint8_t *p)
{
    mdc_civil c;
    mdc_tz_to_local(m->tz, now, &c);
    c.minute = c.minute < 30 ? 0 : 30;
    c.second = 0;
    int64_t at = mdc_brt_local_to_utc(m->tz, &c);
    put16(p, (uint16_t)c.year);
    p[2] = (uint8_t)c.month;
    p[3] = (uint8_t)c.day;
    p[4] = (uint8_t)c.hour;
    p[5] = (uint8_t)c.minute;
    p[6] = 0;
    return 7 + put32(p + 7, raw_energy(m, at));
}

static size_t history(const bsim_meter *m, int64_t now, uint8_t *p)
{
    mdc_civil today;
    mdc_tz_to_local(m->tz, now, &today);
    put16(p, (uint16_t)m->e5);
    for (int i = 0; i < MDC_BRT_SLOTS; i++) {
        mdc_civil c = {.year = today.year,
                       .month = today.month,
                       .day = today.day - m->e5,
                       .hour = i / 2,
                       .minute = i % 2 * 30};
        int64_t at = mdc_brt_local_to_utc(m->tz, &c);
        put32(p + 2 + 4 * i, at <= now ? raw_energy(m, at) : MDC_BRT_NO_DATA_U32);
    }
    return 2 + 4 * MDC_BRT_SLOTS;
}

/* The EDT of epc into p; returns its length, or -1 when the meter does not have it. */
static int get_prop(const bsim_meter *m, uint8_t epc, uint8_t *p, bool stale)
{
    int64_t now = bsim_meter_now(m);
    double watts = power_at(m, now) - (stale && m->o->frozen ? 1 : 0);
    switch (epc) {
    case 0x80:
        p[0] = 0x30;
        return 1;
    case 0x88:
        p[0] = 0x42;
        return 1;
    case 0x8A:
        p[0] = p[1] = p[2] = 0xFF;
        return 3;
    case MDC_BRT_EPC_COEFF:
        return m->o->coeff ? (int)put32(p, m->o->coeff) : -1;
    case MDC_BRT_EPC_DIGITS:
        p[0] = (uint8_t)m->o->digits;
        return 1;
    case MDC_BRT_EPC_ENERGY:
        return (int)put32(p, raw_energy(m, now));
    case MDC_BRT_EPC_UNIT:
        p[0] = (uint8_t)m->o->unit_code;
        return 1;
    case MDC_BRT_EPC_HISTORY:
        return (int)history(m, now, p);
    case MDC_BRT_EPC_HIST_DAY:
        p[0] = (uint8_t)m->e5;
        return 1;
    case MDC_BRT_EPC_POWER:
        return (int)put32(p, (uint32_t)(int32_t)lround(watts));
    case MDC_BRT_EPC_CURRENT:
        return (int)currents(m, watts, p);
    case MDC_BRT_EPC_FIXED:
        return (int)fixed_time(m, now, p);
    }
    return -1;
}

static void answer_get(bsim_meter *m, const mdc_el_frame *q, mdc_el_frame *r, uint8_t *edts,
                       bool stale)
{
    size_t used = 0;
    r->esv = MDC_EL_GET_RES;
    for (unsigned i = 0; i < q->opc; i++) {
        int n = get_prop(m, q->props[i].epc, edts + used, stale);
        r->props[i] = (mdc_el_prop){q->props[i].epc, 0, NULL};
        if (n < 0) {
            r->esv = MDC_EL_GET_SNA;
            continue;
        }
        r->props[i].pdc = (uint8_t)n;
        r->props[i].edt = edts + used;
        used += (size_t)n;
    }
}

static void answer_set(bsim_meter *m, const mdc_el_frame *q, mdc_el_frame *r)
{
    r->esv = q->esv == MDC_EL_SETC ? MDC_EL_SET_RES : 0;
    for (unsigned i = 0; i < q->opc; i++) {
        const mdc_el_prop *p = &q->props[i];
        r->props[i] = (mdc_el_prop){p->epc, 0, NULL};
        if (p->epc == MDC_BRT_EPC_HIST_DAY && p->pdc == 1 && p->edt[0] <= 99) {
            m->e5 = p->edt[0];
            continue;
        }
        r->props[i] = *p; /* refused: the EDT comes back */
        r->esv = q->esv == MDC_EL_SETC ? MDC_EL_SETC_SNA : MDC_EL_SETI_SNA;
    }
}

size_t bsim_meter_serve(bsim_meter *m, const uint8_t *req, size_t n, uint8_t *out, size_t cap,
                        bool stale)
{
    mdc_el_frame q, r;
    mdc_err e;
    uint8_t edts[MDC_EL_MAX_PROPS * 255];
    if (mdc_el_decode(req, n, &q, &e) < 0 || q.deoj >> 8 != MDC_EL_EOJ_SMART_METER >> 8) return 0;
    if ((q.deoj & 0xFF) > 1) return 0;
    memset(&r, 0, sizeof r);
    r.tid = q.tid;
    r.seoj = MDC_EL_EOJ_SMART_METER;
    r.deoj = q.seoj;
    r.opc = q.opc;
    if (q.esv == MDC_EL_GET)
        answer_get(m, &q, &r, edts, stale);
    else if (q.esv == MDC_EL_SETC || q.esv == MDC_EL_SETI)
        answer_set(m, &q, &r);
    else
        return 0;
    return r.esv ? mdc_el_encode(&r, out, cap) : 0;
}

size_t bsim_meter_instance_list(uint8_t *out, size_t cap)
{
    static const uint8_t inst[] = {0x01, 0x02, 0x88, 0x01};
    mdc_el_frame f;
    memset(&f, 0, sizeof f);
    f.tid = 0x0361;
    f.seoj = f.deoj = MDC_EL_EOJ_NODE;
    f.esv = MDC_EL_INF;
    f.opc = 1;
    f.props[0] = (mdc_el_prop){0xD5, sizeof inst, inst};
    return mdc_el_encode(&f, out, cap);
}

void bsim_meter_describe(const bsim_meter *m, char *out, size_t cap)
{
    int64_t now = bsim_meter_now(m);
    mdc_civil c;
    mdc_tz_to_local(m->tz, now, &c);
    snprintf(out, cap,
             "meter clock %04lld-%02d-%02dT%02d:%02d:%02d %s, power %.0f W, energy %.4f kWh, "
             "phase %s, E5 %d",
             (long long)c.year, c.month, c.day, c.hour, c.minute, c.second, m->o->tz,
             power_at(m, now), energy_at(m, now), m->three_phase ? "three" : "single", m->e5);
}
