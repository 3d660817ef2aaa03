/* SPDX-License-Identifier: Apache-2.0 */
/* tz.c — TZif (RFC 8536) and POSIX TZ rule parsing, UTC <-> local time conversion.
 *
 * All parsing is bounds-checked against the input length; every loop is bounded by the input
 * size or by a small constant, so corrupt or hostile files cannot make it read out of bounds,
 * overflow or spin. Instants are clamped to +-MDC_TZ_TIME_LIMIT before any arithmetic. */
#include "tz.h"
#include "clock.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TZIF_HEADER_LEN 44
#define TZIF_MAX_FILE   (4u << 20) /* real files are < 10 KiB */
#define TZ_DEFAULT_DIR  "/usr/share/zoneinfo"
#define TZ_NAME_MAX     255
#define OFFSET_LIMIT    93600              /* |UTC offset| <= 26 h */
#define TRANS_LIMIT     (INT64_C(1) << 60) /* |transition time| accepted in files */
#define POSIX_MAX_LEN   255                /* longest footer TZ string accepted */
#define RULE_HOURS_MAX  167                /* RFC 8536 extension for rule times */
#define SEGMENT_CAP     64                 /* offset segments examined per conversion */
#define YEAR_LIMIT      INT64_C(40000000)  /* civil years accepted (|t| <= 1e15 s) */
#define DEFAULT_RULE    "M3.2.0,M11.1.0"   /* glibc's default when a DST rule is absent */

struct tz_type {
    int32_t utoff;
    uint8_t isdst;
    uint32_t abbr; /* index into mdc_tz.abbrs */
};

enum { DATE_J1 = 1 /* Jn: 1-365, Feb 29 not counted */, DATE_J0 /* n: 0-365 */, DATE_MWD };

struct rule_date {
    int kind;
    int n, m, w, d;
    int32_t time; /* seconds after local midnight, -167 h to 167 h */
};

struct posix_tz {
    int32_t std_off, dst_off; /* seconds east of UTC */
    bool has_dst;
    struct rule_date start, end;
    char std_abbr[MDC_TZ_ABBR_MAX + 1];
    char dst_abbr[MDC_TZ_ABBR_MAX + 1];
};

struct mdc_tz {
    char *name;
    struct tz_type *types;
    size_t ntypes;
    char *abbrs; /* NUL-terminated designations */
    size_t abbrs_len;
    int64_t *trans; /* strictly ascending */
    uint8_t *trans_type;
    size_t ntrans;
    int64_t *chg_at; /* transitions that change the UTC offset */
    size_t nchg;
    bool has_rule; /* rule applies at and after the last transition (or always) */
    struct posix_tz rule;
    int32_t min_off, max_off;
};

/* ---- small helpers ---------------------------------------------------------------------- */

static int64_t clamp_time(int64_t t)
{
    if (t > MDC_TZ_TIME_LIMIT) return MDC_TZ_TIME_LIMIT;
    if (t < -MDC_TZ_TIME_LIMIT) return -MDC_TZ_TIME_LIMIT;
    return t;
}

