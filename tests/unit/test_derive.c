/* SPDX-License-Identifier: Apache-2.0 */
/* Derive rules: status, energy deltas (reset, spike, restart), parts (edges, debounce,
 * counter, restart with the flag high) and shifts in a time zone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/confread.h"
#include "derive/derive.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* 2026-11-22T00:30:00Z = 06:00 in Asia/Kolkata */
#define T0  (INT64_C(1795307400) * MDC_US_PER_SEC)
#define MIN (60 * MDC_US_PER_SEC)

/* Field names in a derive config point into its document: keep the documents until the end. */
static mdc_cfgdoc *docs[32];
static size_t ndocs;

static int free_docs(void **state)
{
    (void)state;
    while (ndocs)
        mdc_cfgdoc_free(docs[--ndocs]);
    return 0;
}

static mdc_derive_cfg parse_cfg(const char *json)
{
    mdc_cfgdoc *doc;
    mdc_err err;
    assert_int_equal(mdc_cfgdoc_load_string("d.json", json, strlen(json), &doc, &err), 0);
    mdc_cfgnode root = mdc_cfgdoc_root(doc);
    static const char *const fields[] = {"power", "freq",         "energy",     "flag", "count",
                                         "prog",  "_part_signal", "part_count", NULL};
    mdc_derive_cfg cfg;
    if (mdc_derive_parse(&root, fields, "_part_signal", &cfg, &err) < 0) fail_msg("%s", err.msg);
    docs[ndocs++] = doc;
    return cfg;
}

static mdc_record rec_at(int64_t ts)
{
    mdc_record r;
    mdc_record_init(&r);
    r.ts_us = ts;
    mdc_record_set_device(&r, "m");
    return r;
}

static void test_status_power(void **state)
{
    (void)state;
    mdc_derive_cfg cfg = parse_cfg("{\"status\": {\"power\": \"power\", \"production_above\": 4.5,"
                                   " \"on_when\": {\"point\": \"freq\", \"above\": 0}}}");
    mdc_record r = rec_at(T0);
    mdc_field *p = mdc_record_add_double(&r, "power", 5.2);
    mdc_field *f = mdc_record_add_double(&r, "freq", 50);
    assert_int_equal(mdc_derive_status(&cfg, &r), 2);
    mdc_field_set_double(p, -4.6); /* |P| counts: a meter wired backwards still produces */
    assert_int_equal(mdc_derive_status(&cfg, &r), 2);
    mdc_field_set_double(p, 4.5); /* not above */
    assert_int_equal(mdc_derive_status(&cfg, &r), 1);
    mdc_field_set_double(f, 0);
    assert_int_equal(mdc_derive_status(&cfg, &r), 0);
    mdc_field_set_error(p, "timeout"); /* no power reading: OFF, like the seed */
    mdc_field_set_double(f, 50);
    assert_int_equal(mdc_derive_status(&cfg, &r), 0);
    mdc_field_set_double(p, 9);
    mdc_record_set_error(&r, "unreachable");
    assert_int_equal(mdc_derive_status(&cfg, &r), 0);
    mdc_record_free(&r);
}

static void test_status_power_without_on_rule(void **state)
{
    (void)state;
    mdc_derive_cfg cfg = parse_cfg("{\"status\": {\"power\": \"power\", \"production_above\": 1}}");
    mdc_record r = rec_at(T0);
    mdc_field *p = mdc_record_add_double(&r, "power", 0.5);
    assert_int_equal(mdc_derive_status(&cfg, &r), 1);
    mdc_field_set_double(p, 0);
    assert_int_equal(mdc_derive_status(&cfg, &r), 0);
    mdc_record_free(&r);
}

