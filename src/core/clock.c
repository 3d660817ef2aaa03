/* SPDX-License-Identifier: Apache-2.0 */
#include "clock.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

int64_t mdc_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * MDC_US_PER_SEC + ts.tv_nsec / 1000;
}

int64_t mdc_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * MDC_US_PER_SEC + ts.tv_nsec / 1000;
}

void mdc_sleep_us(int64_t us)
{
    if (us <= 0) return;
    struct timespec ts = {.tv_sec = us / MDC_US_PER_SEC, .tv_nsec = (us % MDC_US_PER_SEC) * 1000};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* Howard Hinnant's civil-date algorithms (public domain). */
int64_t mdc_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void mdc_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void split(int64_t t_us, int64_t *y, unsigned *mo, unsigned *d, int *h, int *mi, int *s,
                  int64_t *frac_us)
{
    int64_t secs = mdc_floordiv(t_us, MDC_US_PER_SEC);
    *frac_us = t_us - secs * MDC_US_PER_SEC;
    int64_t days = mdc_floordiv(secs, 86400);
    int64_t rem = secs - days * 86400;
    mdc_civil_from_days(days, y, mo, d);
    *h = (int)(rem / 3600);
    *mi = (int)(rem % 3600 / 60);
    *s = (int)(rem % 60);
}

void mdc_format_utc_us(int64_t t_us, char *buf, size_t n)
{
    int64_t y, f;
    unsigned mo, d;
    int h, mi, s;
    split(t_us, &y, &mo, &d, &h, &mi, &s, &f);
    snprintf(buf, n, "%04lld-%02u-%02uT%02d:%02d:%02d.%06lld+00:00", (long long)y, mo, d, h, mi, s,
             (long long)f);
}

void mdc_format_utc_ms(int64_t t_us, char *buf, size_t n)
{
    int64_t y, f;
    unsigned mo, d;
    int h, mi, s;
    split(t_us, &y, &mo, &d, &h, &mi, &s, &f);
    snprintf(buf, n, "%04lld-%02u-%02uT%02d:%02d:%02d.%03lldZ", (long long)y, mo, d, h, mi, s,
             (long long)(f / 1000));
}

void mdc_format_utc_s(int64_t t_us, char *buf, size_t n)
{
    int64_t y, f;
    unsigned mo, d;
    int h, mi, s;
    split(t_us, &y, &mo, &d, &h, &mi, &s, &f);
    snprintf(buf, n, "%04lld-%02u-%02uT%02d:%02d:%02d+00:00", (long long)y, mo, d, h, mi, s);
}
