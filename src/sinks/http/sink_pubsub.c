/* SPDX-License-Identifier: Apache-2.0 */
/* sink_pubsub.c — records published to Pub/Sub over REST. */
#include "sink_pubsub.h"
#include "sink_pubsub_auth.h"

#include "core/clock.h"
#include "core/xalloc.h"
#include "sinks/http/httpc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MESSAGES 1000
#define MAX_BODY     (8 * 1024 * 1024) /* the API takes 10 MB per request */

typedef struct pubsub_sink {
    char *url;         /* the publish URL */
    char *credentials; /* NULL: from the environment at open() */
    char *token_uri;   /* override, or NULL */
    char *scope;
    bool emulator;
    mdc_render_cfg render;
    char **cols;
    int64_t timeout_us;
    char *ca_file;
    size_t max_messages;
    mdc_httpc *http;
    mdc_gsa_key *key;
    strbuf token;          /* the access token (a secret) */
    int64_t refresh_at_us; /* monotonic */
    uint64_t epoch;        /* the spool's (committed_seq): part of each record id */
    int64_t last_seq;
    strbuf body, resp, msg;
} pubsub_sink;

/* ---- credentials and token ---- */

static const char *credentials_path(const pubsub_sink *p)
{
    if (p->credentials) return p->credentials;
    const char *env = getenv("GOOGLE_APPLICATION_CREDENTIALS");
    return env && *env ? env : NULL;
}

static int load_key(pubsub_sink *p, mdc_err *err)
{
    if (p->emulator || p->key) return 0;
    const char *path = credentials_path(p);
    if (!path)
        return mdc_err_set(
            err, MDC_EAUTH,
            "no credentials: set \"credentials\" (or GOOGLE_APPLICATION_CREDENTIALS) "
            "to a service-account key file, or PUBSUB_EMULATOR_HOST for the "
            "emulator");
    if (mdc_gsa_key_load(path, &p->key, err) < 0) return mdc_err_prefix(err, "credentials");
    if (!p->token_uri && !p->key->token_uri) {
        mdc_gsa_key_free(p->key);
        p->key = NULL;
        return mdc_err_set(err, MDC_EINVAL,
                           "credentials %s: no \"token_uri\" in the key file "
                           "and none configured",
                           path);
    }
    return 0;
}

