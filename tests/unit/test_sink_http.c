/* SPDX-License-Identifier: Apache-2.0 */
/* The webhook and Pub/Sub sinks against an HTTP peer in this process: the exact request bytes
 * (request line, headers, body), hems-style bodies, failures that name the URL without its
 * secrets, retries that do not send accepted records again, batching, the token exchange and
 * its renewal after a 401, the emulator, configuration errors; and the shape and log sinks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sinks/sink_config.h"
#include "format/render.h"
#include "sinks/sink_shape.h"
#include "sinks/http/sink_pubsub_auth.h"
#include "sinks/http/sink_webhook.h"

#include "core/confread.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TS 1698400800123456LL /* 2023-10-27T10:00:00.123456Z */

/* ---- the peer ---- */

#define MAX_REQ 16

typedef struct peer {
    int lfd, port;
    pthread_t thread;
    pthread_mutex_t mu;
    char *reqs[MAX_REQ]; /* whole requests as received */
    int nreq;
    int status[MAX_REQ]; /* status for request i (0: 200) */
    const char *body[MAX_REQ];
    const char *head[MAX_REQ]; /* extra response header lines ("Name: value\r\n") */
} peer;

static int read_request(int fd, strbuf *req)
{
    char buf[4096];
    size_t need = 0;
    for (;;) {
        const char *end = strstr(sb_str(req), "\r\n\r\n");
        if (end && !need) {
            const char *cl = strcasestr(sb_str(req), "Content-Length: ");
            need = (size_t)(end + 4 - req->buf) + (cl ? strtoul(cl + 16, NULL, 10) : 0);
        }
        if (need && req->len >= need) return 0;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) return -1;
        sb_append(req, buf, (size_t)n);
    }
}

static void respond(peer *p, int fd, int i)
{
    int st = i < MAX_REQ && p->status[i] ? p->status[i] : 200;
    const char *body = i < MAX_REQ && p->body[i] ? p->body[i] : "ok";
    char head[256];
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d X\r\n%sContent-Length: %zu\r\n\r\n", st,
                     i < MAX_REQ && p->head[i] ? p->head[i] : "", strlen(body));
    if (write(fd, head, (size_t)n) < 0 || write(fd, body, strlen(body)) < 0) return;
}

static void *serve(void *arg)
{
    peer *p = arg;
    for (;;) {
        int fd = accept(p->lfd, NULL, NULL);
        if (fd < 0) return NULL;
        for (;;) {
            strbuf req = STRBUF_INIT;
            if (read_request(fd, &req) < 0) {
                sb_free(&req);
                break;
            }
            pthread_mutex_lock(&p->mu);
            int i = p->nreq;
            if (i < MAX_REQ) p->reqs[p->nreq++] = sb_detach(&req);
            pthread_mutex_unlock(&p->mu);
            sb_free(&req);
            respond(p, fd, i);
        }
        close(fd);
    }
}

