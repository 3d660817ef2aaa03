/* SPDX-License-Identifier: Apache-2.0 */
/* Smart-meter property decoders (every "no data" value), kWh scaling, the 30-minute
 * consumption rule across midnight, and a reading assembled from a Get_Res frame. Times in
 * JST (no DST), built from the POSIX rule "JST-9" so no zoneinfo file is needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/clock.h"
#include "drivers/broute/collect.h"
#include "drivers/broute/hex.h"
#include "drivers/broute/meter.h"

#include <stdio.h>
#include <string.h>

static mdc_tz *jst;

static int setup(void **state)
{
    (void)state;
    mdc_err err;
    return mdc_tz_from_posix("JST-9", &jst, &err);
}

static int teardown(void **state)
{
    (void)state;
    mdc_tz_free(jst);
    return 0;
}

static size_t unhex(const char *hex, uint8_t *out)
{
    size_t n = strlen(hex) / 2;
    assert_int_equal(mdc_brt_hex_decode(hex, n, out), 0);
    return n;
}

static void utc_text(int64_t s, char *buf)
{
    mdc_format_utc_s(s * MDC_US_PER_SEC, buf, 40);
}

static void test_unit_coeff_digits(void **state)
{
    (void)state;
    static const struct {
        uint8_t code;
        int exp10;
    } units[] = {{0x00, 0}, {0x01, -1}, {0x02, -2}, {0x03, -3}, {0x04, -4},
                 {0x0A, 1}, {0x0B, 2},  {0x0C, 3},  {0x0D, 4}};
    mdc_err err = {0};
    int e;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        assert_int_equal(mdc_brt_dec_unit(&units[i].code, 1, &e, &err), 0);
        assert_int_equal(e, units[i].exp10);
    }
    assert_int_equal(mdc_brt_dec_unit((const uint8_t[]){0x05}, 1, &e, &err), -1);
    assert_string_equal(err.msg, "unit (E1): unknown code 0x05");
    assert_int_equal(mdc_brt_dec_unit((const uint8_t[]){1, 2}, 2, &e, &err), -1);
    assert_string_equal(err.msg, "unit (E1): 2 data bytes, expected 1");
    uint32_t c;
    assert_int_equal(mdc_brt_dec_coeff((const uint8_t[]){0, 0, 0, 10}, 4, &c, &err), 0);
    assert_int_equal(c, 10);
    assert_int_equal(mdc_brt_dec_coeff((const uint8_t[]){0, 0, 0, 0}, 4, &c, &err), -1);
    assert_string_equal(err.msg, "coefficient (D3): 0 is outside 1..999999");
    int d;
    assert_int_equal(mdc_brt_dec_digits((const uint8_t[]){7}, 1, &d, &err), 0); /* trace: D70107 */
    assert_int_equal(d, 7);
    assert_int_equal(mdc_brt_dec_digits((const uint8_t[]){9}, 1, &d, &err), -1);
}

static void test_kwh(void **state)
{
    (void)state;
    mdc_brt_scale s = {.unit_known = true, .exp10 = -2, .coeff = 1};
    assert_true(mdc_brt_kwh(76999, &s) == 769.99); /* exactly the double nearest 769.99 */
    s.exp10 = -1;
    assert_true(mdc_brt_kwh(0x0001E240, &s) == 12345.6);
    s.exp10 = 0;
    assert_true(mdc_brt_kwh(0x0001E240, &s) == 123456.0);
    s.exp10 = 1;
    assert_true(mdc_brt_kwh(0x0001E240, &s) == 1234560.0);
    s.exp10 = -1;
    s.coeff = 40; /* D3 */
    assert_true(mdc_brt_kwh(12345, &s) == 49380.0);
}