static int fetch_token(pubsub_sink *p, mdc_err *err)
{
    const char *aud = p->token_uri ? p->token_uri : p->key->token_uri;
    strbuf jwt = STRBUF_INIT, body = STRBUF_INIT;
    int64_t t0 = mdc_mono_us();
    long status = 0;
    int rc = mdc_gsa_jwt(p->key, p->scope, aud, mdc_now_us() / MDC_US_PER_SEC, &jwt, err);
    if (rc == 0) {
        mdc_httpc_add_secret(p->http, jwt.buf, jwt.len);
        mdc_oauth_token_body(sb_str(&jwt), &body);
        static const char *const hdrs[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
        int64_t expires_in = 0;
        rc = mdc_httpc_post(p->http, aud, hdrs, body.buf, body.len, &status, &p->resp, err);
        if (rc == 0)
            rc = mdc_oauth_token_parse(status, p->resp.buf, p->resp.len, &p->token, &expires_in,
                                       err);
        if (rc == 0) mdc_httpc_add_secret(p->http, p->token.buf, p->token.len);
        if (rc == 0) {
            /* renewed a fifth of its lifetime (at most 5 minutes, at least 1 s) early */
            int64_t margin = expires_in / 5 < 300 ? expires_in / 5 : 300;
            if (margin < 1) margin = 1;
            p->refresh_at_us = t0 + (expires_in - margin) * MDC_US_PER_SEC;
        }
    }
    if (rc < 0 && status && mdc_httpc_repeats_secret(p->http, p->resp.buf, p->resp.len))
        /* the token endpoint's error repeats what we sent it (the signed assertion) */
        mdc_err_set(err, err->code,
                    "token request refused (HTTP %ld): (response withheld: it repeats a secret)",
                    status);
    sb_free(&jwt);
    sb_free(&body);
    sb_reset(&p->resp);
    if (rc < 0) mdc_err_prefix(err, "Pub/Sub access token");
    return rc;
}

static int ensure_token(pubsub_sink *p, mdc_err *err)
{
    if (p->emulator) return 0;
    if (p->token.len && mdc_mono_us() < p->refresh_at_us) return 0;
    return fetch_token(p, err);
}

static void drop_token(pubsub_sink *p)
{
    if (p->token.buf) memset(p->token.buf, 0, p->token.cap);
    sb_reset(&p->token);
}

/* ---- publish ---- */

/* A refused publish: a client error other than authentication, timeout and rate limits. */
static bool refused(long status)
{
    return status >= 400 && status < 500 && status != 401 && status != 403 && status != 408 &&
           status != 429;
}

static int publish(pubsub_sink *p, size_t count, mdc_sink_result *res, mdc_err *err)
{
    if (ensure_token(p, err) < 0) return -1;
    strbuf auth = STRBUF_INIT;
    const char *hdrs[3] = {"Content-Type: application/json", NULL, NULL};
    if (!p->emulator) {
        sb_printf(&auth, "Authorization: Bearer %s", sb_str(&p->token));
        hdrs[1] = sb_str(&auth);
    }
    long status = 0;
    int rc =
        mdc_httpc_post(p->http, p->url, hdrs, p->body.buf, p->body.len, &status, &p->resp, err);
    if (auth.buf) memset(auth.buf, 0, auth.cap);
    sb_free(&auth);
    if (rc < 0) return -1;
    if (status >= 200 && status < 300)
        return mdc_pubsub_check_response(p->resp.buf, p->resp.len, count, err);
    if (status == 401 || status == 403) drop_token(p);
    res->retry_after_us = mdc_httpc_retry_after_us(p->http);
    if (refused(status)) {
        res->rejected = true;
        res->reason = "http_4xx";
    }
    strbuf m = STRBUF_INIT;
    mdc_httpc_redact(p->url, &m);
    sb_puts(&m, ": ");
    mdc_httpc_snippet(p->http, p->resp.buf ? p->resp.buf : "", p->resp.len, 300, &m);
    mdc_err_set(err, status == 401 || status == 403 ? MDC_EAUTH : MDC_EIO, "HTTP %ld from %s",
                status, sb_str(&m));
    sb_free(&m);
    return -1;
}

static void mark(pubsub_sink *p, const mdc_record *r)
{
    if (r->seq > p->last_seq) p->last_seq = r->seq;
}

/* Renders records [i, ...) into one publish request of at most max messages; returns the index
 * after the last record it took and the number of messages in *count. */
static size_t fill_request(pubsub_sink *p, const mdc_record *const *recs, size_t i, size_t n,
                           size_t max, size_t *count)
{
    sb_reset(&p->body);
    mdc_pubsub_body_begin(&p->body);
    *count = 0;
    for (; i < n && *count < max && p->body.len < MAX_BODY; i++) {
        if (recs[i]->seq > 0 && recs[i]->seq <= p->last_seq && !recs[i]->redelivered)
            continue; /* already taken */
        sb_reset(&p->msg);
        mdc_render_one(&p->render, recs[i], &p->msg);
        char id[64];
        snprintf(id, sizeof id, "%016" PRIx64 "-%" PRId64, p->epoch, recs[i]->seq);
        mdc_pubsub_body_add(&p->body, p->msg.buf, p->msg.len, id, *count == 0);
        (*count)++;
    }
    mdc_pubsub_body_end(&p->body);
    return i;
}

/* Publishes in requests of up to max_messages; a refused request of several messages is sent
 * again one message at a time, so that only the message Pub/Sub refuses is rejected. */
static int ps_write(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_sink_result *res,
                    mdc_err *err)
{
    pubsub_sink *p = s->impl;
    size_t max = p->max_messages;
    while (res->delivered < n) {
        size_t count, next = fill_request(p, recs, res->delivered, n, max, &count);
        if (count > 0 && publish(p, count, res, err) < 0) {
            if (!res->rejected || count == 1) return -1;
            res->rejected = false;
            res->reason = NULL;
            max = 1;
            continue;
        }
        for (size_t k = res->delivered; k < next; k++)
            mark(p, recs[k]);
        res->delivered = next;
    }
    if (p->body.cap > 2 * MAX_BODY) sb_free(&p->body);
    return 0;
}

static int64_t ps_committed(mdc_sink *s, uint64_t epoch)
{
    pubsub_sink *p = s->impl;
    p->epoch = epoch;
    return -1; /* Pub/Sub keeps no position we could ask for */
}

static int ps_open(mdc_sink *s, mdc_err *err)
{
    pubsub_sink *p = s->impl;
    if (!p->http) {
        mdc_httpc_opts o = {.timeout_us = p->timeout_us, .ca_file = p->ca_file};
        p->http = mdc_httpc_new(&o);
    }
    return load_key(p, err);
}

static void ps_close(mdc_sink *s)
{
    pubsub_sink *p = s->impl;
    mdc_httpc_free(p->http);
    p->http = NULL;
    mdc_gsa_key_free(p->key); /* a fixed key file is read again on the next open */
    p->key = NULL;
    drop_token(p);
    sb_free(&p->resp);
}

static void ps_destroy(mdc_sink *s)
{
    pubsub_sink *p = s->impl;
    if (p) {
        ps_close(s);
        sb_free(&p->token);
        sb_free(&p->body);
        sb_free(&p->msg);
        for (size_t i = 0; i < p->render.ncsv_columns; i++)
            free(p->cols[i]);
        free(p->cols);
        free(p->url);
        free(p->credentials);
        free(p->token_uri);
        free(p->scope);
        free(p->ca_file);
        free(p);
    }
    free(s);
}

static const mdc_sink_ops pubsub_ops = {
    .type = "pubsub",
    .open = ps_open,
    .write = ps_write,
    .committed_seq = ps_committed,
    .close = ps_close,
    .destroy = ps_destroy,
};

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void build_url(pubsub_sink *p, const mdc_pubsub_sink_cfg *cfg)
{
    strbuf u = STRBUF_INIT;
    if (cfg->emulator_host && *cfg->emulator_host)
        sb_printf(&u, "http://%s", cfg->emulator_host);
    else
        sb_puts(&u, cfg->endpoint ? cfg->endpoint : MDC_PUBSUB_ENDPOINT);
    while (u.len && u.buf[u.len - 1] == '/')
        u.buf[--u.len] = '\0';
    sb_printf(&u, "/v1/projects/%s/topics/%s:publish", cfg->project, cfg->topic);
    p->url = sb_detach(&u);
}

mdc_sink *mdc_sink_pubsub_new(const mdc_pubsub_sink_cfg *cfg)
{
    pubsub_sink *p = xcalloc(1, sizeof *p);
    p->emulator = cfg->emulator_host && *cfg->emulator_host;
    build_url(p, cfg);
    p->credentials = dup_or_null(cfg->credentials);
    p->token_uri = dup_or_null(cfg->token_uri);
    p->scope = xstrdup(cfg->scope ? cfg->scope : MDC_PUBSUB_SCOPE);
    p->render = cfg->render;
    if (cfg->render.csv_columns) {
        size_t n = cfg->render.ncsv_columns;
        p->cols = xcalloc(n ? n : 1, sizeof *p->cols);
        for (size_t i = 0; i < n; i++)
            p->cols[i] = xstrdup(cfg->render.csv_columns[i]);
        p->render.csv_columns = (const char *const *)p->cols;
    }
    p->timeout_us = cfg->timeout_us > 0 ? cfg->timeout_us : 10 * MDC_US_PER_SEC;
    p->ca_file = dup_or_null(cfg->ca_file);
    p->max_messages =
        cfg->max_messages && cfg->max_messages <= MAX_MESSAGES ? cfg->max_messages : MAX_MESSAGES;
    mdc_httpc_global_init();
    strbuf id = STRBUF_INIT;
    sb_printf(&id, "pubsub:projects/%s/topics/%s", cfg->project, cfg->topic);
    mdc_sink *s = mdc_sink_new(&pubsub_ops, sb_str(&id), p);
    sb_free(&id);
    return s;
}
