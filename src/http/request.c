/* SPDX-License-Identifier: Apache-2.0 */
/* request.c — see request.h. */
#include "request.h"

#include "core/clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_SEGMENTS 6
#define MAX_PARAMS   16

typedef struct kv {
    const char *key, *value;
} kv;

typedef struct parsed {
    char arena[MDC_HTTP_TARGET_MAX + 2 * (MAX_SEGMENTS + MAX_PARAMS * 2)];
    size_t used;
    const char *seg[MAX_SEGMENTS];
    size_t nseg;
    kv params[MAX_PARAMS];
    size_t nparams;
} parsed;

static int fail(mdc_http_error *e, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(mdc_http_error *e, int status, const char *fmt, ...)
{
    e->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return -1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int mdc_http_pct_decode(const char *src, size_t n, char *dst)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = src[i];
        if (c == '%') {
            int hi = i + 1 < n ? hexval(src[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(src[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                dst[o] = '\0';
                return -1;
            }
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (c == '\0') {
            dst[o] = '\0';
            return -1;
        }
        dst[o++] = c;
    }
    dst[o] = '\0';
    return (int)o;
}

/* Copies and decodes src[0..n) into the arena; NULL on a bad escape. */
static const char *decode_into(parsed *p, const char *src, size_t n)
{
    if (p->used + n + 1 > sizeof p->arena) return NULL;
    char *dst = p->arena + p->used;
    int len = mdc_http_pct_decode(src, n, dst);
    if (len < 0) return NULL;
    p->used += (size_t)len + 1;
    return dst;
}

/* A printable, shortened copy of untrusted text for error messages. */
static void show(const char *s, char *out, size_t n)
{
    size_t o = 0;
    for (; *s && o + 4 < n; s++)
        out[o++] = (*s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\') ? *s : '?';
    if (*s) {
        out[o++] = '.';
        out[o++] = '.';
        out[o++] = '.';
    }
    out[o] = '\0';
}

static int split_path(parsed *p, const char *path, size_t n, mdc_http_error *e)
{
    const char *s = path + 1, *end = path + n;
    while (s < end) {
        const char *slash = memchr(s, '/', (size_t)(end - s));
        const char *segend = slash ? slash : end;
        if (segend == s) return fail(e, 404, "no such endpoint (empty path segment)");
        if (p->nseg == MAX_SEGMENTS) return fail(e, 404, "no such endpoint (path too deep)");
        const char *seg = decode_into(p, s, (size_t)(segend - s));
        if (!seg) return fail(e, 400, "bad percent-escape or NUL byte in the path");
        if (!strcmp(seg, ".") || !strcmp(seg, ".."))
            return fail(e, 404, "no such endpoint (\".\" or \"..\" in the path)");
        p->seg[p->nseg++] = seg;
        if (!slash) break;
        s = slash + 1; /* a trailing slash ends the loop here */
    }
    return 0;
}

static int split_query(parsed *p, const char *q, size_t n, mdc_http_error *e)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && q[j] != '&')
            j++;
        if (j > i) {
            size_t eq = i;
            while (eq < j && q[eq] != '=')
                eq++;
            if (p->nparams == MAX_PARAMS)
                return fail(e, 400, "too many query parameters (at most %d)", MAX_PARAMS);
            kv *param = &p->params[p->nparams];
            param->key = decode_into(p, q + i, eq - i);
            param->value = decode_into(p, q + (eq < j ? eq + 1 : j), eq < j ? j - eq - 1 : 0);
            if (!param->key || !param->value)
                return fail(e, 400, "bad percent-escape or NUL byte in the query");
            p->nparams++;
        }
        i = j + 1;
    }
    return 0;
}

bool mdc_http_valid_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return n >= 1 && n <= MDC_HTTP_ID_MAX;
}

static bool valid_asset_name(const char *s)
{
    if (!mdc_http_valid_id(s) || !strchr(s, '.') || s[0] == '.') return false;
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z') return false;
    return true;
}

static int route_device(parsed *p, mdc_http_req *req, mdc_http_error *e)
{
    char shown[80];
    show(p->seg[2], shown, sizeof shown);
    if (!mdc_http_valid_id(p->seg[2])) return fail(e, 404, "no such device \"%s\"", shown);
    snprintf(req->device, sizeof req->device, "%s", p->seg[2]);
    if (p->nseg == 3) {
        req->route = MDC_ROUTE_DEVICE;
        return 0;
    }
    if (p->nseg == 4 && !strcmp(p->seg[3], "history")) {
        req->route = MDC_ROUTE_HISTORY;
        return 0;
    }
    if (p->nseg == 4 && !strcmp(p->seg[3], "shifts")) {
        req->route = MDC_ROUTE_SHIFTS;
        return 0;
    }
    if (p->nseg == 4 && !strcmp(p->seg[3], "series")) {
        req->route = MDC_ROUTE_SERIES;
        return 0;
    }
    if (p->nseg == 4 && !strcmp(p->seg[3], "timeline")) {
        req->route = MDC_ROUTE_TIMELINE;
        return 0;
    }
    return fail(e, 404,
                "no such endpoint; device endpoints: /api/devices/{id}, "
                "/api/devices/{id}/history, /api/devices/{id}/shifts, "
                "/api/devices/{id}/series, /api/devices/{id}/timeline");
}

static int route(parsed *p, mdc_http_req *req, mdc_http_error *e)
{
    const char *const *s = p->seg;
    if (p->nseg == 0) {
        req->route = MDC_ROUTE_ASSET;
        snprintf(req->asset, sizeof req->asset, "index.html");
        return 0;
    }
    if (p->nseg == 1 && !strcmp(s[0], "healthz")) return req->route = MDC_ROUTE_HEALTHZ, 0;
    if (p->nseg == 1 && !strcmp(s[0], "metrics")) return req->route = MDC_ROUTE_METRICS, 0;
    if (p->nseg == 1 && valid_asset_name(s[0])) {
        req->route = MDC_ROUTE_ASSET;
        snprintf(req->asset, sizeof req->asset, "%s", s[0]);
        return 0;
    }
    if (p->nseg >= 2 && !strcmp(s[0], "api")) {
        if (p->nseg == 2 && !strcmp(s[1], "devices")) return req->route = MDC_ROUTE_DEVICES, 0;
        if (p->nseg == 2 && !strcmp(s[1], "events")) return req->route = MDC_ROUTE_EVENTS, 0;
        if (p->nseg == 2 && !strcmp(s[1], "plant")) return req->route = MDC_ROUTE_PLANT, 0;
        if (p->nseg == 2 && !strcmp(s[1], "session")) return req->route = MDC_ROUTE_SESSION, 0;
        if (p->nseg >= 3 && !strcmp(s[1], "devices")) return route_device(p, req, e);
    }
    return fail(e, 404,
                "no such endpoint; try /, /healthz, /metrics, /api/devices, "
                "/api/devices/{id}, /api/devices/{id}/history, /api/devices/{id}/shifts, "
                "/api/devices/{id}/series, /api/devices/{id}/timeline, /api/plant, "
                "/api/events");
}

/* ---- times ---- */

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* ".123456" → microseconds (extra digits are dropped); advances *s. */
static bool fraction(const char **s, int64_t *us)
{
    const char *p = *s;
    if (*p != '.') {
        *us = 0;
        return true;
    }
    p++;
    int64_t v = 0, scale = 100000;
    int n = 0;
    for (; *p >= '0' && *p <= '9'; p++, n++) {
        v += (*p - '0') * scale;
        scale /= 10;
    }
    if (n == 0 || n > 12) return false;
    *us = v;
    *s = p;
    return true;
}

static int unix_seconds(const char *s, int64_t *out)
{
    int64_t sec = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (p - s >= 12) return -1; /* beyond year 9999 */
        sec = sec * 10 + (*p - '0');
    }
    int64_t us;
    if (p == s || !fraction(&p, &us) || *p) return -1;
    if (sec > INT64_C(253402300799)) return -1;
    *out = sec * MDC_US_PER_SEC + us;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

static bool parse_offset(const char *p, int *off_min)
{
    int h, m;
    if ((*p == 'Z' || *p == 'z') && !p[1]) return *off_min = 0, true;
    if (!*p) return *off_min = 0, true;
    if (*p != '+' && *p != '-') return false;
    int sign = *p == '-' ? -1 : 1;
    p++;
    if (!digits(p, 2, &h)) return false;
    p += 2;
    if (*p == ':') p++;
    if (!digits(p, 2, &m) || p[2] || h > 23 || m > 59) return false;
    *off_min = sign * (h * 60 + m);
    return true;
}

static int iso_time(const char *s, int64_t *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
    int64_t us = 0;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return -1;
    const char *p = s + 10;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!digits(p, 2, &h) || p[2] != ':' || !digits(p + 3, 2, &mi)) return -1;
        p += 5;
        if (*p == ':') {
            if (!digits(p + 1, 2, &sec)) return -1;
            p += 3;
            if (!fraction(&p, &us)) return -1;
        }
        if (h > 23 || mi > 59 || sec > 59) return -1;
    }
    if (!parse_offset(p, &off)) return -1;
    int64_t days = mdc_days_from_civil(y, (unsigned)mo, (unsigned)d);
    int64_t t = days * 86400 + h * 3600 + mi * 60 + sec - (int64_t)off * 60;
    *out = t * MDC_US_PER_SEC + us;
    return 0;
}