static void test_energy(void **state)
{
    (void)state;
    uint32_t raw;
    mdc_err err = {0};
    assert_int_equal(mdc_brt_dec_energy((const uint8_t[]){0, 1, 0xE2, 0x40}, 4, &raw, &err), 0);
    assert_int_equal(raw, 123456);
    assert_int_equal(mdc_brt_dec_energy((const uint8_t[]){0xFF, 0xFF, 0xFF, 0xFE}, 4, &raw, &err),
                     1);
    assert_int_equal(mdc_brt_dec_energy((const uint8_t[]){0x05, 0xF5, 0xE0, 0xFF}, 4, &raw, &err),
                     0);
    assert_int_equal(raw, 99999999);
    assert_int_equal(mdc_brt_dec_energy((const uint8_t[]){0x05, 0xF5, 0xE1, 0x00}, 4, &raw, &err),
                     -1);
    assert_string_equal(err.msg, "cumulative energy (E0): 0x05F5E100 is outside 0..99999999");
    assert_int_equal(mdc_brt_dec_energy((const uint8_t[]){0, 1, 2}, 3, &raw, &err), -1);
    assert_string_equal(err.msg, "cumulative energy (E0): 3 data bytes, expected 4");
}

static void test_power(void **state)
{
    (void)state;
    int32_t w;
    mdc_err err = {0};
    uint8_t b[4];
    unhex("000004A8", b); /* trace: 1192 W */
    assert_int_equal(mdc_brt_dec_power(b, 4, &w, &err), 0);
    assert_int_equal(w, 1192);
    unhex("FFFFFF9C", b); /* reverse flow: -100 W */
    assert_int_equal(mdc_brt_dec_power(b, 4, &w, &err), 0);
    assert_int_equal(w, -100);
    static const char *const nodata[] = {"7FFFFFFE", "7FFFFFFF", "80000000"};
    for (int i = 0; i < 3; i++) {
        unhex(nodata[i], b);
        assert_int_equal(mdc_brt_dec_power(b, 4, &w, &err), 1);
    }
    unhex("7FFFFFFD", b);
    assert_int_equal(mdc_brt_dec_power(b, 4, &w, &err), 0);
    assert_int_equal(w, 2147483645);
    assert_int_equal(mdc_brt_dec_power(b, 2, &w, &err), -1);
}

static void test_current(void **state)
{
    (void)state;
    mdc_brt_current c;
    mdc_err err = {0};
    uint8_t b[4];
    unhex("00620022", b); /* trace: R 9.8 A, T 3.4 A */
    assert_int_equal(mdc_brt_dec_current(b, 4, &c, &err), 0);
    assert_true(c.r_ok && c.t_ok && !c.single_phase);
    assert_int_equal(c.r, 98);
    assert_int_equal(c.t, 34);
    unhex("00627FFE", b); /* single-phase two-wire */
    assert_int_equal(mdc_brt_dec_current(b, 4, &c, &err), 0);
    assert_true(c.r_ok && !c.t_ok && c.single_phase);
    unhex("FFF67FFE", b); /* -1.0 A */
    assert_int_equal(mdc_brt_dec_current(b, 4, &c, &err), 0);
    assert_int_equal(c.r, -10);
    unhex("7FFE7FFF", b); /* R no data, T overflow */
    assert_int_equal(mdc_brt_dec_current(b, 4, &c, &err), 0);
    assert_true(!c.r_ok && !c.t_ok && !c.single_phase);
    unhex("80000062", b); /* R underflow */
    assert_int_equal(mdc_brt_dec_current(b, 4, &c, &err), 0);
    assert_true(!c.r_ok && c.t_ok);
    assert_int_equal(mdc_brt_dec_current(b, 2, &c, &err), 0); /* R alone: single phase */
    assert_true(c.single_phase && !c.r_ok);
    assert_int_equal(mdc_brt_dec_current(b, 3, &c, &err), -1);
    assert_string_equal(err.msg, "instantaneous current (E8): 3 data bytes, expected 4");
}

