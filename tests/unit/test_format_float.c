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

/* The next of a xorshift64 sequence (test inputs, the same every run). */
static void xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
}

/* Every result must read back as the same double. */
static void test_round_trip(void **state)
{
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 20000; i++) {
        xorshift(&x);
        double d;
        memcpy(&d, &x, sizeof d);
        if (!isfinite(d)) continue;
        char buf[MDC_FLOAT_REPR_MAX];
        mdc_float_repr(d, buf, sizeof buf);
        assert_true(strtod(buf, NULL) == d);
        assert_true(strlen(buf) <= 24);
    }
}

/* Decimals as meters give them (up to 13 significant digits, 0 to 8 decimals) print as they
 * were written: the shortcut for them (shortest_scaled) gives what Python's repr does. */
static void test_meter_decimals(void **state)
{
    (void)state;
    uint64_t x = 0x2545F4914F6CDD1DULL;
    for (int i = 0; i < 200000; i++) {
        xorshift(&x);
        int k = (int)(x % 9), digits = 1 + (int)((x >> 8) % 13);
        uint64_t m = (x >> 16) % 10000000000000ULL, cap = 1;
        for (int j = 0; j < digits; j++)
            cap *= 10;
        m %= cap;
        char want[64], frac[16];
        uint64_t p = 1;
        for (int j = 0; j < k; j++)
            p *= 10;
        snprintf(frac, sizeof frac, "%0*llu", k, (unsigned long long)(m % p));
        size_t n = k ? strlen(frac) : 0;
        while (n > 0 && frac[n - 1] == '0')
            frac[--n] = '\0';
        snprintf(want, sizeof want, "%llu.%s", (unsigned long long)(m / p), n ? frac : "0");
        double d = strtod(want, NULL);
        if (d != 0 && d < 1e-4) continue; /* exponent form: covered above */
        check(d, want);
    }
}

/* No shorter decimal reads back: the result is the shortest. */
static void test_shortest(void **state)
{
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 20000; i++) {
        xorshift(&x);
        double d = (double)(x >> 11) / (double)(1ULL << (x % 40));
        char buf[MDC_FLOAT_REPR_MAX], shorter[48];
        mdc_float_repr(d, buf, sizeof buf);
        char dig[MDC_FLOAT_REPR_MAX];
        int sig = 0;
        for (const char *c = buf; *c && *c != 'e'; c++)
            if (*c >= '0' && *c <= '9' && (sig || *c != '0')) dig[sig++] = *c;
        while (sig > 1 && dig[sig - 1] == '0')
            sig--;
        for (int p = 1; p < sig; p++) {
            snprintf(shorter, sizeof shorter, "%.*e", p - 1, d);
            assert_true(strtod(shorter, NULL) != d);
        }
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
        cmocka_unit_test(test_simple),         cmocka_unit_test(test_integral),
        cmocka_unit_test(test_exponent),       cmocka_unit_test(test_subnormal),
        cmocka_unit_test(test_nonfinite),      cmocka_unit_test(test_powers_of_two),
        cmocka_unit_test(test_round_trip),     cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_meter_decimals), cmocka_unit_test(test_shortest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
