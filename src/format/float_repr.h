/* SPDX-License-Identifier: Apache-2.0 */
/* float_repr.h — Python's repr(float) for doubles.
 *
 * The shortest decimal string that reads back as the same double (like Python 3's repr and
 * str): "0.1", "123456.0" (integral values keep ".0"), "1e-05" and "1.5e+20" (exponent form
 * when the decimal exponent is < -4 or >= 16, at least two exponent digits), "-0.0", "nan",
 * "inf", "-inf". JSON, YAML and CSV rendering all build on it. Pure and thread-safe; does not
 * depend on the locale's decimal point.
 */
#ifndef MDC_FLOAT_REPR_H
#define MDC_FLOAT_REPR_H

#include <stddef.h>

/* Longest result ("-2.2250738585072014e-308") plus NUL, with room to spare. */
#define MDC_FLOAT_REPR_MAX 32

/* Writes the repr of d into buf (NUL-terminated, truncated to n - 1 bytes if n is smaller than
 * MDC_FLOAT_REPR_MAX). Returns the length of the full repr. */
size_t mdc_float_repr(double d, char *buf, size_t n);

#endif
