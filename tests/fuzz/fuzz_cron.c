/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: cron expression parsing, and next-fire search in UTC and in DST zones.
 * Input: the expression. The start instant is derived from the input bytes. */
#include "core/cron.h"
#include "core/tz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const ZONES[] = {
    "CET-1CEST,M3.5.0,M10.5.0/3",
    "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
    "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
};

static void walk(const mdc_cron *c, const mdc_tz *tz, int64_t after)
{
    for (int i = 0; i < 4; i++) {
        int64_t next;
        mdc_err err;
        if (mdc_cron_next(c, tz, after, &next, &err) < 0) return;
        if (next <= after) /* never goes backwards or repeats an instant */
            abort();
        after = next;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *expr = malloc(size + 1);
    memcpy(expr, data, size);
    expr[size] = '\0';
    uint64_t h = 1469598103934665603ull; /* FNV-1a of the input picks the start instant */
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 1099511628211ull;
    int64_t after = INT64_C(-2208988800) + (int64_t)(h % (UINT64_C(400) * 366 * 86400));
    mdc_cron *c = NULL;
    mdc_err err = {0};
    if (mdc_cron_parse(expr, &c, &err) == 0) {
        walk(c, NULL, after);
        mdc_tz *tz = NULL;
        if (mdc_tz_from_posix(ZONES[h % 3], &tz, &err) == 0) {
            walk(c, tz, after);
            mdc_tz_free(tz);
        }
        if (h % 64 == 0) { /* the extremes of the accepted range */
            walk(c, NULL, MDC_CRON_TIME_LIMIT);
            walk(c, NULL, -MDC_CRON_TIME_LIMIT);
        }
        mdc_cron_free(c);
    } else if (err.msg[0] == '\0') {
        abort(); /* errors always explain themselves */
    }
    free(expr);
    return 0;
}
