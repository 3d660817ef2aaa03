/* SPDX-License-Identifier: Apache-2.0 */
/* Python's round(x, n) (core/round.h): ties on the exact binary value go to even, and a sweep
 * of 200,000 float32 values (as BELmc's meters send them) against an exact integer reference;
 * random doubles against glibc's exactly rounded printf. The old way (shortest decimal of the
 * float32, then half away from zero) is measured against the same reference and printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/round.h"
#include "drivers/modbus/decode.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_ties_to_even(void **state)
{
    (void)state;
    /* exact binary ties: the even last digit */
    assert_true(mdc_round_exact(0.5, 0) == 0.0);
    assert_true(mdc_round_exact(1.5, 0) == 2.0);
    assert_true(mdc_round_exact(2.5, 0) == 2.0);
    assert_true(mdc_round_exact(-2.5, 0) == -2.0);
    assert_true(mdc_round_exact(0.125, 2) == 0.12);
    assert_true(mdc_round_exact(0.375, 2) == 0.38);
    assert_true(mdc_round_exact(-0.125, 2) == -0.12);
    assert_true(mdc_round_exact(0.03125, 4) == 0.0312); /* 1/32 */
    assert_true(mdc_round_exact(0.09375, 4) == 0.0938); /* 3/32 */
    assert_true(mdc_round_exact(1.03125, 4) == 1.0312);
    assert_true(mdc_round_exact(-4.28125, 4) == -4.2812);
    /* not ties in binary, whatever the decimal text says */
    assert_true(mdc_round_exact(2.675, 2) == 2.67);           /* 2.67499999… */
    assert_true(mdc_round_exact(1.005, 2) == 1.0);            /* 1.00499999… */
    assert_true(mdc_round_exact(0.285, 2) == 0.28);           /* 0.28499999… */
    assert_true(mdc_round_exact(1234.56785, 4) == 1234.5678); /* 1234.5678499999999… */
    float f206 = 206.23645f;                                  /* 206.2364501953125: above the tie */
    assert_true(mdc_round_exact((double)f206, 4) == 206.2365);
    assert_true(mdc_round_exact(230.10000610351562, 4) == 230.1);
    /* zeros keep their sign, as in Python; NaN and infinities pass through */
    assert_true(mdc_round_exact(-0.00001, 4) == 0.0);
    assert_true(signbit(mdc_round_exact(-0.00001, 4)));
    assert_false(signbit(mdc_round_exact(0.00001, 4)));
    assert_true(isnan(mdc_round_exact(NAN, 4)));
    assert_true(mdc_round_exact(INFINITY, 4) == INFINITY);
    /* beyond 2^52 after scaling: the printf path */
    assert_true(mdc_round_exact(123456789012.34567, 4) == 123456789012.3457);
    assert_true(mdc_round_exact(1e300, 4) == 1e300);
    assert_true(mdc_round_exact(9007199254740993.0, 0) == 9007199254740992.0);
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A finite float32 between 2^-30 and 2^40 (either sign), as a meter sends values; a quarter
 * of them are voltages around 230 V, where BELmc and the old rounding differ most. */
static float random_float(void)
{
    uint64_t r = next_random();
    uint32_t mant = (uint32_t)(r & 0x7FFFFF);
    int e = (int)((r >> 23) % 71) - 30;
    if ((r >> 40) % 4 == 0) e = 7; /* 128..256 */
    float f = ldexpf(1.0f + (float)mant / 8388608.0f, e);
    return (r >> 63) ? -f : f;
}

/* The reference: f = m · 2^e exactly; f · 10^4 rounded half-even in 128-bit integers, and the
 * decimal result read back with strtod (correctly rounded). */
static double reference4(float f)
{
    int e;
    double fr = frexp(fabs((double)f), &e); /* f = fr · 2^e, fr in [0.5, 1) */
    uint64_t m = (uint64_t)ldexp(fr, 24);   /* 24 significant bits */
    e -= 24;
    unsigned __int128 n = (unsigned __int128)m * 10000u, q;
    if (e >= 0) {
        q = n << e;
    } else {
        unsigned s = (unsigned)-e;
        unsigned __int128 one = 1, r = n & ((one << s) - 1), half = one << (s - 1);
        q = n >> s;
        if (r > half || (r == half && (q & 1))) q++;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%s%llue-4", f < 0 ? "-" : "", (unsigned long long)q);
    return strtod(buf, NULL);
}

static void test_float32_sweep(void **state)
{
    (void)state;
    size_t n = 200000, volts = 0, differ_old = 0, differ_old_volts = 0;
    for (size_t i = 0; i < n; i++) {
        float f = random_float();
        double want = reference4(f), got = mdc_round_exact((double)f, 4);
        if (got != want) fail_msg("round(%.9g, 4): got %.17g, want %.17g", (double)f, got, want);
        bool volt = fabsf(f) >= 128 && fabsf(f) < 256;
        double old = mdc_mb_round(mdc_mb_float_to_double(f), 4);
        volts += volt;
        differ_old += old != want;
        differ_old_volts += volt && old != want;
    }
    printf("float32 sweep: %zu values, none differs from the exact reference; the shortest-"
           "decimal rounding differs in %zu (%.2f %%), in %zu of %zu values of 128..256 V "
           "(%.2f %%)\n",
           n, differ_old, 100.0 * (double)differ_old / (double)n, differ_old_volts, volts,
           100.0 * (double)differ_old_volts / (double)volts);
}

/* Random doubles and digits against glibc's printf, which rounds the exact value (ties to
 * even in the default rounding mode). */
static void test_doubles_against_printf(void **state)
{
    (void)state;
    for (size_t i = 0; i < 100000; i++) {
        uint64_t r = next_random();
        double x = ldexp((double)(r >> 11) / 9007199254740992.0, (int)(r % 60) - 20);
        if (r & 1024) x = -x;
        int d = (int)((r >> 3) % 10);
        char buf[400];
        snprintf(buf, sizeof buf, "%.*f", d, x);
        double want = strtod(buf, NULL), got = mdc_round_exact(x, d);
        if (got != want) fail_msg("round(%.17g, %d): got %.17g, want %.17g", x, d, got, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ties_to_even),
        cmocka_unit_test(test_float32_sweep),
        cmocka_unit_test(test_doubles_against_printf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