static peer *peer_start(void)
{
    peer *p = xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    p->lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (bind(p->lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(p->lfd, 8) < 0 ||
        getsockname(p->lfd, (struct sockaddr *)&a, &len) < 0)
        abort();
    p->port = ntohs(a.sin_port);
    pthread_create(&p->thread, NULL, serve, p);
    return p;
}

static void peer_stop(peer *p)
{
    shutdown(p->lfd, SHUT_RDWR);
    close(p->lfd);
    pthread_join(p->thread, NULL);
    for (int i = 0; i < p->nreq; i++)
        free(p->reqs[i]);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

/* ---- helpers ---- */

static void hems_record(mdc_record *r, int64_t seq)
{
    mdc_record_init(r);
    r->seq = seq;
    r->ts_us = TS;
    mdc_record_set_device(r, "meter");
    mdc_record_add_double(r, "cumulative_power_kwh", 12345.6);
    mdc_record_add_int(r, "instant_power_w", 500 + (int)seq);
    mdc_record_add_double(r, "current_a", 7.5);
    mdc_record_add_double(r, "current_r_a", 5.0);
    mdc_record_add_null(r, "current_t_a", NULL);
    mdc_record_add_string(r, "historical_timestamp", "2023-10-27T10:00:00+00:00");
    mdc_record_add_double(r, "historical_cumulative_power_kwh", 12345.5);
    mdc_record_add_double(r, "recent_30min_consumption_kwh", 0.2);
    mdc_record_add_string(r, "recent_30min_timestamp", "2023-10-27T09:30:00+00:00");
    mdc_record_add_int(r, "shift", 1); /* derived: not part of a hems record */
}

static const char *hems_json(int64_t seq)
{
    static char buf[512];
    snprintf(buf, sizeof buf,
             "{\"timestamp\": \"2023-10-27T10:00:00.123456+00:00\", \"cumulative_power_kwh\": "
             "12345.6, \"instant_power_w\": %d, \"current_a\": 7.5, \"current_r_a\": 5.0, "
             "\"current_t_a\": null, \"historical_timestamp\": \"2023-10-27T10:00:00+00:00\", "
             "\"historical_cumulative_power_kwh\": 12345.5, \"recent_30min_consumption_kwh\": "
             "0.2, \"recent_30min_timestamp\": \"2023-10-27T09:30:00+00:00\"}",
             500 + (int)seq);
    return buf;
}

static mdc_sink *sink_from(const char *json, mdc_cfgdoc **doc)
{
    mdc_err err = {0};
    if (mdc_cfgdoc_load_string("sink.json", json, strlen(json), doc, &err) < 0)
        fail_msg("%s", err.msg);
    mdc_cfgnode n = mdc_cfgdoc_root(*doc);
    mdc_sink *s = NULL;
    if (mdc_sink_from_config(&n, "data", &s, &err) < 0) fail_msg("%s", err.msg);
    return s;
}

static void expect_config_error(const char *json, const char *want)
{
    mdc_cfgdoc *doc;
    mdc_err err = {0};
    assert_int_equal(mdc_cfgdoc_load_string("sink.json", json, strlen(json), &doc, &err), 0);
    mdc_cfgnode n = mdc_cfgdoc_root(doc);
    mdc_sink *s = NULL;
    assert_int_equal(mdc_sink_from_config(&n, "data", &s, &err), -1);
    assert_null(s);
    assert_string_equal(err.msg, want);
    mdc_cfgdoc_free(doc);
}

static int write_res(mdc_sink *s, mdc_record *recs, size_t n, mdc_sink_result *res, mdc_err *err)
{
    const mdc_record *p[8];
    for (size_t i = 0; i < n; i++)
        p[i] = &recs[i];
    return mdc_sink_write(s, p, n, res, err);
}

static int write_recs(mdc_sink *s, mdc_record *recs, size_t n, mdc_err *err)
{
    return write_res(s, recs, n, NULL, err);
}

static char *expected_post(const char *path, int port, const char *extra, const char *body)
{
    strbuf b = STRBUF_INIT;
    sb_printf(&b,
              "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: mdc/" MDC_VERSION
              "\r\nAccept: */*\r\n%sContent-Length: %zu\r\n\r\n%s",
              path, port, extra, strlen(body), body);
    return sb_detach(&b);
}

/* ---- webhook ---- */

static void test_webhook_hems_requests(void **state)
{
    (void)state;
    peer *p = peer_start();
    char cfg[512];
    snprintf(cfg, sizeof cfg,
             "{\"type\": \"webhook\", \"url\": \"http://127.0.0.1:%d/hook?key=q1\", \"style\": "
             "\"hems\", \"headers\": {\"Authorization\": \"Bearer s3cret\", \"X-Site\": \"home\"}}",
             p->port);
    mdc_cfgdoc *doc;
    mdc_sink *s = sink_from(cfg, &doc);
    char id[128];
    snprintf(id, sizeof id, "webhook:http://127.0.0.1:%d/hook#", p->port);
    assert_memory_equal(s->id, id, strlen(id)); /* the query is not in the id */
    mdc_err err = {0};
    assert_int_equal(s->ops->open(s, &err), 0);
    assert_int_equal(s->ops->committed_seq(s, 0xabc), -1); /* learns the spool's epoch */
    mdc_record r[4];
    for (int i = 0; i < 4; i++)
        hems_record(&r[i], i + 1);
    assert_int_equal(write_recs(s, r, 2, &err), 0);
    assert_int_equal(p->nreq, 2);
    const char *hdrs = "Content-Type: application/json\r\nAuthorization: Bearer s3cret\r\n"
                       "X-Site: home\r\nIdempotency-Key: 0000000000000abc-%d\r\n";
    for (int i = 0; i < 2; i++) {
        char h[256];
        snprintf(h, sizeof h, hdrs, i + 1);
        char *want = expected_post("/hook?key=q1", p->port, h, hems_json(i + 1));
        assert_string_equal(p->reqs[i], want);
        free(want);
    }
    /* record 3 is accepted, 4 refused: the error names the URL without query or header */
    p->status[3] = 503;
    p->body[3] = "maintenance\n";
    mdc_sink_result res = {0};
    assert_int_equal(write_res(s, r + 2, 2, &res, &err), -1);
    assert_true(res.delivered == 1 && !res.rejected); /* 503: temporary */
    char want_err[256];
    snprintf(want_err, sizeof want_err, "HTTP 503 from http://127.0.0.1:%d/hook: maintenance ",
             p->port);
    assert_string_equal(err.msg, want_err);
    /* the runtime closes, reopens and retries the batch: only record 4 is sent again */
    s->ops->close(s);
    assert_int_equal(s->ops->open(s, &err), 0);
    assert_int_equal(write_recs(s, r + 2, 2, &err), 0);
    assert_int_equal(p->nreq, 5);
    char h4[256];
    snprintf(h4, sizeof h4, hdrs, 4);
    char *want = expected_post("/hook?key=q1", p->port, h4, hems_json(4));
    assert_string_equal(p->reqs[4], want);
    free(want);
    s->ops->close(s);
    for (int i = 0; i < 4; i++)
        mdc_record_free(&r[i]);
    mdc_sink_destroy(s);
    mdc_cfgdoc_free(doc);
    peer_stop(p);
}

static void test_webhook_batch_mdc(void **state)
{
    (void)state;
    peer *p = peer_start();
    char cfg[256];
    snprintf(cfg, sizeof cfg,
             "{\"type\": \"webhook\", \"url\": \"http://127.0.0.1:%d/in\", \"batch\": true, "
             "\"fields\": [\"instant_power_w\"], \"timeout\": \"2s\"}",
             p->port);
    mdc_cfgdoc *doc;
    mdc_sink *s = sink_from(cfg, &doc);
    mdc_err err = {0};
    mdc_record r[2];
    hems_record(&r[0], 1);
    hems_record(&r[1], 2);
    assert_int_equal(s->ops->open(s, &err), 0);
    assert_int_equal(write_recs(s, r, 2, &err), 0);
    assert_int_equal(p->nreq, 1);
    char *want = expected_post(
        "/in", p->port,
        "Content-Type: application/json\r\nIdempotency-Key: 0000000000000000-1-2\r\n",
        "[{\"timestamp\": \"2023-10-27T10:00:00.123456+00:00\", \"device\": \"meter\", "
        "\"instant_power_w\": 501}, {\"timestamp\": \"2023-10-27T10:00:00.123456+00:00\", "
        "\"device\": \"meter\", \"instant_power_w\": 502}]");
    assert_string_equal(p->reqs[0], want);
    free(want);
    s->ops->close(s);
    mdc_record_free(&r[0]);
    mdc_record_free(&r[1]);
    mdc_sink_destroy(s);
    mdc_cfgdoc_free(doc);
    peer_stop(p);
}

/* Verdicts: a 400 rejects the record it was for (the ones before it are delivered), 429 and
 * 503 are temporary and pass on Retry-After; a response that echoes a secret is not quoted. */
static void test_webhook_verdicts(void **state)
{
    (void)state;
    peer *p = peer_start();
    char cfg[512];
    snprintf(cfg, sizeof cfg,
             "{\"type\": \"webhook\", \"url\": \"http://u:pw-7@127.0.0.1:%d/in?token=tq-9\", "
             "\"headers\": {\"X-Api-Key\": \"hk-5\"}}",
             p->port);
    mdc_cfgdoc *doc;
    mdc_sink *s = sink_from(cfg, &doc);
    mdc_err err = {0};
    mdc_record r[3];
    for (int i = 0; i < 3; i++)
        hems_record(&r[i], i + 1);
    assert_int_equal(s->ops->open(s, &err), 0);
    p->status[1] = 400;
    p->body[1] = "bad field power";
    mdc_sink_result res = {0};
    assert_int_equal(write_res(s, r, 3, &res, &err), -1);
    assert_true(res.delivered == 1 && res.rejected && res.retry_after_us == 0);
    assert_string_equal(res.reason, "http_4xx");
    assert_non_null(strstr(err.msg, "HTTP 400 from"));
    assert_non_null(strstr(err.msg, "bad field power"));
    const char *echo[] = {"got key hk-5", "url ...?token=tq-9", "auth u:pw-7"};
    for (int k = 0; k < 3; k++) { /* 429 + Retry-After, each echoing one secret */
        p->status[2 + k] = 429;
        p->head[2 + k] = "Retry-After: 7\r\n";
        p->body[2 + k] = echo[k];
        res = (mdc_sink_result){0};
        assert_int_equal(write_res(s, r + 1, 2, &res, &err), -1);
        assert_true(res.delivered == 0 && !res.rejected && res.retry_after_us == 7000000);
        assert_null(strstr(err.msg, "hk-5"));
        assert_null(strstr(err.msg, "tq-9"));
        assert_null(strstr(err.msg, "pw-7"));
        assert_non_null(strstr(err.msg, "(response withheld: it repeats a secret)"));
    }
    assert_int_equal(write_recs(s, r + 1, 2, &err), 0);
    assert_int_equal(p->nreq, 7);
    s->ops->close(s);
    for (int i = 0; i < 3; i++)
        mdc_record_free(&r[i]);
    mdc_sink_destroy(s);
    mdc_cfgdoc_free(doc);
    peer_stop(p);
}

static void test_webhook_unreachable(void **state)
{
    (void)state;
    peer *p = peer_start();
    int port = p->port;
    peer_stop(p); /* nothing listens there now */
    char cfg[256];
    snprintf(cfg, sizeof cfg,
             "{\"type\": \"webhook\", \"url\": \"http://user:pw@127.0.0.1:%d/x?t=1\", \"format\": "
             "\"csv\"}",
             port);
    mdc_cfgdoc *doc;
    mdc_sink *s = sink_from(cfg, &doc);
    mdc_err err = {0};
    mdc_record r;
    hems_record(&r, 1);
    assert_int_equal(s->ops->open(s, &err), 0);
    assert_int_equal(write_recs(s, &r, 1, &err), -1);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "POST http://127.0.0.1:%d/x: ", port);
    assert_memory_equal(err.msg, prefix, strlen(prefix));
    assert_null(strstr(err.msg, "pw"));
    s->ops->close(s);
    mdc_record_free(&r);
    mdc_sink_destroy(s);
    mdc_cfgdoc_free(doc);
}

static void test_webhook_config_errors(void **state)
{
    (void)state;
    expect_config_error("{\"type\": \"webhook\"}", "sink.json:1:1: missing required key \"url\"");
    expect_config_error("{\"type\": \"webhook\", \"url\": \"ftp://x\"}",
                        "sink.json:1:21: url: expected an http:// or https:// URL");
    expect_config_error(
        "{\"type\": \"webhook\", \"url\": \"http://x\", \"headers\": {\"A B\": \"1\"}}",
        "sink.json:1:52: headers.A B: a header name cannot be empty or have "
        "spaces or ':'");
    expect_config_error(
        "{\"type\": \"webhook\", \"url\": \"http://x\", \"headers\": {\"A\": \"1\\n\"}}",
        "sink.json:1:52: headers.A: a header value must be one line");
    expect_config_error(
        "{\"type\": \"webhook\", \"url\": \"http://x\", \"batches\": true}",
        "sink.json:1:40: batches: unknown key \"batches\" (did you mean \"batch\"?); allowed: "
        "type, url, format, timeout, headers, ca_file, batch, style, fields, "
        "skip_empty, csv_columns");
    expect_config_error("{\"type\": \"webhook\", \"url\": \"http://x\", \"style\": \"python\"}",
                        "sink.json:1:40: style: unknown value \"python\"; allowed: mdc, hems");
    expect_config_error("{\"type\": \"pubsub\", \"project\": \"p\", \"topic\": \"a/b\"}",
                        "sink.json:1:36: topic: the topic \"a/b\" has a character that is not "
                        "allowed (/)");
    expect_config_error("{\"type\": \"stdout\", \"csv_columns\": []}",
                        "sink.json:1:20: csv_columns: needs at least one column");
    expect_config_error("{\"type\": \"log\", \"level\": \"loud\"}",
                        "sink.json:1:17: level: unknown value \"loud\"; allowed: debug, info, "
                        "warn, error");
}

/* ---- Pub/Sub ---- */

static char *write_key(const char *dir, int port)
{
    EVP_PKEY *k = EVP_RSA_gen(2048);
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
    char *pem;
    long n = BIO_get_mem_data(b, &pem);
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string("service_account"));
    json_object_set_new(o, "private_key", json_stringn(pem, (size_t)n));
    json_object_set_new(o, "client_email", json_string("mdc@p.example"));
    char uri[64];
    snprintf(uri, sizeof uri, "http://127.0.0.1:%d/token", port);
    json_object_set_new(o, "token_uri", json_string(uri));
    char *path = xmalloc(strlen(dir) + 16);
    sprintf(path, "%s/key.json", dir);
    json_dump_file(o, path, 0);
    json_decref(o);
    BIO_free(b);
    EVP_PKEY_free(k);
    return path;
}

