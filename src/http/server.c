/* SPDX-License-Identifier: Apache-2.0 */
/* server.c — libmicrohttpd glue: binding, authentication, routing, responses. */
#include "api.h"
#include "assets.h"
#include "events.h"
#include "guard.h"
#include "session.h"
#include "store/store.h"
#include "http.h"
#include "metrics.h"
#include "request.h"

#include "core/clock.h"
#include "core/xalloc.h"
#include "format/json_out.h"
#include "format/format.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define POOL_THREADS       2
#define SWEEP_PERIOD_US    MDC_US_PER_SEC /* header deadlines are kept to about a second */
#define PINGS_EVERY        15             /* sweeps: an event-stream ping each 15 s */
#define HISTORY_DEFAULT_US (3600 * MDC_US_PER_SEC)
#define SHIFTS_DEFAULT_US  (7 * 86400 * MDC_US_PER_SEC)
#define SERIES_MAX_US      (86400 * MDC_US_PER_SEC)      /* series: at most a day ... */
#define SERIES_MAX_BUCKETS 1440                          /* ... in at most this many buckets */
#define TIMELINE_MAX_US    (31 * 86400 * MDC_US_PER_SEC) /* timeline: at most 31 days */
#define DEFAULT_STEP_US    (60 * MDC_US_PER_SEC)
#define JSON_TYPE          "application/json"
#define DASHBOARD_CSP                                                                              \
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "              \
    "connect-src 'self'; frame-ancestors 'none'"

struct mdc_http {
    mdc_http_cfg cfg;
    struct MHD_Daemon *daemon;
    int port;
    pthread_rwlock_t lock; /* guards rt */
    mdc_runtime *rt;
    mdc_api_cache *cache;            /* of rt's devices */
    _Atomic(const mdc_cfgdoc *) doc; /* the attached configuration: secrets to mask */
    mdc_events *events;
    mdc_http_guard *guard;
    mdc_http_sessions *sessions;
    pthread_t ticker;
    bool ticker_started, stopping;
    pthread_mutex_t tick_mu;
    pthread_cond_t tick_cv;
};

/* Reloads are the process's, not one server's: a reload that restarts the server keeps them. */
static atomic_uint_fast64_t reloads_ok, reloads_failed;

typedef struct request {
    char *target;   /* the raw request target, as sent */
    bool head_seen; /* the access handler has been called: the head was complete */
    bool answered;  /* a response is queued */
} request;

/* ---- responses ---- */

static enum MHD_Result send_body_cookie(struct MHD_Connection *c, unsigned status, const char *type,
                                        strbuf *body, const char *cookie)
{
    size_t len = body->len;
    char *data = sb_detach(body);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(data);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"mdc\"");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    if (cookie) MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_body(struct MHD_Connection *c, unsigned status, const char *type,
                                 strbuf *body)
{
    return send_body_cookie(c, status, type, body, NULL);
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    strbuf body = STRBUF_INIT;
    sb_puts(&body, "{\"error\": ");
    mdc_json_str(&body, msg);
    sb_puts(&body, "}\n");
    return send_body(c, status, JSON_TYPE, &body);
}

