/* SPDX-License-Identifier: Apache-2.0 */
/* httpc.c — HTTP POST over a reusable libcurl easy handle. */
#include "httpc.h"

#include "core/xalloc.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <pthread.h>
#include <string.h>

struct mdc_httpc {
    CURL *curl;
    mdc_httpc_opts opts;
    char *ca_file;
    char errbuf[CURL_ERROR_SIZE];
    int64_t retry_after_us;
    strbuf *secrets; /* what must never be quoted back */
    size_t nsecrets, capsecrets;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void mdc_httpc_global_init(void)
{
    pthread_once(&global_once, global_init_once);
}

mdc_httpc *mdc_httpc_new(const mdc_httpc_opts *o)
{
    mdc_httpc_global_init();
    mdc_httpc *c = xcalloc(1, sizeof *c);
    c->opts = *o;
    c->ca_file = o->ca_file ? xstrdup(o->ca_file) : NULL;
    c->opts.ca_file = c->ca_file;
    return c;
}

void mdc_httpc_free(mdc_httpc *c)
{
    if (!c) return;
    if (c->curl) curl_easy_cleanup(c->curl);
    for (size_t i = 0; i < c->nsecrets; i++)
        sb_free(&c->secrets[i]);
    free(c->secrets);
    free(c->ca_file);
    free(c);
}

typedef struct sink_ctx {
    strbuf *out;
} sink_ctx;

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
    sink_ctx *ctx = arg;
    size_t len = size * n;
    if (ctx->out && ctx->out->len < HTTPC_MAX_RESPONSE) {
        size_t room = HTTPC_MAX_RESPONSE - ctx->out->len;
        sb_append(ctx->out, p, len < room ? len : room);
    }
    return len;
}

static CURL *handle(mdc_httpc *c)
{
    if (c->curl) {
        curl_easy_reset(c->curl); /* keeps the connection cache */
        return c->curl;
    }
    c->curl = curl_easy_init();
    return c->curl;
}

static void set_options(mdc_httpc *c, CURL *h, const char *url, struct curl_slist *hdrs,
                        const char *body, size_t len, sink_ctx *ctx)
{
    long timeout_ms = (long)(c->opts.timeout_us / 1000);
    if (timeout_ms < 1) timeout_ms = 1;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->ca_file) curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "mdc/" MDC_VERSION);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, ctx);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
}

int mdc_httpc_post(mdc_httpc *c, const char *url, const char *const *headers, const char *body,
                   size_t len, long *status, strbuf *resp, mdc_err *err)
{
    CURL *h = handle(c);
    strbuf where = STRBUF_INIT;
    mdc_httpc_redact(url, &where);
    if (!h) {
        mdc_err_set(err, MDC_ENOMEM, "POST %s: cannot create a libcurl handle", sb_str(&where));
        sb_free(&where);
        return -1;
    }
    struct curl_slist *hdrs = curl_slist_append(NULL, "Expect:"); /* no 100-continue wait */
    for (size_t i = 0; headers && headers[i]; i++)
        hdrs = curl_slist_append(hdrs, headers[i]);
    if (resp) sb_reset(resp);
    sink_ctx ctx = {.out = resp};
    c->errbuf[0] = '\0';
    c->retry_after_us = 0;
    set_options(c, h, url, hdrs, body ? body : "", len, &ctx);
    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(hdrs);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    int ret = 0;
    if (rc != CURLE_OK) {
        int code = rc == CURLE_OPERATION_TIMEDOUT ? MDC_ETIMEOUT : MDC_EIO;
        ret = mdc_err_set(err, code, "POST %s: %s", sb_str(&where),
                          c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
    } else {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
        curl_off_t after = 0;
        if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &after) != CURLE_OK || after < 0) after = 0;
        c->retry_after_us = (int64_t)after * 1000000;
    }
    sb_free(&where);
    return ret;
}

void mdc_httpc_redact(const char *url, strbuf *out)
{
    const char *scheme_end = strstr(url, "://");
    const char *auth = scheme_end ? scheme_end + 3 : url;
    if (scheme_end) sb_append(out, url, (size_t)(auth - url));
    size_t hostlen = strcspn(auth, "/?#");
    const char *at = memchr(auth, '@', hostlen);
    const char *host = at ? at + 1 : auth;
    sb_append(out, host, hostlen - (size_t)(host - auth));
    const char *path = auth + hostlen;
    sb_append(out, path, strcspn(path, "?#"));
}

int64_t mdc_httpc_retry_after_us(mdc_httpc *c)
{
    return c->retry_after_us;
}

/* Tokens are renewed for as long as the process runs: keep the latest ones only. */
#define MAX_SECRETS 64