static void test_status_production_when(void **state)
{
    (void)state;
    mdc_derive_cfg cfg =
        parse_cfg("{\"status\": {\"production_when\": {\"node\": \"prog\", \"equals\": 3}}}");
    mdc_record r = rec_at(T0);
    mdc_field *p = mdc_record_add_int(&r, "prog", 3);
    assert_int_equal(mdc_derive_status(&cfg, &r), 2);
    mdc_field_set_int(p, 2);
    assert_int_equal(mdc_derive_status(&cfg, &r), 1);
    mdc_record_free(&r);
    /* no status rules: the driver's status is kept */
    mdc_derive_cfg none = parse_cfg("{}");
    r = rec_at(T0);
    r.status = 2;
    assert_int_equal(mdc_derive_status(&none, &r), 2);
    r.status = MDC_STATUS_NONE;
    assert_int_equal(mdc_derive_status(&none, &r), MDC_STATUS_NONE);
    mdc_record_free(&r);
}

static double energy_step(const mdc_derive_cfg *cfg, mdc_derive_state *st, double e, int64_t ts,
                          strbuf *events)
{
    mdc_record r = rec_at(ts);
    mdc_record_add_double(&r, "energy", e);
    mdc_derive_apply(cfg, NULL, st, &r, events);
    mdc_field *d = mdc_record_find(&r, "energy_delta_kwh");
    assert_non_null(d);
    assert_int_equal(d->v.type, MDC_DOUBLE);
    double v = d->v.u.d;
    mdc_record_free(&r);
    return v;
}

static void test_energy_rules(void **state)
{
    (void)state;
    mdc_derive_cfg cfg = parse_cfg("{\"energy\": {\"point\": \"energy\", \"max_delta\": 10}}");
    mdc_derive_state st;
    mdc_derive_state_init(&st);
    strbuf ev = STRBUF_INIT;
    assert_true(energy_step(&cfg, &st, 1000.0, T0, &ev) == 0.0); /* baseline */
    assert_true(energy_step(&cfg, &st, 1000.5, T0 + MIN, &ev) == 0.5);
    assert_true(energy_step(&cfg, &st, 1010.5, T0 + 2 * MIN, &ev) == 10.0); /* exactly the limit */
    assert_string_equal(sb_str(&ev), "");
    assert_true(energy_step(&cfg, &st, 3.0, T0 + 3 * MIN, &ev) == 0.0); /* meter reset */
    assert_string_equal(sb_str(&ev), "meter reset or rollover: energy went from 1010.5000 to "
                                     "3.0000; delta skipped\n");
    assert_true(energy_step(&cfg, &st, 3.25, T0 + 4 * MIN, &ev) == 0.25); /* baseline moved */
    sb_reset(&ev);
    assert_true(energy_step(&cfg, &st, 503.25, T0 + 5 * MIN, &ev) == 0.0); /* spike */
    assert_string_equal(sb_str(&ev), "energy spike ignored: energy rose by 500.0000 (limit 10) "
                                     "from 3.2500 to 503.2500\n");
    assert_true(energy_step(&cfg, &st, 504.0, T0 + 6 * MIN, &ev) == 0.75);
    assert_true(st.shift_energy == 11.5); /* 0.5 + 10 + 0.25 + 0.75 */

    /* restart: the state goes through its JSON form; the next delta counts once */
    strbuf js = STRBUF_INIT;
    mdc_derive_state_to_json(&st, &js);
    mdc_derive_state st2;
    mdc_err err;
    assert_int_equal(mdc_derive_state_from_json(sb_str(&js), &st2, &err), 0);
    assert_true(energy_step(&cfg, &st2, 506.0, T0 + 60 * MIN, &ev) == 2.0);
    /* deltas are rounded as BELmc's round(E - last, 4): an exact binary tie goes to even
     * (0.03125 → 0.0312; half away from zero gave 0.0313), and a tiny decrease is +0, not -0 */
    assert_true(energy_step(&cfg, &st2, 506.03125, T0 + 61 * MIN, &ev) == 0.0312);
    double z = energy_step(&cfg, &st2, 506.03124, T0 + 62 * MIN, &ev);
    assert_true(z == 0.0 && !signbit(z));
    sb_free(&js);
    sb_free(&ev);
}