int mdc_http_parse_time(const char *s, int64_t *out_us)
{
    if (!s || !*s) return -1;
    if (strlen(s) >= 4 && s[4] == '-') return iso_time(s, out_us);
    return unix_seconds(s, out_us);
}

/* ---- parameters ---- */

static const char *const *allowed_params(mdc_http_route r)
{
    static const char *const history[] = {"from", "to", "limit", NULL};
    static const char *const shifts[] = {"from", "to", NULL};
    static const char *const events[] = {"device", "catalog", NULL};
    static const char *const devices[] = {"offset", "limit", "q", "state", NULL};
    static const char *const series[] = {"point", "from", "to", "step", NULL};
    static const char *const none[] = {NULL};
    switch (r) {
    case MDC_ROUTE_HISTORY:
        return history;
    case MDC_ROUTE_SHIFTS:
    case MDC_ROUTE_TIMELINE:
        return shifts;
    case MDC_ROUTE_DEVICES:
        return devices;
    case MDC_ROUTE_SERIES:
        return series;
    case MDC_ROUTE_EVENTS:
        return events;
    default:
        return none;
    }
}

static void list_names(const char *const *names, char *out, size_t n)
{
    size_t o = 0;
    out[0] = '\0';
    for (; *names && o < n; names++)
        o += (size_t)snprintf(out + o, n - o, "%s%s", o ? ", " : "", *names);
    if (!out[0]) snprintf(out, n, "none");
}

