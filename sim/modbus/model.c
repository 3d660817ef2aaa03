/* SPDX-License-Identifier: Apache-2.0 */
/* model.c — the meters: a repeating load cycle per meter (own phase), power and power factor
 * that follow their targets smoothly, slow noise on voltages and frequency, currents from
 * power, energy integrated over time; values pinned by `set` stay as set. */
#include "msim.h"
#include "core/xalloc.h"

#include <math.h>
#include <string.h>

static const char *const qty_names[MSIM_NQ] = {
    "voltage_l1", "voltage_l2", "voltage_l3",   "current_l1", "current_l2",
    "current_l3", "power_kw",   "power_factor", "frequency",  "energy_kwh",
};

static const double v_nominal[3] = {230.1, 231.2, 229.3};
static const double pf_target[MSIM_NSTATES] = {1.0, 0.55, 0.92};
static const double imbalance[3] = {1.0, 1.04, 0.96};
#define TAU_S    2.0 /* time constant of power and power factor */
#define STEP_S   0.2
#define V_PER_KW 0.3 /* voltage drop under load */

int msim_qty_parse(const char *name, msim_qty *out)
{
    for (int i = 0; i < MSIM_NQ; i++)
        if (strcmp(name, qty_names[i]) == 0) {
            *out = (msim_qty)i;
            return 0;
        }
    return -1;
}

const char *msim_qty_name(msim_qty q)
{
    return (unsigned)q < MSIM_NQ ? qty_names[q] : "?";
}

