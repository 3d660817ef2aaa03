/* SPDX-License-Identifier: Apache-2.0 */
/* mqtt_conn_config.c — the connection keys every MQTT sink shares (see mqtt_conn.h). */
#include "mqtt_conn.h"

#include "core/clock.h"
#include "core/keys.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const protocol_names[] = {"3.1.1", "5", NULL};

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

static int parse_url_key(const mdc_cfgnode *n, mdc_mqtt_conn_cfg *c, char **host, mdc_err *err)
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

static const mdc_key conn_keys[] = {
    {.name = "type", .type = MDC_KEY_STRING, .required = true, .help = "\"mqtt\" or \"sparkplug\""},
    {.name = "url",
     .type = MDC_KEY_STRING,
     .required = true,
     .help = "mqtt://HOST[:PORT] or mqtts://HOST[:PORT]"},
    {.name = "protocol",
     .type = MDC_KEY_ENUM,
     .def = "3.1.1",
     .choices = protocol_names,
     .help = "MQTT version"},
    {.name = "client_id", .type = MDC_KEY_STRING, .help = "default: from the host and the sink"},
    {.name = "username", .type = MDC_KEY_STRING},
    {.name = "password", .type = MDC_KEY_SECRET},
    {.name = "tls", .type = MDC_KEY_OBJECT, .help = "{\"ca\", \"cert\", \"key\", \"insecure\"}"},
    {.name = "keepalive", .type = MDC_KEY_DURATION, .def = "30s", .help = "5 s to 65535 s"},
    {.name = "timeout",
     .type = MDC_KEY_DURATION,
     .def = "10s",
     .help = "connect and acknowledgement timeout"},
    {.name = "max_inflight",
     .type = MDC_KEY_INT,
     .def = "100",
     .min = 1,
     .max = 65535,
     .help = "messages awaiting acknowledgement"},
    {.name = "message_expiry", .type = MDC_KEY_DURATION, .help = "MQTT 5: message expiry"},
    {.name = "session_expiry",
     .type = MDC_KEY_DURATION,
     .def = "1h",
     .help = "mqtt sink, MQTT 5: how long the broker keeps the session while disconnected"},
    {.name = "user_properties", .type = MDC_KEY_OBJECT, .help = "MQTT 5: {\"name\": \"value\"}"},
    {0},
};
const mdc_keyset mdc_mqtt_conn_keyset = {"MQTT connection (sinks mqtt and sparkplug)", conn_keys,
                                         NULL};

static const mdc_key tls_keys[] = {
    {.name = "ca", .type = MDC_KEY_STRING, .help = "CA certificates (PEM)"},
    {.name = "cert", .type = MDC_KEY_STRING, .help = "client certificate (PEM)"},
    {.name = "key", .type = MDC_KEY_STRING, .help = "client key (PEM)"},
    {.name = "insecure",
     .type = MDC_KEY_BOOL,
     .def = "false",
     .help = "do not check the broker's host name"},
    {0},
};
const mdc_keyset mdc_mqtt_tls_keyset = {"MQTT connection: tls", tls_keys, NULL};

static int parse_tls(const mdc_cfgnode *n, mdc_mqtt_conn_cfg *c, mdc_err *err)
{
    const mdc_keyset *ks = &mdc_mqtt_tls_keyset;
    mdc_cfgnode t;
    bool have;
    if (cfg_object(n, "tls", &t, &have, err) < 0) return -1;
    if (!have) return 0;
    c->tls = true;
    if (mdc_keys_check(&t, ks, err) < 0 || mdc_key_string(&t, ks, "ca", &c->ca, err) < 0 ||
        mdc_key_string(&t, ks, "cert", &c->cert, err) < 0 ||
        mdc_key_string(&t, ks, "key", &c->key, err) < 0 ||
        mdc_key_bool(&t, ks, "insecure", &c->insecure, err) < 0)
        return -1;
    if (!c->cert != !c->key)
        return cfg_error(&t, c->cert ? "key" : "cert", err,
                         "a client certificate needs both \"cert\" and \"key\"");
    return 0;
}

