/* SPDX-License-Identifier: Apache-2.0 */
/* collect.c — a collection cycle: requests, decoding, the 30-minute value and its cache. */
#include "collect.h"

#include <stdio.h>
#include <string.h>

const char *const mdc_brt_field_names[MDC_BRT_NFIELDS + 1] = {
    "cumulative_power_kwh",
    "instant_power_w",
    "current_a",
    "current_r_a",
    "current_t_a",
    "historical_timestamp",
    "historical_cumulative_power_kwh",
    "recent_30min_timestamp", /* the seed README's (and CONFIG.md's) order */
    "recent_30min_consumption_kwh",
    NULL,
};

void mdc_brt_meter_init(mdc_brt_meter *m)
{
    memset(m, 0, sizeof *m);
    m->e5 = -1;
}

/* ---- values ---- */

static void set_double(mdc_brt_value *v, double d)
{
    v->kind = MDC_BRT_V_DOUBLE;
    v->d = d;
}

static void set_int(mdc_brt_value *v, int kind, int64_t i)
{
    v->kind = kind;
    v->i = i;
}

static void set_error(mdc_brt_value *v, const char *why)
{
    v->kind = MDC_BRT_V_ERROR;
    snprintf(v->why, sizeof v->why, "%s", why);
}

static void set_nodata(mdc_brt_value *v, uint8_t epc)
{
    v->kind = MDC_BRT_V_ERROR;
    snprintf(v->why, sizeof v->why, "the meter has no data (%02X)", epc);
}

/* The EDT of epc in a response, or NULL with v set to the reason. */
static const mdc_el_prop *prop_of(const mdc_el_frame *f, uint8_t epc, mdc_brt_value *v)
{
    const mdc_el_prop *p = mdc_el_find(f, epc);
    if (p && p->pdc) return p;
    v->kind = MDC_BRT_V_ERROR;
    snprintf(v->why, sizeof v->why, "the meter does not provide %02X (Get_SNA)", epc);
    return NULL;
}

static void energy_value(const mdc_brt_meter *m, uint32_t raw, mdc_brt_value *v)
{
    if (m->scale.unit_known)
        set_double(v, mdc_brt_kwh(raw, &m->scale));
    else
        set_error(v, m->scale_why);
}

static void fill_energy(const mdc_el_frame *f, const mdc_brt_meter *m, mdc_brt_value *v)
{
    const mdc_el_prop *p = prop_of(f, MDC_BRT_EPC_ENERGY, v);
    uint32_t raw;
    mdc_err e;
    if (!p) return;
    int rc = mdc_brt_dec_energy(p->edt, p->pdc, &raw, &e);
    if (rc < 0) set_error(v, e.msg);
    if (rc > 0) set_nodata(v, p->epc);
    if (rc == 0) energy_value(m, raw, v);
}

static void fill_power(const mdc_el_frame *f, mdc_brt_value *v)
{
    const mdc_el_prop *p = prop_of(f, MDC_BRT_EPC_POWER, v);
    int32_t w;
    mdc_err e;
    if (!p) return;
    int rc = mdc_brt_dec_power(p->edt, p->pdc, &w, &e);
    if (rc < 0) set_error(v, e.msg);
    if (rc > 0) set_nodata(v, p->epc);
    if (rc == 0) set_int(v, MDC_BRT_V_INT, w);
}

static void fill_current(const mdc_el_frame *f, mdc_brt_value *v /* [3]: sum, R, T */)
{
    const mdc_el_prop *p = prop_of(f, MDC_BRT_EPC_CURRENT, &v[0]);
    mdc_brt_current c;
    mdc_err e;
    if (!p || mdc_brt_dec_current(p->edt, p->pdc, &c, &e) < 0) {
        if (p) set_error(&v[0], e.msg);
        v[1] = v[2] = v[0];
        return;
    }
    if (c.r_ok)
        set_double(&v[1], c.r / 10.0);
    else
        set_nodata(&v[1], p->epc);
    if (c.single_phase) {
        v[2].kind = MDC_BRT_V_NULL;
        v[0] = v[1];
        return;
    }
    if (c.t_ok)
        set_double(&v[2], c.t / 10.0);
    else
        set_nodata(&v[2], p->epc);
    if (c.r_ok && c.t_ok)
        set_double(&v[0], (c.r + c.t) / 10.0);
    else
        set_nodata(&v[0], p->epc);
}