static int64_t floormod(int64_t a, int64_t b)
{
    return a - mdc_floordiv(a, b) * b;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int64_t year_of(int64_t t)
{
    int64_t y;
    unsigned m, d;
    mdc_civil_from_days(mdc_floordiv(t, 86400), &y, &m, &d);
    return y;
}

/* Copies s for an error message: at most 64 characters, non-printables as '?'. */
static void quote_for_err(const char *s, char *buf, size_t n)
{
    size_t i = 0;
    for (; s[i] && i + 4 < n && i < 64; i++)
        buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    if (s[i] && i + 4 <= n) {
        memcpy(buf + i, "...", 3);
        i += 3;
    }
    buf[i] = '\0';
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int32_t get_i32(const unsigned char *p)
{
    uint32_t u = get_u32(p);
    return u <= INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
}

static int64_t get_i64(const unsigned char *p)
{
    uint64_t u = (uint64_t)get_u32(p) << 32 | get_u32(p + 4);
    return u <= INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
}

/* ---- POSIX TZ rule strings ---------------------------------------------------------------- */

/* Reads 1..maxd decimal digits. Returns -1 if there is no digit or too many. */
static int parse_uint(const char **pp, int maxd, int *out)
{
    const char *p = *pp;
    int v = 0, n = 0;
    while (is_digit(*p)) {
        if (++n > maxd) return -1;
        v = v * 10 + (*p++ - '0');
    }
    if (n == 0) return -1;
    *out = v;
    *pp = p;
    return 0;
}

/* [+|-]hh[:mm[:ss]] with hh <= max_hours. */
static int parse_hms(const char **pp, int max_hours, int32_t *out, const char **why)
{
    const char *p = *pp;
    int sign = 1, h, m = 0, s = 0;
    if (*p == '+' || *p == '-') sign = *p++ == '-' ? -1 : 1;
    if (parse_uint(&p, 3, &h) < 0 || h > max_hours) {
        *why = "bad hours";
        return -1;
    }
    if (*p == ':') {
        p++;
        if (parse_uint(&p, 2, &m) < 0 || m > 59) {
            *why = "bad minutes";
            return -1;
        }
        if (*p == ':') {
            p++;
            if (parse_uint(&p, 2, &s) < 0 || s > 59) {
                *why = "bad seconds";
                return -1;
            }
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    *pp = p;
    return 0;
}

/* "CET" (3+ letters) or "<+0530>" (3+ letters, digits, '+', '-'). */
static int parse_abbr(const char **pp, char *out, const char **why)
{
    const char *p = *pp;
    size_t n = 0;
    bool quoted = *p == '<';
    if (quoted) p++;
    while (is_alpha(*p) || (quoted && (is_digit(*p) || *p == '+' || *p == '-'))) {
        if (n >= MDC_TZ_ABBR_MAX) {
            *why = "abbreviation too long";
            return -1;
        }
        out[n++] = *p++;
    }
    out[n] = '\0';
    if (quoted && *p++ != '>') {
        *why = "unterminated '<' abbreviation";
        return -1;
    }
    if (n < 3) {
        *why = "abbreviation must have at least 3 characters";
        return -1;
    }
    *pp = p;
    return 0;
}

/* Jn | n | Mm.w.d, then an optional /time. */
static int parse_rule_date(const char **pp, struct rule_date *d, const char **why)
{
    const char *p = *pp;
    memset(d, 0, sizeof *d);
    if (*p == 'J') {
        p++;
        d->kind = DATE_J1;
        if (parse_uint(&p, 3, &d->n) < 0 || d->n < 1 || d->n > 365) {
            *why = "bad Jn date (n must be 1-365)";
            return -1;
        }
    } else if (*p == 'M') {
        p++;
        d->kind = DATE_MWD;
        if (parse_uint(&p, 2, &d->m) < 0 || d->m < 1 || d->m > 12 || *p++ != '.' ||
            parse_uint(&p, 1, &d->w) < 0 || d->w < 1 || d->w > 5 || *p++ != '.' ||
            parse_uint(&p, 1, &d->d) < 0 || d->d > 6) {
            *why = "bad Mm.w.d date (m 1-12, w 1-5, d 0-6)";
            return -1;
        }
    } else {
        d->kind = DATE_J0;
        if (parse_uint(&p, 3, &d->n) < 0 || d->n > 365) {
            *why = "bad rule date (expected Jn, n or Mm.w.d)";
            return -1;
        }
    }
    d->time = 7200;
    if (*p == '/') {
        p++;
        if (parse_hms(&p, RULE_HOURS_MAX, &d->time, why) < 0) return -1;
    }
    *pp = p;
    return 0;
}

static int parse_posix_rule(const char **pp, struct posix_tz *r, const char **why)
{
    const char *p = *pp;
    if (*p++ != ',' || parse_rule_date(&p, &r->start, why) < 0) return -1;
    if (*p++ != ',') {
        *why = "expected ',' and the end date of daylight saving time";
        return -1;
    }
    if (parse_rule_date(&p, &r->end, why) < 0) return -1;
    *pp = p;
    return 0;
}

static int parse_posix_body(const char *s, struct posix_tz *r, const char **why)
{
    const char *p = s;
    int32_t off;
    memset(r, 0, sizeof *r);
    if (parse_abbr(&p, r->std_abbr, why) < 0 || parse_hms(&p, 24, &off, why) < 0) return -1;
    r->std_off = -off;
    if (*p == '\0') return 0;
    if (parse_abbr(&p, r->dst_abbr, why) < 0) return -1;
    r->has_dst = true;
    r->dst_off = r->std_off + 3600;
    if (*p && *p != ',') {
        if (parse_hms(&p, 24, &off, why) < 0) return -1;
        r->dst_off = -off;
    }
    if (*p == '\0') {
        const char *def = "," DEFAULT_RULE;
        return parse_posix_rule(&def, r, why);
    }
    if (parse_posix_rule(&p, r, why) < 0) return -1;
    if (*p != '\0') {
        *why = "unexpected characters after the rule";
        return -1;
    }
    return 0;
}

static int parse_posix(const char *s, struct posix_tz *r, mdc_err *err)
{
    const char *why = "syntax error";
    if (parse_posix_body(s, r, &why) == 0) return 0;
    char q[80];
    quote_for_err(s, q, sizeof q);
    return mdc_err_set(err, MDC_EINVAL, "bad POSIX TZ string \"%s\": %s", q, why);
}

/* Day (since the epoch) on which a rule date falls in year y. */
static int64_t rule_day(const struct rule_date *d, int64_t y)
{
    int64_t jan1 = mdc_days_from_civil(y, 1, 1);
    if (d->kind == DATE_J1) return jan1 + d->n - 1 + (is_leap(y) && d->n >= 60 ? 1 : 0);
    if (d->kind == DATE_J0) return jan1 + d->n;
    int64_t first = mdc_days_from_civil(y, (unsigned)d->m, 1);
    int wday1 = (int)floormod(first + 4, 7);
    int day = 1 + (d->d - wday1 + 7) % 7 + (d->w - 1) * 7;
    if (day > month_days(y, d->m)) day -= 7;
    return first + day - 1;
}

struct rule_ev {
    int64_t at;
    bool dst; /* state from `at` on */
};

/* Start/end instants for years y0..y1 (at most 8 years), sorted by time, stable. */
static size_t rule_events(const struct posix_tz *r, int64_t y0, int64_t y1, struct rule_ev *ev)
{
    size_t n = 0;
    for (int64_t y = y0; y <= y1 && n + 2 <= 16; y++) {
        ev[n++] =
            (struct rule_ev){rule_day(&r->start, y) * 86400 + r->start.time - r->std_off, true};
        ev[n++] = (struct rule_ev){rule_day(&r->end, y) * 86400 + r->end.time - r->dst_off, false};
    }
    for (size_t i = 1; i < n; i++) { /* insertion sort keeps equal instants in order */
        struct rule_ev e = ev[i];
        size_t j = i;
        for (; j > 0 && ev[j - 1].at > e.at; j--)
            ev[j] = ev[j - 1];
        ev[j] = e;
    }
    return n;
}

static bool state_at(const struct rule_ev *ev, size_t n, int64_t t)
{
    bool dst = false;
    for (size_t i = 0; i < n && ev[i].at <= t; i++)
        dst = ev[i].dst;
    return dst;
}

static bool rule_isdst(const struct posix_tz *r, int64_t t)
{
    if (!r->has_dst) return false;
    struct rule_ev ev[16];
    int64_t y = year_of(t + r->std_off);
    size_t n = rule_events(r, y - 2, y + 1, ev);
    return state_at(ev, n, t);
}

static int32_t rule_offset(const struct posix_tz *r, int64_t t)
{
    return rule_isdst(r, t) ? r->dst_off : r->std_off;
}

/* First instant > t where the rule's state changes. Returns 0 if none within three years
 * (rules with DST all year round). */
static int rule_next(const struct posix_tz *r, int64_t t, int64_t *at)
{
    if (!r->has_dst || r->std_off == r->dst_off || t >= MDC_TZ_TIME_LIMIT) return 0;
    struct rule_ev ev[16];
    int64_t y = year_of(t + r->std_off);
    size_t n = rule_events(r, y - 2, y + 4, ev);
    /* Events of later years all come after this (rule times are within +-167 h of the date,
     * offsets within 26 h), so groups of equal instants before it are complete. */
    int64_t horizon = (mdc_days_from_civil(y + 4, 1, 1) - 9) * 86400;
    bool cur = state_at(ev, n, t);
    size_t i = 0;
    while (i < n && ev[i].at <= t)
        i++;
    while (i < n && ev[i].at < horizon) {
        size_t j = i;
        while (j + 1 < n && ev[j + 1].at == ev[i].at)
            j++;
        if (ev[j].dst != cur) {
            *at = ev[i].at;
            return 1;
        }
        i = j + 1;
    }
    return 0;
}

/* ---- construction ------------------------------------------------------------------------- */

static mdc_tz *tz_new(const char *name)
{
    mdc_tz *tz = xcalloc(1, sizeof *tz);
    tz->name = xstrdup(name);
    return tz;
}

void mdc_tz_free(mdc_tz *tz)
{
    if (!tz) return;
    free(tz->name);
    free(tz->types);
    free(tz->abbrs);
    free(tz->trans);
    free(tz->trans_type);
    free(tz->chg_at);
    free(tz);
}

/* Computes the offset bounds and the list of offset-changing transitions. */
static void tz_finish(mdc_tz *tz)
{
    tz->min_off = tz->max_off = tz->types[0].utoff;
    for (size_t i = 0; i < tz->ntypes; i++) {
        int32_t o = tz->types[i].utoff;
        tz->min_off = o < tz->min_off ? o : tz->min_off;
        tz->max_off = o > tz->max_off ? o : tz->max_off;
    }
    if (tz->has_rule) {
        const struct posix_tz *r = &tz->rule;
        int32_t lo = r->std_off, hi = r->std_off;
        if (r->has_dst) {
            lo = r->dst_off < lo ? r->dst_off : lo;
            hi = r->dst_off > hi ? r->dst_off : hi;
        }
        tz->min_off = lo < tz->min_off ? lo : tz->min_off;
        tz->max_off = hi > tz->max_off ? hi : tz->max_off;
    }
    tz->chg_at = xmalloc((tz->ntrans ? tz->ntrans : 1) * sizeof *tz->chg_at);
    int32_t prev = tz->types[0].utoff;
    for (size_t i = 0; i < tz->ntrans; i++) {
        int32_t o = tz->types[tz->trans_type[i]].utoff;
        if (tz->has_rule && i + 1 == tz->ntrans)
            o = rule_offset(&tz->rule, clamp_time(tz->trans[i]));
        if (o != prev) tz->chg_at[tz->nchg++] = tz->trans[i];
        prev = o;
    }
}

static mdc_tz *make_utc(const char *name)
{
    mdc_tz *tz = tz_new(name);
    tz->types = xcalloc(1, sizeof *tz->types);
    tz->ntypes = 1;
    tz->abbrs = xstrdup("UTC");
    tz->abbrs_len = 4;
    tz_finish(tz);
    return tz;
}

int mdc_tz_from_posix(const char *spec, mdc_tz **out, mdc_err *err)
{
    *out = NULL;
    struct posix_tz r;
    if (!spec || strlen(spec) > POSIX_MAX_LEN)
        return mdc_err_set(err, MDC_EINVAL, "bad POSIX TZ string: missing or longer than %d",
                           POSIX_MAX_LEN);
    if (parse_posix(spec, &r, err) < 0) return -1;
    mdc_tz *tz = tz_new(spec);
    tz->types = xcalloc(1, sizeof *tz->types);
    tz->ntypes = 1;
    tz->types[0].utoff = r.std_off;
    tz->abbrs = xstrdup(r.std_abbr);
    tz->abbrs_len = strlen(r.std_abbr) + 1;
    tz->has_rule = true;
    tz->rule = r;
    tz_finish(tz);
    *out = tz;
    return 0;
}

/* ---- TZif ----------------------------------------------------------------------------------- */

struct tzif_hdr {
    int version; /* 1-4 */
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static int read_header(const unsigned char *d, size_t len, size_t pos, struct tzif_hdr *h,
                       mdc_err *err)
{
    if (pos > len || len - pos < TZIF_HEADER_LEN)
        return mdc_err_set(err, MDC_EINVAL, "truncated TZif header at byte %zu", pos);
    const unsigned char *p = d + pos;
    if (memcmp(p, "TZif", 4) != 0)
        return mdc_err_set(err, MDC_EINVAL, "not a TZif file (bad magic at byte %zu)", pos);
    if (p[4] == 0)
        h->version = 1;
    else if (p[4] >= '2' && p[4] <= '4')
        h->version = p[4] - '0';
    else
        return mdc_err_set(err, MDC_EINVAL, "unsupported TZif version byte 0x%02x", p[4]);
    h->isutcnt = get_u32(p + 20);
    h->isstdcnt = get_u32(p + 24);
    h->leapcnt = get_u32(p + 28);
    h->timecnt = get_u32(p + 32);
    h->typecnt = get_u32(p + 36);
    h->charcnt = get_u32(p + 40);
    return 0;
}

static uint64_t block_size(const struct tzif_hdr *h, unsigned tsize)
{
    return (uint64_t)h->timecnt * (tsize + 1) + (uint64_t)h->typecnt * 6 + h->charcnt +
           (uint64_t)h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

static int check_counts(const struct tzif_hdr *h, mdc_err *err)
{
    if (h->typecnt == 0 || h->typecnt > 256)
        return mdc_err_set(err, MDC_EINVAL, "bad TZif type count %u (must be 1-256)", h->typecnt);
    if (h->charcnt == 0) return mdc_err_set(err, MDC_EINVAL, "bad TZif: no time zone designations");
    if ((h->isstdcnt != 0 && h->isstdcnt != h->typecnt) ||
        (h->isutcnt != 0 && h->isutcnt != h->typecnt))
        return mdc_err_set(err, MDC_EINVAL,
                           "bad TZif: standard/UT indicator counts %u/%u "
                           "do not match the type count %u",
                           h->isstdcnt, h->isutcnt, h->typecnt);
    if (h->leapcnt != 0)
        return mdc_err_set(err, MDC_EINVAL,
                           "TZif with leap seconds (a \"right/\" zone) "
                           "is not supported");
    return 0;
}

static int read_transitions(mdc_tz *tz, const unsigned char *p, const struct tzif_hdr *h,
                            unsigned tsize, mdc_err *err)
{
    tz->ntrans = h->timecnt;
    tz->trans = xmalloc((h->timecnt ? h->timecnt : 1) * sizeof *tz->trans);
    tz->trans_type = xmalloc(h->timecnt ? h->timecnt : 1);
    const unsigned char *idx = p + (size_t)h->timecnt * tsize;
    for (size_t i = 0; i < h->timecnt; i++) {
        int64_t t = tsize == 8 ? get_i64(p + i * 8) : get_i32(p + i * 4);
        if (t < -TRANS_LIMIT || t > TRANS_LIMIT)
            return mdc_err_set(err, MDC_EINVAL, "TZif transition %zu out of range", i);
        if (i > 0 && t <= tz->trans[i - 1])
            return mdc_err_set(err, MDC_EINVAL,
                               "TZif transitions not in ascending order at "
                               "%zu",
                               i);
        if (idx[i] >= h->typecnt)
            return mdc_err_set(err, MDC_EINVAL, "TZif transition %zu uses type %u of %u", i, idx[i],
                               h->typecnt);
        tz->trans[i] = t;
        tz->trans_type[i] = idx[i];
    }
    return 0;
}

static int read_types(mdc_tz *tz, const unsigned char *p, const struct tzif_hdr *h, mdc_err *err)
{
    const unsigned char *chars = p + (size_t)h->typecnt * 6;
    tz->abbrs_len = (size_t)h->charcnt + 1;
    tz->abbrs = xmalloc(tz->abbrs_len);
    memcpy(tz->abbrs, chars, h->charcnt);
    tz->abbrs[h->charcnt] = '\0';
    tz->ntypes = h->typecnt;
    tz->types = xcalloc(h->typecnt, sizeof *tz->types);
    for (size_t i = 0; i < h->typecnt; i++) {
        const unsigned char *t = p + i * 6;
        int32_t off = get_i32(t);
        if (off < -OFFSET_LIMIT || off > OFFSET_LIMIT)
            return mdc_err_set(err, MDC_EINVAL, "TZif type %zu: UTC offset %ld s out of range", i,
                               (long)off);
        if (t[4] > 1)
            return mdc_err_set(err, MDC_EINVAL, "TZif type %zu: bad DST flag %u", i, t[4]);
        if (t[5] >= h->charcnt || !memchr(chars + t[5], '\0', h->charcnt - t[5]))
            return mdc_err_set(err, MDC_EINVAL, "TZif type %zu: bad designation index %u", i, t[5]);
        tz->types[i] = (struct tz_type){off, t[4], t[5]};
    }
    return 0;
}

static int check_indicators(const unsigned char *p, const struct tzif_hdr *h, mdc_err *err)
{
    for (size_t i = 0; i < (size_t)h->isstdcnt + h->isutcnt; i++)
        if (p[i] > 1)
            return mdc_err_set(err, MDC_EINVAL, "TZif: bad standard/UT indicator %u", p[i]);
    return 0;
}

/* Parses the data block that starts at d[pos]; the caller checked that it fits. */
static int read_block(mdc_tz *tz, const unsigned char *d, size_t pos, const struct tzif_hdr *h,
                      unsigned tsize, mdc_err *err)
{
    if (check_counts(h, err) < 0) return -1;
    const unsigned char *p = d + pos;
    if (read_transitions(tz, p, h, tsize, err) < 0) return -1;
    p += (size_t)h->timecnt * (tsize + 1);
    if (read_types(tz, p, h, err) < 0) return -1;
    p += (size_t)h->typecnt * 6 + h->charcnt; /* no leap records (checked) */
    return check_indicators(p, h, err);
}

/* The footer: "\n" POSIX-TZ-string "\n" right after the v2+ data block. */
static int read_footer(mdc_tz *tz, const unsigned char *d, size_t len, size_t pos, mdc_err *err)
{
    if (pos >= len || d[pos] != '\n') return mdc_err_set(err, MDC_EINVAL, "TZif footer missing");
    size_t start = pos + 1, avail = len - start;
    size_t max = avail < POSIX_MAX_LEN + 1 ? avail : POSIX_MAX_LEN + 1;
    const unsigned char *nl = memchr(d + start, '\n', max);
    if (!nl) return mdc_err_set(err, MDC_EINVAL, "TZif footer unterminated or too long");
    size_t n = (size_t)(nl - (d + start));
    if (n == 0) return 0;
    char spec[POSIX_MAX_LEN + 1];
    memcpy(spec, d + start, n);
    spec[n] = '\0';
    if (strlen(spec) != n) return mdc_err_set(err, MDC_EINVAL, "TZif footer contains a NUL byte");
    if (parse_posix(spec, &tz->rule, err) < 0) return mdc_err_prefix(err, "TZif footer");
    tz->has_rule = true;
    return 0;
}

static int parse_tzif(mdc_tz *tz, const unsigned char *d, size_t len, mdc_err *err)
{
    struct tzif_hdr h1, h2;
    if (read_header(d, len, 0, &h1, err) < 0) return -1;
    uint64_t size1 = block_size(&h1, 4);
    if (size1 > len - TZIF_HEADER_LEN)
        return mdc_err_set(err, MDC_EINVAL, "truncated TZif data (needs %llu bytes, has %zu)",
                           (unsigned long long)size1 + TZIF_HEADER_LEN, len);
    if (h1.version == 1) return read_block(tz, d, TZIF_HEADER_LEN, &h1, 4, err);
    size_t pos = TZIF_HEADER_LEN + (size_t)size1;
    if (read_header(d, len, pos, &h2, err) < 0) return mdc_err_prefix(err, "second TZif header");
    pos += TZIF_HEADER_LEN;
    uint64_t size2 = block_size(&h2, 8);
    if (size2 > len - pos)
        return mdc_err_set(err, MDC_EINVAL,
                           "truncated TZif v%d data (needs %llu bytes, has "
                           "%zu)",
                           h1.version, (unsigned long long)(pos + size2), len);
    if (read_block(tz, d, pos, &h2, 8, err) < 0) return -1;
    return read_footer(tz, d, len, pos + (size_t)size2, err);
}

int mdc_tz_parse_tzif(const char *name, const unsigned char *data, size_t len, mdc_tz **out,
                      mdc_err *err)
{
    *out = NULL;
    mdc_tz *tz = tz_new(name ? name : "TZif");
    if (!data || parse_tzif(tz, data, len, err) < 0) {
        if (!data) mdc_err_set(err, MDC_EINVAL, "no TZif data");
        mdc_tz_free(tz);
        return -1;
    }
    tz_finish(tz);
    *out = tz;
    return 0;
}

/* ---- loading from the zoneinfo directory ---------------------------------------------------- */

static bool name_char_ok(char c)
{
    return is_alpha(c) || is_digit(c) || c == '_' || c == '-' || c == '+' || c == '.';
}

static int check_name(const char *name, mdc_err *err)
{
    char q[80];
    quote_for_err(name, q, sizeof q);
    size_t len = strlen(name);
    const char *why = NULL;
    if (len == 0)
        why = "empty name";
    else if (len > TZ_NAME_MAX)
        why = "name too long";
    else if (name[0] == '/')
        why = "absolute paths are not allowed";
    else if (strstr(name, ".."))
        why = "\"..\" is not allowed";
    for (size_t i = 0; !why && i < len; i++) {
        if (name[i] == '/' && (name[i + 1] == '/' || name[i + 1] == '\0'))
            why = "empty path component";
        else if (name[i] == '.' && (i == 0 || name[i - 1] == '/'))
            why = "path components must not start with '.'";
        else if (name[i] != '/' && !name_char_ok(name[i]))
            why = "only letters, digits, '_', '-', '+', '.' and '/' are allowed";
    }
    if (!why) return 0;
    return mdc_err_set(err, MDC_EINVAL,
                       "invalid time zone name '%s': %s; use an IANA name "
                       "such as Europe/Berlin",
                       q, why);
}

static int read_all(int fd, unsigned char *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        got += (size_t)n;
    }
    return 0;
}

static int load_file(const char *name, const char *path, unsigned char **data, size_t *len,
                     mdc_err *err)
{
    char eb[128];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return mdc_err_set(err, MDC_EINVAL,
                               "unknown time zone '%s': no such file %s; use "
                               "an IANA name such as Europe/Berlin",
                               name, path);
        return mdc_err_set(err, MDC_EIO, "time zone '%s': cannot open %s: %s", name, path,
                           strerror_r(errno, eb, sizeof eb));
    }
    struct stat st;
    int rc = -1;
    if (fstat(fd, &st) < 0)
        mdc_err_set(err, MDC_EIO, "time zone '%s': cannot stat %s: %s", name, path,
                    strerror_r(errno, eb, sizeof eb));
    else if (!S_ISREG(st.st_mode))
        mdc_err_set(err, MDC_EINVAL,
                    "unknown time zone '%s': %s is not a time zone file; use "
                    "an IANA name such as Europe/Berlin",
                    name, path);
    else if (st.st_size <= 0 || (uint64_t)st.st_size > TZIF_MAX_FILE)
        mdc_err_set(err, MDC_EINVAL, "time zone '%s': %s has an implausible size (%lld bytes)",
                    name, path, (long long)st.st_size);
    else {
        *len = (size_t)st.st_size;
        *data = xmalloc(*len);
        rc = read_all(fd, *data, *len);
        if (rc < 0) {
            mdc_err_set(err, MDC_EIO, "time zone '%s': cannot read %s", name, path);
            free(*data);
            *data = NULL;
        }
    }
    close(fd);
    return rc;
}

int mdc_tz_load(const char *name, mdc_tz **out, mdc_err *err)
{
    *out = NULL;
    if (!name) name = "";
    if (check_name(name, err) < 0) return -1;
    if (strcmp(name, "UTC") == 0) {
        *out = make_utc(name);
        return 0;
    }
    const char *dir = getenv("TZDIR");
    if (!dir || !*dir) dir = TZ_DEFAULT_DIR;
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return mdc_err_set(err, MDC_EINVAL, "time zone '%s': path too long", name);
    unsigned char *data = NULL;
    size_t len = 0;
    if (load_file(name, path, &data, &len, err) < 0) return -1;
    int rc = mdc_tz_parse_tzif(name, data, len, out, err);
    free(data);
    if (rc < 0) return mdc_err_prefix(err, "time zone '%s' (%s)", name, path);
    return 0;
}

/* ---- queries ----------------------------------------------------------------------------------
 */

const char *mdc_tz_name(const mdc_tz *tz)
{
    return tz ? tz->name : "UTC";
}

static bool in_rule(const mdc_tz *tz, int64_t t)
{
    return tz->has_rule && (tz->ntrans == 0 || t >= tz->trans[tz->ntrans - 1]);
}

/* Type in effect at t, for t outside the rule's range. */
static const struct tz_type *table_type(const mdc_tz *tz, int64_t t)
{
    if (tz->ntrans == 0 || t < tz->trans[0]) return &tz->types[0];
    size_t lo = 0, hi = tz->ntrans; /* invariant: trans[lo] <= t, trans[hi] > t or hi = n */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return &tz->types[tz->trans_type[lo]];
}

void mdc_tz_lookup(const mdc_tz *tz, int64_t utc_s, mdc_tz_info *out)
{
    if (!tz) {
        *out = (mdc_tz_info){0, 0, "UTC"};
        return;
    }
    int64_t t = clamp_time(utc_s);
    if (in_rule(tz, t)) {
        bool dst = rule_isdst(&tz->rule, t);
        out->utoff = dst ? tz->rule.dst_off : tz->rule.std_off;
        out->isdst = dst;
        out->abbr = dst ? tz->rule.dst_abbr : tz->rule.std_abbr;
        return;
    }
    const struct tz_type *ty = table_type(tz, t);
    out->utoff = ty->utoff;
    out->isdst = ty->isdst;
    out->abbr = tz->abbrs + ty->abbr;
}

int32_t mdc_tz_offset(const mdc_tz *tz, int64_t utc_s)
{
    mdc_tz_info info;
    mdc_tz_lookup(tz, utc_s, &info);
    return info.utoff;
}

void mdc_tz_offset_bounds(const mdc_tz *tz, int32_t *min_off, int32_t *max_off)
{
    *min_off = tz ? tz->min_off : 0;
    *max_off = tz ? tz->max_off : 0;
}

int mdc_tz_next_transition(const mdc_tz *tz, int64_t after_s, int64_t *at)
{
    if (!tz) return 0;
    int64_t t = clamp_time(after_s);
    if (!in_rule(tz, t)) {
        size_t lo = 0, hi = tz->nchg; /* first chg_at > t */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (tz->chg_at[mid] <= t)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < tz->nchg) {
            if (tz->chg_at[lo] > MDC_TZ_TIME_LIMIT) return 0;
            *at = tz->chg_at[lo];
            return 1;
        }
        if (!tz->has_rule) return 0;
        t = tz->trans[tz->ntrans - 1]; /* no change up to the rule's start */
    }
    int64_t r;
    if (!rule_next(&tz->rule, t, &r) || r > MDC_TZ_TIME_LIMIT) return 0;
    *at = r;
    return 1;
}

void mdc_tz_to_local(const mdc_tz *tz, int64_t utc_s, mdc_civil *out)
{
    int64_t t = clamp_time(utc_s);
    int64_t local = t + mdc_tz_offset(tz, t);
    int64_t days = mdc_floordiv(local, 86400);
    int64_t secs = local - days * 86400;
    unsigned m, d;
    mdc_civil_from_days(days, &out->year, &m, &d);
    out->month = (int)m;
    out->day = (int)d;
    out->hour = (int)(secs / 3600);
    out->minute = (int)(secs / 60 % 60);
    out->second = (int)(secs % 60);
    out->wday = (int)floormod(days + 4, 7);
    out->yday = (int)(days - mdc_days_from_civil(out->year, 1, 1));
}

int64_t mdc_civil_to_wall(const mdc_civil *c)
{
    int64_t y = c->year;
    if (y > YEAR_LIMIT) y = YEAR_LIMIT;
    if (y < -YEAR_LIMIT) y = -YEAR_LIMIT;
    int64_t m0 = (int64_t)c->month - 1;
    int64_t dy = mdc_floordiv(m0, 12);
    y += dy;
    unsigned m = (unsigned)(m0 - dy * 12 + 1);
    int64_t days = mdc_days_from_civil(y, m, 1) + (int64_t)c->day - 1;
    int64_t w = days * 86400 + (int64_t)c->hour * 3600 + (int64_t)c->minute * 60 + c->second;
    return clamp_time(w);
}

struct resolve {
    int n;
    int64_t first, last, gap_end;
    bool has_gap;
};

/* Walks the constant-offset segments that can contain wall time w. */
static void resolve_wall(const mdc_tz *tz, int64_t w, struct resolve *r)
{
    memset(r, 0, sizeof *r);
    int64_t s = w - tz->max_off, e;
    int32_t o = mdc_tz_offset(tz, s);
    for (int iter = 0; iter < SEGMENT_CAP; iter++) {
        bool more = mdc_tz_next_transition(tz, s, &e);
        int64_t cand = w - o;
        if (cand >= s && (!more || cand < e)) {
            if (r->n++ == 0) r->first = cand;
            r->last = cand;
        }
        if (!more || e > w - tz->min_off) break;
        int32_t on = mdc_tz_offset(tz, e);
        if (r->n == 0 && !r->has_gap && on > o && w >= e + o && w < e + on) {
            r->gap_end = e;
            r->has_gap = true;
        }
        s = e;
        o = on;
    }
    if (r->n == 0 && !r->has_gap) { /* only reachable with absurdly dense transitions */
        r->gap_end = w - o;
        r->has_gap = true;
    }
}

int mdc_tz_from_wall(const mdc_tz *tz, int64_t wall_s, int64_t *first, int64_t *second)
{
    int64_t w = clamp_time(wall_s);
    if (!tz) {
        if (first) *first = w;
        return 1;
    }
    struct resolve r;
    resolve_wall(tz, w, &r);
    if (first) *first = r.n ? r.first : r.gap_end;
    if (second && r.n >= 2) *second = r.last;
    return r.n;
}

int mdc_tz_from_local(const mdc_tz *tz, const mdc_civil *local, int64_t *first, int64_t *second)
{
    return mdc_tz_from_wall(tz, mdc_civil_to_wall(local), first, second);
}
