/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: ECHONET Lite frames (decode, re-encode to the same bytes, response matching) and
 * every smart-meter EDT decoder on the properties found, including the 30-minute rule. */
#include "drivers/broute/collect.h"
#include "drivers/broute/echonet.h"
#include "drivers/broute/meter.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mdc_tz *jst;

static void decoders(const mdc_el_prop *p)
{
    mdc_err err;
    int e, d;
    uint32_t u;
    int32_t w;
    mdc_brt_current c;
    mdc_brt_fixed fx;
    mdc_brt_history h;
    mdc_brt_dec_unit(p->edt, p->pdc, &e, &err);
    mdc_brt_dec_coeff(p->edt, p->pdc, &u, &err);
    mdc_brt_dec_digits(p->edt, p->pdc, &d, &err);
    mdc_brt_dec_energy(p->edt, p->pdc, &u, &err);
    mdc_brt_dec_power(p->edt, p->pdc, &w, &err);
    mdc_brt_dec_current(p->edt, p->pdc, &c, &err);
    if (mdc_brt_dec_fixed(p->edt, p->pdc, &fx, &err) == 0) {
        if (fx.when.month < 1 || fx.when.month > 12 || fx.when.day < 1 || fx.when.hour > 23)
            abort();
        mdc_brt_local_to_utc(jst, &fx.when);
    }
    if (mdc_brt_dec_history(p->edt, p->pdc, &h, &err) == 0) {
        mdc_brt_scale s = {
            .unit_known = true, .exp10 = p->edt[2] % 5 - 2, .coeff = 1, .digits = p->edt[3] % 9};
        mdc_brt_date date = {2023, 1 + p->edt[4] % 12, 1 + p->edt[5] % 31};
        int64_t ts;
        double kwh;
        int rc = mdc_brt_recent30(&h, NULL, date, &s, jst, &ts, &kwh, &err);
        if (rc == 1) rc = mdc_brt_recent30(&h, &h, date, &s, jst, &ts, &kwh, &err);
        if (rc == 0 && !(kwh >= 0)) abort();
        if (rc < 0 || rc > 2) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!jst) {
        mdc_err err;
        if (mdc_tz_from_posix("JST-9", &jst, &err) < 0) abort();
    }
    mdc_el_frame f;
    mdc_err err;
    if (mdc_el_decode(data, size, &f, &err) < 0) {
        if (err.code != MDC_EPROTO) abort();
        return 0;
    }
    static uint8_t again[1 << 17]; /* a frame's largest: 12 + 255 properties of 2 + 255 bytes */
    size_t n = mdc_el_encode(&f, again, sizeof again);
    if (n != size || memcmp(again, data, size) != 0) abort();
    for (unsigned i = 0; i < f.opc; i++)
        decoders(&f.props[i]);
    /* as a response to a Get of the same properties */
    mdc_el_frame req;
    memset(&req, 0, sizeof req);
    req.tid = f.tid;
    req.seoj = MDC_EL_EOJ_CONTROLLER;
    req.deoj = MDC_EL_EOJ_SMART_METER;
    req.esv = MDC_EL_GET;
    req.opc = f.opc;
    for (unsigned i = 0; i < f.opc; i++)
        req.props[i].epc = f.props[i].epc;
    mdc_el_match(&req, &f, &err);
    /* a reading assembled from it */
    mdc_brt_meter m;
    mdc_brt_meter_init(&m);
    m.scale = (mdc_brt_scale){.unit_known = true, .exp10 = -1, .coeff = 1};
    mdc_brt_reading r;
    int64_t ea;
    mdc_brt_date date = {0, 0, 0};
    mdc_brt_fill_reading(&f, &m, jst, &r, &ea, &date);
    for (int i = 0; i < MDC_BRT_F_RECENT_KWH; i++)
        if (r.v[i].kind > MDC_BRT_V_ERROR) abort();
    return 0;
}