static enum MHD_Result send_asset(struct MHD_Connection *c, const char *name)
{
    const mdc_http_asset *a = mdc_http_asset_find(name);
    if (!a) return send_error(c, MHD_HTTP_NOT_FOUND, "no such file");
    struct MHD_Response *r =
        MHD_create_response_from_buffer(a->len, (void *)a->data, MHD_RESPMEM_PERSISTENT);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, a->type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Content-Security-Policy", DASHBOARD_CSP);
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* Masks secrets of the attached configuration in body (caller holds the read lock). */
static void mask(mdc_http *h, strbuf *body)
{
    if (h->rt) mdc_cfgdoc_mask(mdc_runtime_config(h->rt)->doc, body);
}

/* ---- endpoints (the caller holds the read lock) ---- */

static enum MHD_Result ep_health(mdc_http *h, struct MHD_Connection *c)
{
    strbuf body = STRBUF_INIT;
    if (!h->rt) {
        sb_puts(&body, "{\"status\": \"unavailable\", \"reasons\": [\"reloading the "
                       "configuration\"]}\n");
        return send_body(c, MHD_HTTP_SERVICE_UNAVAILABLE, JSON_TYPE, &body);
    }
    int status = mdc_api_health(h->rt, &body);
    mask(h, &body);
    return send_body(c, (unsigned)status, JSON_TYPE, &body);
}

static enum MHD_Result ep_metrics(mdc_http *h, struct MHD_Connection *c)
{
    mdc_metrics m = {.version = MDC_VERSION,
                     .values = h->cfg.metrics_values,
                     .max_series = h->cfg.metrics_max_series};
    if (h->rt) mdc_metrics_collect(h->rt, &m);
    m.event_clients = mdc_events_clients(h->events);
    m.http_connections = mdc_http_guard_open(h->guard);
    m.http_header_timeouts = mdc_http_guard_expired(h->guard);
    m.reloads_ok = atomic_load(&reloads_ok);
    m.reloads_failed = atomic_load(&reloads_failed);
    mdc_metrics_process_read(&m.process);
    strbuf body = STRBUF_INIT;
    mdc_metrics_render(&m, &body);
    mdc_metrics_free(&m);
    mask(h, &body);
    return send_body(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", &body);
}

static enum MHD_Result ep_devices(mdc_http *h, struct MHD_Connection *c, const mdc_http_req *req)
{
    if (!h->rt) return send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "reloading the configuration");
    strbuf body = STRBUF_INIT;
    if (req->route == MDC_ROUTE_DEVICES) {
        mdc_api_filter f = {.q = req->q,
                            .state = req->state,
                            .offset = req->offset,
                            .limit = req->has_limit ? req->limit : -1};
        mdc_api_devices(h->rt, h->cache, &f, mdc_now_us(), &body);
    } else if (!mdc_api_device(h->rt, h->cache, req->device, &body)) {
        sb_free(&body);
        char msg[128];
        snprintf(msg, sizeof msg, "no such device \"%s\"", req->device);
        return send_error(c, MHD_HTTP_NOT_FOUND, msg);
    }
    mask(h, &body);
    return send_body(c, MHD_HTTP_OK, JSON_TYPE, &body);
}

/* The embedded store's path (malloc'ed), or NULL when no store sink is configured. */
static char *store_path(mdc_runtime *rt)
{
    const char *path = mdc_runtime_store_path(rt);
    return path ? xstrdup(path) : NULL;
}

static void default_range(const mdc_http_req *req, int64_t span, int64_t *from, int64_t *to)
{
    *to = req->has_to ? req->to_us : mdc_now_us();
    *from = req->has_from ? req->from_us : *to - span;
}

/* The bounds of a series: at most a day, at most SERIES_MAX_BUCKETS buckets. -2 when out. */
static int series(const char *path, const mdc_http_req *req, strbuf *body, mdc_err *err)
{
    int64_t from, to, step = req->has_step ? req->step_us : DEFAULT_STEP_US;
    default_range(req, HISTORY_DEFAULT_US, &from, &to);
    from = mdc_floordiv(from, step) * step; /* buckets on multiples of the step: stable */
    if (to - from > SERIES_MAX_US) {
        mdc_err_set(err, MDC_EINVAL, "from..to: a series spans at most 24 h");
        return -2;
    }
    if ((to - from) / step > SERIES_MAX_BUCKETS) {
        mdc_err_set(err, MDC_EINVAL, "step: at most %d buckets; use a step of at least %lld s",
                    SERIES_MAX_BUCKETS,
                    (long long)((to - from) / SERIES_MAX_BUCKETS / MDC_US_PER_SEC + 1));
        return -2;
    }
    return mdc_store_series(path, req->device, req->point, from, to, step, body, err);
}

/* One of the store routes: 0, -1 (the store failed) or -2 (a bad range, in err). */
static int read_store(const char *path, const mdc_http_req *req, strbuf *body, mdc_err *err)
{
    int64_t from, to;
    switch (req->route) {
    case MDC_ROUTE_HISTORY:
        default_range(req, HISTORY_DEFAULT_US, &from, &to);
        return mdc_store_history(path, req->device, from, to, req->limit, body, err);
    case MDC_ROUTE_SERIES:
        return series(path, req, body, err);
    case MDC_ROUTE_TIMELINE:
        default_range(req, 86400 * MDC_US_PER_SEC, &from, &to);
        if (to - from > TIMELINE_MAX_US) {
            mdc_err_set(err, MDC_EINVAL, "from..to: a timeline spans at most 31 days");
            return -2;
        }
        return mdc_store_timeline(path, req->device, from, to, mdc_now_us(), body, err);
    default:
        default_range(req, SHIFTS_DEFAULT_US, &from, &to);
        return mdc_store_shifts(path, req->device, from, to, body, err);
    }
}

/* Called with the read lock held; releases it before reading the store. */
static enum MHD_Result ep_history(mdc_http *h, struct MHD_Connection *c, const mdc_http_req *req)
{
    if (!h->rt) {
        pthread_rwlock_unlock(&h->lock);
        return send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "reloading the configuration");
    }
    bool known = mdc_runtime_find_device(h->rt, req->device) != NULL;
    char *path = known ? store_path(h->rt) : NULL;
    pthread_rwlock_unlock(&h->lock);
    char msg[160];
    if (!known) {
        snprintf(msg, sizeof msg, "no such device \"%s\"", req->device);
        return send_error(c, MHD_HTTP_NOT_FOUND, msg);
    }
    if (!path)
        return send_error(c, MHD_HTTP_NOT_FOUND,
                          "no embedded store is configured (add the sink {\"type\": \"sqlite\"})");
    strbuf body = STRBUF_INIT;
    mdc_err err = {0};
    int rc = read_store(path, req, &body, &err);
    free(path);
    if (rc == -2) return send_error(c, MHD_HTTP_BAD_REQUEST, err.msg);
    if (rc < 0) {
        sb_free(&body);
        return send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, err.msg);
    }
    return send_body(c, MHD_HTTP_OK, JSON_TYPE, &body);
}

