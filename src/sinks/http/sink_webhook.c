/* SPDX-License-Identifier: Apache-2.0 */
/* sink_webhook.c — records POSTed to a URL. */
#include "sink_webhook.h"

#include "core/xalloc.h"
#include "sinks/http/httpc.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct webhook_sink {
    char *url;
    mdc_render_cfg render;
    char **cols;
    char **headers; /* NULL-terminated, Content-Type included */
    int64_t timeout_us;
    char *ca_file;
    bool batch;
    mdc_httpc *http;
    uint64_t epoch;   /* the spool's (committed_seq), part of each Idempotency-Key */
    int64_t last_seq; /* highest spool seq the server accepted; 0 for none */
    strbuf body, resp;
} webhook_sink;

void mdc_webhook_sink_id(const char *url, strbuf *out)
{
    sb_puts(out, "webhook:");
    size_t start = out->len;
    mdc_httpc_redact(url, out);
    if (strcmp(sb_str(out) + start, url) == 0) return;
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    sb_printf(out, "#%08" PRIx32, (uint32_t)(h ^ (h >> 32)));
}

static bool has_header(const char *const *headers, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; headers && headers[i]; i++)
        if (strncasecmp(headers[i], name, n) == 0 && headers[i][n] == ':') return true;
    return false;
}

static void copy_headers(webhook_sink *w, const mdc_webhook_sink_cfg *cfg)
{
    size_t n = 0;
    while (cfg->headers && cfg->headers[n])
        n++;
    w->headers = xcalloc(n + 2, sizeof *w->headers);
    size_t k = 0;
    if (!has_header(cfg->headers, "Content-Type")) {
        strbuf ct = STRBUF_INIT;
        sb_printf(&ct, "Content-Type: %s", mdc_render_content_type(cfg->render.format));
        w->headers[k++] = sb_detach(&ct);
    }
    for (size_t i = 0; i < n; i++)
        w->headers[k++] = xstrdup(cfg->headers[i]);
}

/* Header values (but the standard ones that carry no credentials) and the URL's password and
 * query values are secrets: a receiver that echoes them is never quoted. */
static void add_secrets(webhook_sink *w)
{
    static const char *const plain[] = {"Content-Type", "Accept", "User-Agent", NULL};
    for (size_t i = 0; w->headers[i]; i++) {
        bool skip = false;
        for (size_t k = 0; plain[k]; k++)
            skip |= strncasecmp(w->headers[i], plain[k], strlen(plain[k])) == 0 &&
                    w->headers[i][strlen(plain[k])] == ':';
        const char *v = strchr(w->headers[i], ':');
        if (skip || !v) continue;
        v += strspn(v + 1, " \t") + 1;
        mdc_httpc_add_secret(w->http, v, strlen(v));
    }
    mdc_httpc_add_url_secrets(w->http, w->url);
}

static int wh_open(mdc_sink *s, mdc_err *err)
{
    (void)err;
    webhook_sink *w = s->impl;
    if (!w->http) {
        mdc_httpc_opts o = {.timeout_us = w->timeout_us, .ca_file = w->ca_file};
        w->http = mdc_httpc_new(&o);
        add_secrets(w);
    }
    return 0;
}

static void wh_close(mdc_sink *s)
{
    webhook_sink *w = s->impl;
    mdc_httpc_free(w->http); /* a retry starts on a fresh connection */
    w->http = NULL;
    sb_free(&w->resp);
    if (w->body.cap > 1 << 20) sb_free(&w->body);
}

/* A failed status: 4xx other than 408 and 429 means the receiver refuses this body for good. */
static bool refused(long status)
{
    return status >= 400 && status < 500 && status != 408 && status != 429;
}

/* POSTs w->body with the Idempotency-Key header; 0 on a 2xx response. A refusal sets
 * res->rejected, a Retry-After res->retry_after_us. The receiver's body is quoted in the error
 * only when it repeats none of our secrets. */
static int post_body(webhook_sink *w, const char *key, mdc_sink_result *res, mdc_err *err)
{
    size_t n = 0;
    while (w->headers[n])
        n++;
    const char **hdrs = xcalloc(n + 2, sizeof *hdrs);
    memcpy(hdrs, w->headers, n * sizeof *hdrs);
    char idem[96];
    snprintf(idem, sizeof idem, "Idempotency-Key: %s", key);
    hdrs[n] = idem;
    long status = 0;
    int rc =
        mdc_httpc_post(w->http, w->url, hdrs, w->body.buf, w->body.len, &status, &w->resp, err);
    free(hdrs);
    if (rc < 0) return -1;
    if (status >= 200 && status < 300) return 0;
    res->retry_after_us = mdc_httpc_retry_after_us(w->http);
    if (refused(status)) {
        res->rejected = true;
        res->reason = "http_4xx";
    }
    strbuf msg = STRBUF_INIT;
    mdc_httpc_redact(w->url, &msg);
    sb_puts(&msg, ": ");
    mdc_httpc_snippet(w->http, w->resp.buf ? w->resp.buf : "", w->resp.len, 200, &msg);
    mdc_err_set(err, refused(status) ? MDC_EDEVICE : MDC_EIO, "HTTP %ld from %s", status,
                sb_str(&msg));
    sb_free(&msg);
    return -1;
}