static void test_fixed(void **state)
{
    (void)state;
    mdc_brt_fixed fx;
    mdc_err err = {0};
    uint8_t b[11];
    unhex("07E6080114000000012CC7", b); /* trace */
    assert_int_equal(mdc_brt_dec_fixed(b, 11, &fx, &err), 0);
    assert_int_equal(fx.when.year, 2022);
    assert_int_equal(fx.when.month, 8);
    assert_int_equal(fx.when.day, 1);
    assert_int_equal(fx.when.hour, 20);
    assert_int_equal(fx.raw, 76999);
    assert_true(fx.value_ok);
    char ts[40];
    utc_text(mdc_brt_local_to_utc(jst, &fx.when), ts);
    assert_string_equal(ts, "2022-08-01T11:00:00+00:00");
    unhex("07E60801140000FFFFFFFE", b); /* value no data, time valid */
    assert_int_equal(mdc_brt_dec_fixed(b, 11, &fx, &err), 0);
    assert_false(fx.value_ok);
    unhex("FFFFFFFFFFFFFFFFFFFFFE", b); /* nothing measured yet */
    assert_int_equal(mdc_brt_dec_fixed(b, 11, &fx, &err), 1);
    unhex("07E6000114000000012CC7", b); /* month 0 */
    assert_int_equal(mdc_brt_dec_fixed(b, 11, &fx, &err), -1);
    assert_string_equal(err.msg,
                        "fixed-time cumulative energy (EA): invalid time 2022-00-01 20:00:00");
    unhex("07E4021E14000000012CC7", b); /* 2020-02-30 */
    assert_int_equal(mdc_brt_dec_fixed(b, 11, &fx, &err), -1);
    unhex("07E4021D14000000012CC7", b); /* 2020-02-29 is fine */
    assert_int_equal(mdc_brt_dec_fixed(b, 11, &fx, &err), 0);
}

static void history_init(mdc_brt_history *h, unsigned day)
{
    h->day = day;
    for (int i = 0; i < MDC_BRT_SLOTS; i++)
        h->slot[i] = MDC_BRT_NO_DATA_U32;
}

static void test_history_decode(void **state)
{
    (void)state;
    uint8_t b[194];
    memset(b, 0xFF, sizeof b);
    b[0] = 0;
    b[1] = 1;
    memcpy(b + 2, "\x00\x00\x03\xE8", 4);
    mdc_brt_history h;
    mdc_err err = {0};
    assert_int_equal(mdc_brt_dec_history(b, sizeof b, &h, &err), 0);
    assert_int_equal(h.day, 1);
    assert_int_equal(h.slot[0], 1000);
    assert_false(mdc_brt_slot_valid(h.slot[1]));
    assert_int_equal(mdc_brt_dec_history(b, 193, &h, &err), -1);
    assert_string_equal(err.msg, "energy history 1 (E2): 193 data bytes, expected 194");
    b[0] = 0;
    b[1] = 100;
    assert_int_equal(mdc_brt_dec_history(b, sizeof b, &h, &err), -1);
    assert_string_equal(err.msg, "energy history 1 (E2): day 100 is outside 0..99");
}

static const mdc_brt_date day27 = {2023, 10, 27};

static void expect_recent(const mdc_brt_history *t, const mdc_brt_history *y,
                          const mdc_brt_scale *s, mdc_brt_date date, int rc, const char *ts,
                          double kwh, const char *why)
{
    int64_t at = 0;
    double v = 0;
    mdc_err err = {0};
    assert_int_equal(mdc_brt_recent30(t, y, date, s, jst, &at, &v, &err), rc);
    if (rc == 0) {
        char buf[40];
        utc_text(at, buf);
        assert_string_equal(buf, ts);
        assert_true(v == kwh);
    }
    if (why) assert_string_equal(err.msg, why);
}