/* Called with the read lock held; releases it before reading the store. */
static enum MHD_Result ep_plant(mdc_http *h, struct MHD_Connection *c)
{
    if (!h->rt) {
        pthread_rwlock_unlock(&h->lock);
        return send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "reloading the configuration");
    }
    int64_t now = mdc_now_us();
    char *path = store_path(h->rt);
    int64_t day = mdc_api_day_start(mdc_runtime_shifts(h->rt), now);
    pthread_rwlock_unlock(&h->lock);
    double today = 0;
    mdc_err err = {0};
    bool have_today = path && day && mdc_store_energy_since(path, day, &today, &err) == 0;
    free(path);
    strbuf body = STRBUF_INIT;
    pthread_rwlock_rdlock(&h->lock);
    if (h->rt) mdc_api_plant(h->rt, now, have_today ? &today : NULL, &body);
    pthread_rwlock_unlock(&h->lock);
    if (!body.len)
        return send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "reloading the configuration");
    return send_body(c, MHD_HTTP_OK, JSON_TYPE, &body);
}

static enum MHD_Result ep_events(mdc_http *h, struct MHD_Connection *c, const mdc_http_req *req)
{
    if (h->rt && req->device[0] && !mdc_runtime_find_device(h->rt, req->device)) {
        char msg[128];
        snprintf(msg, sizeof msg, "no such device \"%s\"", req->device);
        return send_error(c, MHD_HTTP_NOT_FOUND, msg);
    }
    struct MHD_Response *r = mdc_events_response(h->events, c, req->device, !req->no_catalog);
    if (!r) return send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "the server is stopping");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- authentication and dispatch ---- */

