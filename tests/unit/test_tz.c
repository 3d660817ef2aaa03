/* SPDX-License-Identifier: Apache-2.0 */
/* Time zones: differential tests against glibc (localtime_r with TZ set), exact DST gap and
 * overlap resolution, POSIX TZ rules, TZif parsing of hand-built and corrupt data, and the
 * errors for bad zone names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define T1970 INT64_C(0)
#define T2100 INT64_C(4102444800) /* 2100-01-01T00:00:00Z */

static const char *const ZONES[] = {
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "America/Sao_Paulo",
    "Europe/Dublin",
    "Africa/Casablanca",
    "America/Nuuk",
    "Asia/Jerusalem",
    "Pacific/Apia",
    "Antarctica/Troll",
    "Europe/London",
    "Australia/Sydney",
    "America/Santiago",
    "Asia/Tehran",
    "Europe/Moscow",
    "Pacific/Kiritimati",
    "America/Los_Angeles",
};

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
    return mdc_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + s;
}

static void set_tz_env(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

static mdc_tz *load(const char *name)
{
    mdc_tz *tz = NULL;
    mdc_err err = {0};
    if (mdc_tz_load(name, &tz, &err) < 0) fail_msg("load %s: %s", name, err.msg);
    return tz;
}

/* Compares one instant with glibc; TZ must be set to the same zone. */
static void check_instant(const mdc_tz *tz, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    assert_non_null(localtime_r(&tt, &tm));
    mdc_tz_info info;
    mdc_tz_lookup(tz, t, &info);
    mdc_civil c;
    mdc_tz_to_local(tz, t, &c);
    if (info.utoff != tm.tm_gmtoff || info.isdst != (tm.tm_isdst > 0) ||
        strcmp(info.abbr, tm.tm_zone) != 0 || c.year != tm.tm_year + 1900 ||
        c.month != tm.tm_mon + 1 || c.day != tm.tm_mday || c.hour != tm.tm_hour ||
        c.minute != tm.tm_min || c.second != tm.tm_sec || c.wday != tm.tm_wday ||
        c.yday != tm.tm_yday)
        fail_msg("%s at %lld: mdc %d/%d/%s %lld-%02d-%02d %02d:%02d:%02d w%d y%d, glibc "
                 "%ld/%d/%s %d-%02d-%02d %02d:%02d:%02d w%d y%d",
                 mdc_tz_name(tz), (long long)t, (int)info.utoff, info.isdst, info.abbr,
                 (long long)c.year, c.month, c.day, c.hour, c.minute, c.second, c.wday, c.yday,
                 tm.tm_gmtoff, tm.tm_isdst, tm.tm_zone, tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_wday, tm.tm_yday);
    assert_int_equal(mdc_tz_offset(tz, t), info.utoff);
}

/* Every instant on a grid and around every transition, 1970-2100; also checks that the
 * local -> UTC conversion finds each instant again. */
static void diff_zone(const mdc_tz *tz, const char *tzenv)
{
    set_tz_env(tzenv);
    for (int64_t t = T1970; t < T2100; t += 3 * 86400 + 3607) {
        check_instant(tz, t);
        mdc_civil c;
        mdc_tz_to_local(tz, t, &c);
        int64_t first = 0, second = 0;
        int n = mdc_tz_from_local(tz, &c, &first, &second);
        assert_true(n == 1 || n == 2);
        assert_true(first == t || (n == 2 && second == t));
    }
    int64_t t = T1970, at;
    int ntrans = 0;
    while (mdc_tz_next_transition(tz, t, &at) && at < T2100) {
        assert_true(at > t);
        assert_int_not_equal(mdc_tz_offset(tz, at - 1), mdc_tz_offset(tz, at));
        for (int64_t d = -2; d <= 2; d++)
            check_instant(tz, at + d);
        t = at;
        ntrans++;
    }
    (void)ntrans;
}

static void test_diff_glibc_zones(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof ZONES / sizeof ZONES[0]; i++) {
        mdc_tz *tz = load(ZONES[i]);
        assert_string_equal(mdc_tz_name(tz), ZONES[i]);
        diff_zone(tz, ZONES[i]);
        mdc_tz_free(tz);
    }
}