static int check_param_name(const kv *k, const char *const *allowed, mdc_http_error *e)
{
    for (const char *const *a = allowed; *a; a++)
        if (!strcmp(*a, k->key)) return 0;
    char shown[64], names[96];
    show(k->key, shown, sizeof shown);
    list_names(allowed, names, sizeof names);
    return fail(e, 400, "unknown query parameter \"%s\"; allowed here: %s", shown, names);
}

/* "60", "30s", "5m", "1h" -> microseconds (>= 1 s, <= 1 day). */
static int parse_step(const char *s, int64_t *out)
{
    int64_t v = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9' && v < 86400; p++)
        v = v * 10 + (*p - '0');
    if (p == s) return -1;
    int64_t unit = !*p || !strcmp(p, "s") ? 1 : !strcmp(p, "m") ? 60 : !strcmp(p, "h") ? 3600 : 0;
    if (!unit || v < 1 || v * unit > 86400) return -1;
    *out = v * unit * MDC_US_PER_SEC;
    return 0;
}

static bool printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return false;
    return true;
}

static int set_text_param(mdc_http_req *req, const kv *k, const char *shown, mdc_http_error *e)
{
    static const char *const states[] = {"PRODUCTION", "ON",     "OFF", "UNREACHABLE",
                                         "PENDING",    "ONLINE", NULL};
    size_t n = strlen(k->value);
    if (!strcmp(k->key, "state")) {
        for (const char *const *st = states; *st; st++)
            if (!strcmp(*st, k->value)) {
                snprintf(req->state, sizeof req->state, "%s", k->value);
                return 0;
            }
        return fail(e, 400,
                    "state: expected PRODUCTION, ON, OFF, UNREACHABLE, PENDING or ONLINE, got "
                    "\"%s\"",
                    shown);
    }
    bool q = !strcmp(k->key, "q");
    size_t max = q ? sizeof req->q - 1 : sizeof req->point - 1;
    if (n > max || !printable(k->value) || (!q && n == 0))
        return fail(e, 400, "%s: expected %s of at most %zu printable characters, got \"%s\"",
                    k->key, q ? "text" : "a value name", max, shown);
    memcpy(q ? req->q : req->point, k->value, n + 1);
    return 0;
}