/* Compares in time that depends only on the configured token's length. */
static bool token_equal(const char *given, const char *want)
{
    size_t lg = strlen(given), lw = strlen(want);
    unsigned char diff = lg != lw;
    for (size_t i = 0; i < lw; i++)
        diff |= (unsigned char)(given[lg ? i % lg : 0] ^ want[i]);
    return diff == 0;
}

static bool authorized(mdc_http *h, struct MHD_Connection *c, const mdc_http_req *req)
{
    if (!h->cfg.token) return true;
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
        auth += 7;
        while (*auth == ' ')
            auth++;
        if (token_equal(auth, h->cfg.token)) return true;
    }
    if (req->has_token && token_equal(req->token, h->cfg.token)) return true;
    const char *cookies = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cookie");
    char id[MDC_SESSION_ID_LEN + 1];
    return cookies && mdc_http_cookie(cookies, MDC_SESSION_COOKIE, id, sizeof id) &&
           mdc_http_session_valid(h->sessions, id, mdc_mono_us());
}

/* GET /api/session (authorized): a session cookie for the dashboard (session.h). */
static enum MHD_Result ep_session(mdc_http *h, struct MHD_Connection *c)
{
    strbuf body = STRBUF_INIT;
    char id[MDC_SESSION_ID_LEN + 1];
    if (!h->cfg.token) {
        sb_puts(&body, "{\"session\": false, \"reason\": \"no token is configured\"}\n");
        return send_body(c, MHD_HTTP_OK, JSON_TYPE, &body);
    }
    if (mdc_http_session_create(h->sessions, mdc_mono_us(), id) < 0)
        return send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "no randomness for a session");
    sb_printf(&body, "{\"session\": true, \"expires_in\": %d}\n", MDC_SESSION_LIFETIME);
    char cookie[160];
    snprintf(cookie, sizeof cookie, "%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict",
             MDC_SESSION_COOKIE, id, MDC_SESSION_LIFETIME);
    return send_body_cookie(c, MHD_HTTP_OK, JSON_TYPE, &body, cookie);
}

static enum MHD_Result dispatch(mdc_http *h, struct MHD_Connection *c, const mdc_http_req *req)
{
    if (req->route == MDC_ROUTE_ASSET) return send_asset(c, req->asset);
    pthread_rwlock_rdlock(&h->lock);
    enum MHD_Result ret;
    switch (req->route) {
    case MDC_ROUTE_HEALTHZ:
        ret = ep_health(h, c);
        break;
    case MDC_ROUTE_METRICS:
        ret = ep_metrics(h, c);
        break;
    case MDC_ROUTE_HISTORY:
    case MDC_ROUTE_SHIFTS:
    case MDC_ROUTE_SERIES:
    case MDC_ROUTE_TIMELINE:
        return ep_history(h, c, req); /* unlocks */
    case MDC_ROUTE_PLANT:
        return ep_plant(h, c); /* unlocks */
    case MDC_ROUTE_SESSION:
        ret = ep_session(h, c);
        break;
    case MDC_ROUTE_EVENTS:
        ret = ep_events(h, c, req);
        break;
    default:
        ret = ep_devices(h, c, req);
    }
    pthread_rwlock_unlock(&h->lock);
    return ret;
}