/* Transitions we report must be every change glibc shows: scan hourly around 2024-2026. */
static void test_diff_glibc_hourly(void **state)
{
    (void)state;
    const char *zones[] = {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                           "America/Nuuk",  "Asia/Jerusalem",   "Africa/Casablanca"};
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        mdc_tz *tz = load(zones[i]);
        set_tz_env(zones[i]);
        for (int64_t t = utc(2024, 1, 1, 0, 0, 0); t < utc(2027, 1, 1, 0, 0, 0); t += 1800)
            check_instant(tz, t);
        for (int64_t t = utc(2090, 1, 1, 0, 0, 0); t < utc(2091, 1, 1, 0, 0, 0); t += 1800)
            check_instant(tz, t);
        mdc_tz_free(tz);
    }
}

static void test_utc_and_null(void **state)
{
    (void)state;
    mdc_tz *tz = load("UTC");
    assert_string_equal(mdc_tz_name(tz), "UTC");
    assert_string_equal(mdc_tz_name(NULL), "UTC");
    mdc_civil c;
    mdc_tz_to_local(NULL, utc(2026, 3, 29, 1, 2, 3), &c);
    assert_int_equal(c.year, 2026);
    assert_int_equal(c.hour, 1);
    assert_int_equal(c.wday, 0); /* a Sunday */
    assert_int_equal(c.yday, 31 + 28 + 28);
    int64_t first = 0, second = -1;
    assert_int_equal(mdc_tz_from_local(tz, &c, &first, &second), 1);
    assert_int_equal(first, utc(2026, 3, 29, 1, 2, 3));
    assert_int_equal(second, -1);
    int64_t at;
    assert_int_equal(mdc_tz_next_transition(tz, 0, &at), 0);
    assert_int_equal(mdc_tz_next_transition(NULL, 0, &at), 0);
    mdc_tz_info info;
    mdc_tz_lookup(tz, 0, &info);
    assert_string_equal(info.abbr, "UTC");
    mdc_tz_free(tz);
    mdc_tz_free(NULL);
}

/* "UTC" needs no file; other names do. */
static void test_tzdir(void **state)
{
    (void)state;
    const char *old = getenv("TZDIR");
    char *saved = old ? strdup(old) : NULL;
    setenv("TZDIR", "/nonexistent-zoneinfo", 1);
    mdc_tz *tz = NULL;
    mdc_err err = {0};
    assert_int_equal(mdc_tz_load("UTC", &tz, &err), 0);
    assert_int_equal(mdc_tz_offset(tz, 1000), 0);
    mdc_tz_free(tz);
    assert_int_equal(mdc_tz_load("Europe/Berlin", &tz, &err), -1);
    assert_null(tz);
    assert_string_equal(err.msg, "unknown time zone 'Europe/Berlin': no such file "
                                 "/nonexistent-zoneinfo/Europe/Berlin; use an IANA name such "
                                 "as Europe/Berlin");
    if (saved) {
        setenv("TZDIR", saved, 1);
        free(saved);
    } else {
        unsetenv("TZDIR");
    }
}

static void expect_load_error(const char *name, const char *want)
{
    mdc_tz *tz = (mdc_tz *)1;
    mdc_err err = {0};
    assert_int_equal(mdc_tz_load(name, &tz, &err), -1);
    assert_null(tz);
    assert_int_equal(err.code, MDC_EINVAL);
    if (strcmp(err.msg, want) != 0) fail_msg("load '%s':\n got  %s\n want %s", name, err.msg, want);
}

