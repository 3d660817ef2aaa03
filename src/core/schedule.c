/* SPDX-License-Identifier: Apache-2.0 */
/* schedule.c — interval slots aligned to the local clock, cron slots, missed-slot counting. */
#include "schedule.h"
#include "clock.h"

#include <stdbool.h>
#include <string.h>

#define US             MDC_US_PER_SEC
#define SCHED_LIMIT_US (MDC_CRON_TIME_LIMIT * MDC_US_PER_SEC) /* |t| handled: 9e18 us */
#define SEGMENTS_MAX   10000000 /* constant-offset segments walked per call */

int mdc_schedule_init_interval(mdc_schedule *s, int64_t interval_us, const mdc_tz *tz, mdc_err *err)
{
    memset(s, 0, sizeof *s);
    if (interval_us <= 0 || interval_us > MDC_SCHED_INTERVAL_MAX)
        return mdc_err_set(err, MDC_EINVAL,
                           "schedule interval %lld us out of range; allowed 1 us to 400 days",
                           (long long)interval_us);
    s->kind = MDC_SCHED_INTERVAL;
    s->interval_us = interval_us;
    s->tz = tz;
    return 0;
}

int mdc_schedule_init_cron(mdc_schedule *s, const char *expr, const mdc_tz *tz, mdc_err *err)
{
    memset(s, 0, sizeof *s);
    if (mdc_cron_parse(expr, &s->cron, err) < 0) return -1;
    s->kind = MDC_SCHED_CRON;
    s->tz = tz;
    return 0;
}

void mdc_schedule_clear(mdc_schedule *s)
{
    mdc_cron_free(s->cron);
    memset(s, 0, sizeof *s);
}

static bool interval_ok(const mdc_schedule *s)
{
    return s->kind == MDC_SCHED_INTERVAL && s->interval_us > 0 &&
           s->interval_us <= MDC_SCHED_INTERVAL_MAX;
}

static int64_t ceil_div(int64_t a, int64_t b)
{
    return -mdc_floordiv(-a, b);
}

/* Offset (in us) in effect at instant t_us, and the end of that constant-offset segment
 * (the first instant with another offset, or INT64_MAX). */
static int64_t segment(const mdc_tz *tz, int64_t t_us, int64_t *end_us)
{
    int64_t sec = mdc_floordiv(t_us, US), e;
    *end_us = mdc_tz_next_transition(tz, sec, &e) ? e * US : INT64_MAX;
    return (int64_t)mdc_tz_offset(tz, sec) * US;
}

static int64_t interval_next(const mdc_schedule *s, int64_t after_us)
{
    int64_t t = after_us + 1, end;
    for (int i = 0; i < SEGMENTS_MAX; i++) {
        int64_t o = segment(s->tz, t, &end);
        int64_t cand = ceil_div(t + o, s->interval_us) * s->interval_us - o;
        if (cand < end) return cand;
        t = end;
    }
    return MDC_SCHED_NEVER;
}

/* Slots in (a, b], a < b. */
static uint64_t interval_count(const mdc_schedule *s, int64_t a, int64_t b)
{
    uint64_t n = 0;
    int64_t t = a + 1, end, I = s->interval_us;
    for (int i = 0; i < SEGMENTS_MAX && t <= b; i++) {
        int64_t o = segment(s->tz, t, &end);
        int64_t last = end - 1 < b ? end - 1 : b;
        int64_t k0 = ceil_div(t + o, I), k1 = mdc_floordiv(last + o, I);
        if (k1 >= k0) n += (uint64_t)(k1 - k0 + 1);
        t = last + 1;
    }
    return n;
}

static int64_t cron_next_us(const mdc_schedule *s, int64_t after_us)
{
    int64_t next_s;
    if (mdc_cron_next(s->cron, s->tz, mdc_floordiv(after_us, US), &next_s, NULL) < 0 ||
        next_s > SCHED_LIMIT_US / US)
        return MDC_SCHED_NEVER;
    return next_s * US;
}

int64_t mdc_schedule_next(const mdc_schedule *s, int64_t after_us)
{
    if (after_us > SCHED_LIMIT_US) return MDC_SCHED_NEVER;
    if (after_us < -SCHED_LIMIT_US) after_us = -SCHED_LIMIT_US;
    if (s->kind == MDC_SCHED_CRON && s->cron) return cron_next_us(s, after_us);
    if (interval_ok(s)) return interval_next(s, after_us);
    return MDC_SCHED_NEVER;
}

static uint64_t count_slots(const mdc_schedule *s, int64_t a, int64_t b)
{
    if (a < -SCHED_LIMIT_US) a = -SCHED_LIMIT_US;
    if (b > SCHED_LIMIT_US) b = SCHED_LIMIT_US;
    if (a >= b) return 0;
    if (interval_ok(s)) return interval_count(s, a, b);
    uint64_t n = 0;
    for (int64_t t = a; n < MDC_SCHED_MISSED_MAX; n++) {
        t = mdc_schedule_next(s, t);
        if (t == MDC_SCHED_NEVER || t > b) break;
    }
    return n;
}

int64_t mdc_schedule_advance(const mdc_schedule *s, int64_t due_us, int64_t now_us,
                             uint64_t *missed)
{
    if (missed && now_us > due_us) *missed += count_slots(s, due_us, now_us);
    return mdc_schedule_next(s, now_us);
}

static void put_duration(strbuf *out, int64_t us)
{
    static const struct {
        int64_t us;
        const char *unit;
    } units[] = {{86400 * US, "d"}, {3600 * US, "h"}, {60 * US, "m"},
                 {US, "s"},         {1000, "ms"},     {1, "us"}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (us >= units[i].us) {
            sb_printf(out, "%lld%s", (long long)(us / units[i].us), units[i].unit);
            us %= units[i].us;
        }
    }
}

int mdc_schedule_describe(const mdc_schedule *s, strbuf *out)
{
    if (s->kind == MDC_SCHED_CRON && s->cron) {
        sb_printf(out, "cron %s (%s)", mdc_cron_expr(s->cron), mdc_tz_name(s->tz));
        return 0;
    }
    if (!interval_ok(s)) return -1;
    sb_puts(out, "every ");
    put_duration(out, s->interval_us);
    if (s->tz && strcmp(mdc_tz_name(s->tz), "UTC") != 0)
        sb_printf(out, " (%s)", mdc_tz_name(s->tz));
    return 0;
}