void mdc_httpc_add_secret(mdc_httpc *c, const char *secret, size_t len)
{
    if (!secret || len == 0) return;
    if (c->nsecrets == MAX_SECRETS) {
        sb_free(&c->secrets[0]);
        memmove(c->secrets, c->secrets + 1, --c->nsecrets * sizeof *c->secrets);
    }
    xgrow(&c->secrets, &c->capsecrets, c->nsecrets + 1, sizeof *c->secrets);
    strbuf *sb = &c->secrets[c->nsecrets++];
    sb_init(sb);
    sb_append(sb, secret, len);
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* s[0, len) percent-decoded ('+' as a space). */
static void percent_decode(const char *s, size_t len, strbuf *dec)
{
    for (size_t i = 0; i < len; i++) {
        int hi = i + 2 < len && s[i] == '%' ? hexval(s[i + 1]) : -1;
        int lo = hi >= 0 ? hexval(s[i + 2]) : -1;
        if (lo >= 0) {
            sb_putc(dec, (char)(hi * 16 + lo));
            i += 2;
        } else {
            sb_putc(dec, s[i] == '+' ? ' ' : s[i]);
        }
    }
}

/* Registers base64(user:password), what HTTP Basic authentication sends (and a peer may echo)
 * for a URL's user info: as written, and with both parts percent-decoded as curl sends them. */
static void add_basic_auth(mdc_httpc *c, const char *user, size_t n)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    strbuf plain = STRBUF_INIT, enc = STRBUF_INIT;
    for (int decoded = 0; decoded < 2; decoded++) {
        sb_reset(&plain);
        sb_reset(&enc);
        if (decoded)
            percent_decode(user, n, &plain);
        else
            sb_append(&plain, user, n);
        const unsigned char *p = (const unsigned char *)plain.buf;
        for (size_t i = 0; i < plain.len; i += 3) {
            uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < plain.len ? (uint32_t)p[i + 1] << 8 : 0) |
                         (i + 2 < plain.len ? p[i + 2] : 0);
            sb_putc(&enc, b64[v >> 18 & 63]);
            sb_putc(&enc, b64[v >> 12 & 63]);
            sb_putc(&enc, i + 1 < plain.len ? b64[v >> 6 & 63] : '=');
            sb_putc(&enc, i + 2 < plain.len ? b64[v & 63] : '=');
        }
        mdc_httpc_add_secret(c, enc.buf, enc.len);
    }
    explicit_bzero(plain.buf, plain.cap);
    sb_free(&plain);
    sb_free(&enc);
}

/* Registers s[0, len) as written and percent-decoded ('+' as a space). */
static void add_encoded(mdc_httpc *c, const char *s, size_t len)
{
    mdc_httpc_add_secret(c, s, len);
    strbuf dec = STRBUF_INIT;
    percent_decode(s, len, &dec);
    if (dec.len != len || memcmp(dec.buf, s, len) != 0) mdc_httpc_add_secret(c, dec.buf, dec.len);
    sb_free(&dec);
}

void mdc_httpc_add_url_secrets(mdc_httpc *c, const char *url)
{
    const char *scheme_end = strstr(url, "://");
    const char *auth = scheme_end ? scheme_end + 3 : url;
    size_t hostlen = strcspn(auth, "/?#");
    const char *at = memchr(auth, '@', hostlen);
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (colon) {
        add_encoded(c, colon + 1, (size_t)(at - colon - 1));
        add_basic_auth(c, auth, (size_t)(at - auth));
    }
    const char *q = strchr(auth, '?');
    while (q && *q && *q != '#') {
        const char *item = q + 1;
        size_t len = strcspn(item, "&#");
        const char *eq = memchr(item, '=', len);
        if (eq) add_encoded(c, eq + 1, len - (size_t)(eq + 1 - item));
        q = item[len] == '&' ? item + len : NULL;
    }
}

bool mdc_httpc_repeats_secret(const mdc_httpc *c, const char *body, size_t len)
{
    for (size_t i = 0; c && i < c->nsecrets; i++)
        if (memmem(body, len, c->secrets[i].buf, c->secrets[i].len)) return true;
    return false;
}

void mdc_httpc_snippet(const mdc_httpc *c, const char *body, size_t len, size_t max, strbuf *out)
{
    if (mdc_httpc_repeats_secret(c, body, len)) {
        sb_puts(out, "(response withheld: it repeats a secret)");
        return;
    }
    size_t n = len < max ? len : max;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)body[i];
        if (ch == '\n' || ch == '\r' || ch == '\t')
            sb_putc(out, ' ');
        else
            sb_putc(out, ch >= 0x20 && ch < 0x7f ? (char)ch : '?');
    }
    if (len > n) sb_puts(out, "...");
}