static void test_load_errors(void **state)
{
    (void)state;
    unsetenv("TZDIR");
    expect_load_error("Asia/Kolkatta", "unknown time zone 'Asia/Kolkatta': no such file "
                                       "/usr/share/zoneinfo/Asia/Kolkatta; use an IANA name "
                                       "such as Europe/Berlin");
    expect_load_error("", "invalid time zone name '': empty name; use an IANA name such as "
                          "Europe/Berlin");
    expect_load_error("/etc/passwd", "invalid time zone name '/etc/passwd': absolute paths "
                                     "are not allowed; use an IANA name such as Europe/Berlin");
    expect_load_error("../../etc/passwd", "invalid time zone name '../../etc/passwd': \"..\" "
                                          "is not allowed; use an IANA name such as "
                                          "Europe/Berlin");
    expect_load_error("Europe/Ber lin", "invalid time zone name 'Europe/Ber lin': only "
                                        "letters, digits, '_', '-', '+', '.' and '/' are "
                                        "allowed; use an IANA name such as Europe/Berlin");
    expect_load_error("Europe//Berlin", "invalid time zone name 'Europe//Berlin': empty path "
                                        "component; use an IANA name such as Europe/Berlin");
    expect_load_error("Europe/", "invalid time zone name 'Europe/': empty path component; "
                                 "use an IANA name such as Europe/Berlin");
    expect_load_error(".hidden", "invalid time zone name '.hidden': path components must not "
                                 "start with '.'; use an IANA name such as Europe/Berlin");
    expect_load_error("Europe", "unknown time zone 'Europe': /usr/share/zoneinfo/Europe is not "
                                "a time zone file; use an IANA name such as Europe/Berlin");
    /* A file that exists but is not TZif. */
    mdc_tz *tz = NULL;
    mdc_err err = {0};
    assert_int_equal(mdc_tz_load("zone.tab", &tz, &err), -1);
    assert_string_equal(err.msg, "time zone 'zone.tab' (/usr/share/zoneinfo/zone.tab): not a "
                                 "TZif file (bad magic at byte 0)");
}

static void expect_from_local(const char *zone, int y, int mo, int d, int h, int mi, int want_n,
                              int64_t want_first, int64_t want_second)
{
    mdc_tz *tz = load(zone);
    mdc_civil c = {.year = y, .month = mo, .day = d, .hour = h, .minute = mi};
    int64_t first = -1, second = -1;
    int n = mdc_tz_from_local(tz, &c, &first, &second);
    if (n != want_n || first != want_first || (want_n == 2 && second != want_second))
        fail_msg("%s %04d-%02d-%02d %02d:%02d: got n=%d %lld %lld, want n=%d %lld %lld", zone, y,
                 mo, d, h, mi, n, (long long)first, (long long)second, want_n,
                 (long long)want_first, (long long)want_second);
    if (want_n != 2) assert_int_equal(second, -1);
    mdc_tz_free(tz);
}

static void test_from_local_gaps_and_overlaps(void **state)
{
    (void)state;
    /* Berlin spring forward 2026-03-29 02:00 CET -> 03:00 CEST (01:00Z). */
    expect_from_local("Europe/Berlin", 2026, 3, 29, 2, 30, 0, utc(2026, 3, 29, 1, 0, 0), 0);
    expect_from_local("Europe/Berlin", 2026, 3, 29, 2, 0, 0, utc(2026, 3, 29, 1, 0, 0), 0);
    expect_from_local("Europe/Berlin", 2026, 3, 29, 1, 59, 1, utc(2026, 3, 29, 0, 59, 0), 0);
    expect_from_local("Europe/Berlin", 2026, 3, 29, 3, 0, 1, utc(2026, 3, 29, 1, 0, 0), 0);
    /* Berlin fall back 2026-10-25 03:00 CEST -> 02:00 CET (01:00Z). */
    expect_from_local("Europe/Berlin", 2026, 10, 25, 2, 30, 2, utc(2026, 10, 25, 0, 30, 0),
                      utc(2026, 10, 25, 1, 30, 0));
    expect_from_local("Europe/Berlin", 2026, 10, 25, 2, 0, 2, utc(2026, 10, 25, 0, 0, 0),
                      utc(2026, 10, 25, 1, 0, 0));
    expect_from_local("Europe/Berlin", 2026, 10, 25, 3, 0, 1, utc(2026, 10, 25, 2, 0, 0), 0);
    expect_from_local("Europe/Berlin", 2026, 10, 25, 1, 59, 1, utc(2026, 10, 24, 23, 59, 0), 0);
    /* New York: 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z); 2026-11-01 02:00 EDT -> 01:00 EST
     * (06:00Z). */
    expect_from_local("America/New_York", 2026, 3, 8, 2, 30, 0, utc(2026, 3, 8, 7, 0, 0), 0);
    expect_from_local("America/New_York", 2026, 11, 1, 1, 30, 2, utc(2026, 11, 1, 5, 30, 0),
                      utc(2026, 11, 1, 6, 30, 0));
    expect_from_local("America/New_York", 2026, 11, 1, 2, 0, 1, utc(2026, 11, 1, 7, 0, 0), 0);
    /* Lord Howe: 30-minute DST, 2026-10-04 02:00 +1030 -> 02:30 +11 (15:30Z the day before);
     * 2026-04-05 02:00 +11 -> 01:30 +1030 (15:00Z). */
    expect_from_local("Australia/Lord_Howe", 2026, 10, 4, 2, 15, 0, utc(2026, 10, 3, 15, 30, 0), 0);
    expect_from_local("Australia/Lord_Howe", 2026, 4, 5, 1, 45, 2, utc(2026, 4, 4, 14, 45, 0),
                      utc(2026, 4, 4, 15, 15, 0));
    /* Kolkata: +05:30, no DST. */
    expect_from_local("Asia/Kolkata", 2026, 3, 29, 2, 30, 1, utc(2026, 3, 28, 21, 0, 0), 0);
    /* Far future (POSIX rule part of the file). */
    expect_from_local("Europe/Berlin", 2087, 3, 30, 2, 30, 0, utc(2087, 3, 30, 1, 0, 0), 0);
    expect_from_local("Europe/Berlin", 2087, 10, 26, 2, 30, 2, utc(2087, 10, 26, 0, 30, 0),
                      utc(2087, 10, 26, 1, 30, 0));
}

