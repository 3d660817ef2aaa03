/* SPDX-License-Identifier: Apache-2.0 */
/* number.c — shortest decimal text of floats, decimal rounding and scaling. */
#include "decode.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Powers of ten that are exact in a double (10^22 is the last one). */
static const double exact_pow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/* 10^n as the nearest double, n = -46 .. 39: brackets every positive finite float. Comparing a
 * float with these is exact (no float lies between 10^n and its nearest double). */
static const double pow10_span[] = {
    1e-46, 1e-45, 1e-44, 1e-43, 1e-42, 1e-41, 1e-40, 1e-39, 1e-38, 1e-37, 1e-36, 1e-35, 1e-34,
    1e-33, 1e-32, 1e-31, 1e-30, 1e-29, 1e-28, 1e-27, 1e-26, 1e-25, 1e-24, 1e-23, 1e-22, 1e-21,
    1e-20, 1e-19, 1e-18, 1e-17, 1e-16, 1e-15, 1e-14, 1e-13, 1e-12, 1e-11, 1e-10, 1e-9,  1e-8,
    1e-7,  1e-6,  1e-5,  1e-4,  1e-3,  1e-2,  1e-1,  1e0,   1e1,   1e2,   1e3,   1e4,   1e5,
    1e6,   1e7,   1e8,   1e9,   1e10,  1e11,  1e12,  1e13,  1e14,  1e15,  1e16,  1e17,  1e18,
    1e19,  1e20,  1e21,  1e22,  1e23,  1e24,  1e25,  1e26,  1e27,  1e28,  1e29,  1e30,  1e31,
    1e32,  1e33,  1e34,  1e35,  1e36,  1e37,  1e38,  1e39};
enum { POW10_MIN = -46, POW10_MAX = 39 };

/* floor(log10(a)) for a positive finite float, without calling log10: the binary exponent
 * gives it to within one, the table settles it. */
static int decimal_exponent(double a)
{
    int e2;
    frexp(a, &e2);                     /* a = m * 2^e2, 0.5 <= m < 1 */
    int e10 = ((e2 - 1) * 1233) >> 12; /* (e2 - 1) * log10(2), rounded down */
    if (e10 < POW10_MIN) e10 = POW10_MIN;
    while (e10 + 1 <= POW10_MAX && a >= pow10_span[e10 + 1 - POW10_MIN])
        e10++;
    while (e10 > POW10_MIN && a < pow10_span[e10 - POW10_MIN])
        e10--;
    return e10;
}

/* Shortest p-digit decimal of f that reads back as f, computed with exact double arithmetic
 * (m < 1e9 and 10^k <= 1e22 are exact, so m / 10^k is correctly rounded, as strtod would be).
 * Returns false when the fast path does not apply. */
static bool shortest_fast(float f, double *out)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    double a = fabs((double)f);
    int e10 = decimal_exponent(a);
    for (int p = 1; p <= 9; p++) {
        int k = p - 1 - e10;
        if (k < -22 || k > 22) return false;
        double m = k >= 0 ? nearbyint(a * p10[k]) : nearbyint(a / p10[-k]);
        double c = k >= 0 ? m / p10[k] : m * p10[-k];
        if (k < 0 && m * p10[-k] > 9007199254740992.0)
            return false; /* the product would not be exact */
        if ((float)c == fabsf(f)) {
            *out = f < 0 ? -c : c;
            return true;
        }
    }
    return false;
}

double mdc_mb_float_to_double(float f)
{
    if (!isfinite(f) || f == 0.0f) return (double)f;
    double fast;
    if (shortest_fast(f, &fast)) return fast;
    char buf[32];
    for (int p = 1; p <= 9; p++) {
        snprintf(buf, sizeof buf, "%.*g", p, (double)f);
        if (strtof(buf, NULL) == f) return strtod(buf, NULL);
    }
    return (double)f; /* not reached: 9 digits always round-trip a float */
}

void mdc_mb_format_double(double d, char *buf, size_t n)
{
    if (isnan(d)) {
        snprintf(buf, n, "nan");
        return;
    }
    if (isinf(d)) {
        snprintf(buf, n, "%s", d < 0 ? "-inf" : "inf");
        return;
    }
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, n, "%.*g", p, d);
        if (strtod(buf, NULL) == d) return;
    }
}

double mdc_mb_round(double v, int decimals)
{
    if (!isfinite(v) || decimals < 0) return v;
    if (decimals > 15) decimals = 15;
    double p = exact_pow10[decimals];
    double t = v * p;
    if (isfinite(t) && fma(v, p, -t) == 0.0 && fabs(t - trunc(t)) == 0.5) {
        /* An exact tie in binary: go away from zero (printf would go to even). */
        double k = trunc(t) + (t > 0 ? 1.0 : -1.0);
        double r = k / p;
        return r == 0.0 ? 0.0 : r;
    }
    char buf[400]; /* DBL_MAX has 309 integer digits */
    snprintf(buf, sizeof buf, "%.*f", decimals, v);
    double r = strtod(buf, NULL);
    return r == 0.0 ? 0.0 : r; /* no "-0" */
}

double mdc_mb_scale(double v, double scale, double offset, int decimals)
{
    if (scale != 1.0) {
        /* Dividing by 1000 is exact-rounded where multiplying by 0.001 is not:
         * 1234568 * 0.001 = 1234.5680000000002 but 1234568 / 1000 = 1234.568. */
        double inv = 1.0 / scale;
        double r = nearbyint(inv);
        if (fabs(scale) < 1.0 && r != 0.0 && fabs(inv - r) <= 1e-9 * fabs(r))
            v = v / r;
        else
            v = v * scale;
    }
    if (offset != 0.0) v += offset;
    if (decimals >= 0) v = mdc_mb_round(v, decimals);
    return v;
}
