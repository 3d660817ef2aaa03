/* SPDX-License-Identifier: Apache-2.0 */
/* Request planning: merging over gaps, size limits, bits, overlaps, errors, descriptions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "drivers/modbus/plan.h"

#include <stdio.h>
#include <string.h>

static mdc_mb_plan_opts opts(int gap, int regs)
{
    mdc_mb_plan_opts o;
    mdc_mb_plan_opts_init(&o);
    o.max_gap = gap;
    o.max_registers = regs;
    return o;
}

static void expect_describe(const mdc_mb_span *s, size_t n, const mdc_mb_plan_opts *o,
                            const char *want)
{
    mdc_mb_plan p;
    mdc_err err = {0};
    if (mdc_mb_plan_build(s, n, o, &p, &err) != 0) fail_msg("plan failed: %s", err.msg);
    strbuf sb = STRBUF_INIT;
    mdc_mb_plan_describe(&p, s, &sb);
    assert_string_equal(sb_str(&sb), want);
    sb_free(&sb);
    mdc_mb_plan_free(&p);
}

static void expect_slot(const mdc_mb_plan *p, size_t i, size_t req, unsigned off)
{
    assert_int_equal(p->slots[i].request, req);
    assert_int_equal(p->slots[i].offset, off);
}

static void test_neighbours_merge(void **state)
{
    (void)state;
    const mdc_mb_span s[] = {
        {"voltage_l1", 4, 0, 2}, {"voltage_l2", 4, 2, 2}, {"voltage_l3", 4, 4, 2}};
    mdc_mb_plan_opts o = opts(10, 125);
    expect_describe(s, 3, &o, "FC4 0-5 (6 regs): voltage_l1, voltage_l2, voltage_l3\n");
    mdc_mb_plan p;
    assert_int_equal(mdc_mb_plan_build(s, 3, &o, &p, NULL), 0);
    assert_int_equal(p.nrequests, 1);
    assert_int_equal(p.requests[0].function, 4);
    assert_int_equal(p.requests[0].address, 0);
    assert_int_equal(p.requests[0].count, 6);
    expect_slot(&p, 0, 0, 0);
    expect_slot(&p, 1, 0, 2);
    expect_slot(&p, 2, 0, 4);
    mdc_mb_plan_free(&p);
}

static void test_gaps(void **state)
{
    (void)state;
    /* holes of 10 (merged with max_gap 10) and 16 (not merged) */
    const mdc_mb_span s[] = {{"c", 4, 30, 2}, {"a", 4, 0, 2}, {"b", 4, 12, 2}};
    mdc_mb_plan_opts o = opts(10, 125);
    expect_describe(s, 3, &o, "FC4 0-13 (14 regs): a, b\nFC4 30-31 (2 regs): c\n");
    mdc_mb_plan p;
    assert_int_equal(mdc_mb_plan_build(s, 3, &o, &p, NULL), 0);
    expect_slot(&p, 0, 1, 0);
    expect_slot(&p, 1, 0, 0);
    expect_slot(&p, 2, 0, 12);
    mdc_mb_plan_free(&p);
    o = opts(9, 125);
    expect_describe(s, 3, &o,
                    "FC4 0-1 (2 regs): a\nFC4 12-13 (2 regs): b\nFC4 30-31 (2 regs): c\n");
    o = opts(0, 125); /* adjacent still merge */
    const mdc_mb_span adj[] = {{"x", 3, 0, 2}, {"y", 3, 2, 2}};
    expect_describe(adj, 2, &o, "FC3 0-3 (4 regs): x, y\n");
    o = opts(-1, 125); /* one request per point */
    expect_describe(adj, 2, &o, "FC3 0-1 (2 regs): x\nFC3 2-3 (2 regs): y\n");
}

static void test_max_registers_split(void **state)
{
    (void)state;
    const mdc_mb_span s[] = {{"a", 3, 0, 2}, {"b", 3, 2, 2}, {"c", 3, 4, 2}};
    mdc_mb_plan_opts o = opts(10, 4);
    expect_describe(s, 3, &o, "FC3 0-3 (4 regs): a, b\nFC3 4-5 (2 regs): c\n");
    /* 125-register limit over a long run of floats */
    mdc_mb_span many[70];
    char names[70][8];
    for (int i = 0; i < 70; i++) {
        snprintf(names[i], sizeof names[i], "p%d", i);
        many[i] = (mdc_mb_span){names[i], 4, (uint16_t)(2 * i), 2};
    }
    o = opts(10, 125);
    mdc_mb_plan p;
    assert_int_equal(mdc_mb_plan_build(many, 70, &o, &p, NULL), 0);
    assert_int_equal(p.nrequests, 2);
    assert_int_equal(p.requests[0].count, 124);
    assert_int_equal(p.requests[1].address, 124);
    assert_int_equal(p.requests[1].count, 16);
    expect_slot(&p, 62, 1, 0);
    mdc_mb_plan_free(&p);
}

static void test_bits(void **state)
{
    (void)state;
    const mdc_mb_span s[] = {{"alarm", 2, 0, 1}, {"running", 1, 10, 1}, {"ready", 1, 12, 1}};
    mdc_mb_plan_opts o = opts(10, 125);
    expect_describe(s, 3, &o, "FC1 10-12 (3 bits): running, ready\nFC2 0-0 (1 bit): alarm\n");
    /* bits are limited to 2000 per request, not 125 */
    const mdc_mb_span wide[] = {{"first", 1, 0, 1}, {"last", 1, 1999, 1}};
    o = opts(2000, 125);
    expect_describe(wide, 2, &o, "FC1 0-1999 (2000 bits): first, last\n");
    const mdc_mb_span wider[] = {{"first", 1, 0, 1}, {"last", 1, 2000, 1}};
    expect_describe(wider, 2, &o, "FC1 0-0 (1 bit): first\nFC1 2000-2000 (1 bit): last\n");
}