/* splitmix64 */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *s)
{
    return ((double)(next_u64(s) >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(uint64_t *s)
{
    double u1 = uniform(s), u2 = uniform(s);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static double level_kw(const msim_opts *o, msim_state st)
{
    return st == MSIM_PRODUCTION ? o->production_kw : st == MSIM_IDLE ? o->idle_kw : 0.0;
}

static double cycle_period(const msim_opts *o)
{
    double t = 0;
    for (int i = 0; i < o->ncycle; i++)
        t += o->cycle[i].seconds;
    return t;
}

static msim_state state_at(const msim_meter *mt, const msim_opts *o, double t_s)
{
    if (mt->held) return mt->held_state;
    double period = cycle_period(o);
    double t = fmod(t_s + mt->phase_s, period);
    for (int i = 0; i < o->ncycle; i++) {
        if (t < o->cycle[i].seconds) return o->cycle[i].state;
        t -= o->cycle[i].seconds;
    }
    return o->cycle[o->ncycle - 1].state;
}

static void derive_currents(msim_meter *mt)
{
    double p = mt->q[MSIM_P_KW], pf = mt->q[MSIM_PF];
    for (int k = 0; k < 3; k++) {
        if (mt->pinned[MSIM_I1 + k]) continue;
        double v = mt->q[MSIM_V1 + k];
        mt->q[MSIM_I1 + k] = (p > 0 && v > 0 && pf > 0) ? p * 1000.0 / (3.0 * v * pf) : 0.0;
    }
}

static void set_unpinned(msim_meter *mt, msim_qty q, double v)
{
    if (!mt->pinned[q]) mt->q[q] = v;
}

void msim_meter_settle(msim_meter *mt, const msim_opts *o)
{
    if (o->frozen) {
        for (int k = 0; k < 3; k++)
            set_unpinned(mt, (msim_qty)(MSIM_V1 + k), v_nominal[k]);
        set_unpinned(mt, MSIM_FREQ, 50.0);
        set_unpinned(mt, MSIM_P_KW, level_kw(o, mt->state));
        set_unpinned(mt, MSIM_PF, pf_target[mt->state]);
    }
    derive_currents(mt);
}

void msim_model_init(msim_model *m, const msim_opts *o, const int *meter_ids, size_t nids,
                     int64_t now_us)
{
    memset(m, 0, sizeof *m);
    m->o = o;
    size_t per_unit = meter_ids ? nids : 1;
    m->nmeters = per_unit * (size_t)o->nunits;
    m->meters = xcalloc(m->nmeters, sizeof *m->meters);
    m->start_us = m->last_us = now_us;
    double period = cycle_period(o);
    for (size_t k = 0; k < m->nmeters; k++) {
        msim_meter *mt = &m->meters[k];
        mt->unit = o->units[k / per_unit];
        mt->id = meter_ids ? meter_ids[k % per_unit] : mt->unit;
        mt->phase_s = fmod((double)k * period / (double)m->nmeters + (double)k * 0.37, period);
        mt->rng = o->seed * 0x100000001B3ULL ^ ((uint64_t)mt->unit << 32) ^ (uint64_t)mt->id;
        next_u64(&mt->rng);
        mt->held = o->start_state >= 0;
        mt->held_state = mt->held ? (msim_state)o->start_state : MSIM_OFF;
        mt->state = state_at(mt, o, 0);
        for (int i = 0; i < 3; i++)
            mt->q[MSIM_V1 + i] = v_nominal[i];
        mt->q[MSIM_FREQ] = 50.0;
        mt->q[MSIM_P_KW] = level_kw(o, mt->state);
        mt->q[MSIM_PF] = pf_target[mt->state];
        mt->q[MSIM_E_KWH] = o->energy_kwh;
        derive_currents(mt);
    }
}

void msim_model_free(msim_model *m)
{
    free(m->meters);
    memset(m, 0, sizeof *m);
}

/* One step of h seconds ending at t_s seconds since the start. */
static void step(msim_meter *mt, const msim_opts *o, double h, double t_s)
{
    mt->state = state_at(mt, o, t_s);
    double a = 1.0 - exp(-h / TAU_S);
    double p = mt->q[MSIM_P_KW];
    if (!mt->pinned[MSIM_P_KW]) {
        double target = level_kw(o, mt->state);
        p += (target - p) * a;
        if (target > 0) p *= 1.0 + 0.01 * gauss(&mt->rng) * sqrt(h);
        if (p < 0.001 && target == 0) p = 0.0;
        mt->q[MSIM_P_KW] = p < 0 ? 0 : p;
    }
    if (!mt->pinned[MSIM_PF]) mt->q[MSIM_PF] += (pf_target[mt->state] - mt->q[MSIM_PF]) * a;
    for (int k = 0; k < 4; k++) /* mean-reverting walks: 0.5 V, 0.02 Hz */
        mt->walk[k] += -mt->walk[k] * h / 10.0 + (k < 3 ? 0.5 : 0.02) * sqrt(h) * gauss(&mt->rng);
    for (int k = 0; k < 3; k++)
        set_unpinned(mt, (msim_qty)(MSIM_V1 + k),
                     v_nominal[k] + mt->walk[k] - V_PER_KW * mt->q[MSIM_P_KW]);
    set_unpinned(mt, MSIM_FREQ, 50.0 + mt->walk[3]);
    derive_currents(mt);
    for (int k = 0; k < 3; k++)
        if (!mt->pinned[MSIM_I1 + k]) mt->q[MSIM_I1 + k] *= imbalance[k];
    mt->q[MSIM_E_KWH] += mt->q[MSIM_P_KW] * h / 3600.0;
}

void msim_model_advance(msim_model *m, int64_t now_us)
{
    if (m->o->frozen || now_us <= m->last_us) {
        m->last_us = now_us > m->last_us ? now_us : m->last_us;
        return;
    }
    double from = (double)(m->last_us - m->start_us) / 1e6;
    double to = (double)(now_us - m->start_us) / 1e6;
    for (double t = from; t < to;) {
        double h = to - t < STEP_S ? to - t : STEP_S;
        t += h;
        for (size_t k = 0; k < m->nmeters; k++)
            step(&m->meters[k], m->o, h, t);
    }
    m->last_us = now_us;
}

static double line_voltage(double a, double b)
{
    return sqrt(a * a + b * b + a * b); /* phasors 120 degrees apart */
}

void msim_meter_values(const msim_meter *mt, msim_values *out)
{
    memset(out, 0, sizeof *out);
    for (int k = 0; k < 3; k++) {
        out->v[k] = mt->q[MSIM_V1 + k];
        out->i[k] = mt->q[MSIM_I1 + k];
    }
    out->v_avg = (out->v[0] + out->v[1] + out->v[2]) / 3.0;
    out->vll[0] = line_voltage(out->v[0], out->v[1]);
    out->vll[1] = line_voltage(out->v[1], out->v[2]);
    out->vll[2] = line_voltage(out->v[2], out->v[0]);
    out->vll_avg = (out->vll[0] + out->vll[1] + out->vll[2]) / 3.0;
    out->i_sum = out->i[0] + out->i[1] + out->i[2];
    out->i_avg = out->i_sum / 3.0;
    out->pf = mt->q[MSIM_PF];
    out->p_kw = mt->q[MSIM_P_KW];
    out->p_w_total = out->p_kw * 1000.0;
    for (int k = 0; k < 3; k++)
        out->p_w[k] = out->v[k] * out->i[k] * out->pf;
    out->freq = mt->q[MSIM_FREQ];
    out->e_kwh = mt->q[MSIM_E_KWH];
}
