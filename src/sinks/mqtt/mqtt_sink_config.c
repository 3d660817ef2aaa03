/* mqtt_sink_config.c — the "mqtt" sink object (keys in mqtt_sink.h). */
#include "ha_discovery.h"
#include "mqtt_sink.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const keys[] = {"type",
                                   "url",
                                   "topic",
                                   "per",
                                   "qos",
                                   "retain",
                                   "status_topic",
                                   "availability_topic",
                                   "homeassistant",
                                   "protocol",
                                   "client_id",
                                   "username",
                                   "password",
                                   "tls",
                                   "keepalive",
                                   "timeout",
                                   "max_inflight",
                                   "message_expiry",
                                   "user_properties",
                                   "format",
                                   NULL};
static const char *const per_names[] = {"record", "point", NULL};
static const char *const format_names[] = {"json", NULL};

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

/* availability_topic: default PREFIX/availability (PREFIX/INSTANCE/availability when the
 * configuration names its instance, so that instances sharing a broker do not mark each other
 * offline); "" for none. Written to *owned. */
static int parse_availability(const mdc_cfgnode *n, const char *instance, mdc_mqtt_sink_cfg *c,
                              strbuf *owned, mdc_err *err)
{
    const char *t;
    if (cfg_string(n, "availability_topic", NULL, &t, err) < 0) return -1;
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
    static const char *const ha_keys[] = {"discovery_prefix", "node_id", NULL};
    mdc_cfgnode h;
    bool have;
    const char *id;
    if (cfg_object(n, "homeassistant", &h, &have, err) < 0) return -1;
    if (!have) return 0;
    if (cfg_check_keys(&h, ha_keys, err) < 0 ||
        cfg_string(&h, "discovery_prefix", "homeassistant", &c->ha_prefix, err) < 0 ||
        cfg_string(&h, "node_id", NULL, &id, err) < 0)
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
    if (cfg_enum(n, "per", per_names, MDC_MQTT_PER_RECORD, &per, err) < 0 ||
        cfg_enum(n, "format", format_names, 0, &fmt, err) < 0 ||
        cfg_int(n, "qos", 1, 0, 2, &qos, err) < 0 ||
        cfg_bool(n, "retain", false, &c->retain, err) < 0)
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
    if (cfg_check_keys(n, keys, err) < 0 || mdc_mqtt_conn_cfg_parse(n, &c.conn, &host, err) < 0 ||
        parse_numbers(n, &c, err) < 0 || parse_topics(n, &c, err) < 0 ||
        parse_availability(n, instance, &c, &avail, err) < 0 || parse_ha(n, &c, &node, err) < 0)
        goto done;
    *out = mdc_sink_mqtt_new(&c);
    rc = 0;
done:
    mdc_mqtt_conn_cfg_free_props(&c.conn);
    free(host);
    sb_free(&avail);
    sb_free(&node);
    return rc;
}