static void test_overlap(void **state)
{
    (void)state;
    const mdc_mb_span s[] = {
        {"energy64", 3, 100, 4}, {"energy_lo", 3, 102, 2}, {"same", 3, 100, 4}, {"one", 3, 1, 1}};
    mdc_mb_plan_opts o = opts(0, 125);
    expect_describe(s, 4, &o,
                    "FC3 1-1 (1 reg): one\nFC3 100-103 (4 regs): energy64, same, energy_lo\n");
    mdc_mb_plan p;
    assert_int_equal(mdc_mb_plan_build(s, 4, &o, &p, NULL), 0);
    expect_slot(&p, 0, 1, 0);
    expect_slot(&p, 1, 1, 2);
    expect_slot(&p, 2, 1, 0);
    expect_slot(&p, 3, 0, 0);
    mdc_mb_plan_free(&p);
}

static void test_errors(void **state)
{
    (void)state;
    mdc_mb_plan p;
    mdc_err err;
    mdc_mb_plan_opts o = opts(10, 125);
    const mdc_mb_span big[] = {{"ok", 3, 0, 2}, {"label", 3, 10, 126}};
    assert_int_equal(mdc_mb_plan_build(big, 2, &o, &p, &err), -1);
    assert_int_equal(err.code, MDC_EINVAL);
    assert_string_equal(err.msg,
                        "point 'label' needs 126 registers but a request holds at most 125");
    o = opts(10, 60);
    const mdc_mb_span big60[] = {{"label", 4, 10, 64}};
    assert_int_equal(mdc_mb_plan_build(big60, 1, &o, &p, &err), -1);
    assert_string_equal(err.msg, "point 'label' needs 64 registers but a request holds at most 60");
    o = opts(10, 125);
    const mdc_mb_span past[] = {{"edge", 3, 65535, 2}};
    assert_int_equal(mdc_mb_plan_build(past, 1, &o, &p, &err), -1);
    assert_string_equal(err.msg, "point 'edge': address 65535 + 2 runs past 65535");
    const mdc_mb_span fc[] = {{"w", 6, 0, 1}};
    assert_int_equal(mdc_mb_plan_build(fc, 1, &o, &p, &err), -1);
    assert_string_equal(err.msg, "point 'w': function 6 is not a read function (1 coils, 2 "
                                 "discrete inputs, 3 holding, 4 input)");
    o = opts(10, 126);
    assert_int_equal(mdc_mb_plan_build(fc, 1, &o, &p, &err), -1);
    assert_string_equal(err.msg, "max_registers_per_request must be 1..125 (got 126)");
    const mdc_mb_span last[] = {{"top", 3, 65534, 2}};
    o = opts(10, 125);
    expect_describe(last, 1, &o, "FC3 65534-65535 (2 regs): top\n");
}

static void test_empty_and_defaults(void **state)
{
    (void)state;
    mdc_mb_plan p;
    assert_int_equal(mdc_mb_plan_build(NULL, 0, NULL, &p, NULL), 0);
    assert_int_equal(p.nrequests, 0);
    mdc_mb_plan_free(&p);
    const mdc_mb_span s[] = {{"a", 4, 0, 2}, {"b", 4, 12, 2}};
    assert_int_equal(mdc_mb_plan_build(s, 2, NULL, &p, NULL), 0); /* max_gap 10 */
    assert_int_equal(p.nrequests, 1);
    mdc_mb_plan_free(&p);
}

static void test_sdm630_layout(void **state)
{
    (void)state;
    /* A typical SDM630 configuration: one block of 0x00-0x4B plus the total energy. */
    const mdc_mb_span s[] = {
        {"voltage_l1", 4, 0x00, 2}, {"voltage_l2", 4, 0x02, 2}, {"voltage_l3", 4, 0x04, 2},
        {"current_l1", 4, 0x06, 2}, {"power_w", 4, 0x34, 2},    {"frequency", 4, 0x46, 2},
        {"import_kwh", 4, 0x48, 2}, {"total_kwh", 4, 0x156, 2}, {"running", 1, 0, 1},
    };
    mdc_mb_plan_opts o = opts(16, 80); /* holes of 44 and 16 registers */
    expect_describe(s, 9, &o,
                    "FC1 0-0 (1 bit): running\n"
                    "FC4 0-7 (8 regs): voltage_l1, voltage_l2, voltage_l3, current_l1\n"
                    "FC4 52-73 (22 regs): power_w, frequency, import_kwh\n"
                    "FC4 342-343 (2 regs): total_kwh\n");
    o = opts(50, 80);
    expect_describe(s, 9, &o,
                    "FC1 0-0 (1 bit): running\n"
                    "FC4 0-73 (74 regs): voltage_l1, voltage_l2, voltage_l3, current_l1, power_w, "
                    "frequency, import_kwh\n"
                    "FC4 342-343 (2 regs): total_kwh\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_neighbours_merge),
        cmocka_unit_test(test_gaps),
        cmocka_unit_test(test_max_registers_split),
        cmocka_unit_test(test_bits),
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_empty_and_defaults),
        cmocka_unit_test(test_sdm630_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
