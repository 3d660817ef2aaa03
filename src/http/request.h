/* SPDX-License-Identifier: Apache-2.0 */
/* request.h — parsing the request target (path and query) of the status API.
 *
 * Pure functions (no I/O, no allocation beyond the request object), shared by the server, the
 * unit tests and the fuzz target. The raw target is what the client sent, before any decoding:
 * "/api/devices/meter-1/history?from=2026-11-22T06:00:00Z&to=1795334400".
 *
 * Rules:
 *   - the path is split at '/', each segment percent-decoded; empty segments other than one
 *     trailing slash, "." and "..", NUL bytes and bad escapes are rejected;
 *   - the query is split at '&' and '=', keys and values percent-decoded; '+' is kept as a
 *     literal '+' (so "+05:30" offsets work unencoded); every route accepts only its own
 *     parameters plus "access_token" (RFC 6750), each at most once;
 *   - times are ISO 8601 / RFC 3339 ("2026-11-22", "2026-11-22T06:00", "...:05.25Z",
 *     "...+05:30"; no offset = UTC) or Unix seconds ("1795327205", "1795327205.5").
 * Errors give the HTTP status (400, 404, 414) and a message for the client.
 */
#ifndef MDC_HTTP_REQUEST_H
#define MDC_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MDC_HTTP_TARGET_MAX 4096
#define MDC_HTTP_ID_MAX     64
#define MDC_HTTP_LIMIT_DEF  1000
#define MDC_HTTP_LIMIT_MAX  10000
#define MDC_HTTP_POINT_MAX  128

typedef enum mdc_http_route {
    MDC_ROUTE_ASSET,    /* "/" and "/NAME": an embedded dashboard file */
    MDC_ROUTE_HEALTHZ,  /* /healthz */
    MDC_ROUTE_METRICS,  /* /metrics */
    MDC_ROUTE_DEVICES,  /* /api/devices */
    MDC_ROUTE_DEVICE,   /* /api/devices/{id} */
    MDC_ROUTE_HISTORY,  /* /api/devices/{id}/history?from=&to=&limit= */
    MDC_ROUTE_SHIFTS,   /* /api/devices/{id}/shifts?from=&to= */
    MDC_ROUTE_EVENTS,   /* /api/events?device= */
    MDC_ROUTE_PLANT,    /* /api/plant */
    MDC_ROUTE_SERIES,   /* /api/devices/{id}/series?point=&from=&to=&step= */
    MDC_ROUTE_TIMELINE, /* /api/devices/{id}/timeline?from=&to= */
    MDC_ROUTE_SESSION,  /* /api/session: a session cookie for the dashboard */
} mdc_http_route;

typedef struct mdc_http_req {
    mdc_http_route route;
    char asset[MDC_HTTP_ID_MAX + 1];  /* MDC_ROUTE_ASSET: "index.html" for "/" */
    char device[MDC_HTTP_ID_MAX + 1]; /* the {id} of device routes; events' ?device= */
    bool has_from, has_to;
    int64_t from_us, to_us; /* UTC microseconds */
    int64_t limit;          /* history: records at most (MDC_HTTP_LIMIT_DEF when not given) */
    bool has_limit;         /* devices: a page of at most `limit` devices from `offset` */
    int64_t offset;
    char q[MDC_HTTP_ID_MAX + 1];        /* devices: id or name contains this (any case) */
    char state[16];                     /* devices: only in this state (PRODUCTION, ...) */
    char point[MDC_HTTP_POINT_MAX + 1]; /* series: the value's name */
    bool has_step;
    int64_t step_us; /* series: bucket width */
    bool no_catalog; /* events: ?catalog=false leaves the catalog event out */
    bool has_token;
    char token[256]; /* ?access_token= (compared by the server, never echoed) */
} mdc_http_req;

typedef struct mdc_http_error {
    int status; /* 400, 404 or 414 */
    char msg[256];
} mdc_http_error;

/* Parses a request target. Returns 0, or -1 with *e filled. Even on failure req->token is set
 * when the query carried one, so that the server can answer 401 before anything else. */
int mdc_http_parse_target(const char *target, mdc_http_req *req, mdc_http_error *e);

/* Percent-decodes src[0..n) into dst (room for n + 1 bytes; always NUL-terminated). Returns
 * the decoded length, or -1 for a bad escape or a NUL byte. */
int mdc_http_pct_decode(const char *src, size_t n, char *dst);

/* Parses a time as described above into UTC microseconds. Returns 0 or -1. */
int mdc_http_parse_time(const char *s, int64_t *out_us);

/* A device id as the configuration allows it: 1-64 of [A-Za-z0-9._-]. */
bool mdc_http_valid_id(const char *s);

#endif
