/* SPDX-License-Identifier: Apache-2.0 */
/* Python float repr (sinks/float_repr.h). Expected strings are what CPython 3 prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "format/float_repr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check(double d, const char *want)
{
    char buf[MDC_FLOAT_REPR_MAX];
    size_t n = mdc_float_repr(d, buf, sizeof buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static void test_simple(void **state)
{
    (void)state;
    check(0.1, "0.1");
    check(0.2, "0.2");
    check(0.1 + 0.2, "0.30000000000000004");
    check(230.5, "230.5");
    check(12345.6, "12345.6");
    check(1234.5678, "1234.5678");
    check(-1.5, "-1.5");
    check(1.0 / 3.0, "0.3333333333333333");
    check(2.0 / 3.0, "0.6666666666666666");
}

static void test_integral(void **state)
{
    (void)state;
    check(0.0, "0.0");
    check(-0.0, "-0.0");
    check(1.0, "1.0");
    check(5.0, "5.0");
    check(123456.0, "123456.0");
    check(1234560.0, "1234560.0");
    check(-100.0, "-100.0");
    check(9007199254740992.0, "9007199254740992.0");
    check(9999999999999998.0, "9999999999999998.0");
    check(1e15, "1000000000000000.0");
}

static void test_exponent(void **state)
{
    (void)state;
    check(1e16, "1e+16");
    check(1.5e20, "1.5e+20");
    check(-2.5e16, "-2.5e+16");
    check(1e22, "1e+22");
    check(1e23, "1e+23");
    check(1e100, "1e+100");
    check(1e-5, "1e-05");
    check(1.5e-7, "1.5e-07");
    check(-1e-5, "-1e-05");
    check(0.0001, "0.0001");
    check(0.00012345, "0.00012345");
    check(1.7976931348623157e308, "1.7976931348623157e+308");
    check(2.2250738585072014e-308, "2.2250738585072014e-308");
    check(5e-324, "5e-324");
    check(-5e-324, "-5e-324");
}

static void test_subnormal(void **state)
{
    (void)state;
    check(1e-310, "1e-310");
    check(ldexp(1, -1070), "8e-323");
    check(2.225073858507201e-308, "2.225073858507201e-308");
    check(123.456e-315, "1.23456e-313");
}

static void test_nonfinite(void **state)
{
    (void)state;
    check(NAN, "nan");
    check(INFINITY, "inf");
    check(-INFINITY, "-inf");
}

static void test_powers_of_two(void **state)
{
    (void)state;
    check(ldexp(1, 60), "1.152921504606847e+18");
    check(ldexp(1, -20), "9.5367431640625e-07");
    check(ldexp(1, 1023), "8.98846567431158e+307");
    check(ldexp(1, -1022), "2.2250738585072014e-308");
}

/* Every result must read back as the same double. */
static void test_round_trip(void **state)
{
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double d;
        memcpy(&d, &x, sizeof d);
        if (!isfinite(d)) continue;
        char buf[MDC_FLOAT_REPR_MAX];
        mdc_float_repr(d, buf, sizeof buf);
        assert_true(strtod(buf, NULL) == d);
        assert_true(strlen(buf) <= 24);
    }
}

static void test_truncation(void **state)
{
    (void)state;
    char buf[4];
    assert_int_equal(mdc_float_repr(12345.5, buf, sizeof buf), 7);
    assert_string_equal(buf, "123");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple),     cmocka_unit_test(test_integral),
        cmocka_unit_test(test_exponent),   cmocka_unit_test(test_subnormal),
        cmocka_unit_test(test_nonfinite),  cmocka_unit_test(test_powers_of_two),
        cmocka_unit_test(test_round_trip), cmocka_unit_test(test_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