static bool pending(const webhook_sink *w, const mdc_record *r)
{
    return r->seq <= 0 || r->seq > w->last_seq || r->redelivered;
}

static void delivered(webhook_sink *w, const mdc_record *r)
{
    if (r->seq > w->last_seq) w->last_seq = r->seq;
}

/* The Idempotency-Key of records [first, last]: the spool epoch and their sequence numbers. */
static void key_of(const webhook_sink *w, const mdc_record *first, const mdc_record *last,
                   char *buf, size_t n)
{
    if (first == last)
        snprintf(buf, n, "%016" PRIx64 "-%" PRId64, w->epoch, first->seq);
    else
        snprintf(buf, n, "%016" PRIx64 "-%" PRId64 "-%" PRId64, w->epoch, first->seq, last->seq);
}

static int write_each(webhook_sink *w, const mdc_record *const *recs, size_t n,
                      mdc_sink_result *res, mdc_err *err)
{
    for (size_t i = 0; i < n; res->delivered = ++i) {
        if (!pending(w, recs[i])) continue;
        sb_reset(&w->body);
        mdc_render_one(&w->render, recs[i], &w->body);
        char key[64];
        key_of(w, recs[i], recs[i], key, sizeof key);
        if (post_body(w, key, res, err) < 0) return -1;
        delivered(w, recs[i]);
    }
    return 0;
}

/* One POST for the batch: all or nothing. A refused batch of several records is sent again one
 * record at a time, so that only the record the receiver refuses is rejected. */
static int write_batch(webhook_sink *w, const mdc_record *const *recs, size_t n,
                       mdc_sink_result *res, mdc_err *err)
{
    size_t first = 0;
    while (first < n && !pending(w, recs[first]))
        first++;
    res->delivered = first;
    if (first == n) return 0;
    sb_reset(&w->body);
    mdc_render_many(&w->render, recs + first, n - first, &w->body);
    char key[96];
    key_of(w, recs[first], recs[n - 1], key, sizeof key);
    if (post_body(w, key, res, err) < 0) {
        if (!res->rejected || n - first == 1) return -1;
        *res = (mdc_sink_result){.delivered = first};
        return write_each(w, recs, n, res, err);
    }
    for (size_t i = first; i < n; i++)
        delivered(w, recs[i]);
    res->delivered = n;
    return 0;
}

static int wh_write(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_sink_result *res,
                    mdc_err *err)
{
    webhook_sink *w = s->impl;
    if (!w->http && wh_open(s, err) < 0) return -1;
    return w->batch ? write_batch(w, recs, n, res, err) : write_each(w, recs, n, res, err);
}

static int64_t wh_committed(mdc_sink *s, uint64_t epoch)
{
    webhook_sink *w = s->impl;
    w->epoch = epoch;
    return -1; /* the receiver keeps no position we could ask for */
}

static void wh_destroy(mdc_sink *s)
{
    webhook_sink *w = s->impl;
    if (w) {
        mdc_httpc_free(w->http);
        for (size_t i = 0; w->headers && w->headers[i]; i++)
            free(w->headers[i]);
        free(w->headers);
        for (size_t i = 0; i < w->render.ncsv_columns; i++)
            free(w->cols[i]);
        free(w->cols);
        free(w->url);
        free(w->ca_file);
        sb_free(&w->body);
        sb_free(&w->resp);
        free(w);
    }
    free(s);
}

static const mdc_sink_ops webhook_ops = {
    .type = "webhook",
    .open = wh_open,
    .write = wh_write,
    .committed_seq = wh_committed,
    .close = wh_close,
    .destroy = wh_destroy,
};

mdc_sink *mdc_sink_webhook_new(const mdc_webhook_sink_cfg *cfg)
{
    webhook_sink *w = xcalloc(1, sizeof *w);
    w->url = xstrdup(cfg->url);
    w->render = cfg->render;
    if (cfg->render.csv_columns) {
        size_t n = cfg->render.ncsv_columns;
        w->cols = xcalloc(n ? n : 1, sizeof *w->cols);
        for (size_t i = 0; i < n; i++)
            w->cols[i] = xstrdup(cfg->render.csv_columns[i]);
        w->render.csv_columns = (const char *const *)w->cols;
    }
    copy_headers(w, cfg);
    w->timeout_us = cfg->timeout_us > 0 ? cfg->timeout_us : 10 * 1000000LL;
    w->ca_file = cfg->ca_file ? xstrdup(cfg->ca_file) : NULL;
    w->batch = cfg->batch;
    mdc_httpc_global_init();
    strbuf id = STRBUF_INIT;
    mdc_webhook_sink_id(cfg->url, &id);
    mdc_sink *s = mdc_sink_new(&webhook_ops, sb_str(&id), w);
    sb_free(&id);
    return s;
}