static void test_from_local_normalizes(void **state)
{
    (void)state;
    mdc_civil c = {.year = 2025, .month = 14, .day = 0, .hour = 25, .minute = -1};
    /* month 14 of 2025 = Feb 2026; day 0 = Jan 31; 25:00 - 1 min = Feb 1 00:59. */
    int64_t first;
    assert_int_equal(mdc_tz_from_local(NULL, &c, &first, NULL), 1);
    assert_int_equal(first, utc(2026, 2, 1, 0, 59, 0));
    c = (mdc_civil){.year = 2026, .month = 0, .day = 1};
    assert_int_equal(mdc_tz_from_local(NULL, &c, &first, NULL), 1);
    assert_int_equal(first, utc(2025, 12, 1, 0, 0, 0));
    c = (mdc_civil){.year = INT64_MAX, .month = 1, .day = 1};
    assert_int_equal(mdc_tz_from_local(NULL, &c, &first, NULL), 1);
    assert_int_equal(first, MDC_TZ_TIME_LIMIT);
}

static void test_extreme_instants(void **state)
{
    (void)state;
    mdc_tz *tz = load("Europe/Berlin");
    const int64_t ts[] = {INT64_MIN, INT64_MIN + 1,         -MDC_TZ_TIME_LIMIT - 1,
                          0,         MDC_TZ_TIME_LIMIT + 1, INT64_MAX};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        mdc_civil c;
        mdc_tz_to_local(tz, ts[i], &c);
        int64_t at, f;
        (void)mdc_tz_next_transition(tz, ts[i], &at);
        (void)mdc_tz_from_local(tz, &c, &f, NULL);
    }
    int32_t lo, hi;
    mdc_tz_offset_bounds(tz, &lo, &hi);
    assert_int_equal(lo, 3208);  /* LMT +0:53:28 */
    assert_int_equal(hi, 10800); /* CEMT, 1945 and 1947 */
    mdc_tz_free(tz);
}

/* POSIX TZ strings, including RFC 8536 extensions, against glibc's own parser. */
static void test_posix_vs_glibc(void **state)
{
    (void)state;
    const char *specs[] = {
        "EST5EDT,M3.2.0,M11.1.0",
        "CET-1CEST,M3.5.0,M10.5.0/3",
        "<+0330>-3:30",
        "<-03>3",
        "AEST-10AEDT,M10.1.0,M4.1.0/3",
        "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
        "AAA3BBB,J60/2,J300/2",
        "XXX-5YYY-6,59/1:30,300/-1",
        "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
        "IST-2IDT,M3.4.4/26,M10.5.0",
        "NZST-12NZDT,M9.5.0,M4.1.0/3",
        "AAA+01:02:03BBB-0:30,M5.5.6/23:59:59,M5.5.6/0",
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        mdc_tz *tz = NULL;
        mdc_err err = {0};
        if (mdc_tz_from_posix(specs[i], &tz, &err) < 0) fail_msg("%s: %s", specs[i], err.msg);
        assert_string_equal(mdc_tz_name(tz), specs[i]);
        diff_zone(tz, specs[i]);
        mdc_tz_free(tz);
    }
}