static void test_pubsub_publish(void **state)
{
    (void)state;
    peer *p = peer_start();
    char dir[] = "/tmp/mdc-test-pubsub-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *key = write_key(dir, p->port);
    p->body[0] = "{\"access_token\": \"tok-1\", \"expires_in\": 3600}";
    p->body[1] = "{\"messageIds\": [\"1\", \"2\"]}";
    p->status[2] = 401; /* the token was revoked: a new one is fetched on the retry */
    p->body[3] = "{\"access_token\": \"tok-2\", \"expires_in\": 3600}";
    p->body[4] = "{\"messageIds\": [\"3\"]}";
    char cfg[512];
    snprintf(cfg, sizeof cfg,
             "{\"type\": \"pubsub\", \"project\": \"proj\", \"topic\": \"hems-data\", "
             "\"credentials\": \"%s\", \"endpoint\": \"http://127.0.0.1:%d\", \"style\": \"hems\"}",
             key, p->port);
    mdc_cfgdoc *doc;
    mdc_sink *s = sink_from(cfg, &doc);
    assert_string_equal(s->id, "pubsub:projects/proj/topics/hems-data");
    mdc_err err = {0};
    mdc_record r[3];
    for (int i = 0; i < 3; i++)
        hems_record(&r[i], i + 1);
    assert_int_equal(s->ops->open(s, &err), 0);
    assert_int_equal(write_recs(s, r, 2, &err), 0);
    assert_int_equal(p->nreq, 2);
    assert_non_null(strstr(p->reqs[0], "POST /token HTTP/1.1\r\n"));
    assert_non_null(strstr(p->reqs[0], "Content-Type: application/x-www-form-urlencoded\r\n"));
    assert_non_null(strstr(p->reqs[0], "\r\n\r\ngrant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-"
                                       "type%3Ajwt-bearer&assertion=ey"));
    strbuf body = STRBUF_INIT;
    sb_puts(&body, "{\"messages\":[{\"data\":\"");
    mdc_b64_encode(hems_json(1), strlen(hems_json(1)), false, &body);
    sb_puts(&body, "\",\"attributes\":{\"mdc_record_id\":\"0000000000000000-1\"}},{\"data\":\"");
    mdc_b64_encode(hems_json(2), strlen(hems_json(2)), false, &body);
    sb_puts(&body, "\",\"attributes\":{\"mdc_record_id\":\"0000000000000000-2\"}}]}");
    char *want = expected_post("/v1/projects/proj/topics/hems-data:publish", p->port,
                               "Content-Type: application/json\r\nAuthorization: Bearer tok-1\r\n",
                               sb_str(&body));
    assert_string_equal(p->reqs[1], want);
    free(want);
    /* a 401: the error does not show the token; the retry gets a new token first */
    assert_int_equal(write_recs(s, r + 2, 1, &err), -1);
    assert_null(strstr(err.msg, "tok-1"));
    assert_int_equal(err.code, MDC_EAUTH);
    s->ops->close(s);
    assert_int_equal(s->ops->open(s, &err), 0);
    assert_int_equal(write_recs(s, r + 2, 1, &err), 0);
    assert_int_equal(p->nreq, 5);
    assert_non_null(strstr(p->reqs[3], "POST /token HTTP/1.1\r\n"));
    assert_non_null(strstr(p->reqs[4], "Authorization: Bearer tok-2\r\n"));
    s->ops->close(s);
    for (int i = 0; i < 3; i++)
        mdc_record_free(&r[i]);
    sb_free(&body);
    mdc_sink_destroy(s);
    mdc_cfgdoc_free(doc);
    peer_stop(p);
    unlink(key);
    rmdir(dir);
    free(key);
}

