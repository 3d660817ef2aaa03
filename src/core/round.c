/* SPDX-License-Identifier: Apache-2.0 */
/* round.c — see round.h.
 *
 * With p = 10^decimals (exact), t = x·p rounded and e = fma(x, p, −t) the exact error of that
 * product, x·p = t + e exactly. While |t| < 2^52, k = nearbyint(t) (ties to even) is the right
 * integer unless t lies exactly halfway between two integers; then e (or its absence: an exact
 * tie) decides. k / p is then the correctly rounded double of the decimal k·10^-decimals, which
 * is what Python returns. Larger values go through glibc's printf, which rounds exactly. */
#include "round.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const double pow10_exact[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

double mdc_round_exact(double x, int decimals)
{
    if (!isfinite(x) || x == 0.0) return x;
    if (decimals < 0) decimals = 0;
    if (decimals > 15) decimals = 15;
    double p = pow10_exact[decimals], t = x * p;
    if (fabs(t) < 0x1p52) {
        double e = fma(x, p, -t), k = nearbyint(t), d = t - k;
        if (d == 0.5 && e > 0) k += 1.0;
        if (d == -0.5 && e < 0) k -= 1.0;
        return copysign(k / p, x);
    }
    char buf[400]; /* DBL_MAX has 309 integer digits */
    snprintf(buf, sizeof buf, "%.*f", decimals, x);
    return strtod(buf, NULL);
}