static void fill_fixed(const mdc_el_frame *f, const mdc_brt_meter *m, const mdc_tz *tz,
                       mdc_brt_value *ts, mdc_brt_value *kwh, int64_t *ea_ts, mdc_brt_date *ea_date)
{
    const mdc_el_prop *p = prop_of(f, MDC_BRT_EPC_FIXED, ts);
    mdc_brt_fixed fx;
    mdc_err e;
    *ea_ts = INT64_MIN;
    int rc = p ? mdc_brt_dec_fixed(p->edt, p->pdc, &fx, &e) : -2;
    if (rc == -1) set_error(ts, e.msg);
    if (rc == 1) set_nodata(ts, p->epc);
    if (rc != 0) {
        *kwh = *ts;
        return;
    }
    *ea_ts = mdc_brt_local_to_utc(tz, &fx.when);
    *ea_date = (mdc_brt_date){fx.when.year, fx.when.month, fx.when.day};
    set_int(ts, MDC_BRT_V_TIME, *ea_ts);
    if (fx.value_ok)
        energy_value(m, fx.raw, kwh);
    else
        set_nodata(kwh, p->epc);
}

void mdc_brt_fill_reading(const mdc_el_frame *props, const mdc_brt_meter *m, const mdc_tz *tz,
                          mdc_brt_reading *out, int64_t *ea_ts, mdc_brt_date *ea_date)
{
    memset(out, 0, sizeof *out);
    fill_energy(props, m, &out->v[MDC_BRT_F_CUMULATIVE]);
    fill_power(props, &out->v[MDC_BRT_F_INSTANT]);
    fill_current(props, &out->v[MDC_BRT_F_CURRENT]);
    fill_fixed(props, m, tz, &out->v[MDC_BRT_F_HIST_TS], &out->v[MDC_BRT_F_HIST_KWH], ea_ts,
               ea_date);
}

/* ---- requests ---- */

static void get_frame(mdc_el_frame *f, const uint8_t *epcs, unsigned n)
{
    memset(f, 0, sizeof *f);
    f->seoj = MDC_EL_EOJ_CONTROLLER;
    f->deoj = MDC_EL_EOJ_SMART_METER;
    f->esv = MDC_EL_GET;
    f->opc = (uint8_t)n;
    for (unsigned i = 0; i < n; i++)
        f->props[i].epc = epcs[i];
}

static int get(mdc_brt_session *s, const uint8_t *epcs, unsigned n, mdc_el_frame *res, uint8_t *buf,
               mdc_err *err)
{
    mdc_el_frame req;
    get_frame(&req, epcs, n);
    return mdc_brt_request(s, &req, res, buf, err);
}

static void read_scale_props(const mdc_el_frame *f, mdc_brt_meter *m)
{
    const mdc_el_prop *p;
    mdc_err e;
    m->scale.coeff = 1;
    m->scale.unit_known = false;
    snprintf(m->scale_why, sizeof m->scale_why, "the meter did not give its energy unit (E1)");
    if ((p = mdc_el_find(f, MDC_BRT_EPC_UNIT)) && p->pdc) {
        if (mdc_brt_dec_unit(p->edt, p->pdc, &m->scale.exp10, &e) == 0)
            m->scale.unit_known = true;
        else
            snprintf(m->scale_why, sizeof m->scale_why, "%s", e.msg);
    }
    if ((p = mdc_el_find(f, MDC_BRT_EPC_COEFF)) && p->pdc)
        mdc_brt_dec_coeff(p->edt, p->pdc, &m->scale.coeff, &e);
    if ((p = mdc_el_find(f, MDC_BRT_EPC_DIGITS)) && p->pdc)
        mdc_brt_dec_digits(p->edt, p->pdc, &m->scale.digits, &e);
}

static int read_scale(mdc_brt_session *s, mdc_brt_meter *m, mdc_err *err)
{
    static const uint8_t epcs[] = {MDC_BRT_EPC_UNIT, MDC_BRT_EPC_COEFF, MDC_BRT_EPC_DIGITS};
    uint8_t buf[MDC_EL_FRAME_MAX];
    mdc_el_frame res;
    if (get(s, epcs, 3, &res, buf, err) < 0) return -1;
    read_scale_props(&res, m);
    m->have_scale = true;
    return 0;
}

/* SetC E5 = day, unless the meter has it already. */
static int set_day(mdc_brt_session *s, mdc_brt_meter *m, int day, mdc_err *err)
{
    if (m->e5 == day) return 0;
    uint8_t edt = (uint8_t)day, buf[MDC_EL_FRAME_MAX];
    mdc_el_frame req, res;
    memset(&req, 0, sizeof req);
    req.seoj = MDC_EL_EOJ_CONTROLLER;
    req.deoj = MDC_EL_EOJ_SMART_METER;
    req.esv = MDC_EL_SETC;
    req.opc = 1;
    req.props[0] = (mdc_el_prop){MDC_BRT_EPC_HIST_DAY, 1, &edt};
    m->e5 = -1;
    if (mdc_brt_request(s, &req, &res, buf, err) < 0) return -1;
    if (res.esv != MDC_EL_SET_RES)
        return mdc_err_set(err, MDC_EDEVICE, "the meter refused E5 = %d (SetC_SNA)", day);
    m->e5 = day;
    return 0;
}