static void test_pubsub_emulator_and_no_credentials(void **state)
{
    (void)state;
    peer *p = peer_start();
    p->body[0] = "{\"messageIds\": [\"1\"]}";
    char host[32], cfg[256];
    snprintf(host, sizeof host, "127.0.0.1:%d", p->port);
    setenv("PUBSUB_EMULATOR_HOST", host, 1);
    mdc_cfgdoc *doc;
    mdc_sink *s = sink_from("{\"type\": \"pubsub\", \"project\": \"p1\", \"topic\": \"t1\"}", &doc);
    unsetenv("PUBSUB_EMULATOR_HOST");
    mdc_err err = {0};
    mdc_record r;
    hems_record(&r, 1);
    assert_int_equal(s->ops->open(s, &err), 0);
    assert_int_equal(write_recs(s, &r, 1, &err), 0);
    assert_int_equal(p->nreq, 1);
    assert_memory_equal(p->reqs[0], "POST /v1/projects/p1/topics/t1:publish HTTP/1.1\r\n", 48);
    assert_null(strstr(p->reqs[0], "Authorization"));
    s->ops->close(s);
    mdc_sink_destroy(s);
    mdc_cfgdoc_free(doc);
    /* no emulator, no credentials: open() says what to set */
    unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
    snprintf(cfg, sizeof cfg, "{\"type\": \"pubsub\", \"project\": \"p1\", \"topic\": \"t1\"}");
    s = sink_from(cfg, &doc);
    assert_int_equal(s->ops->open(s, &err), -1);
    assert_string_equal(err.msg,
                        "no credentials: set \"credentials\" (or GOOGLE_APPLICATION_CREDENTIALS) "
                        "to a service-account key file, or PUBSUB_EMULATOR_HOST for the emulator");
    mdc_record_free(&r);
    mdc_sink_destroy(s);
    mdc_cfgdoc_free(doc);
    peer_stop(p);
}

