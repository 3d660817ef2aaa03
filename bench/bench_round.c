/* SPDX-License-Identifier: Apache-2.0 */
/* bench_round — rounding a float32 to 4 decimals, ns per value and ratios against references
 * measured in the same run:
 *   python   core/round.h mdc_round_exact on the exact value ("rounding": "python", BELmc's)
 *   decimal  the default: shortest decimal of the float32, then half away from zero
 *   printf   the obvious exact way: snprintf("%.4f") and strtod (what Python's round() does)
 * Usage: bench_round [N] (default 2,000,000 values). */
#include "core/clock.h"
#include "core/round.h"
#include "drivers/modbus/decode.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng = 0x243F6A8885A308D3ull;

static float next_float(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return ldexpf(1.0f + (float)(rng & 0x7FFFFF) / 8388608.0f, (int)(rng >> 40) % 12);
}

static double printf_round(double x)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.4f", x);
    return strtod(buf, NULL);
}

/* ns per value of one way; the sum keeps the work from being optimised away. */
static double run(int way, const float *v, size_t n, double *sum)
{
    int64_t t0 = mdc_mono_us();
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double d = way == 0   ? mdc_round_exact((double)v[i], 4)
                   : way == 1 ? mdc_mb_round(mdc_mb_float_to_double(v[i]), 4)
                              : printf_round((double)v[i]);
        s += d;
    }
    *sum += s;
    return (double)(mdc_mono_us() - t0) * 1000.0 / (double)n;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 2000000;
    float *v = malloc(n * sizeof *v);
    if (!v) return 1;
    for (size_t i = 0; i < n; i++)
        v[i] = next_float();
    double sum = 0, ns[3];
    for (int way = 0; way < 3; way++)
        ns[way] = run(way, v, n, &sum);
    printf("round a float32 to 4 decimals, %zu values:\n", n);
    printf("  python (exact, ties to even)   %7.1f ns/value\n", ns[0]);
    printf("  decimal (shortest, half away)  %7.1f ns/value  python/decimal = %.2f\n", ns[1],
           ns[0] / ns[1]);
    printf("  printf %%.4f + strtod          %7.1f ns/value  python/printf = %.2f\n", ns[2],
           ns[0] / ns[2]);
    printf("(checksum %.4f)\n", sum);
    free(v);
    return 0;
}
