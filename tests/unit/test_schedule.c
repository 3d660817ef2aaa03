/* SPDX-License-Identifier: Apache-2.0 */
/* Schedules: interval slots aligned to the local clock (also across DST changes and in
 * half-hour zones), cron slots, exact missed-slot counting, descriptions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/schedule.h"

#include <stdio.h>
#include <string.h>

#define S  MDC_US_PER_SEC
#define MS 1000

/* "2026-03-29T01:00:00Z" -> microseconds */
static int64_t iso(const char *s)
{
    int y, mo, d, h, mi, se;
    if (sscanf(s, "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &se) != 6) fail_msg("bad time %s", s);
    return (mdc_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se) *
           S;
}

static mdc_tz *load(const char *name)
{
    mdc_tz *tz = NULL;
    mdc_err err = {0};
    if (mdc_tz_load(name, &tz, &err) < 0) fail_msg("%s", err.msg);
    return tz;
}

static mdc_schedule every(int64_t us, const mdc_tz *tz)
{
    mdc_schedule s;
    mdc_err err = {0};
    if (mdc_schedule_init_interval(&s, us, tz, &err) < 0) fail_msg("%s", err.msg);
    return s;
}

static mdc_schedule cron(const char *expr, const mdc_tz *tz)
{
    mdc_schedule s;
    mdc_err err = {0};
    if (mdc_schedule_init_cron(&s, expr, tz, &err) < 0) fail_msg("%s", err.msg);
    return s;
}

static void expect_next(const mdc_schedule *s, int64_t after, int64_t want)
{
    int64_t got = mdc_schedule_next(s, after);
    if (got != want) {
        char a[48], b[48], c[48];
        mdc_format_utc_us(after, a, sizeof a);
        mdc_format_utc_us(got, b, sizeof b);
        mdc_format_utc_us(want, c, sizeof c);
        fail_msg("next after %s: got %s, want %s", a, b, c);
    }
}

static void test_interval_utc(void **state)
{
    (void)state;
    mdc_schedule s = every(5 * S, NULL);
    expect_next(&s, iso("2026-01-01T00:00:03Z") + 500 * MS, iso("2026-01-01T00:00:05Z"));
    expect_next(&s, iso("2026-01-01T00:00:05Z"), iso("2026-01-01T00:00:10Z"));
    expect_next(&s, iso("2026-01-01T00:00:05Z") - 1, iso("2026-01-01T00:00:05Z"));
    expect_next(&s, -1, 0);
    expect_next(&s, -5 * S, 0);
    expect_next(&s, -5 * S - 1, -5 * S);
    s = every(250 * MS, NULL);
    expect_next(&s, 100 * MS, 250 * MS);
    /* 7 s: multiples of 7 s since the epoch; 2026-01-01T00:00:00Z is one. */
    s = every(7 * S, NULL);
    expect_next(&s, iso("2026-01-01T00:00:00Z") + 1, iso("2026-01-01T00:00:07Z"));
    expect_next(&s, iso("2026-01-01T00:00:00Z") - 1, iso("2026-01-01T00:00:00Z"));
    s.tz = load("UTC");
    expect_next(&s, iso("2026-01-01T00:00:00Z") + 1, iso("2026-01-01T00:00:07Z"));
    mdc_tz_free((mdc_tz *)s.tz);
}

static void test_interval_local_clock(void **state)
{
    (void)state;
    mdc_tz *kol = load("Asia/Kolkata"), *ber = load("Europe/Berlin");
    mdc_tz *lh = load("Australia/Lord_Howe");
    /* 1 h in Kolkata: local full hours, hh:30 UTC. */
    mdc_schedule s = every(3600 * S, kol);
    expect_next(&s, iso("2026-01-01T00:00:00Z"), iso("2026-01-01T00:30:00Z"));
    expect_next(&s, iso("2026-01-01T00:30:00Z"), iso("2026-01-01T01:30:00Z"));
    /* 5 s in Kolkata: same as in UTC. */
    s = every(5 * S, kol);
    expect_next(&s, iso("2026-01-01T00:00:01Z"), iso("2026-01-01T00:00:05Z"));
    /* 1 day in Berlin: local midnights, 23:00Z in winter, 22:00Z in summer. */
    s = every(86400 * S, ber);
    expect_next(&s, iso("2026-03-28T12:00:00Z"), iso("2026-03-28T23:00:00Z"));
    expect_next(&s, iso("2026-03-28T23:00:00Z"), iso("2026-03-29T22:00:00Z"));
    /* 1 h in Berlin across spring forward: 01:00 CET (00:00Z), then 03:00 CEST (01:00Z). */
    s = every(3600 * S, ber);
    expect_next(&s, iso("2026-03-29T00:00:00Z"), iso("2026-03-29T01:00:00Z"));
    /* 2 h in Berlin across fall back: 02:00 CEST (00:00Z), 02:00 CET (01:00Z), 04:00 CET. */
    s = every(2 * 3600 * S, ber);
    expect_next(&s, iso("2026-10-24T23:00:00Z"), iso("2026-10-25T00:00:00Z"));
    expect_next(&s, iso("2026-10-25T00:00:00Z"), iso("2026-10-25T01:00:00Z"));
    expect_next(&s, iso("2026-10-25T01:00:00Z"), iso("2026-10-25T03:00:00Z"));
    /* 1 h on Lord Howe across the 30-minute shift at 15:30Z: 01:00 +1030 (14:30Z), then
     * 03:00 +11 (16:00Z). */
    s = every(3600 * S, lh);
    expect_next(&s, iso("2026-10-03T14:00:00Z"), iso("2026-10-03T14:30:00Z"));
    expect_next(&s, iso("2026-10-03T14:30:00Z"), iso("2026-10-03T16:00:00Z"));
    mdc_tz_free(kol);
    mdc_tz_free(ber);
    mdc_tz_free(lh);
}

/* next() against a second-by-second scan of the slot definition around DST changes. */
static void test_interval_brute_force(void **state)
{
    (void)state;
    const char *zones[] = {"Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata", "America/Nuuk"};
    const char *starts[] = {"2026-03-28T00:00:00Z", "2026-10-02T00:00:00Z", "2026-10-24T00:00:00Z",
                            "2026-04-03T00:00:00Z"};
    const int64_t intervals[] = {900, 3600, 5400, 7};
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        mdc_tz *tz = load(zones[z]);
        for (size_t k = 0; k < sizeof starts / sizeof starts[0]; k++) {
            for (size_t i = 0; i < sizeof intervals / sizeof intervals[0]; i++) {
                mdc_schedule s = every(intervals[i] * S, tz);
                int64_t t0 = iso(starts[k]) / S, slot = mdc_schedule_next(&s, t0 * S) / S;
                for (int64_t t = t0 + 1; t < t0 + 3 * 86400; t++) {
                    int64_t local = t + mdc_tz_offset(tz, t);
                    if (local % intervals[i] != 0) continue;
                    if (slot != t)
                        fail_msg("%s every %llds: slot %lld, brute force %lld", zones[z],
                                 (long long)intervals[i], (long long)slot, (long long)t);
                    slot = mdc_schedule_next(&s, t * S) / S;
                }
            }
        }
        mdc_tz_free(tz);
    }
}

static void expect_advance(const mdc_schedule *s, int64_t due, int64_t now, uint64_t missed0,
                           int64_t want_next, uint64_t want_missed)
{
    uint64_t missed = missed0;
    int64_t next = mdc_schedule_advance(s, due, now, &missed);
    if (next != want_next || missed != want_missed) {
        char a[48], b[48];
        mdc_format_utc_us(next, a, sizeof a);
        mdc_format_utc_us(want_next, b, sizeof b);
        fail_msg("advance: next %s missed %llu; want %s missed %llu", a, (unsigned long long)missed,
                 b, (unsigned long long)want_missed);
    }
}

static void test_missed_interval(void **state)
{
    (void)state;
    mdc_schedule s = every(5 * S, NULL);
    int64_t t0 = iso("2026-01-01T00:00:00Z");
    /* On time: no slot passed. */
    expect_advance(&s, t0 + 10 * S, t0 + 10 * S + 200 * MS, 0, t0 + 15 * S, 0);
    /* Overran by 17 s: 15, 20, 25 passed; next is 30; counts accumulate. */
    expect_advance(&s, t0 + 10 * S, t0 + 27 * S, 0, t0 + 30 * S, 3);
    expect_advance(&s, t0 + 10 * S, t0 + 27 * S, 2, t0 + 30 * S, 5);
    /* Finishing exactly on a slot: that slot is missed too (next is strictly after now). */
    expect_advance(&s, t0 + 10 * S, t0 + 25 * S, 0, t0 + 30 * S, 3);
    expect_advance(&s, t0 + 10 * S, t0 + 15 * S - 1, 0, t0 + 15 * S, 0);
    /* Clock went backwards: nothing missed. */
    expect_advance(&s, t0 + 10 * S, t0 + 2 * S, 0, t0 + 5 * S, 0);
    /* A long overrun is counted arithmetically: one year of 1 s slots. */
    s = every(S, NULL);
    expect_advance(&s, t0, t0 + 365 * 86400 * S, 0, t0 + 365 * 86400 * S + S, 365 * 86400);
    /* NULL counter is allowed. */
    assert_int_equal(mdc_schedule_advance(&s, t0, t0 + 10 * S, NULL), t0 + 11 * S);
}

static void test_missed_across_dst(void **state)
{
    (void)state;
    mdc_tz *ber = load("Europe/Berlin"), *lh = load("Australia/Lord_Howe");
    /* Berlin, 1 h, fall back: 00:00Z (02:00 CEST), 01:00Z (02:00 CET), 02:00Z (03:00 CET). */
    mdc_schedule s = every(3600 * S, ber);
    expect_advance(&s, iso("2026-10-24T23:00:00Z"), iso("2026-10-25T02:30:00Z"), 0,
                   iso("2026-10-25T03:00:00Z"), 3);
    /* Berlin, 1 h, spring forward: 00:00Z (01:00 CET), 01:00Z (03:00 CEST). */
    expect_advance(&s, iso("2026-03-28T23:00:00Z"), iso("2026-03-29T01:30:00Z"), 0,
                   iso("2026-03-29T02:00:00Z"), 2);
    /* Lord Howe, 1 h: 14:30Z, 16:00Z, 17:00Z. */
    s = every(3600 * S, lh);
    expect_advance(&s, iso("2026-10-03T13:30:00Z"), iso("2026-10-03T17:00:00Z"), 0,
                   iso("2026-10-03T18:00:00Z"), 3);
    /* Ten years of 15-minute slots in Berlin: the same count as walking slot by slot. */
    s = every(900 * S, ber);
    int64_t due = iso("2020-01-01T00:00:00Z"), now = iso("2030-01-01T00:00:07Z");
    uint64_t walk = 0;
    for (int64_t t = mdc_schedule_next(&s, due); t <= now; t = mdc_schedule_next(&s, t))
        walk++;
    expect_advance(&s, due, now, 0, iso("2030-01-01T00:15:00Z"), walk);
    assert_int_equal(walk, (iso("2030-01-01T00:00:00Z") - due) / (900 * S));
    mdc_tz_free(ber);
    mdc_tz_free(lh);
}

static void test_missed_cron(void **state)
{
    (void)state;
    mdc_schedule s = cron("*/5 * * * *", NULL);
    int64_t t0 = iso("2026-01-01T00:00:00Z");
    expect_advance(&s, t0 + 300 * S, t0 + 301 * S, 0, t0 + 600 * S, 0);
    expect_advance(&s, t0 + 300 * S, t0 + 1290 * S, 0, t0 + 1500 * S, 3);
    expect_advance(&s, t0 + 300 * S, t0 + 1200 * S, 0, t0 + 1500 * S, 3);
    mdc_schedule_clear(&s);
    assert_null(s.cron);
    /* Berlin fall back, "30 * * * *": 00:30Z (02:30 CEST) and 01:30Z (02:30 CET). */
    mdc_tz *ber = load("Europe/Berlin");
    s = cron("30 * * * *", ber);
    expect_advance(&s, iso("2026-10-24T23:30:00Z"), iso("2026-10-25T02:00:00Z"), 0,
                   iso("2026-10-25T02:30:00Z"), 2);
    mdc_schedule_clear(&s);
    /* "30 2 * * *": only the first 02:30 fires. */
    s = cron("30 2 * * *", ber);
    expect_advance(&s, iso("2026-10-24T12:00:00Z"), iso("2026-10-25T02:00:00Z"), 0,
                   iso("2026-10-26T01:30:00Z"), 1);
    expect_next(&s, iso("2026-10-25T00:30:00Z") - 1, iso("2026-10-25T00:30:00Z"));
    expect_next(&s, iso("2026-10-25T00:30:00Z") + 1, iso("2026-10-26T01:30:00Z"));
    mdc_schedule_clear(&s);
    mdc_tz_free(ber);
}

static void expect_describe(const mdc_schedule *s, const char *want)
{
    strbuf sb = STRBUF_INIT;
    assert_int_equal(mdc_schedule_describe(s, &sb), 0);
    assert_string_equal(sb_str(&sb), want);
    sb_free(&sb);
}

static void test_describe(void **state)
{
    (void)state;
    mdc_tz *kol = load("Asia/Kolkata"), *utc = load("UTC");
    mdc_schedule s = every(5 * S, NULL);
    expect_describe(&s, "every 5s");
    s = every(5 * S, utc);
    expect_describe(&s, "every 5s");
    s = every(5400 * S, kol);
    expect_describe(&s, "every 1h30m (Asia/Kolkata)");
    s = every(250 * MS, NULL);
    expect_describe(&s, "every 250ms");
    s = every(86400 * S, NULL);
    expect_describe(&s, "every 1d");
    s = every(60 * S + S + MS + 1, NULL);
    expect_describe(&s, "every 1m1s1ms1us");
    s = cron("*/5 * * * *", kol);
    expect_describe(&s, "cron */5 * * * * (Asia/Kolkata)");
    mdc_schedule_clear(&s);
    s = cron("@daily", NULL);
    expect_describe(&s, "cron @daily (UTC)");
    mdc_schedule_clear(&s);
    strbuf sb = STRBUF_INIT;
    assert_int_equal(mdc_schedule_describe(&s, &sb), -1);
    sb_free(&sb);
    mdc_tz_free(kol);
    mdc_tz_free(utc);
}

static void test_init_errors_and_limits(void **state)
{
    (void)state;
    mdc_schedule s;
    mdc_err err = {0};
    assert_int_equal(mdc_schedule_init_interval(&s, 0, NULL, &err), -1);
    assert_string_equal(err.msg, "schedule interval 0 us out of range; allowed 1 us to 400 days");
    assert_int_equal(mdc_schedule_init_interval(&s, MDC_SCHED_INTERVAL_MAX + 1, NULL, &err), -1);
    assert_int_equal(mdc_schedule_init_cron(&s, "* * *", NULL, &err), -1);
    assert_string_equal(err.msg, "cron \"* * *\": expected 5 fields (minute hour day-of-month "
                                 "month day-of-week) or a macro such as @daily, got 3");
    assert_null(s.cron);
    memset(&s, 0, sizeof s);
    assert_true(mdc_schedule_next(&s, 0) == MDC_SCHED_NEVER);
    s = every(5 * S, NULL);
    assert_true(mdc_schedule_next(&s, INT64_MAX) == MDC_SCHED_NEVER);
    assert_true(mdc_schedule_next(&s, INT64_MIN) > INT64_MIN);
    uint64_t missed = 0;
    (void)mdc_schedule_advance(&s, INT64_MIN, INT64_MAX, &missed);
    assert_true(missed > 0);
    s = cron("* * * * *", NULL);
    assert_true(mdc_schedule_next(&s, INT64_MAX) == MDC_SCHED_NEVER);
    missed = 0;
    (void)mdc_schedule_advance(&s, 0, INT64_MAX, &missed);
    assert_int_equal(missed, MDC_SCHED_MISSED_MAX);
    mdc_schedule_clear(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interval_utc),
        cmocka_unit_test(test_interval_local_clock),
        cmocka_unit_test(test_interval_brute_force),
        cmocka_unit_test(test_missed_interval),
        cmocka_unit_test(test_missed_across_dst),
        cmocka_unit_test(test_missed_cron),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_init_errors_and_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