static int64_t parts_step(const mdc_derive_cfg *cfg, mdc_derive_state *st, const char *field,
                          double v, int64_t ts, int64_t *count)
{
    mdc_record r = rec_at(ts);
    if (strcmp(field, "_part_signal") == 0 || strcmp(field, "flag") == 0)
        mdc_record_add_double(&r, field, v);
    else
        mdc_record_add_int(&r, field, (int64_t)v);
    mdc_derive_apply(cfg, NULL, st, &r, NULL);
    assert_null(mdc_record_find(&r, "_part_signal")); /* hidden fields never leave derive */
    mdc_field *d = mdc_record_find(&r, "part_count_delta");
    mdc_field *c = mdc_record_find(&r, "part_count");
    assert_non_null(d);
    assert_non_null(c);
    *count = c->v.u.i;
    int64_t n = d->v.u.i;
    mdc_record_free(&r);
    return n;
}

static void test_parts_rising_edge(void **state)
{
    (void)state;
    mdc_derive_cfg cfg = parse_cfg("{\"parts\": {\"signal\": \"flag\"}}");
    mdc_derive_state st;
    mdc_derive_state_init(&st);
    int64_t count;
    static const double levels[] = {1, 1, 0, 1, 1, 0, 0, 1};
    static const int64_t expect[] = {0, 0, 0, 1, 0, 0, 0, 1}; /* high at first sight: no part */
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(
            parts_step(&cfg, &st, "flag", levels[i], T0 + (int64_t)i * MDC_US_PER_SEC, &count),
            expect[i]);
    assert_int_equal(count, 2);

    /* restart with the flag high: the persisted level prevents a phantom part */
    strbuf js = STRBUF_INIT;
    mdc_derive_state_to_json(&st, &js);
    mdc_derive_state st2;
    mdc_err err;
    assert_int_equal(mdc_derive_state_from_json(sb_str(&js), &st2, &err), 0);
    assert_int_equal(parts_step(&cfg, &st2, "flag", 1, T0 + 20 * MDC_US_PER_SEC, &count), 0);
    assert_int_equal(count, 2);
    assert_int_equal(parts_step(&cfg, &st2, "flag", 0, T0 + 21 * MDC_US_PER_SEC, &count), 0);
    assert_int_equal(parts_step(&cfg, &st2, "flag", 1, T0 + 22 * MDC_US_PER_SEC, &count), 1);
    assert_int_equal(count, 3);
    sb_free(&js);
}

static void test_parts_equals_and_debounce(void **state)
{
    (void)state;
    /* a TNC 640 style DWORD compared with 255, held at least 1.5 s */
    mdc_derive_cfg cfg = parse_cfg("{\"parts\": {\"signal\": {\"memory\": \"dword\", \"address\": "
                                   "2592, \"equals\": 255}, \"min_pulse\": \"1500ms\"}}");
    assert_string_equal(cfg.parts_field, "_part_signal");
    mdc_derive_state st;
    mdc_derive_state_init(&st);
    int64_t count;
    const int64_t s = MDC_US_PER_SEC;
    assert_int_equal(parts_step(&cfg, &st, "_part_signal", 0, T0, &count), 0);
    assert_int_equal(parts_step(&cfg, &st, "_part_signal", 255, T0 + 1 * s, &count), 0);
    assert_int_equal(parts_step(&cfg, &st, "_part_signal", 255, T0 + 2 * s, &count), 0); /* 1 s */
    assert_int_equal(parts_step(&cfg, &st, "_part_signal", 255, T0 + 3 * s, &count), 1); /* 2 s */
    assert_int_equal(parts_step(&cfg, &st, "_part_signal", 255, T0 + 4 * s, &count), 0);
    assert_int_equal(parts_step(&cfg, &st, "_part_signal", 1, T0 + 5 * s, &count), 0); /* != 255 */
    assert_int_equal(parts_step(&cfg, &st, "_part_signal", 255, T0 + 6 * s, &count), 0);
    assert_int_equal(parts_step(&cfg, &st, "_part_signal", 0, T0 + 7 * s, &count), 0); /* glitch */
    assert_int_equal(count, 1);

    /* a signal that could not be read: no count, and the reason stays in the record */
    mdc_record r = rec_at(T0 + 8 * s);
    mdc_record_add_null(&r, "_part_signal", "R_MB: T_ER 52 ADDRESS");
    mdc_derive_apply(&cfg, NULL, &st, &r, NULL);
    mdc_field *d = mdc_record_find(&r, "part_count_delta");
    assert_int_equal(d->v.type, MDC_NULL);
    assert_string_equal(d->error, "R_MB: T_ER 52 ADDRESS");
    mdc_record_free(&r);
}

