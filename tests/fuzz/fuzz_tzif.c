/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: TZif parsing (input starting with "TZif") or POSIX TZ rule parsing (any
 * other input), then conversions on the parsed zone, checking their invariants. */
#include "core/tz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int64_t SAMPLES[] = {
    INT64_MIN,
    -MDC_TZ_TIME_LIMIT - 1,
    INT64_C(-5000000000),
    INT64_C(-2208988800),
    -1,
    0,
    INT64_C(1000000000),
    INT64_C(1774746000),
    INT64_C(1792890000),
    INT64_C(2147483647),
    INT64_C(4102444800),
    INT64_C(32503680000),
    MDC_TZ_TIME_LIMIT,
    INT64_MAX,
};

/* Transitions in [a, b], counting at most 100. */
static int transitions_in(const mdc_tz *tz, int64_t a, int64_t b)
{
    int n = 0;
    int64_t at;
    for (int64_t t = a - 1; n < 100 && mdc_tz_next_transition(tz, t, &at) && at <= b; t = at)
        n++;
    return n;
}

static void check_instant(const mdc_tz *tz, int64_t t)
{
    mdc_civil c;
    mdc_tz_to_local(tz, t, &c);
    if (c.month < 1 || c.month > 12 || c.day < 1 || c.day > 31 || c.hour < 0 || c.hour > 23 ||
        c.minute < 0 || c.minute > 59 || c.second < 0 || c.second > 59 || c.wday < 0 ||
        c.wday > 6 || c.yday < 0 || c.yday > 365)
        abort();
    mdc_tz_info info;
    mdc_tz_lookup(tz, t, &info);
    if (!info.abbr || info.utoff < -93600 || info.utoff > 93600) abort();
    int64_t first = 0, second = 0;
    int n = mdc_tz_from_local(tz, &c, &first, &second);
    int32_t lo, hi;
    mdc_tz_offset_bounds(tz, &lo, &hi);
    int64_t w = mdc_civil_to_wall(&c);
    /* With a sane number of transitions nearby, the instant must be found again. */
    if (t > -MDC_TZ_TIME_LIMIT + 200000 && t < MDC_TZ_TIME_LIMIT - 200000 &&
        transitions_in(tz, w - hi, w - lo) < 60 && n <= 2 &&
        !(n >= 1 && (first == t || (n == 2 && second == t))))
        abort();
    int64_t at;
    if (mdc_tz_next_transition(tz, t, &at)) {
        if (at <= t && t < MDC_TZ_TIME_LIMIT) abort();
        if (at > -MDC_TZ_TIME_LIMIT && mdc_tz_offset(tz, at - 1) == mdc_tz_offset(tz, at)) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mdc_tz *tz = NULL;
    mdc_err err;
    if (size >= 4 && memcmp(data, "TZif", 4) == 0) {
        unsigned char *copy = malloc(size); /* exact size, so ASan catches any overread */
        memcpy(copy, data, size);
        int rc = mdc_tz_parse_tzif("fuzz", copy, size, &tz, &err);
        free(copy);
        if (rc < 0) return 0;
    } else {
        if (size > 300) return 0;
        char *s = malloc(size + 1);
        memcpy(s, data, size);
        s[size] = '\0';
        int rc = mdc_tz_from_posix(s, &tz, &err);
        free(s);
        if (rc < 0) return 0;
    }
    for (size_t i = 0; i < sizeof SAMPLES / sizeof SAMPLES[0]; i++)
        check_instant(tz, SAMPLES[i]);
    /* Walk some transitions from 1970 on. */
    int64_t t = 0, at;
    for (int i = 0; i < 50 && mdc_tz_next_transition(tz, t, &at); i++) {
        check_instant(tz, at - 1);
        check_instant(tz, at);
        t = at;
    }
    mdc_tz_free(tz);
    return 0;
}