static void test_posix_all_year_dst(void **state)
{
    (void)state;
    /* RFC 8536: DST all year round. */
    mdc_tz *tz = NULL;
    mdc_err err = {0};
    assert_int_equal(mdc_tz_from_posix("EST5EDT,0/0,J365/25", &tz, &err), 0);
    for (int64_t t = T1970; t < T2100; t += 86400 * 7 + 13) {
        mdc_tz_info info;
        mdc_tz_lookup(tz, t, &info);
        assert_int_equal(info.utoff, -4 * 3600);
        assert_string_equal(info.abbr, "EDT");
    }
    int64_t at;
    assert_int_equal(mdc_tz_next_transition(tz, 0, &at), 0);
    mdc_tz_free(tz);
    /* DST without a rule: glibc's default, the current US rule. */
    assert_int_equal(mdc_tz_from_posix("AAA5BBB", &tz, &err), 0);
    assert_int_equal(mdc_tz_offset(tz, utc(2026, 3, 8, 6, 59, 59)), -5 * 3600);
    assert_int_equal(mdc_tz_offset(tz, utc(2026, 3, 8, 7, 0, 0)), -4 * 3600);
    assert_int_equal(mdc_tz_offset(tz, utc(2026, 11, 1, 5, 59, 59)), -4 * 3600);
    assert_int_equal(mdc_tz_offset(tz, utc(2026, 11, 1, 6, 0, 0)), -5 * 3600);
    mdc_tz_free(tz);
}

static void expect_posix_error(const char *spec, const char *want)
{
    mdc_tz *tz = (mdc_tz *)1;
    mdc_err err = {0};
    assert_int_equal(mdc_tz_from_posix(spec, &tz, &err), -1);
    assert_null(tz);
    if (strcmp(err.msg, want) != 0)
        fail_msg("posix '%s':\n got  %s\n want %s", spec, err.msg, want);
}

static void test_posix_errors(void **state)
{
    (void)state;
    expect_posix_error("", "bad POSIX TZ string \"\": abbreviation must have at least 3 "
                           "characters");
    expect_posix_error("CE-1", "bad POSIX TZ string \"CE-1\": abbreviation must have at least "
                               "3 characters");
    expect_posix_error("CET", "bad POSIX TZ string \"CET\": bad hours");
    expect_posix_error("CET-25", "bad POSIX TZ string \"CET-25\": bad hours");
    expect_posix_error("CET-1:60", "bad POSIX TZ string \"CET-1:60\": bad minutes");
    expect_posix_error("<+0530-5:30", "bad POSIX TZ string \"<+0530-5:30\": unterminated '<' "
                                      "abbreviation");
    expect_posix_error("CET-1CEST,M3.5.0", "bad POSIX TZ string \"CET-1CEST,M3.5.0\": expected "
                                           "',' and the end date of daylight saving time");
    expect_posix_error("CET-1CEST,M13.5.0,M10.5.0", "bad POSIX TZ string "
                                                    "\"CET-1CEST,M13.5.0,M10.5.0\": bad "
                                                    "Mm.w.d date (m 1-12, w 1-5, d 0-6)");
    expect_posix_error("CET-1CEST,J0,J10", "bad POSIX TZ string \"CET-1CEST,J0,J10\": bad Jn "
                                           "date (n must be 1-365)");
    expect_posix_error("CET-1CEST,366,10", "bad POSIX TZ string \"CET-1CEST,366,10\": bad rule "
                                           "date (expected Jn, n or Mm.w.d)");
    expect_posix_error("CET-1CEST,M3.5.0/168,M10.5.0", "bad POSIX TZ string "
                                                       "\"CET-1CEST,M3.5.0/168,M10.5.0\": bad "
                                                       "hours");
    expect_posix_error("CET-1CEST,M3.5.0,M10.5.0x", "bad POSIX TZ string "
                                                    "\"CET-1CEST,M3.5.0,M10.5.0x\": unexpected "
                                                    "characters after the rule");
    expect_posix_error("CET-1\x01", "bad POSIX TZ string \"CET-1?\": abbreviation must have at "
                                    "least 3 characters");
}

/* ---- hand-built TZif data ------------------------------------------------------------------ */

struct tb {
    unsigned char b[8192];
    size_t n;
};

static void put8(struct tb *t, unsigned v)
{
    t->b[t->n++] = (unsigned char)v;
}