static void test_parts_counter(void **state)
{
    (void)state;
    mdc_derive_cfg cfg = parse_cfg("{\"parts\": {\"counter\": \"count\"}}");
    mdc_derive_state st;
    mdc_derive_state_init(&st);
    int64_t count;
    static const double values[] = {120, 120, 123, 124, 2, 5};
    static const int64_t expect[] = {0, 0, 3, 1, 2, 3}; /* 124 -> 2: a reset; 2 parts since */
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(parts_step(&cfg, &st, "count", values[i], T0 + (int64_t)i * MIN, &count),
                         expect[i]);
    assert_int_equal(count, 9);
}

static void test_name_collision(void **state)
{
    (void)state;
    /* CONFIG.md's OPC UA example names its absolute counter node "part_count" */
    mdc_derive_cfg cfg = parse_cfg("{\"parts\": {\"counter\": \"part_count\"}}");
    mdc_derive_state st;
    mdc_derive_state_init(&st);
    for (int64_t v = 40; v <= 42; v += 2) {
        mdc_record r = rec_at(T0 + v * MDC_US_PER_SEC);
        mdc_record_add_int(&r, "part_count", v);
        mdc_derive_apply(&cfg, NULL, &st, &r, NULL);
        assert_int_equal(r.nfields, 3);
        assert_string_equal(r.fields[0].name, "part_count_raw");
        assert_int_equal(r.fields[0].v.u.i, v);
        assert_string_equal(r.fields[1].name, "part_count_delta");
        assert_int_equal(r.fields[1].v.u.i, v == 40 ? 0 : 2);
        assert_string_equal(r.fields[2].name, "part_count");
        assert_int_equal(r.fields[2].v.u.i, v == 40 ? 0 : 2);
        mdc_record_free(&r);
    }
}

static void test_shifts(void **state)
{
    (void)state;
    mdc_tz *tz;
    mdc_err err;
    assert_int_equal(mdc_tz_load("Asia/Kolkata", &tz, &err), 0);
    static const int starts[] = {6 * 60, 14 * 60, 22 * 60};
    static const int ids[] = {1, 2, 3};
    mdc_shift_ctx ctx = {.tz = tz, .starts_min = starts, .ids = ids, .n = 3};
    int64_t start;
    assert_int_equal(mdc_shift_of(&ctx, T0, &start), 1); /* 06:00 IST */
    assert_true(start == T0);
    assert_int_equal(mdc_shift_of(&ctx, T0 - 1, &start), 3); /* 05:59:59.999999 IST */
    assert_true(start == T0 - 8 * 60 * MIN);                 /* 22:00 IST the day before */
    assert_int_equal(mdc_shift_of(&ctx, T0 + 8 * 60 * MIN + 30 * MIN, &start), 2);
    assert_true(start == T0 + 8 * 60 * MIN);
    assert_int_equal(mdc_shift_of(&ctx, T0 + 18 * 60 * MIN, &start), 3); /* 00:00 IST */
    assert_true(start == T0 + 16 * 60 * MIN);
    mdc_tz_free(tz);

    /* a shift that starts inside a DST gap begins when the gap ends */
    assert_int_equal(mdc_tz_load("Europe/Berlin", &tz, &err), 0);
    static const int starts2[] = {2 * 60 + 30, 14 * 60};
    static const int ids2[] = {7, 8};
    mdc_shift_ctx ber = {.tz = tz, .starts_min = starts2, .ids = ids2, .n = 2};
    /* 2026-03-29T02:00:00Z = 04:00 CEST */
    assert_int_equal(mdc_shift_of(&ber, INT64_C(1774749600) * MDC_US_PER_SEC, &start), 7);
    assert_true(start == INT64_C(1774746000) * MDC_US_PER_SEC); /* 01:00Z = 03:00 CEST */
    mdc_tz_free(tz);
}