static void test_recent30(void **state)
{
    (void)state;
    mdc_brt_scale s = {.unit_known = true, .exp10 = -1, .coeff = 1};
    mdc_brt_history today, yest;
    /* seed-verified: 1000, 1010, 1025 → 1.5 kWh at 01:00 JST */
    history_init(&today, 0);
    today.slot[0] = 1000;
    today.slot[1] = 1010;
    today.slot[2] = 1025;
    expect_recent(&today, NULL, &s, day27, 0, "2023-10-26T16:00:00+00:00", 1.5, NULL);
    /* 00:00-00:30: only slot 0 today; yesterday's 23:30 is needed */
    history_init(&today, 0);
    today.slot[0] = 1000;
    expect_recent(&today, NULL, &s, day27, 1, NULL, 0, NULL);
    history_init(&yest, 1);
    yest.slot[46] = 900;
    yest.slot[47] = 947;
    expect_recent(&today, &yest, &s, day27, 0, "2023-10-26T15:00:00+00:00", 5.3, NULL);
    /* across a month and a year end */
    expect_recent(&today, &yest, &s, (mdc_brt_date){2024, 1, 1}, 0, "2023-12-31T15:00:00+00:00",
                  5.3, NULL);
    /* nothing today yet: yesterday's last half hour */
    history_init(&today, 0);
    expect_recent(&today, NULL, &s, day27, 1, NULL, 0, NULL);
    expect_recent(&today, &yest, &s, day27, 0, "2023-10-26T14:30:00+00:00", 4.7, NULL);
    /* a gap is never bridged: the value would span more than 30 minutes */
    history_init(&today, 0);
    today.slot[0] = 1000;
    today.slot[2] = 1025;
    expect_recent(&today, NULL, &s, day27, 2, NULL, 0,
                  "no value for the half hour before 01:00 (E2)");
    history_init(&yest, 1);
    history_init(&today, 0);
    today.slot[0] = 1000;
    expect_recent(&today, &yest, &s, day27, 2, NULL, 0,
                  "no value for the half hour before 00:00 (E2)");
    expect_recent(&yest, &yest, &s, day27, 2, NULL, 0,
                  "no half-hourly value today or yesterday (E2)");
    /* the counter wraps at the effective digits (D7) */
    history_init(&today, 0);
    today.slot[10] = 999990;
    today.slot[11] = 15;
    expect_recent(&today, NULL, &s, day27, 2, NULL, 0,
                  "the energy counter went down at 05:30 (E2)");
    s.digits = 6;
    expect_recent(&today, NULL, &s, day27, 0, "2023-10-26T20:30:00+00:00", 2.5, NULL);
    /* the last slot of the day */
    history_init(&today, 0);
    today.slot[46] = 100;
    today.slot[47] = 104;
    expect_recent(&today, NULL, &s, day27, 0, "2023-10-27T14:30:00+00:00", 0.4, NULL);
    s.unit_known = false;
    expect_recent(&today, NULL, &s, day27, 2, NULL, 0, "the energy unit (E1) is unknown");
}

static mdc_brt_reading read_frame(const char *hex, const mdc_brt_meter *m)
{
    static uint8_t b[256];
    mdc_el_frame f;
    mdc_err err;
    size_t n = unhex(hex, b);
    assert_int_equal(mdc_el_decode(b, n, &f, &err), 0);
    mdc_brt_reading r;
    int64_t ea;
    mdc_brt_date date = {0, 0, 0};
    mdc_brt_fill_reading(&f, m, jst, &r, &ea, &date);
    return r;
}

