/* SPDX-License-Identifier: Apache-2.0 */
/* clock.h — time in microseconds. Wall time is UTC since the epoch; monotonic time is for
 * measuring durations and timeouts. ISO 8601 formatting of UTC instants. */
#ifndef MDC_CLOCK_H
#define MDC_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define MDC_US_PER_SEC 1000000LL

int64_t mdc_now_us(void);  /* CLOCK_REALTIME */
int64_t mdc_mono_us(void); /* CLOCK_MONOTONIC */
void mdc_sleep_us(int64_t us);

/* "2026-11-22T06:00:05.123456+00:00" (the record timestamp format). buf >= 33 bytes. */
void mdc_format_utc_us(int64_t t_us, char *buf, size_t n);
/* "2026-11-22T06:00:05.123Z" (log lines). */
void mdc_format_utc_ms(int64_t t_us, char *buf, size_t n);
/* "2026-11-22T06:00:05+00:00" (whole seconds). */
void mdc_format_utc_s(int64_t t_us, char *buf, size_t n);

/* Days since 1970-01-01 for a proleptic Gregorian civil date, and back. */
int64_t mdc_days_from_civil(int64_t y, unsigned m, unsigned d);
void mdc_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* Floor division helpers for negative times. */
static inline int64_t mdc_floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

#endif