/* ---- shape, render, log ---- */

static void test_shape(void **state)
{
    (void)state;
    mdc_record src, dst;
    hems_record(&src, 7);
    src.status = 2;
    mdc_shape_cfg c = {
        .fields = MDC_HEMS_FIELDS, .nfields = MDC_HEMS_NFIELDS, .bare = true, .skip_empty = true};
    assert_true(mdc_shape_record(&c, &src, &dst));
    strbuf sb = STRBUF_INIT;
    mdc_format_record(MDC_FMT_JSON, MDC_STYLE_HEMS, &dst, &sb);
    char want[600];
    snprintf(want, sizeof want, "%s\n", hems_json(7));
    assert_string_equal(sb_str(&sb), want);
    sb_reset(&sb);
    assert_int_equal(dst.seq, 7);
    mdc_record_free(&dst);
    /* an unreachable meter: every field null and an error → nothing to deliver */
    mdc_record empty;
    mdc_record_init(&empty);
    empty.ts_us = TS;
    mdc_record_set_error(&empty, "no answer");
    mdc_record_add_null(&empty, "instant_power_w", NULL);
    assert_false(mdc_shape_record(&c, &empty, &dst));
    c.skip_empty = false;
    assert_true(mdc_shape_record(&c, &empty, &dst));
    assert_int_equal(dst.nfields, MDC_HEMS_NFIELDS);
    assert_null(dst.error);
    mdc_record_free(&dst);
    /* Python's dict repr for the log line */
    mdc_render_pyrepr(&src, &sb);
    assert_string_equal(sb_str(&sb),
                        "{'timestamp': '2023-10-27T10:00:00.123456+00:00', 'cumulative_power_kwh': "
                        "12345.6, 'instant_power_w': 507, 'current_a': 7.5, 'current_r_a': 5.0, "
                        "'current_t_a': None, 'historical_timestamp': '2023-10-27T10:00:00+00:00', "
                        "'historical_cumulative_power_kwh': 12345.5, "
                        "'recent_30min_consumption_kwh': 0.2, 'recent_30min_timestamp': "
                        "'2023-10-27T09:30:00+00:00', 'shift': 1}");
    sb_free(&sb);
    mdc_record_free(&src);
    mdc_record_free(&empty);
}