static int set_param(mdc_http_req *req, const kv *k, mdc_http_error *e)
{
    char shown[64];
    show(k->value, shown, sizeof shown);
    if (!strcmp(k->key, "from") || !strcmp(k->key, "to")) {
        bool from = k->key[0] == 'f';
        if (mdc_http_parse_time(k->value, from ? &req->from_us : &req->to_us) < 0)
            return fail(e, 400,
                        "%s: expected an ISO 8601 time (2026-11-22T06:00:00Z, "
                        "2026-11-22T11:30:00+05:30, 2026-11-22) or Unix seconds, got \"%s\"",
                        k->key, shown);
        *(from ? &req->has_from : &req->has_to) = true;
        return 0;
    }
    if (!strcmp(k->key, "limit") || !strcmp(k->key, "offset")) {
        bool limit = k->key[0] == 'l';
        long long v = 0, min = limit ? 1 : 0, max = limit ? MDC_HTTP_LIMIT_MAX : 1000000;
        const char *p = k->value;
        for (; *p >= '0' && *p <= '9' && v <= max; p++)
            v = v * 10 + (*p - '0');
        if (p == k->value || *p || v < min || v > max)
            return fail(e, 400, "%s: expected a whole number from %lld to %lld, got \"%s\"", k->key,
                        min, max, shown);
        *(limit ? &req->limit : &req->offset) = v;
        if (limit) req->has_limit = true;
        return 0;
    }
    if (!strcmp(k->key, "q") || !strcmp(k->key, "state") || !strcmp(k->key, "point"))
        return set_text_param(req, k, shown, e);
    if (!strcmp(k->key, "catalog")) {
        bool off = !strcmp(k->value, "false") || !strcmp(k->value, "0");
        if (!off && strcmp(k->value, "true") && strcmp(k->value, "1"))
            return fail(e, 400, "catalog: expected true or false, got \"%s\"", shown);
        req->no_catalog = off;
        return 0;
    }
    if (!strcmp(k->key, "step")) {
        int64_t us;
        if (parse_step(k->value, &us) < 0)
            return fail(e, 400,
                        "step: expected seconds (60) or a duration (\"30s\", \"5m\", \"1h\") "
                        "of at least 1 s, got \"%s\"",
                        shown);
        req->step_us = us;
        req->has_step = true;
        return 0;
    }
    if (!strcmp(k->key, "device")) {
        if (!mdc_http_valid_id(k->value))
            return fail(e, 400, "device: \"%s\" is not a device id", shown);
        snprintf(req->device, sizeof req->device, "%s", k->value);
    }
    return 0;
}

static int check_params(const parsed *p, mdc_http_req *req, mdc_http_error *e)
{
    const char *const *allowed = allowed_params(req->route);
    for (size_t i = 0; i < p->nparams; i++) {
        const kv *k = &p->params[i];
        if (!strcmp(k->key, "access_token")) continue;
        if (check_param_name(k, allowed, e) < 0) return -1;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(p->params[j].key, k->key))
                return fail(e, 400, "query parameter \"%s\" given twice", k->key);
        if (set_param(req, k, e) < 0) return -1;
    }
    if (req->has_from && req->has_to && req->from_us >= req->to_us)
        return fail(e, 400, "from must be before to");
    if (req->route == MDC_ROUTE_SERIES && !req->point[0])
        return fail(e, 400, "point: required (the name of a numeric value, e.g. power_kw)");
    return 0;
}

static void take_token(const parsed *p, mdc_http_req *req)
{
    for (size_t i = 0; i < p->nparams; i++)
        if (!strcmp(p->params[i].key, "access_token")) {
            req->has_token = true;
            size_t n = strlen(p->params[i].value);
            if (n < sizeof req->token)
                memcpy(req->token, p->params[i].value, n + 1);
            else
                req->token[0] = '\0'; /* too long to be right */
        }
}

int mdc_http_parse_target(const char *target, mdc_http_req *req, mdc_http_error *e)
{
    memset(req, 0, sizeof *req);
    req->limit = MDC_HTTP_LIMIT_DEF;
    e->status = 0;
    e->msg[0] = '\0';
    size_t n = strlen(target);
    if (n > MDC_HTTP_TARGET_MAX)
        return fail(e, 414, "request target longer than %d bytes", MDC_HTTP_TARGET_MAX);
    if (target[0] != '/') return fail(e, 400, "the request target must start with '/'");
    parsed *p = &(parsed){.used = 0};
    const char *q = strchr(target, '?');
    size_t pathlen = q ? (size_t)(q - target) : n;
    int rc = q ? split_query(p, q + 1, n - pathlen - 1, e) : 0;
    take_token(p, req);
    if (rc < 0) return -1;
    if (split_path(p, target, pathlen, e) < 0 || route(p, req, e) < 0) return -1;
    return check_params(p, req, e);
}
