/* SPDX-License-Identifier: Apache-2.0 */
/* cron.c — five-field cron expressions: parsing into bit sets, and a field-wise search for the
 * next fire time in a time zone (see cron.h for the DST semantics). */
#include "cron.h"
#include "clock.h"
#include "xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define EXPR_MAX      1024
#define SEARCH_DAYS   146097 /* 400 years */
#define MINUTES_DAY   1440
#define ALL_HOURS     0xFFFFFFu
#define NUM_MAX_DIGIT 4

struct mdc_cron {
    char *expr;
    uint64_t minutes; /* bit n: minute n */
    uint32_t hours;
    uint32_t doms;   /* bits 1-31 */
    uint16_t months; /* bits 1-12 */
    uint8_t dows;    /* bits 0-6, Sunday = 0 (7 folded into 0) */
    bool dom_star, dow_star;
};

struct field {
    const char *name;
    int min, max;
    const char *const *names; /* names[i] is value min + i */
    const char *allowed;
};

static const char *const MONTH_NAMES[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL",
                                          "AUG", "SEP", "OCT", "NOV", "DEC", NULL};
static const char *const DOW_NAMES[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL};

enum { F_MIN, F_HOUR, F_DOM, F_MON, F_DOW, NFIELDS };

static const struct field FIELDS[NFIELDS] = {
    {"minute", 0, 59, NULL, "0-59"},
    {"hour", 0, 23, NULL, "0-23"},
    {"day-of-month", 1, 31, NULL, "1-31"},
    {"month", 1, 12, MONTH_NAMES, "1-12 or JAN-DEC"},
    {"day-of-week", 0, 7, DOW_NAMES, "0-7 or SUN-SAT"},
};

static const struct {
    const char *name, *fields;
} MACROS[] = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
};

/* ---- parsing ---------------------------------------------------------------------------- */

struct parse_ctx {
    const char *q; /* the expression, sanitized for messages */
    mdc_err *err;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static bool ieq(const char *a, size_t n, const char *b)
{
    if (strlen(b) != n) return false;
    for (size_t i = 0; i < n; i++)
        if (upper(a[i]) != upper(b[i])) return false;
    return true;
}

/* Copy of s (n bytes) for messages: at most 100 characters, non-printables as '?'. */
static void sanitize(const char *s, size_t n, char *buf, size_t cap)
{
    size_t i = 0;
    for (; i < n && i + 4 < cap && i < 100; i++)
        buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    if (i < n && i + 4 <= cap) {
        memcpy(buf + i, "...", 3);
        i += 3;
    }
    buf[i] = '\0';
}

static int field_err(const struct parse_ctx *pc, const struct field *f, const char *fmt,
                     const char *tok, size_t toklen)
{
    char t[112], what[240];
    sanitize(tok, toklen, t, sizeof t);
    snprintf(what, sizeof what, fmt, t);
    return mdc_err_set(pc->err, MDC_EINVAL, "cron \"%s\": %s field: %s; allowed %s", pc->q, f->name,
                       what, f->allowed);
}

/* One value: a number or (month/day-of-week) a name. */
static int parse_value(const struct parse_ctx *pc, const struct field *f, const char *s, size_t n,
                       int *out)
{
    if (n > 0 && is_alpha(s[0])) {
        for (int i = 0; f->names && f->names[i]; i++)
            if (ieq(s, n, f->names[i])) {
                *out = f->min + i;
                return 0;
            }
        for (size_t i = 0; i < n; i++)
            if (!is_alpha(s[i])) return field_err(pc, f, "bad value \"%s\"", s, n);
        return field_err(pc, f, f->names ? "unknown name \"%s\"" : "bad value \"%s\"", s, n);
    }
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i])) return field_err(pc, f, "bad value \"%s\"", s, n);
        if (i >= NUM_MAX_DIGIT) return field_err(pc, f, "value %s out of range", s, n);
        v = v * 10 + (s[i] - '0');
    }
    if (v < f->min || v > f->max) return field_err(pc, f, "value %s out of range", s, n);
    *out = v;
    return 0;
}

