/* SPDX-License-Identifier: Apache-2.0 */
/* round.h — rounding to decimal places as Python's round(x, n) does.
 *
 * The exact binary value of x is rounded to n decimal places, an exact tie to the even last
 * digit, and the result is the double nearest to that decimal: round(206.2364501953125, 4) =
 * 206.2365 (the float32 206.23645 is a little above the tie), round(2.675, 2) = 2.67 (the
 * double is a little below), round(0.03125, 4) = 0.0312 (an exact tie: to even). BELmc's
 * collectors round every value this way; mdc does where the configuration asks for it
 * (modbus `"rounding": "python"`) and for energy deltas. Pure and thread-safe.
 */
#ifndef MDC_ROUND_H
#define MDC_ROUND_H

/* Python's round(x, decimals) for decimals 0..15 (larger ones are treated as 15); NaN and
 * infinities come back unchanged, and the sign of a zero result is kept (-0.0), as in Python. */
double mdc_round_exact(double x, int decimals);

#endif