static int parse_numbers(const mdc_cfgnode *n, mdc_mqtt_conn_cfg *c, mdc_err *err)
{
    int64_t inflight, keepalive_us, expiry_us, session_us;
    int proto;
    const mdc_keyset *ks = &mdc_mqtt_conn_keyset;
    if (mdc_key_enum(n, ks, "protocol", &proto, err) < 0 ||
        mdc_key_duration(n, ks, "keepalive", &keepalive_us, err) < 0 ||
        mdc_key_duration(n, ks, "timeout", &c->timeout_us, err) < 0 ||
        mdc_key_duration(n, ks, "message_expiry", &expiry_us, err) < 0 ||
        mdc_key_duration(n, ks, "session_expiry", &session_us, err) < 0 ||
        mdc_key_int(n, ks, "max_inflight", &inflight, err) < 0)
        return -1;
    if (keepalive_us < 5 * MDC_US_PER_SEC || keepalive_us > 65535 * MDC_US_PER_SEC)
        return cfg_error(n, "keepalive", err, "must be from 5 s to 65535 s");
    c->protocol = proto == 1 ? 5 : 4;
    if (expiry_us < 0 || expiry_us / MDC_US_PER_SEC > UINT32_MAX ||
        (expiry_us > 0 && expiry_us < MDC_US_PER_SEC))
        return cfg_error(n, "message_expiry", err, "must be from 1 s to 136 years (or 0: none)");
    if (expiry_us && c->protocol != 5)
        return cfg_error(n, "message_expiry", err, "needs \"protocol\": \"5\"");
    c->message_expiry_s = expiry_us / MDC_US_PER_SEC;
    if (session_us < MDC_US_PER_SEC || session_us / MDC_US_PER_SEC >= UINT32_MAX)
        return cfg_error(n, "session_expiry", err, "must be from 1 s to 136 years");
    c->session_expiry_s = session_us / MDC_US_PER_SEC;
    c->max_inflight = (int)inflight;
    c->keepalive_s = (int)(keepalive_us / MDC_US_PER_SEC);
    return 0;
}

static int parse_props(const mdc_cfgnode *n, mdc_mqtt_conn_cfg *c, mdc_err *err)
{
    mdc_cfgnode p;
    bool have;
    if (cfg_object(n, "user_properties", &p, &have, err) < 0 || !have) return have ? -1 : 0;
    if (c->protocol != 5) return cfg_error(n, "user_properties", err, "needs \"protocol\": \"5\"");
    const char *name;
    json_t *v;
    c->props = xcalloc(json_object_size(p.json) + 1, sizeof *c->props);
    json_object_foreach(p.json, name, v)
    {
        const char *value;
        if (cfg_string(&p, name, NULL, &value, err) < 0) return -1;
        c->props[c->nprops++] = (mdc_mqtt_user_prop){xstrdup(name), xstrdup(value)};
    }
    return 0;
}

int mdc_mqtt_conn_cfg_parse(const mdc_cfgnode *n, mdc_mqtt_conn_cfg *c, char **host_out,
                            mdc_err *err)
{
    *host_out = NULL;
    if (parse_url_key(n, c, host_out, err) < 0 || parse_numbers(n, c, err) < 0 ||
        parse_tls(n, c, err) < 0 ||
        mdc_key_string(n, &mdc_mqtt_conn_keyset, "client_id", &c->client_id, err) < 0 ||
        mdc_key_string(n, &mdc_mqtt_conn_keyset, "username", &c->username, err) < 0 ||
        mdc_key_string(n, &mdc_mqtt_conn_keyset, "password", &c->password, err) < 0 ||
        parse_props(n, c, err) < 0)
        return -1;
    if (c->password && !c->username)
        return cfg_error(n, "password", err, "a password needs a \"username\"");
    if (c->client_id && (!*c->client_id || strlen(c->client_id) > 65535))
        return cfg_error(n, "client_id", err, "must be 1 to 65535 characters");
    return 0;
}

static const char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void mdc_mqtt_conn_cfg_copy(mdc_mqtt_conn_cfg *dst, const mdc_mqtt_conn_cfg *src)
{
    *dst = *src;
    dst->host = xstrdup(src->host);
    dst->client_id = dup_or_null(src->client_id);
    dst->username = dup_or_null(src->username);
    dst->password = dup_or_null(src->password);
    dst->ca = dup_or_null(src->ca);
    dst->cert = dup_or_null(src->cert);
    dst->key = dup_or_null(src->key);
    dst->props = xcalloc(src->nprops + 1, sizeof *dst->props);
    for (size_t i = 0; i < src->nprops; i++)
        dst->props[i] =
            (mdc_mqtt_user_prop){xstrdup(src->props[i].name), xstrdup(src->props[i].value)};
}

void mdc_mqtt_conn_cfg_free_props(mdc_mqtt_conn_cfg *c)
{
    for (size_t i = 0; i < c->nprops; i++) {
        free(c->props[i].name);
        free(c->props[i].value);
    }
    free(c->props);
    c->props = NULL;
    c->nprops = 0;
}

void mdc_mqtt_conn_cfg_free(mdc_mqtt_conn_cfg *c)
{
    const char **strs[] = {&c->host, &c->client_id, &c->username, &c->password,
                           &c->ca,   &c->cert,      &c->key};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        free((char *)*strs[i]);
        *strs[i] = NULL;
    }
    mdc_mqtt_conn_cfg_free_props(c);
}
