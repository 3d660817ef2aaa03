/* SPDX-License-Identifier: Apache-2.0 */
/* meter.c — EDT decoders of the low-voltage smart electric energy meter and kWh scaling. */
#include "meter.h"

#include <string.h>

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int16_t be16s(const uint8_t *p)
{
    return (int16_t)(uint16_t)(p[0] << 8 | p[1]);
}

static int bad_len(mdc_err *err, const char *what, size_t n, const char *want)
{
    return mdc_err_set(err, MDC_EPROTO, "%s: %zu data bytes, expected %s", what, n, want);
}

double mdc_brt_kwh(int64_t raw, const mdc_brt_scale *s)
{
    int64_t v = raw * (int64_t)(s->coeff ? s->coeff : 1);
    int64_t p = 1;
    int e = s->exp10 < 0 ? -s->exp10 : s->exp10;
    for (int i = 0; i < e; i++)
        p *= 10;
    return s->exp10 < 0 ? (double)v / (double)p : (double)v * (double)p;
}

int mdc_brt_dec_unit(const uint8_t *edt, size_t n, int *exp10, mdc_err *err)
{
    if (n != 1) return bad_len(err, "unit (E1)", n, "1");
    static const struct {
        uint8_t code;
        int exp10;
    } units[] = {{0x00, 0}, {0x01, -1}, {0x02, -2}, {0x03, -3}, {0x04, -4},
                 {0x0A, 1}, {0x0B, 2},  {0x0C, 3},  {0x0D, 4}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (units[i].code == edt[0]) {
            *exp10 = units[i].exp10;
            return 0;
        }
    return mdc_err_set(err, MDC_EPROTO, "unit (E1): unknown code 0x%02X", edt[0]);
}

int mdc_brt_dec_coeff(const uint8_t *edt, size_t n, uint32_t *coeff, mdc_err *err)
{
    if (n != 4) return bad_len(err, "coefficient (D3)", n, "4");
    uint32_t v = be32(edt);
    if (v < 1 || v > 999999)
        return mdc_err_set(err, MDC_EPROTO, "coefficient (D3): %u is outside 1..999999", v);
    *coeff = v;
    return 0;
}

int mdc_brt_dec_digits(const uint8_t *edt, size_t n, int *digits, mdc_err *err)
{
    if (n != 1) return bad_len(err, "effective digits (D7)", n, "1");
    if (edt[0] < 1 || edt[0] > 8)
        return mdc_err_set(err, MDC_EPROTO, "effective digits (D7): %u is outside 1..8", edt[0]);
    *digits = edt[0];
    return 0;
}

int mdc_brt_dec_energy(const uint8_t *edt, size_t n, uint32_t *raw, mdc_err *err)
{
    if (n != 4) return bad_len(err, "cumulative energy (E0)", n, "4");
    uint32_t v = be32(edt);
    if (v == MDC_BRT_NO_DATA_U32) return 1;
    if (v > MDC_BRT_ENERGY_MAX)
        return mdc_err_set(err, MDC_EPROTO, "cumulative energy (E0): 0x%08X is outside 0..99999999",
                           v);
    *raw = v;
    return 0;
}

int mdc_brt_dec_power(const uint8_t *edt, size_t n, int32_t *watts, mdc_err *err)
{
    if (n != 4) return bad_len(err, "instantaneous power (E7)", n, "4");
    uint32_t v = be32(edt);
    if (v == 0x7FFFFFFEu || v == 0x7FFFFFFFu || v == 0x80000000u) return 1;
    *watts = (int32_t)v;
    return 0;
}

static bool current_ok(int16_t v)
{
    return v != 0x7FFE && v != 0x7FFF && v != INT16_MIN;
}

int mdc_brt_dec_current(const uint8_t *edt, size_t n, mdc_brt_current *out, mdc_err *err)
{
    memset(out, 0, sizeof *out);
    if (n != 4 && n != 2) return bad_len(err, "instantaneous current (E8)", n, "4");
    out->r = be16s(edt);
    out->r_ok = current_ok(out->r);
    if (n == 2) { /* R alone: a single-phase two-wire meter */
        out->single_phase = true;
        return 0;
    }
    out->t = be16s(edt + 2);
    out->t_ok = current_ok(out->t);
    out->single_phase = out->t == 0x7FFE;
    return 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

int mdc_brt_dec_fixed(const uint8_t *edt, size_t n, mdc_brt_fixed *out, mdc_err *err)
{
    if (n != 11) return bad_len(err, "fixed-time cumulative energy (EA)", n, "11");
    memset(out, 0, sizeof *out);
    bool all_ff = true;
    for (int i = 0; i < 7; i++)
        all_ff = all_ff && edt[i] == 0xFF;
    if (all_ff) return 1;
    mdc_civil *c = &out->when;
    c->year = edt[0] << 8 | edt[1];
    c->month = edt[2];
    c->day = edt[3];
    c->hour = edt[4];
    c->minute = edt[5];
    c->second = edt[6];
    if (c->year < 1 || c->month < 1 || c->month > 12 || c->day < 1 ||
        c->day > days_in_month(c->year, c->month) || c->hour > 23 || c->minute > 59 ||
        c->second > 59)
        return mdc_err_set(err, MDC_EPROTO,
                           "fixed-time cumulative energy (EA): invalid time %04lld-%02d-%02d "
                           "%02d:%02d:%02d",
                           (long long)c->year, c->month, c->day, c->hour, c->minute, c->second);
    out->raw = be32(edt + 7);
    out->value_ok = mdc_brt_slot_valid(out->raw);
    return 0;
}

bool mdc_brt_slot_valid(uint32_t v)
{
    return v <= MDC_BRT_ENERGY_MAX;
}

int mdc_brt_dec_history(const uint8_t *edt, size_t n, mdc_brt_history *out, mdc_err *err)
{
    if (n != 2 + 4 * MDC_BRT_SLOTS) return bad_len(err, "energy history 1 (E2)", n, "194");
    out->day = (unsigned)(edt[0] << 8 | edt[1]);
    if (out->day > 99)
        return mdc_err_set(err, MDC_EPROTO, "energy history 1 (E2): day %u is outside 0..99",
                           out->day);
    for (int i = 0; i < MDC_BRT_SLOTS; i++)
        out->slot[i] = be32(edt + 2 + 4 * i);
    return 0;
}

int64_t mdc_brt_local_to_utc(const mdc_tz *tz, const mdc_civil *local)
{
    int64_t first = 0, second = 0;
    mdc_tz_from_local(tz, local, &first, &second);
    return first;
}

static int latest_valid(const mdc_brt_history *h)
{
    for (int i = MDC_BRT_SLOTS - 1; i >= 0; i--)
        if (mdc_brt_slot_valid(h->slot[i])) return i;
    return -1;
}

static int no_value(mdc_err *err, const char *why, int slot)
{
    return mdc_err_set(err, MDC_EDEVICE, why, slot / 2, slot % 2 * 30), 2;
}

int mdc_brt_recent30(const mdc_brt_history *today, const mdc_brt_history *yesterday,
                     mdc_brt_date date, const mdc_brt_scale *scale, const mdc_tz *tz,
                     int64_t *ts_utc, double *kwh, mdc_err *err)
{
    const mdc_brt_history *h = today;
    int day_off = 0, last = latest_valid(today);
    if (last < 0) {
        if (!yesterday) return 1;
        h = yesterday;
        day_off = -1;
        last = latest_valid(yesterday);
        if (last < 0) {
            mdc_err_set(err, MDC_EDEVICE, "no half-hourly value today or yesterday (E2)");
            return 2;
        }
    }
    uint32_t prev;
    if (last > 0)
        prev = h->slot[last - 1];
    else if (h == today && yesterday)
        prev = yesterday->slot[MDC_BRT_SLOTS - 1];
    else if (h == today)
        return 1;
    else
        return no_value(err, "no value before yesterday's %02d:%02d (E2)", last);
    if (!mdc_brt_slot_valid(prev))
        return no_value(err, "no value for the half hour before %02d:%02d (E2)", last);
    int64_t diff = (int64_t)h->slot[last] - (int64_t)prev;
    if (diff < 0 && scale->digits > 0) {
        int64_t wrap = 1;
        for (int i = 0; i < scale->digits; i++)
            wrap *= 10;
        diff += wrap;
    }
    if (diff < 0) return no_value(err, "the energy counter went down at %02d:%02d (E2)", last);
    if (!scale->unit_known) {
        mdc_err_set(err, MDC_EDEVICE, "the energy unit (E1) is unknown");
        return 2;
    }
    mdc_civil c = {.year = date.year,
                   .month = date.month,
                   .day = date.day + day_off,
                   .hour = last / 2,
                   .minute = last % 2 * 30};
    *ts_utc = mdc_brt_local_to_utc(tz, &c);
    *kwh = mdc_brt_kwh(diff, scale);
    return 0;
}
