/* SPDX-License-Identifier: Apache-2.0 */
/* shift.c — which shift an instant belongs to, in the configured time zone. */
#include "derive.h"

#include "core/clock.h"

int mdc_shift_of(const mdc_shift_ctx *ctx, int64_t ts_us, int64_t *start_us)
{
    if (!ctx || ctx->n == 0) {
        *start_us = 0;
        return 0;
    }
    int64_t t = mdc_floordiv(ts_us, MDC_US_PER_SEC);
    mdc_civil lc;
    mdc_tz_to_local(ctx->tz, t, &lc);
    int min = lc.hour * 60 + lc.minute;
    size_t idx = ctx->n - 1;
    int64_t day_shift = 0;
    if (min < ctx->starts_min[0])
        day_shift = -1; /* before the first start: the last shift, begun yesterday */
    else
        for (size_t i = 0; i < ctx->n; i++)
            if (ctx->starts_min[i] <= min) idx = i;
    int64_t days = mdc_days_from_civil(lc.year, (unsigned)lc.month, (unsigned)lc.day) + day_shift;
    int64_t y;
    unsigned m, d;
    mdc_civil_from_days(days, &y, &m, &d);
    mdc_civil start = {.year = y,
                       .month = (int)m,
                       .day = (int)d,
                       .hour = ctx->starts_min[idx] / 60,
                       .minute = ctx->starts_min[idx] % 60};
    int64_t first, second;
    mdc_tz_from_local(ctx->tz, &start, &first, &second); /* a start in a DST gap: gap's end */
    *start_us = first * MDC_US_PER_SEC;
    return ctx->ids[idx];
}
