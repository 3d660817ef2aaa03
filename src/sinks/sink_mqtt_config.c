/* sink_mqtt_config.c — the "mqtt" sink object (keys in sink_mqtt.h). */
#include "sink_mqtt.h"

#include "core/clock.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const keys[] = {"type",     "url",          "topic",        "per",
                                   "qos",      "retain",       "status_topic", "client_id",
                                   "username", "password",     "tls",          "keepalive",
                                   "timeout",  "max_inflight", "format",       NULL};
static const char *const per_names[] = {"record", "point", NULL};
static const char *const format_names[] = {"json", NULL};

/* "mqtt://host[:port]" / "mqtts://host[:port]" / IPv6 in brackets → host (malloc'ed), port. */
static int parse_url(const char *url, char **host, int *port, bool *tls)
{
    const char *rest;
    if (!strncmp(url, "mqtt://", 7)) {
        *tls = false;
        rest = url + 7;
    } else if (!strncmp(url, "mqtts://", 8)) {
        *tls = true;
        rest = url + 8;
    } else {
        return -1;
    }
    *port = *tls ? 8883 : 1883;
    size_t len = strcspn(rest, "/?#");
    if (rest[len] && !(rest[len] == '/' && rest[len + 1] == '\0')) return -1; /* a path */
    if (memchr(rest, '@', len)) return -2; /* credentials belong in username/password */
    const char *h = rest, *hend, *colon;
    if (*rest == '[') {
        hend = memchr(rest, ']', len);
        if (!hend) return -1;
        h = rest + 1;
        colon = hend + 1 < rest + len && hend[1] == ':' ? hend + 1 : NULL;
        if (!colon && hend + 1 != rest + len) return -1;
    } else {
        colon = memchr(rest, ':', len);
        hend = colon ? colon : rest + len;
    }
    if (hend == h) return -1;
    if (colon) {
        char *end;
        long p = strtol(colon + 1, &end, 10);
        if (end == colon + 1 || end != rest + len || p < 1 || p > 65535) return -1;
        *port = (int)p;
    }
    *host = xstrndup(h, (size_t)(hend - h));
    return 0;
}

static int parse_tls(const mdc_cfgnode *n, mdc_mqtt_sink_cfg *c, mdc_err *err)
{
    static const char *const tls_keys[] = {"ca", "cert", "key", "insecure", NULL};
    mdc_cfgnode t;
    bool have;
    if (cfg_object(n, "tls", &t, &have, err) < 0) return -1;
    if (!have) return 0;
    c->tls = true;
    if (cfg_check_keys(&t, tls_keys, err) < 0 || cfg_string(&t, "ca", NULL, &c->ca, err) < 0 ||
        cfg_string(&t, "cert", NULL, &c->cert, err) < 0 ||
        cfg_string(&t, "key", NULL, &c->key, err) < 0 ||
        cfg_bool(&t, "insecure", false, &c->insecure, err) < 0)
        return -1;
    if (!c->cert != !c->key)
        return cfg_error(&t, c->cert ? "key" : "cert", err,
                         "a client certificate needs both \"cert\" and \"key\"");
    return 0;
}

static int parse_topics(const mdc_cfgnode *n, mdc_mqtt_sink_cfg *c, mdc_err *err)
{
    mdc_err e;
    if (cfg_string(n, "topic", "mdc/{device}", &c->topic, err) < 0 ||
        cfg_string(n, "status_topic", NULL, &c->status_topic, err) < 0)
        return -1;
    bool per_point = c->per == MDC_MQTT_PER_POINT;
    if (mdc_mqtt_topic_check(c->topic, per_point, &e) < 0)
        return cfg_error(n, "topic", err, "%s", e.msg);
    if (per_point && !strstr(c->topic, "{point}"))
        return cfg_error(
            n, "topic", err,
            "\"per\": \"point\" needs {point} in the topic (\"mdc/{device}/{point}\")");
    if (c->status_topic && mdc_mqtt_topic_check(c->status_topic, false, &e) < 0)
        return cfg_error(n, "status_topic", err, "%s", e.msg);
    return 0;
}

static int parse_numbers(const mdc_cfgnode *n, mdc_mqtt_sink_cfg *c, mdc_err *err)
{
    int64_t qos, inflight, keepalive_us;
    int per, fmt;
    if (cfg_enum(n, "per", per_names, MDC_MQTT_PER_RECORD, &per, err) < 0 ||
        cfg_enum(n, "format", format_names, 0, &fmt, err) < 0 ||
        cfg_int(n, "qos", 1, 0, 2, &qos, err) < 0 ||
        cfg_bool(n, "retain", false, &c->retain, err) < 0 ||
        cfg_duration_us(n, "keepalive", 30 * MDC_US_PER_SEC, &keepalive_us, err) < 0 ||
        cfg_duration_us(n, "timeout", 10 * MDC_US_PER_SEC, &c->timeout_us, err) < 0 ||
        cfg_int(n, "max_inflight", 100, 1, 65535, &inflight, err) < 0)
        return -1;
    if (keepalive_us < 5 * MDC_US_PER_SEC || keepalive_us > 65535 * MDC_US_PER_SEC)
        return cfg_error(n, "keepalive", err, "must be from 5 s to 65535 s");
    c->per = (mdc_mqtt_per)per;
    c->qos = (int)qos;
    c->max_inflight = (int)inflight;
    c->keepalive_s = (int)(keepalive_us / MDC_US_PER_SEC);
    return 0;
}

static int parse_url_key(const mdc_cfgnode *n, mdc_mqtt_sink_cfg *c, char **host, mdc_err *err)
{
    const char *url;
    if (cfg_required_string(n, "url", &url, err) < 0) return -1;
    int rc = parse_url(url, host, &c->port, &c->tls);
    if (rc == -2)
        return cfg_error(n, "url", err,
                         "put credentials in \"username\" and \"password\", not in the URL");
    if (rc < 0)
        return cfg_error(n, "url", err,
                         "expected \"mqtt://HOST[:PORT]\" or \"mqtts://HOST[:PORT]\" (IPv6 in "
                         "brackets), got \"%s\"",
                         url);
    c->host = *host;
    return 0;
}

int mdc_sink_mqtt_build(const mdc_cfgnode *n, mdc_sink **out, mdc_err *err)
{
    mdc_mqtt_sink_cfg c = {0};
    char *host = NULL;
    int rc = -1;
    if (cfg_check_keys(n, keys, err) < 0 || parse_url_key(n, &c, &host, err) < 0 ||
        parse_numbers(n, &c, err) < 0 || parse_topics(n, &c, err) < 0 ||
        parse_tls(n, &c, err) < 0 || cfg_string(n, "client_id", NULL, &c.client_id, err) < 0 ||
        cfg_string(n, "username", NULL, &c.username, err) < 0 ||
        cfg_secret(n, "password", NULL, &c.password, err) < 0)
        goto done;
    if (c.password && !c.username) {
        rc = cfg_error(n, "password", err, "a password needs a \"username\"");
        goto done;
    }
    if (c.client_id && (!*c.client_id || strlen(c.client_id) > 65535)) {
        rc = cfg_error(n, "client_id", err, "must be 1 to 65535 characters");
        goto done;
    }
    *out = mdc_sink_mqtt_new(&c);
    rc = 0;
done:
    free(host);
    return rc;
}
