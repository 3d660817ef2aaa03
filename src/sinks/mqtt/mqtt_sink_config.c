/* SPDX-License-Identifier: Apache-2.0 */
/* mqtt_sink_config.c — the "mqtt" sink object (keys in mqtt_sink.h). */
#include "ha_discovery.h"
#include "mqtt_sink.h"

#include "core/keys.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const per_names[] = {"record", "point", NULL};
static const char *const format_names[] = {"json", NULL};

static const mdc_key mqtt_keys[] = {
    {.name = "topic",
     .type = MDC_KEY_STRING,
     .def = "mdc/{device}",
     .help = "with {device}, {machine_id} ({point} when per point)"},
    {.name = "per",
     .type = MDC_KEY_ENUM,
     .def = "record",
     .choices = per_names,
     .help = "one message per record or per point"},
    {.name = "qos",
     .type = MDC_KEY_INT,
     .def = "1",
     .min = 0,
     .max = 2,
     .help = "0, 1 (at least once) or 2 (exactly once to the broker)"},
    {.name = "retain", .type = MDC_KEY_BOOL, .def = "false", .help = "retained record messages"},
    {.name = "status_topic",
     .type = MDC_KEY_STRING,
     .help = "a retained machine-state message per device"},
    {.name = "availability_topic",
     .type = MDC_KEY_STRING,
     .help = "retained online/offline and the Last Will (\"\": none)"},
    {.name = "homeassistant",
     .type = MDC_KEY_OBJECT,
     .help = "Home Assistant discovery: {\"discovery_prefix\", \"node_id\"}"},
    {.name = "format",
     .type = MDC_KEY_ENUM,
     .def = "json",
     .choices = format_names,
     .help = "payload format"},
    {0},
};
const mdc_keyset mdc_mqtt_keyset = {"sink mqtt", mqtt_keys, &mdc_mqtt_conn_keyset};

static const mdc_key ha_keys[] = {
    {.name = "discovery_prefix",
     .type = MDC_KEY_STRING,
     .def = "homeassistant",
     .help = "Home Assistant's discovery prefix"},
    {.name = "node_id", .type = MDC_KEY_STRING, .help = "default: from the client id"},
    {0},
};
const mdc_keyset mdc_mqtt_ha_keyset = {"sink mqtt: homeassistant", ha_keys, NULL};

static int parse_topics(const mdc_cfgnode *n, mdc_mqtt_sink_cfg *c, mdc_err *err)
{
    mdc_err e;
    if (mdc_key_string(n, &mdc_mqtt_keyset, "topic", &c->topic, err) < 0 ||
        mdc_key_string(n, &mdc_mqtt_keyset, "status_topic", &c->status_topic, err) < 0)
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

/* availability_topic: default PREFIX/availability (PREFIX/INSTANCE/availability when the
 * configuration names its instance, so that instances sharing a broker do not mark each other
 * offline); "" for none. Written to *owned. */
static int parse_availability(const mdc_cfgnode *n, const char *instance, mdc_mqtt_sink_cfg *c,
                              strbuf *owned, mdc_err *err)
{
    const char *t;
    if (mdc_key_string(n, &mdc_mqtt_keyset, "availability_topic", &t, err) < 0) return -1;
    if (t && !*t) return 0;
    if (t && strpbrk(t, "+#{"))
        return cfg_error(n, "availability_topic", err,
                         "a fixed topic: no wildcards ('+', '#') or placeholders");
    if (t)
        sb_puts(owned, t);
    else {
        mdc_mqtt_topic_prefix(c->topic, owned);
        if (instance) sb_printf(owned, "/%s", instance);
        sb_puts(owned, "/availability");
    }
    c->availability_topic = sb_str(owned);
    return 0;
}

static void default_node_id(const mdc_mqtt_sink_cfg *c, strbuf *out)
{
    char host[256] = "mdc";
    if (!c->conn.client_id && gethostname(host, sizeof host - 1) != 0) strcpy(host, "mdc");
    host[sizeof host - 1] = '\0';
    mdc_ha_clean_id(c->conn.client_id ? c->conn.client_id : host, out);
}

static int parse_ha(const mdc_cfgnode *n, mdc_mqtt_sink_cfg *c, strbuf *node, mdc_err *err)
{
    mdc_cfgnode h;
    bool have;
    const char *id;
    if (cfg_object(n, "homeassistant", &h, &have, err) < 0) return -1;
    if (!have) return 0;
    if (mdc_keys_check(&h, &mdc_mqtt_ha_keyset, err) < 0 ||
        mdc_key_string(&h, &mdc_mqtt_ha_keyset, "discovery_prefix", &c->ha_prefix, err) < 0 ||
        mdc_key_string(&h, &mdc_mqtt_ha_keyset, "node_id", &id, err) < 0)
        return -1;
    if (!*c->ha_prefix || strpbrk(c->ha_prefix, "+#{"))
        return cfg_error(&h, "discovery_prefix", err, "a fixed topic, e.g. \"homeassistant\"");
    if (id && (!*id || id[strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789_-")]))
        return cfg_error(&h, "node_id", err, "only letters, digits, '_' and '-'");
    if (id)
        sb_puts(node, id);
    else
        default_node_id(c, node);
    c->ha_node_id = sb_str(node);
    if (!c->availability_topic)
        return cfg_error(&h, NULL, err,
                         "Home Assistant discovery needs an availability topic: remove "
                         "\"availability_topic\": \"\"");
    return 0;
}

static int parse_numbers(const mdc_cfgnode *n, mdc_mqtt_sink_cfg *c, mdc_err *err)
{
    int64_t qos;
    int per, fmt;
    const mdc_keyset *ks = &mdc_mqtt_keyset;
    if (mdc_key_enum(n, ks, "per", &per, err) < 0 || mdc_key_enum(n, ks, "format", &fmt, err) < 0 ||
        mdc_key_int(n, ks, "qos", &qos, err) < 0 ||
        mdc_key_bool(n, ks, "retain", &c->retain, err) < 0)
        return -1;
    c->per = (mdc_mqtt_per)per;
    c->qos = (int)qos;
    return 0;
}

int mdc_sink_mqtt_build(const mdc_cfgnode *n, const char *instance, mdc_sink **out, mdc_err *err)
{
    mdc_mqtt_sink_cfg c = {0};
    char *host = NULL;
    strbuf avail = STRBUF_INIT, node = STRBUF_INIT;
    int rc = -1;
    if (mdc_keys_check(n, &mdc_mqtt_keyset, err) < 0 ||
        mdc_mqtt_conn_cfg_parse(n, &c.conn, &host, err) < 0 || parse_numbers(n, &c, err) < 0 ||
        parse_topics(n, &c, err) < 0 || parse_availability(n, instance, &c, &avail, err) < 0 ||
        parse_ha(n, &c, &node, err) < 0)
        goto done;
    c.conn.persistent = true; /* QoS 2 exactly once across reconnects (mqtt_conn.h) */
    *out = mdc_sink_mqtt_new(&c);
    rc = 0;
done:
    mdc_mqtt_conn_cfg_free_props(&c.conn);
    free(host);
    sb_free(&avail);
    sb_free(&node);
    return rc;
}