static void test_reading(void **state)
{
    (void)state;
    mdc_brt_meter m;
    mdc_brt_meter_init(&m);
    m.have_scale = true;
    m.scale = (mdc_brt_scale){.unit_known = true, .exp10 = -2, .coeff = 1};
    /* E0 76999, E7 1192 W, E8 9.8/3.4 A, EA 2022-08-01 20:00 76999 */
    mdc_brt_reading r =
        read_frame("1081000502880105FF017204E00400012CC7E704000004A8E80400620022EA0B"
                   "07E6080114000000012CC7",
                   &m);
    assert_int_equal(r.v[MDC_BRT_F_CUMULATIVE].kind, MDC_BRT_V_DOUBLE);
    assert_true(r.v[MDC_BRT_F_CUMULATIVE].d == 769.99);
    assert_int_equal(r.v[MDC_BRT_F_INSTANT].kind, MDC_BRT_V_INT);
    assert_int_equal(r.v[MDC_BRT_F_INSTANT].i, 1192);
    assert_true(r.v[MDC_BRT_F_CURRENT].d == 13.2);
    assert_true(r.v[MDC_BRT_F_CURRENT_R].d == 9.8);
    assert_true(r.v[MDC_BRT_F_CURRENT_T].d == 3.4);
    assert_int_equal(r.v[MDC_BRT_F_HIST_TS].kind, MDC_BRT_V_TIME);
    char ts[40];
    utc_text(r.v[MDC_BRT_F_HIST_TS].i, ts);
    assert_string_equal(ts, "2022-08-01T11:00:00+00:00");
    assert_true(r.v[MDC_BRT_F_HIST_KWH].d == 769.99);
    /* single phase: T is a plain null, the total is R */
    r = read_frame("1081000502880105FF017201E80400627FFE", &m);
    assert_true(r.v[MDC_BRT_F_CURRENT].d == 9.8);
    assert_true(r.v[MDC_BRT_F_CURRENT_R].d == 9.8);
    assert_int_equal(r.v[MDC_BRT_F_CURRENT_T].kind, MDC_BRT_V_NULL);
    /* no data everywhere: nulls with a reason */
    r = read_frame("1081000502880105FF017204E004FFFFFFFEE7047FFFFFFEE8047FFE7FFFEA0BFFFFFFFFFFFFFF"
                   "FFFFFFFE",
                   &m);
    for (int i = 0; i < MDC_BRT_F_RECENT_TS; i++)
        assert_int_equal(r.v[i].kind, MDC_BRT_V_ERROR);
    assert_string_equal(r.v[MDC_BRT_F_INSTANT].why, "the meter has no data (E7)");
    /* Get_SNA: a property the meter does not have */
    r = read_frame("1081000502880105FF015202E000E704000004A8", &m);
    assert_string_equal(r.v[MDC_BRT_F_CUMULATIVE].why, "the meter does not provide E0 (Get_SNA)");
    assert_int_equal(r.v[MDC_BRT_F_INSTANT].i, 1192);
    assert_string_equal(r.v[MDC_BRT_F_CURRENT_T].why, "the meter does not provide E8 (Get_SNA)");
    /* energy without a known unit */
    m.scale.unit_known = false;
    snprintf(m.scale_why, sizeof m.scale_why, "the meter did not give its energy unit (E1)");
    r = read_frame("1081000502880105FF017201E00400012CC7", &m);
    assert_string_equal(r.v[MDC_BRT_F_CUMULATIVE].why,
                        "the meter did not give its energy unit (E1)");
    /* the field names, in the order the Python tool emits them */
    static const char *const names[] = {"cumulative_power_kwh",
                                        "instant_power_w",
                                        "current_a",
                                        "current_r_a",
                                        "current_t_a",
                                        "historical_timestamp",
                                        "historical_cumulative_power_kwh",
                                        "recent_30min_timestamp",
                                        "recent_30min_consumption_kwh"};
    for (int i = 0; i < MDC_BRT_NFIELDS; i++)
        assert_string_equal(mdc_brt_field_names[i], names[i]);
    assert_null(mdc_brt_field_names[MDC_BRT_NFIELDS]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unit_coeff_digits),
        cmocka_unit_test(test_kwh),
        cmocka_unit_test(test_energy),
        cmocka_unit_test(test_power),
        cmocka_unit_test(test_current),
        cmocka_unit_test(test_fixed),
        cmocka_unit_test(test_history_decode),
        cmocka_unit_test(test_recent30),
        cmocka_unit_test(test_reading),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
