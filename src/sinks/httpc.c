/* httpc.c — HTTP POST over a reusable libcurl easy handle. */
#include "httpc.h"

#include "core/xalloc.h"

#include <curl/curl.h>
#include <pthread.h>
#include <string.h>

struct mdc_httpc {
    CURL *curl;
    mdc_httpc_opts opts;
    char *ca_file;
    char errbuf[CURL_ERROR_SIZE];
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

void mdc_httpc_snippet(const char *body, size_t len, size_t max, strbuf *out)
{
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