static int parse_step(const struct parse_ctx *pc, const struct field *f, const char *item, size_t n,
                      const char *s, size_t sn, int *step)
{
    int span = f->max - f->min + 1, v = 0;
    bool ok = sn > 0 && sn <= NUM_MAX_DIGIT;
    for (size_t i = 0; ok && i < sn; i++) {
        ok = is_digit(s[i]);
        v = v * 10 + (s[i] - '0');
    }
    if (!ok || v < 1 || v > span) {
        char msg[64];
        snprintf(msg, sizeof msg, "bad step in \"%%s\" (steps must be 1-%d)", span);
        return field_err(pc, f, msg, item, n);
    }
    *step = v;
    return 0;
}

/* One list element: "*", "a", "a-b", each optionally followed by "/step". */
static int parse_item(const struct parse_ctx *pc, const struct field *f, const char *s, size_t n,
                      uint64_t *mask)
{
    const char *slash = memchr(s, '/', n);
    size_t bn = slash ? (size_t)(slash - s) : n;
    int lo, hi, step = 1;
    if (bn == 1 && s[0] == '*') {
        lo = f->min;
        hi = f->max;
    } else {
        const char *dash = memchr(s, '-', bn);
        size_t an = dash ? (size_t)(dash - s) : bn;
        if (an == 0 || (dash && an + 1 == bn)) return field_err(pc, f, "bad value \"%s\"", s, n);
        if (parse_value(pc, f, s, an, &lo) < 0) return -1;
        hi = slash ? f->max : lo;
        if (dash && parse_value(pc, f, dash + 1, bn - an - 1, &hi) < 0) return -1;
        if (hi < lo) return field_err(pc, f, "range \"%s\" is reversed", s, bn);
    }
    if (slash && parse_step(pc, f, s, n, slash + 1, n - bn - 1, &step) < 0) return -1;
    for (int v = lo; v <= hi; v += step)
        *mask |= UINT64_C(1) << v;
    return 0;
}

static int parse_field(const struct parse_ctx *pc, const struct field *f, const char *s, size_t n,
                       uint64_t *mask)
{
    *mask = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != ',') continue;
        if (i == start) return field_err(pc, f, "empty list element in \"%s\"", s, n);
        if (parse_item(pc, f, s + start, i - start, mask) < 0) return -1;
        start = i + 1;
    }
    return 0;
}

/* Splits into exactly five blank-separated fields. */
static int split_fields(const struct parse_ctx *pc, const char *s, const char *tok[NFIELDS],
                        size_t len[NFIELDS])
{
    int n = 0;
    const char *p = s;
    while (*p) {
        while (is_blank(*p))
            p++;
        if (!*p) break;
        const char *b = p;
        while (*p && !is_blank(*p))
            p++;
        if (n < NFIELDS) {
            tok[n] = b;
            len[n] = (size_t)(p - b);
        }
        n++;
    }
    if (n == NFIELDS) return 0;
    return mdc_err_set(pc->err, MDC_EINVAL,
                       "cron \"%s\": expected 5 fields (minute hour day-of-month month "
                       "day-of-week) or a macro such as @daily, got %d",
                       pc->q, n);
}

static const char *expand_macro(const struct parse_ctx *pc, const char *s)
{
    for (size_t i = 0; i < sizeof MACROS / sizeof MACROS[0]; i++)
        if (ieq(s, strlen(s), MACROS[i].name)) return MACROS[i].fields;
    mdc_err_set(pc->err, MDC_EINVAL,
                "cron \"%s\": unknown macro \"%s\"; allowed @yearly @annually @monthly @weekly "
                "@daily @midnight @hourly",
                pc->q, pc->q);
    return NULL;
}

