/* SPDX-License-Identifier: Apache-2.0 */
/* Cron expressions: a next-fire table (DST gaps and overlaps, half-hour zones, month ends,
 * leap years, the day-of-month/day-of-week OR rule, steps, ranges, names, macros), a
 * minute-by-minute oracle built on glibc's localtime_r, and exact parse error messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/cron.h"
#include "core/tz.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* "2026-03-29T01:00:00Z" -> seconds */
static int64_t iso(const char *s)
{
    int y, mo, d, h, mi, se;
    if (sscanf(s, "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &se) != 6) fail_msg("bad time %s", s);
    return mdc_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
}

static void fmt(int64_t t, char *buf, size_t n)
{
    mdc_format_utc_s(t * MDC_US_PER_SEC, buf, n);
}

static mdc_tz *load(const char *name)
{
    mdc_tz *tz = NULL;
    mdc_err err = {0};
    if (mdc_tz_load(name, &tz, &err) < 0) fail_msg("%s", err.msg);
    return tz;
}

static mdc_cron *parse(const char *expr)
{
    mdc_cron *c = NULL;
    mdc_err err = {0};
    if (mdc_cron_parse(expr, &c, &err) < 0) fail_msg("parse \"%s\": %s", expr, err.msg);
    return c;
}

struct next_case {
    const char *expr, *zone, *after, *want;
};

static const struct next_case CASES[] = {
    /* UTC basics, steps, ranges, lists */
    {"*/5 * * * *", "UTC", "2026-01-01T00:00:00Z", "2026-01-01T00:05:00Z"},
    {"*/5 * * * *", "UTC", "2026-01-01T00:03:17Z", "2026-01-01T00:05:00Z"},
    {"* * * * *", "UTC", "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z"},
    {"1-30/7 * * * *", "UTC", "2026-01-01T00:29:00Z", "2026-01-01T01:01:00Z"},
    {"5/15 * * * *", "UTC", "2026-01-01T10:50:00Z", "2026-01-01T11:05:00Z"},
    {"30 4 1,15 * *", "UTC", "2026-01-15T04:30:00Z", "2026-02-01T04:30:00Z"},
    {"0 22 * * 1-5", "UTC", "2026-01-02T22:00:00Z", "2026-01-05T22:00:00Z"},
    {"0 0 1 1 *", "UTC", "2026-06-15T12:00:00Z", "2027-01-01T00:00:00Z"},
    /* names, case-insensitive; 7 = Sunday */
    {"0 9 * JAN-MAR MON-FRI", "UTC", "2026-03-31T09:00:00Z", "2027-01-01T09:00:00Z"},
    {"0 0 * jan sun", "UTC", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z"},
    {"0 0 * * 7", "UTC", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z"},
    {"0 12 * * Sat,sun", "UTC", "2026-01-04T12:00:00Z", "2026-01-10T12:00:00Z"},
    /* macros */
    {"@yearly", "UTC", "2026-06-15T12:00:00Z", "2027-01-01T00:00:00Z"},
    {"@annually", "UTC", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"},
    {"@monthly", "UTC", "2026-01-31T12:00:00Z", "2026-02-01T00:00:00Z"},
    {"@weekly", "UTC", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z"},
    {"@daily", "UTC", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"},
    {"@midnight", "UTC", "2026-01-01T23:59:59Z", "2026-01-02T00:00:00Z"},
    {"@HOURLY", "UTC", "2026-01-01T05:00:00Z", "2026-01-01T06:00:00Z"},
    /* month ends and leap years */
    {"0 12 31 * *", "UTC", "2026-04-01T00:00:00Z", "2026-05-31T12:00:00Z"},
    {"0 0 29 2 *", "UTC", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z"},
    {"0 0 29 2 *", "UTC", "2096-03-01T00:00:00Z", "2104-02-29T00:00:00Z"},
    {"0 0 30 * *", "UTC", "2028-01-30T00:00:00Z", "2028-03-30T00:00:00Z"},
    /* day-of-month OR day-of-week when both are restricted ... */
    {"0 0 13 * FRI", "UTC", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"},
    {"0 0 29 2 MON", "UTC", "2026-01-01T00:00:00Z", "2026-02-02T00:00:00Z"},
    /* ... AND when one of them starts with '*': odd days that are Fridays */
    {"0 0 */2 * FRI", "UTC", "2026-01-01T00:00:00Z", "2026-01-09T00:00:00Z"},
    /* Feb 29 on a Sunday: 2088, then 2128 (2100 is no leap year) */
    {"0 0 29 2 */7", "UTC", "2089-01-01T00:00:00Z", "2128-02-29T00:00:00Z"},
    /* Asia/Kolkata, +05:30 */
    {"0 9 * * *", "Asia/Kolkata", "2026-01-01T00:00:00Z", "2026-01-01T03:30:00Z"},
    {"*/15 * * * *", "Asia/Kolkata", "2026-01-01T00:00:00Z", "2026-01-01T00:15:00Z"},
    {"0 0 1 * *", "Asia/Kolkata", "2026-01-31T18:30:00Z", "2026-02-28T18:30:00Z"},
    {"0 * * * *", "Asia/Kolkata", "2026-01-01T00:00:00Z", "2026-01-01T00:30:00Z"},
    /* Europe/Berlin spring forward 2026-03-29 02:00 CET -> 03:00 CEST (01:00Z) */
    {"30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-29T01:00:00Z"},
    {"30 2 * * *", "Europe/Berlin", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"},
    {"0 3 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-29T01:00:00Z"},
    {"30 * * * *", "Europe/Berlin", "2026-03-29T00:30:00Z", "2026-03-29T01:00:00Z"},
    {"30 * * * *", "Europe/Berlin", "2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z"},
    {"*/15 * * * *", "Europe/Berlin", "2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z"},
    {"*/15 * * * *", "Europe/Berlin", "2026-03-29T01:00:00Z", "2026-03-29T01:15:00Z"},
    /* Europe/Berlin fall back 2026-10-25 03:00 CEST -> 02:00 CET (01:00Z) */
    {"30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", "2026-10-25T00:30:00Z"},
    {"30 2 * * *", "Europe/Berlin", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"},
    {"0 2 * * *", "Europe/Berlin", "2026-10-25T00:00:00Z", "2026-10-26T01:00:00Z"},
    {"30 * * * *", "Europe/Berlin", "2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z"},
    {"30 * * * *", "Europe/Berlin", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"},
    {"30 * * * *", "Europe/Berlin", "2026-10-25T01:30:00Z", "2026-10-25T02:30:00Z"},
    /* the footer rule, far in the future */
    {"30 2 * * *", "Europe/Berlin", "2087-03-29T12:00:00Z", "2087-03-30T01:00:00Z"},
    /* America/New_York: 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z);
     * 2026-11-01 02:00 EDT -> 01:00 EST (06:00Z) */
    {"30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z", "2026-03-08T07:00:00Z"},
    {"30 2 * * *", "America/New_York", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"},
    {"30 1 * * *", "America/New_York", "2026-11-01T00:00:00Z", "2026-11-01T05:30:00Z"},
    {"30 1 * * *", "America/New_York", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"},
    {"30 * * * *", "America/New_York", "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"},
    {"0 0 * * *", "America/New_York", "2026-03-08T04:59:59Z", "2026-03-08T05:00:00Z"},
    {"0 0 * * *", "America/New_York", "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z"},
    /* Lord Howe: 30-minute DST; 2026-10-04 02:00 +1030 -> 02:30 +11 (15:30Z) */
    {"15 2 * * *", "Australia/Lord_Howe", "2026-10-03T00:00:00Z", "2026-10-03T15:30:00Z"},
    {"15 1 * * *", "Australia/Lord_Howe", "2026-04-04T00:00:00Z", "2026-04-04T14:15:00Z"},
    {"45 1 * * *", "Australia/Lord_Howe", "2026-04-04T14:15:00Z", "2026-04-04T14:45:00Z"},
    {"45 1 * * *", "Australia/Lord_Howe", "2026-04-04T14:45:00Z", "2026-04-05T15:15:00Z"},
};

static void test_next_table(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const struct next_case *k = &CASES[i];
        mdc_tz *tz = load(k->zone);
        mdc_cron *c = parse(k->expr);
        int64_t next = 0;
        mdc_err err = {0};
        if (mdc_cron_next(c, tz, iso(k->after), &next, &err) < 0) {
            print_error("case %zu \"%s\" %s: %s\n", i, k->expr, k->zone, err.msg);
            failures++;
        } else if (next != iso(k->want)) {
            char got[40];
            fmt(next, got, sizeof got);
            print_error("case %zu \"%s\" in %s after %s: got %s, want %s\n", i, k->expr, k->zone,
                        k->after, got, k->want);
            failures++;
        }
        mdc_cron_free(c);
        mdc_tz_free(tz);
    }
    assert_int_equal(failures, 0);
}

/* ---- oracle: every minute of a year, local time from glibc ------------------------------------
 */

struct walls {
    int64_t t0; /* first instant, minute-aligned */
    size_t n;
    int64_t *wall; /* local wall seconds of t0 + 60 i */
};

static void walls_for(const char *zone, int64_t t0, size_t n, struct walls *w)
{
    setenv("TZ", zone, 1);
    tzset();
    w->t0 = t0;
    w->n = n;
    w->wall = malloc(n * sizeof *w->wall);
    for (size_t i = 0; i < n; i++) {
        time_t t = (time_t)(t0 + 60 * (int64_t)i);
        struct tm tm;
        localtime_r(&t, &tm);
        w->wall[i] = t + tm.tm_gmtoff;
    }
}

struct fields {
    uint64_t min;
    uint32_t hour, dom;
    uint16_t mon;
    uint8_t dow;
    int dom_star, dow_star, every_hour;
};

static bool wall_matches(const struct fields *f, int64_t wall)
{
    int64_t days = mdc_floordiv(wall, 86400), sod = wall - days * 86400, y;
    unsigned m, d;
    mdc_civil_from_days(days, &y, &m, &d);
    int wd = (int)((days % 7 + 11) % 7);
    bool dm = f->dom >> d & 1, wm = f->dow >> wd & 1;
    bool day = (f->dom_star || f->dow_star) ? (dm && wm) : (dm || wm);
    return sod % 60 == 0 && (f->min >> (sod / 60 % 60) & 1) && (f->hour >> (sod / 3600) & 1) &&
           (f->mon >> m & 1) && day;
}

/* Fire instants by the documented semantics, straight from the definition. */
static size_t oracle(const struct walls *w, const struct fields *f, int64_t *out, size_t cap)
{
    size_t n = 0;
    int64_t maxwall = w->wall[0];
    for (size_t i = 1; i < w->n && n < cap; i++) {
        int64_t wl = w->wall[i], prev = w->wall[i - 1];
        bool fire = wall_matches(f, wl) && (f->every_hour || wl > maxwall);
        for (int64_t s = prev + 60; !fire && s < wl; s += 60) /* skipped by a forward jump */
            fire = wall_matches(f, s);
        if (fire) out[n++] = w->t0 + 60 * (int64_t)i;
        if (wl > maxwall) maxwall = wl;
    }
    return n;
}

static void test_oracle(void **state)
{
    (void)state;
    static const char *const zones[] = {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                                        "Asia/Kolkata",  "America/Nuuk",     "Pacific/Chatham"};
    static const struct {
        const char *expr;
        struct fields f;
    } exprs[] = {
        {"*/15 * * * *", {0x0000200040008001ull, 0xFFFFFF, ~0u, 0xFFFF, 0x7F, 1, 1, 1}},
        {"30 2 * * *", {1ull << 30, 1u << 2, ~0u, 0xFFFF, 0x7F, 1, 1, 0}},
        {"0 * * * *", {1, 0xFFFFFF, ~0u, 0xFFFF, 0x7F, 1, 1, 1}},
        {"30 * * * *", {1ull << 30, 0xFFFFFF, ~0u, 0xFFFF, 0x7F, 1, 1, 1}},
        {"0 0 * * *", {1, 1, ~0u, 0xFFFF, 0x7F, 1, 1, 0}},
        {"*/7 1-3 * * *", {0x0102040810204081ull, 0xE, ~0u, 0xFFFF, 0x7F, 1, 1, 0}},
        {"45 1,23 * * SUN", {1ull << 45, 1u << 1 | 1u << 23, ~0u, 0xFFFF, 1, 1, 0, 0}},
        {"10 22 * * SAT", {1ull << 10, 1u << 22, ~0u, 0xFFFF, 1u << 6, 1, 0, 0}},
    };
    int64_t t0 = iso("2026-01-01T00:00:00Z");
    size_t minutes = 366 * 1440;
    int64_t *want = malloc(minutes * sizeof *want);
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        struct walls w;
        walls_for(zones[z], t0, minutes, &w);
        mdc_tz *tz = load(zones[z]);
        for (size_t e = 0; e < sizeof exprs / sizeof exprs[0]; e++) {
            const struct fields f = exprs[e].f;
            size_t nw = oracle(&w, &f, want, minutes);
            mdc_cron *c = parse(exprs[e].expr);
            assert_int_equal(mdc_cron_every_hour(c), f.every_hour);
            int64_t t = t0, next;
            size_t i = 0;
            mdc_err err = {0};
            while (mdc_cron_next(c, tz, t, &next, &err) == 0 && next < t0 + 60 * (int64_t)minutes) {
                if (i >= nw || next != want[i]) {
                    char a[40], b[40] = "none";
                    fmt(next, a, sizeof a);
                    if (i < nw) fmt(want[i], b, sizeof b);
                    fail_msg("%s \"%s\": fire %zu: got %s, oracle %s", zones[z], exprs[e].expr, i,
                             a, b);
                }
                assert_true(next > t);
                t = next;
                i++;
            }
            assert_int_equal(i, nw);
            mdc_cron_free(c);
        }
        mdc_tz_free(tz);
        free(w.wall);
    }
    free(want);
}

/* ---- errors ---------------------------------------------------------------------------------- */

static void expect_error(const char *expr, const char *want)
{
    mdc_cron *c = (mdc_cron *)1;
    mdc_err err = {0};
    assert_int_equal(mdc_cron_parse(expr, &c, &err), -1);
    assert_null(c);
    assert_int_equal(err.code, MDC_EINVAL);
    if (strcmp(err.msg, want) != 0) fail_msg("\"%s\":\n got  %s\n want %s", expr, err.msg, want);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("*/5 * * * mon-fry",
                 "cron \"*/5 * * * mon-fry\": day-of-week field: unknown name \"fry\"; allowed "
                 "0-7 or SUN-SAT");
    expect_error("60 * * * *",
                 "cron \"60 * * * *\": minute field: value 60 out of range; allowed 0-59");
    expect_error("* 24 * * *",
                 "cron \"* 24 * * *\": hour field: value 24 out of range; allowed 0-23");
    expect_error("* * 0 * *",
                 "cron \"* * 0 * *\": day-of-month field: value 0 out of range; allowed 1-31");
    expect_error("* * 32 * *",
                 "cron \"* * 32 * *\": day-of-month field: value 32 out of range; allowed 1-31");
    expect_error("* * * 13 *", "cron \"* * * 13 *\": month field: value 13 out of range; "
                               "allowed 1-12 or JAN-DEC");
    expect_error("* * * * 8", "cron \"* * * * 8\": day-of-week field: value 8 out of range; "
                              "allowed 0-7 or SUN-SAT");
    expect_error("* * * foo *", "cron \"* * * foo *\": month field: unknown name \"foo\"; "
                                "allowed 1-12 or JAN-DEC");
    expect_error("* * * JANUARY *", "cron \"* * * JANUARY *\": month field: unknown name "
                                    "\"JANUARY\"; allowed 1-12 or JAN-DEC");
    expect_error("abc * * * *",
                 "cron \"abc * * * *\": minute field: bad value \"abc\"; allowed 0-59");
    expect_error("* MON * * *",
                 "cron \"* MON * * *\": hour field: bad value \"MON\"; allowed 0-23");
    expect_error("5x * * * *", "cron \"5x * * * *\": minute field: bad value \"5x\"; allowed "
                               "0-59");
    expect_error("00005 * * * *", "cron \"00005 * * * *\": minute field: value 00005 out of "
                                  "range; allowed 0-59");
    expect_error("*/0 * * * *", "cron \"*/0 * * * *\": minute field: bad step in \"*/0\" "
                                "(steps must be 1-60); allowed 0-59");
    expect_error("*/61 * * * *", "cron \"*/61 * * * *\": minute field: bad step in \"*/61\" "
                                 "(steps must be 1-60); allowed 0-59");
    expect_error("5/ * * * *", "cron \"5/ * * * *\": minute field: bad step in \"5/\" (steps "
                               "must be 1-60); allowed 0-59");
    expect_error("*/5/2 * * * *", "cron \"*/5/2 * * * *\": minute field: bad step in \"*/5/2\" "
                                  "(steps must be 1-60); allowed 0-59");
    expect_error("30-10 * * * *", "cron \"30-10 * * * *\": minute field: range \"30-10\" is "
                                  "reversed; allowed 0-59");
    expect_error("1,,2 * * * *", "cron \"1,,2 * * * *\": minute field: empty list element in "
                                 "\"1,,2\"; allowed 0-59");
    expect_error("1, * * * *", "cron \"1, * * * *\": minute field: empty list element in "
                               "\"1,\"; allowed 0-59");
    expect_error("1-2-3 * * * *", "cron \"1-2-3 * * * *\": minute field: bad value \"2-3\"; "
                                  "allowed 0-59");
    expect_error("-5 * * * *", "cron \"-5 * * * *\": minute field: bad value \"-5\"; allowed "
                               "0-59");
    expect_error("* * * * MON-", "cron \"* * * * MON-\": day-of-week field: bad value "
                                 "\"MON-\"; allowed 0-7 or SUN-SAT");
    expect_error("/5 * * * *", "cron \"/5 * * * *\": minute field: bad value \"/5\"; allowed "
                               "0-59");
    expect_error("*-5 * * * *", "cron \"*-5 * * * *\": minute field: bad value \"*\"; allowed "
                                "0-59");
    expect_error("L * * * *", "cron \"L * * * *\": minute field: bad value \"L\"; allowed 0-59");
    expect_error("* * * *", "cron \"* * * *\": expected 5 fields (minute hour day-of-month "
                            "month day-of-week) or a macro such as @daily, got 4");
    expect_error("0 * * * * *", "cron \"0 * * * * *\": expected 5 fields (minute hour "
                                "day-of-month month day-of-week) or a macro such as @daily, "
                                "got 6");
    expect_error("", "cron \"\": empty expression; expected 5 fields (minute hour day-of-month "
                     "month day-of-week) or a macro such as @daily");
    expect_error("   \t ", "cron \"\": empty expression; expected 5 fields (minute hour "
                           "day-of-month month day-of-week) or a macro such as @daily");
    expect_error(NULL, "cron \"\": empty expression; expected 5 fields (minute hour "
                       "day-of-month month day-of-week) or a macro such as @daily");
    expect_error("@reboot", "cron \"@reboot\": unknown macro \"@reboot\"; allowed @yearly "
                            "@annually @monthly @weekly @daily @midnight @hourly");
    expect_error("@daily 5", "cron \"@daily 5\": unknown macro \"@daily 5\"; allowed @yearly "
                             "@annually @monthly @weekly @daily @midnight @hourly");
    expect_error("0 0 30 2 *", "cron \"0 0 30 2 *\": never fires: day-of-month \"30\" does not "
                               "occur in month \"2\"");
    expect_error("0 0 31 4,6,9,11 *", "cron \"0 0 31 4,6,9,11 *\": never fires: day-of-month "
                                      "\"31\" does not occur in month \"4,6,9,11\"");
    expect_error("0 0 30,31 FEB */2", "cron \"0 0 30,31 FEB */2\": never fires: day-of-month "
                                      "\"30,31\" does not occur in month \"FEB\"");
    expect_error("\x01 * * * *", "cron \"? * * * *\": minute field: bad value \"?\"; allowed "
                                 "0-59");
}

static void test_accepts(void **state)
{
    (void)state;
    /* The OR rule makes these fire (every month has Mondays). */
    const char *ok[] = {"0 0 30 2 MON", "0 0 31 4 1", "0-59 0-23 1-31 1-12 0-7",
                        "*/60 */24 */31 */12 */8"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        mdc_cron_free(parse(ok[i]));
    mdc_cron *c = parse("  0\t0 * * *  ");
    assert_string_equal(mdc_cron_expr(c), "0\t0 * * *");
    assert_int_equal(mdc_cron_every_hour(c), 0);
    mdc_cron_free(c);
    c = parse("0-59 0-23 1-31 1-12 0-7");
    assert_int_equal(mdc_cron_every_hour(c), 1);
    mdc_cron_free(c);
    c = parse("@hourly");
    assert_string_equal(mdc_cron_expr(c), "@hourly");
    assert_int_equal(mdc_cron_every_hour(c), 1);
    mdc_cron_free(c);
    mdc_cron_free(NULL);
}

static void test_next_errors_and_range(void **state)
{
    (void)state;
    mdc_cron *c = parse("* * * * *");
    int64_t next;
    mdc_err err = {0};
    assert_int_equal(mdc_cron_next(c, NULL, MDC_CRON_TIME_LIMIT + 1, &next, &err), -1);
    assert_string_equal(err.msg, "cron \"* * * * *\": time 9000000000001 out of range");
    assert_int_equal(mdc_cron_next(c, NULL, -MDC_CRON_TIME_LIMIT, &next, &err), 0);
    assert_int_equal(next, -MDC_CRON_TIME_LIMIT + 60);
    assert_int_equal(mdc_cron_next(c, NULL, MDC_CRON_TIME_LIMIT, &next, &err), 0);
    assert_int_equal(next, MDC_CRON_TIME_LIMIT + 60);
    assert_int_equal(mdc_cron_next(c, NULL, -1, &next, &err), 0);
    assert_int_equal(next, 0);
    mdc_cron_free(c);
}

/* Walking a year fire by fire is fast: the search is field-wise, not minute by minute. */
static void test_speed(void **state)
{
    (void)state;
    mdc_tz *tz = load("Europe/Berlin");
    mdc_cron *c = parse("0 0 29 2 */7");
    int64_t t = iso("2000-01-01T00:00:00Z"), next;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(mdc_cron_next(c, tz, t, &next, NULL), 0);
        assert_true(next > t);
        t = next;
    }
    mdc_cron_free(c);
    c = parse("*/5 * * * *");
    t = iso("2026-01-01T00:00:00Z");
    for (int i = 0; i < 105120; i++) { /* one year */
        assert_int_equal(mdc_cron_next(c, tz, t, &next, NULL), 0);
        assert_int_equal(next - t, 300);
        t = next;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    assert_true(secs < 10.0);
    mdc_cron_free(c);
    mdc_tz_free(tz);
}

struct thread_arg {
    const mdc_cron *c;
    const mdc_tz *tz;
    int64_t sum;
};

static void *thread_main(void *p)
{
    struct thread_arg *a = p;
    int64_t t = iso("2026-01-01T00:00:00Z"), next;
    for (int i = 0; i < 2000; i++) {
        if (mdc_cron_next(a->c, a->tz, t, &next, NULL) < 0) return NULL;
        a->sum += next - t;
        t = next;
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    mdc_tz *tz = load("Europe/Berlin");
    mdc_cron *c = parse("*/7 1-3 * * *");
    struct thread_arg args[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct thread_arg){c, tz, 0};
        assert_int_equal(pthread_create(&th[i], NULL, thread_main, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    for (int i = 1; i < 4; i++)
        assert_int_equal(args[i].sum, args[0].sum);
    assert_true(args[0].sum > 0);
    mdc_cron_free(c);
    mdc_tz_free(tz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_table),
        cmocka_unit_test(test_oracle),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_accepts),
        cmocka_unit_test(test_next_errors_and_range),
        cmocka_unit_test(test_speed),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
