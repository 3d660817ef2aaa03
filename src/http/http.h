/* SPDX-License-Identifier: Apache-2.0 */
/* http.h — the embedded HTTP server (libmicrohttpd): health, Prometheus metrics, the device
 * API, history from the embedded store, server-sent events and the live dashboard.
 *
 * Off unless the configuration has an "http" object:
 *   "http": {"listen": "127.0.0.1:8080", "token": "${MDC_HTTP_TOKEN}"}
 * `listen` is HOST:PORT, [IPv6]:PORT or :PORT (every interface); port 0 picks a free one.
 * With `token`, every request but the dashboard's own files needs "Authorization: Bearer
 * TOKEN", ?access_token=TOKEN or a session cookie from /api/session; otherwise 401.
 *
 * Endpoints (GET or HEAD; anything else is 405):
 *   /                          the dashboard (assets embedded in the binary)
 *   /healthz                   200 {"status": "ok", ...} or 503 with the reasons
 *   /metrics                   Prometheus text (metrics.h)
 *   /api/devices               live state of every device (api.h)
 *   /api/devices/{id}          one device
 *   /api/devices/{id}/history  ?from=&to=&limit= records and status changes (history.h)
 *   /api/devices/{id}/shifts   ?from=&to= energy and parts per shift
 *   /api/devices/{id}/series   ?point=&from=&to=&step= a value averaged per time bucket
 *   /api/devices/{id}/timeline ?from=&to= the states over time
 *   /api/plant                 plant totals (api.h)
 *   /api/session               the token traded for a session cookie (session.h)
 *   /api/events                ?device= server-sent events of records (events.h)
 * Errors are JSON {"error": "message"} with 400, 401, 404, 405, 414 or 503.
 *
 * Abuse: at most max_connections at once and max_connections_per_address from one address
 * (libmicrohttpd's limits), a request head must be complete within header_timeout (guard.h),
 * and a connection idle for idle_timeout is closed.
 *
 * The server outlives runtimes: a configuration reload detaches the old runtime (requests then
 * get 503 "reloading") and attaches the new one. The server never logs.
 */
#ifndef MDC_HTTP_H
#define MDC_HTTP_H

#include "core/confread.h"
#include "core/err.h"
#include "core/module.h"
#include "runtime/runtime.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct mdc_http_cfg {
    char *host;  /* "127.0.0.1", "::1", "localhost"; "" = every interface */
    int port;    /* 0 = any free port */
    char *token; /* NULL = no authentication */
    /* limits against abuse (docs/configuration.md#http-server) */
    int max_connections;             /* open at once, every client together (512) */
    int max_connections_per_address; /* open at once from one client address (64; 0 = off) */
    int64_t idle_timeout_us;         /* a connection silent this long is closed (60 s) */
    int64_t header_timeout_us;       /* a request head must be complete within (10 s) */
    /* "metrics": {"values": true, "max_series": 10000}: device values in /metrics */
    bool metrics_values;
    int metrics_max_series;
} mdc_http_cfg;

/* The keys of the "http" object and of its "metrics" (core/keys.h), NULL-terminated. */
struct mdc_keyset;
extern const struct mdc_keyset *const mdc_http_keysets[];

/* Parses the "http" object (copies every string). */
int mdc_http_cfg_parse(const mdc_cfgnode *n, mdc_http_cfg *out, mdc_err *err);
void mdc_http_cfg_free(mdc_http_cfg *c);
bool mdc_http_cfg_equal(const mdc_http_cfg *a, const mdc_http_cfg *b);

typedef struct mdc_http mdc_http;

/* Binds and starts serving (no runtime attached yet: requests get 503). */
int mdc_http_start(const mdc_http_cfg *cfg, mdc_http **out, mdc_err *err);
/* Attaches rt (before mdc_runtime_start: it registers the event observer) or, with NULL,
 * detaches the current one, waiting for requests that use it. */
void mdc_http_attach(mdc_http *h, mdc_runtime *rt);
/* The port actually bound. */
int mdc_http_port(const mdc_http *h);
/* Counts a configuration reload for /metrics: process-wide, so the count survives a reload
 * that restarts the server (h may be NULL: no server runs now). */
void mdc_http_note_reload(mdc_http *h, bool ok);
/* Ends event streams, stops the server and frees it. NULL-safe. */
void mdc_http_stop(mdc_http *h);

/* The http module's entry, mdc_module_http (core/module.h): the functions above, for the
 * program, which loads the server only when a configuration has "http". */
typedef struct mdc_http_module {
    mdc_module_head head;
    int (*cfg_parse)(const mdc_cfgnode *n, mdc_http_cfg *out, mdc_err *err);
    void (*cfg_free)(mdc_http_cfg *c);
    bool (*cfg_equal)(const mdc_http_cfg *a, const mdc_http_cfg *b);
    int (*start)(const mdc_http_cfg *cfg, mdc_http **out, mdc_err *err);
    void (*attach)(mdc_http *h, mdc_runtime *rt);
    int (*port)(const mdc_http *h);
    void (*note_reload)(mdc_http *h, bool ok);
    void (*stop)(mdc_http *h);
    const struct mdc_keyset *const *keysets; /* mdc_http_keysets */
} mdc_http_module;

#endif
