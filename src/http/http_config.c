/* SPDX-License-Identifier: Apache-2.0 */
/* http_config.c — the "http" configuration object. */
#include "http.h"

#include "core/clock.h"
#include "core/keys.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const mdc_key http_keys[] = {
    {.name = "listen",
     .type = MDC_KEY_STRING,
     .required = true,
     .help = "HOST:PORT, [IPv6]:PORT or :PORT (every interface); port 0: any free one"},
    {.name = "token",
     .type = MDC_KEY_SECRET,
     .help = "a bearer token every request but the dashboard's files needs"},
    {.name = "max_connections",
     .type = MDC_KEY_INT,
     .def = "512",
     .min = 8,
     .max = 100000,
     .help = "open at once, every client together"},
    {.name = "max_connections_per_address",
     .type = MDC_KEY_INT,
     .def = "64",
     .min = 0,
     .max = 100000,
     .help = "open at once from one client address (0: no limit)"},
    {.name = "idle_timeout",
     .type = MDC_KEY_DURATION,
     .def = "60s",
     .help = "a connection silent this long is closed (1s..24h)"},
    {.name = "header_timeout",
     .type = MDC_KEY_DURATION,
     .def = "10s",
     .help = "a request head must be complete within (1s..1h)"},
    {.name = "metrics",
     .type = MDC_KEY_OBJECT,
     .help = "device values in /metrics (keys of http: metrics)"},
    {0},
};
static const mdc_keyset http_keyset = {"http", http_keys, NULL};

static const mdc_key metrics_keys[] = {
    {.name = "values",
     .type = MDC_KEY_BOOL,
     .def = "false",
     .help = "each device's numeric values as mdc_value series"},
    {.name = "max_series",
     .type = MDC_KEY_INT,
     .def = "10000",
     .min = 1,
     .max = 1000000,
     .help = "value series at most (beyond, dropped and counted)"},
    {0},
};
static const mdc_keyset metrics_keyset = {"http: metrics", metrics_keys, NULL};

const mdc_keyset *const mdc_http_keysets[] = {&http_keyset, &metrics_keyset, NULL};

static int parse_port(const char *s, int *port)
{
    if (!*s || strlen(s) > 5) return -1;
    int v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        v = v * 10 + (*s - '0');
    }
    if (v > 65535) return -1;
    *port = v;
    return 0;
}

/* "HOST:PORT", "[V6]:PORT" or ":PORT" → host (malloc'ed) and port. */
static int split_listen(const char *s, char **host, int *port)
{
    const char *colon;
    size_t hlen;
    const char *h = s;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':') return -1;
        h = s + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
        if (hlen == 0) return -1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || memchr(s, ':', (size_t)(colon - s))) return -1; /* v6 needs brackets */
        hlen = (size_t)(colon - s);
    }
    if (parse_port(colon + 1, port) < 0) return -1;
    *host = xstrndup(h, hlen);
    return 0;
}

/* The connection limits and deadlines. */
static int parse_limits(const mdc_cfgnode *n, mdc_http_cfg *out, mdc_err *err)
{
    const mdc_keyset *ks = &http_keyset;
    int64_t total, per_address;
    if (mdc_key_int(n, ks, "max_connections", &total, err) < 0 ||
        mdc_key_int(n, ks, "max_connections_per_address", &per_address, err) < 0 ||
        mdc_key_duration(n, ks, "idle_timeout", &out->idle_timeout_us, err) < 0 ||
        mdc_key_duration(n, ks, "header_timeout", &out->header_timeout_us, err) < 0)
        return -1;
    out->max_connections = (int)total;
    out->max_connections_per_address = (int)per_address;
    if (out->idle_timeout_us < MDC_US_PER_SEC || out->idle_timeout_us > 86400 * MDC_US_PER_SEC)
        return cfg_error(n, "idle_timeout", err, "must be from 1s to 24h");
    if (out->header_timeout_us < MDC_US_PER_SEC || out->header_timeout_us > 3600 * MDC_US_PER_SEC)
        return cfg_error(n, "header_timeout", err, "must be from 1s to 1h");
    return 0;
}

/* "metrics": {"values": bool, "max_series": N} */
static int parse_metrics(const mdc_cfgnode *n, mdc_http_cfg *out, mdc_err *err)
{
    const mdc_keyset *ks = &metrics_keyset;
    mdc_cfgnode m;
    bool have;
    if (cfg_object(n, "metrics", &m, &have, err) < 0) return -1;
    if (!have) { /* the defaults, read from an empty object */
        m = *n;
        m.json = NULL;
    }
    int64_t max_series;
    if ((have && mdc_keys_check(&m, ks, err) < 0) ||
        mdc_key_bool(&m, ks, "values", &out->metrics_values, err) < 0 ||
        mdc_key_int(&m, ks, "max_series", &max_series, err) < 0)
        return -1;
    out->metrics_max_series = (int)max_series;
    return 0;
}

int mdc_http_cfg_parse(const mdc_cfgnode *n, mdc_http_cfg *out, mdc_err *err)
{
    const mdc_keyset *ks = &http_keyset;
    memset(out, 0, sizeof *out);
    const char *listen, *token;
    if (mdc_keys_check(n, ks, err) < 0 || mdc_key_string(n, ks, "listen", &listen, err) < 0 ||
        mdc_key_string(n, ks, "token", &token, err) < 0 || parse_limits(n, out, err) < 0 ||
        parse_metrics(n, out, err) < 0)
        return -1;
    if (split_listen(listen, &out->host, &out->port) < 0)
        return cfg_error(n, "listen", err,
                         "expected \"HOST:PORT\" (\"127.0.0.1:8080\"), \"[IPv6]:PORT\" or "
                         "\":PORT\" (every interface) with a port from 0 to 65535, got \"%s\"",
                         listen);
    if (token && !*token) {
        mdc_http_cfg_free(out);
        return cfg_error(n, "token", err,
                         "is empty; remove the key to serve without authentication");
    }
    out->token = token ? xstrdup(token) : NULL;
    return 0;
}

void mdc_http_cfg_free(mdc_http_cfg *c)
{
    free(c->host);
    free(c->token);
    c->host = c->token = NULL;
}

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

bool mdc_http_cfg_equal(const mdc_http_cfg *a, const mdc_http_cfg *b)
{
    return a->port == b->port && same(a->host, b->host) && same(a->token, b->token) &&
           a->max_connections == b->max_connections &&
           a->max_connections_per_address == b->max_connections_per_address &&
           a->idle_timeout_us == b->idle_timeout_us &&
           a->header_timeout_us == b->header_timeout_us && a->metrics_values == b->metrics_values &&
           a->metrics_max_series == b->metrics_max_series;
}