static void put32(struct tb *t, uint32_t v)
{
    for (int i = 3; i >= 0; i--)
        put8(t, v >> (8 * i) & 0xFF);
}

static void put64(struct tb *t, uint64_t v)
{
    put32(t, (uint32_t)(v >> 32));
    put32(t, (uint32_t)v);
}

struct ttype {
    int32_t off;
    uint8_t dst, ai;
};

struct zone_spec {
    const int64_t *times;
    const uint8_t *idx;
    uint32_t nt;
    const struct ttype *types;
    uint32_t ntypes;
    const char *chars;
    uint32_t nchars;
};

static void put_header(struct tb *t, char version, const struct zone_spec *z)
{
    memcpy(t->b + t->n, "TZif", 4);
    t->n += 4;
    put8(t, (unsigned char)version);
    for (int i = 0; i < 15; i++)
        put8(t, 0);
    put32(t, z->ntypes); /* isutcnt */
    put32(t, z->ntypes); /* isstdcnt */
    put32(t, 0);         /* leapcnt */
    put32(t, z->nt);
    put32(t, z->ntypes);
    put32(t, z->nchars);
}

static void put_block(struct tb *t, const struct zone_spec *z, int tsize)
{
    for (uint32_t i = 0; i < z->nt; i++) {
        if (tsize == 8)
            put64(t, (uint64_t)z->times[i]);
        else
            put32(t, (uint32_t)(int32_t)z->times[i]);
    }
    for (uint32_t i = 0; i < z->nt; i++)
        put8(t, z->idx[i]);
    for (uint32_t i = 0; i < z->ntypes; i++) {
        put32(t, (uint32_t)z->types[i].off);
        put8(t, z->types[i].dst);
        put8(t, z->types[i].ai);
    }
    memcpy(t->b + t->n, z->chars, z->nchars);
    t->n += z->nchars;
    for (uint32_t i = 0; i < 2 * z->ntypes; i++)
        put8(t, 0);
}

/* version 0 = v1 (no footer); otherwise '2'..'4' with the given footer. */
static void build(struct tb *t, char version, const struct zone_spec *z, const char *footer)
{
    t->n = 0;
    put_header(t, version, z);
    put_block(t, z, 4);
    if (version == 0) return;
    put_header(t, version, z);
    put_block(t, z, 8);
    put8(t, '\n');
    memcpy(t->b + t->n, footer, strlen(footer));
    t->n += strlen(footer);
    put8(t, '\n');
}

static const int64_t TIMES[] = {-1000000, 0, 1000000};
static const uint8_t IDX[] = {1, 2, 1};
static const struct ttype TYPES[] = {{3600, 0, 0}, {7200, 1, 4}, {-1800, 0, 9}};
static const char CHARS[] = "LMT\0XDT\0\0-0030"; /* "LMT", "XDT", "", "-0030" */
static const struct zone_spec ZSPEC = {TIMES, IDX, 3, TYPES, 3, CHARS, sizeof CHARS};

static void test_tzif_v1(void **state)
{
    (void)state;
    struct tb t;
    build(&t, 0, &ZSPEC, NULL);
    mdc_tz *tz = NULL;
    mdc_err err = {0};
    assert_int_equal(mdc_tz_parse_tzif("v1", t.b, t.n, &tz, &err), 0);
    mdc_tz_info info;
    mdc_tz_lookup(tz, -1000001, &info); /* before the first transition: type 0 */
    assert_int_equal(info.utoff, 3600);
    assert_string_equal(info.abbr, "LMT");
    mdc_tz_lookup(tz, -1000000, &info);
    assert_int_equal(info.utoff, 7200);
    assert_int_equal(info.isdst, 1);
    assert_string_equal(info.abbr, "XDT");
    mdc_tz_lookup(tz, 500, &info);
    assert_int_equal(info.utoff, -1800);
    assert_string_equal(info.abbr, "-0030");
    mdc_tz_lookup(tz, INT64_MAX, &info); /* no footer: the last type stays */
    assert_int_equal(info.utoff, 7200);
    int64_t at;
    assert_int_equal(mdc_tz_next_transition(tz, -2000000, &at), 1);
    assert_int_equal(at, -1000000);
    assert_int_equal(mdc_tz_next_transition(tz, 1000000, &at), 0);
    /* -1800 -> 7200 at 1000000: wall times [998200, 1007200) are skipped. */
    int64_t f, s;
    assert_int_equal(mdc_tz_from_wall(tz, 1000000, &f, &s), 0);
    assert_int_equal(f, 1000000);
    /* 7200 -> -1800 at 0: wall times [-1800, 7200) occur twice. */
    assert_int_equal(mdc_tz_from_wall(tz, 0, &f, &s), 2);
    assert_int_equal(f, -7200);
    assert_int_equal(s, 1800);
    mdc_tz_free(tz);
}