static bool has_body(struct MHD_Connection *c)
{
    const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    return (len && strcmp(len, "0") != 0) ||
           MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)url, (void)version, (void)upload_data;
    mdc_http *h = cls;
    request *rq = *con_cls;
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (rq && !rq->head_seen) {
        rq->head_seen = true;
        mdc_http_guard_head_done(h->guard, c);
        /* A GET is answered in the next call: libmicrohttpd closes a connection whose answer
         * was queued in the first call, and keep-alive saves a handshake per request. */
        if (get && !has_body(c)) return MHD_YES;
        rq->answered = true; /* in the first call: the connection closes, the body unread */
        if (get) return send_error(c, MHD_HTTP_BAD_REQUEST, "a GET request has no body");
        return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD are allowed");
    }
    if (*upload_data_size) { /* a body we do not want: the answer is already queued */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (!rq || rq->answered) return MHD_YES;
    mdc_http_req req;
    mdc_http_error e;
    int rc = mdc_http_parse_target(rq && rq->target ? rq->target : "", &req, &e);
    bool asset = rc == 0 && req.route == MDC_ROUTE_ASSET; /* the page holds no secret */
    if (!asset && !authorized(h, c, &req))
        return send_error(c, MHD_HTTP_UNAUTHORIZED, "missing or wrong bearer token");
    if (rc < 0) return send_error(c, (unsigned)e.status, e.msg);
    return dispatch(h, c, &req);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls, (void)c;
    request *rq = xcalloc(1, sizeof *rq);
    rq->target = xstrdup(uri ? uri : "");
    return rq;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    mdc_http *h = cls;
    mdc_http_guard_request_done(h->guard, c); /* keep-alive: the next head has a deadline */
    request *rq = *con_cls;
    if (!rq) return;
    free(rq->target);
    free(rq);
    *con_cls = NULL;
}

/* ---- the live event stream ---- */

static void on_record(void *ctx, const mdc_record *rec)
{
    mdc_http *h = ctx;
    if (mdc_events_clients(h->events) == 0) return; /* nobody listens: render nothing */
    strbuf line = STRBUF_INIT;
    mdc_format_record(MDC_FMT_JSON, MDC_STYLE_MDC, rec, &line);
    const mdc_cfgdoc *doc = atomic_load(&h->doc);
    if (doc) mdc_cfgdoc_mask(doc, &line);
    while (line.len && line.buf[line.len - 1] == '\n')
        line.buf[--line.len] = '\0';
    mdc_events_publish(h->events, rec->device, sb_str(&line), line.len);
    sb_free(&line);
}

static void *ticker_main(void *arg)
{
    mdc_http *h = arg;
    unsigned sweeps = 0;
    pthread_mutex_lock(&h->tick_mu);
    while (!h->stopping) {
        int64_t at = mdc_now_us() + SWEEP_PERIOD_US;
        struct timespec ts = {.tv_sec = at / MDC_US_PER_SEC,
                              .tv_nsec = (at % MDC_US_PER_SEC) * 1000};
        if (pthread_cond_timedwait(&h->tick_cv, &h->tick_mu, &ts) == ETIMEDOUT && !h->stopping) {
            pthread_mutex_unlock(&h->tick_mu);
            mdc_http_guard_sweep(h->guard, mdc_mono_us());
            if (++sweeps % PINGS_EVERY == 0) mdc_events_ping(h->events);
            pthread_mutex_lock(&h->tick_mu);
        }
    }
    pthread_mutex_unlock(&h->tick_mu);
    return NULL;
}

/* ---- lifecycle ---- */

static int listen_socket(const mdc_http_cfg *cfg, int *port, mdc_err *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    char service[8];
    snprintf(service, sizeof service, "%d", cfg->port);
    const char *host = cfg->host[0] ? cfg->host : NULL;
    int rc = getaddrinfo(host, service, &hints, &ai);
    if (rc != 0)
        return mdc_err_set(err, MDC_EINVAL, "http: cannot resolve \"%s\": %s", cfg->host,
                           gai_strerror(rc));
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 128) < 0) {
        int e = errno;
        if (fd >= 0) close(fd);
        freeaddrinfo(ai);
        return mdc_err_set(err, MDC_EIO, "http: cannot listen on %s%s%s:%d: %s",
                           strchr(cfg->host, ':') ? "[" : "", cfg->host,
                           strchr(cfg->host, ':') ? "]" : "", cfg->port, strerror(e));
    }
    freeaddrinfo(ai);
    struct sockaddr_storage sa;
    socklen_t len = sizeof sa;
    *port = cfg->port;
    if (getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        *port = ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
                                               : ((struct sockaddr_in *)&sa)->sin_port);
    return fd;
}