static void test_render(void **state)
{
    (void)state;
    mdc_record r;
    hems_record(&r, 1);
    mdc_shape_cfg c = {.fields = MDC_HEMS_FIELDS, .nfields = MDC_HEMS_NFIELDS, .bare = true};
    mdc_record h;
    mdc_shape_record(&c, &r, &h);
    strbuf sb = STRBUF_INIT;
    mdc_render_cfg csv = {.format = MDC_FMT_CSV,
                          .style = MDC_STYLE_HEMS,
                          .csv_columns = MDC_HEMS_CSV_COLUMNS,
                          .ncsv_columns = MDC_HEMS_CSV_NCOLUMNS};
    mdc_render_one(&csv, &h, &sb);
    assert_string_equal(sb_str(&sb),
                        "timestamp,cumulative_power_kwh,instant_power_w,current_a,current_r_a,"
                        "current_t_a,historical_timestamp,historical_cumulative_power_kwh,"
                        "recent_30min_timestamp,recent_30min_consumption_kwh\n"
                        "2023-10-27T10:00:00.123456+00:00,12345.6,501,7.5,5.0,None,"
                        "2023-10-27T10:00:00+00:00,12345.5,2023-10-27T09:30:00+00:00,0.2\n");
    sb_reset(&sb);
    mdc_render_cfg yaml = {.format = MDC_FMT_YAML, .style = MDC_STYLE_HEMS};
    const mdc_record *two[2] = {&h, &h};
    mdc_render_one(&yaml, &h, &sb);
    size_t one = sb.len;
    assert_int_equal(sb.buf[one - 1], '\n');
    assert_int_not_equal(sb.buf[one - 2], '\n'); /* no blank line after a single document */
    sb_reset(&sb);
    mdc_render_many(&yaml, two, 2, &sb);
    assert_int_equal(sb.len, 2 * (one + 1));
    assert_string_equal(mdc_render_content_type(MDC_FMT_CSV), "text/csv");
    assert_string_equal(mdc_render_content_type(MDC_FMT_YAML), "application/yaml");
    sb_free(&sb);
    mdc_record_free(&h);
    mdc_record_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_webhook_hems_requests),
        cmocka_unit_test(test_webhook_batch_mdc),
        cmocka_unit_test(test_webhook_verdicts),
        cmocka_unit_test(test_webhook_unreachable),
        cmocka_unit_test(test_webhook_config_errors),
        cmocka_unit_test(test_pubsub_publish),
        cmocka_unit_test(test_pubsub_emulator_and_no_credentials),
        cmocka_unit_test(test_shape),
        cmocka_unit_test(test_render),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