static void test_tzif_v2_footer(void **state)
{
    (void)state;
    struct tb t;
    for (char v = '2'; v <= '4'; v++) {
        build(&t, v, &ZSPEC, "EST5EDT,M3.2.0,M11.1.0");
        mdc_tz *tz = NULL;
        mdc_err err = {0};
        if (mdc_tz_parse_tzif("v2", t.b, t.n, &tz, &err) < 0) fail_msg("v%c: %s", v, err.msg);
        assert_int_equal(mdc_tz_offset(tz, 999999), -1800);
        assert_int_equal(mdc_tz_offset(tz, utc(2026, 7, 1, 0, 0, 0)), -4 * 3600);
        assert_int_equal(mdc_tz_offset(tz, utc(2026, 12, 1, 0, 0, 0)), -5 * 3600);
        int64_t at;
        assert_int_equal(mdc_tz_next_transition(tz, 999999, &at), 1);
        assert_int_equal(at, 1000000); /* EST from the rule in January 1970 */
        assert_int_equal(mdc_tz_next_transition(tz, at, &at), 1);
        assert_int_equal(at, utc(1970, 3, 8, 7, 0, 0));
        mdc_tz_free(tz);
    }
    /* Empty footer: the last type stays. */
    build(&t, '2', &ZSPEC, "");
    mdc_tz *tz = NULL;
    assert_int_equal(mdc_tz_parse_tzif(NULL, t.b, t.n, &tz, NULL), 0);
    assert_string_equal(mdc_tz_name(tz), "TZif");
    assert_int_equal(mdc_tz_offset(tz, utc(2026, 7, 1, 0, 0, 0)), 7200);
    mdc_tz_free(tz);
}

static void test_tzif_no_transitions(void **state)
{
    (void)state;
    static const struct ttype ty[] = {{19800, 0, 0}};
    static const char ch[] = "IST";
    const struct zone_spec z = {NULL, NULL, 0, ty, 1, ch, sizeof ch};
    struct tb t;
    build(&t, '2', &z, "IST-5:30");
    mdc_tz *tz = NULL;
    mdc_err err = {0};
    assert_int_equal(mdc_tz_parse_tzif("x", t.b, t.n, &tz, &err), 0);
    assert_int_equal(mdc_tz_offset(tz, INT64_MIN), 19800);
    assert_int_equal(mdc_tz_offset(tz, 0), 19800);
    mdc_tz_free(tz);
    build(&t, '2', &z, "CET-1CEST,M3.5.0,M10.5.0/3"); /* the rule applies to all instants */
    assert_int_equal(mdc_tz_parse_tzif("x", t.b, t.n, &tz, &err), 0);
    assert_int_equal(mdc_tz_offset(tz, utc(1950, 7, 1, 0, 0, 0)), 7200);
    mdc_tz_free(tz);
}

static void expect_tzif_error(const unsigned char *d, size_t n, const char *want)
{
    mdc_tz *tz = (mdc_tz *)1;
    mdc_err err = {0};
    assert_int_equal(mdc_tz_parse_tzif("bad", d, n, &tz, &err), -1);
    assert_null(tz);
    if (want && strcmp(err.msg, want) != 0) fail_msg("got  %s\nwant %s", err.msg, want);
}