static void copy_cfg(mdc_http_cfg *dst, const mdc_http_cfg *src)
{
    dst->host = xstrdup(src->host);
    dst->port = src->port;
    dst->token = src->token ? xstrdup(src->token) : NULL;
    dst->max_connections = src->max_connections;
    dst->max_connections_per_address = src->max_connections_per_address;
    dst->idle_timeout_us = src->idle_timeout_us;
    dst->header_timeout_us = src->header_timeout_us;
    dst->metrics_values = src->metrics_values;
    dst->metrics_max_series = src->metrics_max_series;
}

static mdc_http *http_new(const mdc_http_cfg *cfg)
{
    mdc_http *h = xcalloc(1, sizeof *h);
    copy_cfg(&h->cfg, cfg);
    pthread_rwlockattr_t a;
    pthread_rwlockattr_init(&a);
    pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&h->lock, &a);
    pthread_rwlockattr_destroy(&a);
    pthread_mutex_init(&h->tick_mu, NULL);
    pthread_cond_init(&h->tick_cv, NULL);
    h->events = mdc_events_new();
    h->guard = mdc_http_guard_new(cfg->header_timeout_us);
    h->sessions = mdc_http_sessions_new();
    return h;
}

static void http_free(mdc_http *h)
{
    mdc_api_cache_free(h->cache);
    mdc_events_free(h->events);
    mdc_http_guard_free(h->guard);
    mdc_http_sessions_free(h->sessions);
    pthread_cond_destroy(&h->tick_cv);
    pthread_mutex_destroy(&h->tick_mu);
    pthread_rwlock_destroy(&h->lock);
    mdc_http_cfg_free(&h->cfg);
    free(h);
}

int mdc_http_start(const mdc_http_cfg *cfg, mdc_http **out, mdc_err *err)
{
    int port = cfg->port;
    int fd = listen_socket(cfg, &port, err);
    if (fd < 0) return -1;
    mdc_http *h = http_new(cfg);
    h->port = port;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_ALLOW_SUSPEND_RESUME;
    h->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, h, MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)POOL_THREADS, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)cfg->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)cfg->max_connections_per_address, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)((cfg->idle_timeout_us + MDC_US_PER_SEC - 1) / MDC_US_PER_SEC),
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, h, MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
        MHD_OPTION_NOTIFY_CONNECTION, mdc_http_guard_notify, h->guard, MHD_OPTION_END);
    if (!h->daemon) {
        close(fd);
        http_free(h);
        return mdc_err_set(err, MDC_EIO, "http: cannot start the server on port %d", port);
    }
    if (pthread_create(&h->ticker, NULL, ticker_main, h) == 0) h->ticker_started = true;
    *out = h;
    return 0;
}

void mdc_http_attach(mdc_http *h, mdc_runtime *rt)
{
    pthread_rwlock_wrlock(&h->lock);
    h->rt = rt;
    mdc_api_cache_free(h->cache);
    h->cache = rt ? mdc_api_cache_new(rt) : NULL;
    atomic_store(&h->doc, rt ? mdc_runtime_config(rt)->doc : NULL);
    if (rt) mdc_events_set_catalog(h->events, mdc_runtime_catalog(rt));
    if (rt) mdc_runtime_set_observer(rt, on_record, h);
    pthread_rwlock_unlock(&h->lock);
}

int mdc_http_port(const mdc_http *h)
{
    return h->port;
}

void mdc_http_note_reload(mdc_http *h, bool ok)
{
    (void)h;
    atomic_fetch_add(ok ? &reloads_ok : &reloads_failed, 1);
}

void mdc_http_stop(mdc_http *h)
{
    if (!h) return;
    pthread_mutex_lock(&h->tick_mu);
    h->stopping = true;
    pthread_cond_broadcast(&h->tick_cv);
    pthread_mutex_unlock(&h->tick_mu);
    if (h->ticker_started) pthread_join(h->ticker, NULL);
    mdc_events_shutdown(h->events, 1000);
    MHD_stop_daemon(h->daemon);
    http_free(h);
}
