/* SPDX-License-Identifier: Apache-2.0 */
#include "format/float_repr.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A positive decimal number digits × 10^(exp - ndigits + 1), i.e. d1.d2d3... × 10^exp. */
typedef struct {
    char digits[20];
    int ndigits;
    int exp;
} decimal;

/* Parses snprintf's "%e" output (any decimal-point character) into a decimal. */
static void parse_e(const char *s, decimal *out)
{
    out->ndigits = 0;
    for (; *s && *s != 'e' && *s != 'E'; s++)
        if (*s >= '0' && *s <= '9' && out->ndigits < 19) out->digits[out->ndigits++] = *s;
    out->digits[out->ndigits] = '\0';
    out->exp = *s ? atoi(s + 1) : 0;
}

static bool reads_back(const decimal *dec, double a)
{
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%se%d", dec->digits, dec->exp - dec->ndigits + 1);
    return strtod(tmp, NULL) == a;
}

/* The p-digit decimal next to dec on the side of a (dec itself lies on the other side). The
 * correctly rounded p-digit value may miss the round-trip interval while its neighbour hits
 * it, at powers of two where the interval is lopsided. */
static void neighbour(const decimal *dec, bool up, decimal *out)
{
    uint64_t m = strtoull(dec->digits, NULL, 10), lo = 1;
    for (int i = 1; i < dec->ndigits; i++)
        lo *= 10;
    int exp = dec->exp;
    if (up && ++m == lo * 10) {
        m = lo;
        exp++;
    } else if (!up && m-- == lo) {
        m = lo * 10 - 1;
        exp--;
    }
    out->ndigits = snprintf(out->digits, sizeof out->digits, "%llu", (unsigned long long)m);
    out->exp = exp;
}

static void strip_zeros(decimal *dec)
{
    while (dec->ndigits > 1 && dec->digits[dec->ndigits - 1] == '0')
        dec->digits[--dec->ndigits] = '\0';
}

/* m's decimal digits into dec (exponent: m × 10^-k), trailing zeros stripped. */
static void from_scaled(uint64_t m, int k, decimal *dec)
{
    char rev[20];
    int n = 0;
    do {
        rev[n++] = (char)('0' + m % 10);
        m /= 10;
    } while (m);
    for (int i = 0; i < n; i++)
        dec->digits[i] = rev[n - 1 - i];
    dec->digits[n] = '\0';
    dec->ndigits = n;
    dec->exp = n - 1 - k;
    strip_zeros(dec);
}

/* The fast path for the numbers meters give, few decimals at a moderate magnitude: the
 * smallest k for which m = a × 10^k rounded reads back as a (m / 10^k, both exact, divides
 * correctly rounded as strtod reads "m e-k") while m - 1 and m + 1 do not. Such an m is
 * the only k-decimal number that reads back, so it is what the search below finds (its digits
 * with zeros stripped: a shorter one would be m too, scaled). False when there is none up to
 * 10^15 (or m would pass 2^53): the search decides. */
static bool shortest_scaled(double a, decimal *out)
{
    static const double pow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    if (a < 1e-4 || a >= 1e15) return false;
    for (int k = 0; k < 16; k++) {
        double x = a * pow10[k];
        if (x >= 9007199254740992.0) return false;
        uint64_t m = (uint64_t)(x + 0.5);
        double p = pow10[k];
        if ((double)m / p != a) continue;
        if ((m > 0 && (double)(m - 1) / p == a) || (double)(m + 1) / p == a) return false;
        from_scaled(m, k, out);
        return true;
    }
    return false;
}

/* Shortest round-tripping digits of a positive finite a.
 *
 * Shortcut for normal numbers: a decimal D of at most 15 digits that reads back as a is within
 * half an ulp of a (relative error <= 2^-53), which is less than half a unit of the 15th digit
 * (>= 5e-16 relative), so D is a's 15-digit rounding with its trailing zeros removed. Hence:
 * if that stripped rounding reads back it is the shortest; if not, 16 or 17 digits are needed.
 * Subnormals have less precision, so they search from one digit up. */
static void shortest(double a, decimal *out)
{
    char tmp[48];
    int from = 1;
    if (shortest_scaled(a, out)) return;
    if (a >= DBL_MIN) {
        snprintf(tmp, sizeof tmp, "%.14e", a);
        parse_e(tmp, out);
        strip_zeros(out);
        if (reads_back(out, a)) return;
        from = 16;
    }
    for (int p = from; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, a);
        parse_e(tmp, out);
        if (strtod(tmp, NULL) == a) break;
        decimal nb;
        neighbour(out, strtod(tmp, NULL) < a, &nb);
        if (nb.ndigits == p && reads_back(&nb, a)) {
            *out = nb;
            break;
        }
    }
    strip_zeros(out);
}

static size_t put_fixed(const decimal *dec, char *o)
{
    size_t k = 0;
    if (dec->exp < 0) {
        o[k++] = '0';
        o[k++] = '.';
        for (int i = -1; i > dec->exp; i--)
            o[k++] = '0';
        memcpy(o + k, dec->digits, (size_t)dec->ndigits);
        return k + (size_t)dec->ndigits;
    }
    for (int i = 0; i <= dec->exp; i++)
        o[k++] = i < dec->ndigits ? dec->digits[i] : '0';
    o[k++] = '.';
    if (dec->ndigits <= dec->exp + 1) o[k++] = '0';
    for (int i = dec->exp + 1; i < dec->ndigits; i++)
        o[k++] = dec->digits[i];
    return k;
}

static size_t put_exp(const decimal *dec, char *o)
{
    size_t k = 0;
    o[k++] = dec->digits[0];
    if (dec->ndigits > 1) {
        o[k++] = '.';
        memcpy(o + k, dec->digits + 1, (size_t)dec->ndigits - 1);
        k += (size_t)dec->ndigits - 1;
    }
    int n = sprintf(o + k, "e%c%02d", dec->exp < 0 ? '-' : '+', abs(dec->exp));
    return k + (size_t)n;
}

size_t mdc_float_repr(double d, char *buf, size_t n)
{
    char o[64];
    size_t k = 0;
    if (isnan(d)) {
        k = (size_t)sprintf(o, "nan");
    } else {
        if (signbit(d)) o[k++] = '-';
        double a = fabs(d);
        if (isinf(a)) {
            k += (size_t)sprintf(o + k, "inf");
        } else if (a == 0) {
            k += (size_t)sprintf(o + k, "0.0");
        } else {
            decimal dec;
            shortest(a, &dec);
            bool fixed = dec.exp >= -4 && dec.exp < 16;
            k += fixed ? put_fixed(&dec, o + k) : put_exp(&dec, o + k);
        }
    }
    o[k] = '\0';
    if (n) {
        size_t c = k < n ? k : n - 1;
        memcpy(buf, o, c);
        buf[c] = '\0';
    }
    return k;
}