/* History 1 of `day` days ago (E5 then E2), checking the day the meter says it is for. */
static int history(mdc_brt_session *s, mdc_brt_meter *m, int day, mdc_brt_history *h, mdc_err *err)
{
    static const uint8_t epc[] = {MDC_BRT_EPC_HISTORY};
    for (int pass = 0; pass < 2; pass++) {
        uint8_t buf[MDC_EL_FRAME_MAX];
        mdc_el_frame res;
        if (set_day(s, m, day, err) < 0 || get(s, epc, 1, &res, buf, err) < 0) return -1;
        const mdc_el_prop *p = mdc_el_find(&res, MDC_BRT_EPC_HISTORY);
        if (!p || !p->pdc)
            return mdc_err_set(err, MDC_EDEVICE, "the meter does not provide E2 (Get_SNA)");
        if (mdc_brt_dec_history(p->edt, p->pdc, h, err) < 0) return -1;
        if ((int)h->day == day) return 0;
        m->e5 = -1; /* someone changed E5: set it again */
    }
    return mdc_err_set(err, MDC_EDEVICE, "E2 holds day %u although E5 was set to %d", h->day, day);
}

static void recent_error(mdc_brt_reading *out, const char *why)
{
    set_error(&out->v[MDC_BRT_F_RECENT_KWH], why);
    out->v[MDC_BRT_F_RECENT_TS] = out->v[MDC_BRT_F_RECENT_KWH];
}

static void recent(mdc_brt_session *s, mdc_brt_meter *m, const mdc_tz *tz, mdc_brt_date date,
                   mdc_brt_reading *out)
{
    mdc_brt_history today, yesterday;
    mdc_err e = {0};
    int64_t ts = 0;
    double kwh = 0;
    int rc = history(s, m, 0, &today, &e) < 0
                 ? -1
                 : mdc_brt_recent30(&today, NULL, date, &m->scale, tz, &ts, &kwh, &e);
    if (rc == 1)
        rc = history(s, m, 1, &yesterday, &e) < 0
                 ? -1
                 : mdc_brt_recent30(&today, &yesterday, date, &m->scale, tz, &ts, &kwh, &e);
    if (rc != 0) {
        recent_error(out, e.msg);
        return;
    }
    set_double(&out->v[MDC_BRT_F_RECENT_KWH], kwh);
    set_int(&out->v[MDC_BRT_F_RECENT_TS], MDC_BRT_V_TIME, ts);
}

static mdc_brt_date local_date(const mdc_tz *tz, int64_t now_s)
{
    mdc_civil c;
    mdc_tz_to_local(tz, now_s, &c);
    return (mdc_brt_date){c.year, c.month, c.day};
}

int mdc_brt_collect(mdc_brt_session *s, mdc_brt_meter *m, const mdc_tz *tz, int64_t now_s,
                    mdc_brt_reading *out, mdc_err *err)
{
    static const uint8_t epcs[] = {MDC_BRT_EPC_ENERGY, MDC_BRT_EPC_POWER, MDC_BRT_EPC_CURRENT,
                                   MDC_BRT_EPC_FIXED};
    uint8_t buf[MDC_EL_FRAME_MAX];
    mdc_el_frame res;
    if (mdc_brt_session_ensure(s, err) < 0) return -1;
    if (m->join_count != mdc_brt_session_join_count(s)) { /* a new session: E5 unknown */
        m->join_count = mdc_brt_session_join_count(s);
        m->e5 = -1;
    }
    if (!m->have_scale && read_scale(s, m, err) < 0) return -1;
    if (get(s, epcs, 4, &res, buf, err) < 0) return -1;
    int64_t ea_ts;
    mdc_brt_date date = local_date(tz, now_s);
    mdc_brt_fill_reading(&res, m, tz, out, &ea_ts, &date);
    if (m->have_recent && ea_ts != INT64_MIN && m->recent_key == ea_ts) {
        out->v[MDC_BRT_F_RECENT_KWH] = m->recent_kwh;
        out->v[MDC_BRT_F_RECENT_TS] = m->recent_ts;
        return 0;
    }
    recent(s, m, tz, date, out); /* a failure here leaves the other values */
    const mdc_brt_value *rts = &out->v[MDC_BRT_F_RECENT_TS];
    m->have_recent = ea_ts != INT64_MIN && rts->kind == MDC_BRT_V_TIME && rts->i == ea_ts;
    if (m->have_recent) {
        m->recent_key = ea_ts;
        m->recent_kwh = out->v[MDC_BRT_F_RECENT_KWH];
        m->recent_ts = *rts;
    }
    return 0;
}