static void test_shift_energy_rollover(void **state)
{
    (void)state;
    mdc_tz *tz;
    mdc_err err;
    assert_int_equal(mdc_tz_load("Asia/Kolkata", &tz, &err), 0);
    static const int starts[] = {6 * 60, 14 * 60, 22 * 60};
    static const int ids[] = {1, 2, 3};
    mdc_shift_ctx ctx = {.tz = tz, .starts_min = starts, .ids = ids, .n = 3};
    mdc_derive_cfg cfg = parse_cfg("{\"energy\": {\"point\": \"energy\"}}");
    mdc_derive_state st;
    mdc_derive_state_init(&st);
    int64_t ts[] = {T0 - 2 * MIN, T0 - MIN, T0, T0 + MIN};
    double e[] = {10, 11, 13, 16};
    double shift_energy[] = {0, 1, 2, 5}; /* the delta at 06:00 belongs to shift 1 */
    int shift[] = {3, 3, 1, 1};
    for (int i = 0; i < 4; i++) {
        mdc_record r = rec_at(ts[i]);
        mdc_record_add_double(&r, "energy", e[i]);
        mdc_derive_apply(&cfg, &ctx, &st, &r, NULL);
        assert_int_equal(mdc_record_find(&r, "shift")->v.u.i, shift[i]);
        assert_true(mdc_record_find(&r, "shift_energy_kwh")->v.u.d == shift_energy[i]);
        assert_true(r.shift_start_us == (i < 2 ? T0 - 8 * 60 * MIN : T0));
        mdc_record_free(&r);
    }
    mdc_tz_free(tz);
}

static void test_unreachable_record(void **state)
{
    (void)state;
    mdc_derive_cfg cfg = parse_cfg("{\"status\": {\"power\": \"power\", \"production_above\": 1},"
                                   " \"energy\": {\"point\": \"energy\"}}");
    mdc_derive_state st;
    mdc_derive_state_init(&st);
    mdc_record r = rec_at(T0);
    mdc_record_add_null(&r, "power", NULL);
    mdc_record_add_null(&r, "energy", NULL);
    mdc_record_set_error(&r, "connection refused");
    mdc_derive_apply(&cfg, NULL, &st, &r, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(mdc_record_find(&r, "energy_delta_kwh")->v.type, MDC_NULL);
    assert_false(st.has_energy_base);
    mdc_record_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_power),
        cmocka_unit_test(test_status_power_without_on_rule),
        cmocka_unit_test(test_status_production_when),
        cmocka_unit_test(test_energy_rules),
        cmocka_unit_test(test_parts_rising_edge),
        cmocka_unit_test(test_parts_equals_and_debounce),
        cmocka_unit_test(test_parts_counter),
        cmocka_unit_test(test_name_collision),
        cmocka_unit_test(test_shifts),
        cmocka_unit_test(test_shift_energy_rollover),
        cmocka_unit_test(test_unreachable_record),
    };
    return cmocka_run_group_tests(tests, NULL, free_docs);
}