static void test_tzif_errors(void **state)
{
    (void)state;
    struct tb t;
    build(&t, '2', &ZSPEC, "EST5EDT,M3.2.0,M11.1.0");
    struct tb m = t;
    expect_tzif_error(t.b, 10, "truncated TZif header at byte 0");
    expect_tzif_error(t.b, t.n - 1, "TZif footer unterminated or too long");
    m.b[4] = '5';
    expect_tzif_error(m.b, m.n, "unsupported TZif version byte 0x35");
    m = t;
    m.b[0] = 'X';
    expect_tzif_error(m.b, m.n, "not a TZif file (bad magic at byte 0)");

    build(&t, '2', &ZSPEC, "EST5EDT,M3.2.0");
    expect_tzif_error(t.b, t.n,
                      "TZif footer: bad POSIX TZ string \"EST5EDT,M3.2.0\": expected "
                      "',' and the end date of daylight saving time");
    /* Descending transitions, bad type index, bad offset, bad designation index. */
    static const int64_t desc[] = {0, -5};
    static const uint8_t idx0[] = {0, 0};
    struct zone_spec z = ZSPEC;
    z.times = desc;
    z.idx = idx0;
    z.nt = 2;
    build(&t, 0, &z, NULL);
    expect_tzif_error(t.b, t.n, "TZif transitions not in ascending order at 1");
    static const uint8_t idx9[] = {1, 9, 1};
    z = ZSPEC;
    z.idx = idx9;
    build(&t, 0, &z, NULL);
    expect_tzif_error(t.b, t.n, "TZif transition 1 uses type 9 of 3");
    static const struct ttype badoff[] = {{200000, 0, 0}, {0, 0, 0}, {0, 0, 0}};
    z = ZSPEC;
    z.types = badoff;
    build(&t, 0, &z, NULL);
    expect_tzif_error(t.b, t.n, "TZif type 0: UTC offset 200000 s out of range");
    static const struct ttype badai[] = {{0, 0, 0}, {0, 0, 200}, {0, 0, 0}};
    z = ZSPEC;
    z.types = badai;
    build(&t, 0, &z, NULL);
    expect_tzif_error(t.b, t.n, "TZif type 1: bad designation index 200");
    /* Designation without a terminating NUL. */
    static const char nonul[] = {'L', 'M', 'T'};
    static const struct ttype one[] = {{0, 0, 0}};
    z = (struct zone_spec){NULL, NULL, 0, one, 1, nonul, 3};
    build(&t, 0, &z, NULL);
    expect_tzif_error(t.b, t.n, "TZif type 0: bad designation index 0");
    /* Huge counts must be rejected by the size check, not allocated. */
    build(&t, '2', &ZSPEC, "");
    m = t;
    m.b[32] = 0x7F; /* timecnt of the v1 header */
    expect_tzif_error(m.b, m.n, NULL);
    expect_tzif_error(NULL, 0, "no TZif data");
}

/* Every truncation of a real file fails cleanly; every single-byte corruption either fails or
 * yields a zone that answers queries. */
static void test_tzif_real_file_mutations(void **state)
{
    (void)state;
    FILE *f = fopen("/usr/share/zoneinfo/Europe/Berlin", "rb");
    assert_non_null(f);
    static unsigned char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(n > 100);
    mdc_tz *tz = NULL;
    for (size_t len = 0; len < n; len++) {
        unsigned char *copy = malloc(len ? len : 1); /* exact size: ASan sees overreads */
        memcpy(copy, buf, len);
        assert_int_equal(mdc_tz_parse_tzif("trunc", copy, len, &tz, NULL), -1);
        free(copy);
    }
    unsigned char *copy = malloc(n);
    for (size_t i = 0; i < n; i++) {
        memcpy(copy, buf, n);
        copy[i] ^= (unsigned char)(0x5A + i);
        if (mdc_tz_parse_tzif("mut", copy, n, &tz, NULL) == 0) {
            mdc_civil c;
            mdc_tz_to_local(tz, utc(2026, 3, 29, 1, 0, 0), &c);
            (void)mdc_tz_from_local(tz, &c, NULL, NULL);
            mdc_tz_free(tz);
        }
    }
    free(copy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff_glibc_zones),
        cmocka_unit_test(test_diff_glibc_hourly),
        cmocka_unit_test(test_utc_and_null),
        cmocka_unit_test(test_tzdir),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_from_local_gaps_and_overlaps),
        cmocka_unit_test(test_from_local_normalizes),
        cmocka_unit_test(test_extreme_instants),
        cmocka_unit_test(test_posix_vs_glibc),
        cmocka_unit_test(test_posix_all_year_dst),
        cmocka_unit_test(test_posix_errors),
        cmocka_unit_test(test_tzif_v1),
        cmocka_unit_test(test_tzif_v2_footer),
        cmocka_unit_test(test_tzif_no_transitions),
        cmocka_unit_test(test_tzif_errors),
        cmocka_unit_test(test_tzif_real_file_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