static int month_max_days(int m)
{
    static const int days[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return days[m];
}

/* With the AND rule, some day-of-month must exist in some selected month. */
static int check_satisfiable(const struct parse_ctx *pc, const mdc_cron *c, const char *dom,
                             size_t domn, const char *mon, size_t monn)
{
    if (!c->dom_star && !c->dow_star) return 0; /* OR rule: every weekday occurs in every month */
    for (int m = 1; m <= 12; m++)
        for (int d = 1; (c->months >> m & 1) && d <= month_max_days(m); d++)
            if (c->doms >> d & 1) return 0;
    char a[112], b[112];
    sanitize(dom, domn, a, sizeof a);
    sanitize(mon, monn, b, sizeof b);
    return mdc_err_set(pc->err, MDC_EINVAL,
                       "cron \"%s\": never fires: day-of-month \"%s\" does not occur in month "
                       "\"%s\"",
                       pc->q, a, b);
}

static int parse_fields(const struct parse_ctx *pc, const char *s, mdc_cron *c)
{
    const char *tok[NFIELDS];
    size_t len[NFIELDS];
    uint64_t mask[NFIELDS];
    if (split_fields(pc, s, tok, len) < 0) return -1;
    for (int i = 0; i < NFIELDS; i++)
        if (parse_field(pc, &FIELDS[i], tok[i], len[i], &mask[i]) < 0) return -1;
    c->minutes = mask[F_MIN];
    c->hours = (uint32_t)mask[F_HOUR];
    c->doms = (uint32_t)mask[F_DOM];
    c->months = (uint16_t)mask[F_MON];
    c->dows = (uint8_t)((mask[F_DOW] | mask[F_DOW] >> 7) & 0x7F);
    c->dom_star = tok[F_DOM][0] == '*';
    c->dow_star = tok[F_DOW][0] == '*';
    return check_satisfiable(pc, c, tok[F_DOM], len[F_DOM], tok[F_MON], len[F_MON]);
}

int mdc_cron_parse(const char *expr, mdc_cron **out, mdc_err *err)
{
    *out = NULL;
    if (!expr) expr = "";
    while (is_blank(*expr))
        expr++;
    size_t n = strlen(expr);
    while (n > 0 && is_blank(expr[n - 1]))
        n--;
    char q[112];
    sanitize(expr, n, q, sizeof q);
    struct parse_ctx pc = {q, err};
    if (n == 0)
        return mdc_err_set(err, MDC_EINVAL,
                           "cron \"\": empty expression; expected 5 fields "
                           "(minute hour day-of-month month day-of-week) or a macro such as "
                           "@daily");
    if (n > EXPR_MAX)
        return mdc_err_set(err, MDC_EINVAL, "cron \"%s\": expression longer than %d characters", q,
                           EXPR_MAX);
    mdc_cron *c = xcalloc(1, sizeof *c);
    c->expr = xstrndup(expr, n);
    const char *fields = c->expr;
    if (fields[0] == '@') fields = expand_macro(&pc, c->expr);
    if (!fields || parse_fields(&pc, fields, c) < 0) {
        mdc_cron_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

void mdc_cron_free(mdc_cron *c)
{
    if (!c) return;
    free(c->expr);
    free(c);
}

const char *mdc_cron_expr(const mdc_cron *c)
{
    return c->expr;
}

int mdc_cron_every_hour(const mdc_cron *c)
{
    return (c->hours & ALL_HOURS) == ALL_HOURS;
}

/* ---- search ------------------------------------------------------------------------------- */

static int64_t floormod(int64_t a, int64_t b)
{
    return a - mdc_floordiv(a, b) * b;
}

static bool day_matches(const mdc_cron *c, int64_t day, unsigned dom)
{
    bool d = c->doms >> dom & 1;
    bool w = c->dows >> floormod(day + 4, 7) & 1; /* 1970-01-01 was a Thursday */
    return (c->dom_star || c->dow_star) ? (d && w) : (d || w);
}

/* First matching minute of the day at or after `from` (0..1440), or -1. */
static int next_hm(const mdc_cron *c, int from)
{
    if (from >= MINUTES_DAY) return -1;
    for (int h = from / 60; h < 24; h++) {
        if (!(c->hours >> h & 1)) continue;
        int m0 = h == from / 60 ? from % 60 : 0;
        uint64_t mask = c->minutes >> m0 << m0;
        if (mask) return h * 60 + __builtin_ctzll(mask);
    }
    return -1;
}

/* Minute of the day of the first whole minute at or after wall time lo (day starts at wd). */
static int first_minute(int64_t wd, int64_t lo)
{
    if (lo <= wd) return 0;
    int64_t m = (lo - wd + 59) / 60;
    return m > MINUTES_DAY ? MINUTES_DAY : (int)m;
}

struct search {
    const mdc_cron *c;
    const mdc_tz *tz;
    int64_t after;
    int32_t min_off, max_off;
};

static void consider(int64_t t, int64_t after, bool *found, int64_t *best)
{
    if (t > after && (!*found || t < *best)) {
        *best = t;
        *found = true;
    }
}

/* The earliest fire time > after coming from wall times of the day starting at wall wd. */
static bool day_candidate(const struct search *s, int64_t wd, int64_t *out)
{
    int64_t a = wd - s->max_off, b = wd + 86400 - s->min_off, e;
    if (!mdc_tz_next_transition(s->tz, a, &e) || e > b) {
        /* One offset for every instant this day's wall times can map to: a plain shift. */
        int32_t o = mdc_tz_offset(s->tz, a);
        int hm = next_hm(s->c, first_minute(wd, s->after + o + 1));
        if (hm < 0) return false;
        *out = wd + hm * 60 - o;
        return true;
    }
    /* The offset changes near this day: resolve each matching wall time. */
    bool found = false, both = mdc_cron_every_hour(s->c);
    int64_t best = 0;
    for (int hm = next_hm(s->c, first_minute(wd, s->after + s->min_off + 1)); hm >= 0;
         hm = next_hm(s->c, hm + 1)) {
        int64_t w = wd + hm * 60, first, second;
        if (found && w - s->max_off > best) break;
        int n = mdc_tz_from_wall(s->tz, w, &first, &second);
        consider(first, s->after, &found, &best);
        if (n >= 2 && both) consider(second, s->after, &found, &best);
    }
    *out = best;
    return found;
}

int mdc_cron_next(const mdc_cron *c, const mdc_tz *tz, int64_t after_s, int64_t *next_s,
                  mdc_err *err)
{
    if (after_s < -MDC_CRON_TIME_LIMIT || after_s > MDC_CRON_TIME_LIMIT)
        return mdc_err_set(err, MDC_EINVAL, "cron \"%s\": time %lld out of range", c->expr,
                           (long long)after_s);
    struct search s = {c, tz, after_s, 0, 0};
    mdc_tz_offset_bounds(tz, &s.min_off, &s.max_off);
    int64_t day = mdc_floordiv(after_s + s.min_off + 1, 86400), end = day + SEARCH_DAYS;
    bool found = false;
    int64_t best = 0;
    while (day <= end) {
        int64_t wd = day * 86400, y, cand;
        unsigned m, d;
        if (found && wd - s.max_off > best) break; /* no later day can map to an earlier instant */
        mdc_civil_from_days(day, &y, &m, &d);
        if (!(c->months >> m & 1)) { /* skip to the first of the next month */
            day = mdc_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1);
            continue;
        }
        if (day_matches(c, day, d) && day_candidate(&s, wd, &cand))
            consider(cand, after_s, &found, &best);
        day++;
    }
    if (found) {
        *next_s = best;
        return 0;
    }
    char when[40];
    mdc_format_utc_s(after_s * MDC_US_PER_SEC, when, sizeof when);
    return mdc_err_set(err, MDC_EINVAL, "cron \"%s\": no fire time within 400 years after %s",
                       c->expr, when);
}
