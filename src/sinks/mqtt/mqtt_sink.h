/* SPDX-License-Identifier: Apache-2.0 */
/* mqtt_sink.h — the "mqtt" sink (libmosquitto, MQTT 3.1.1 or 5).
 *
 *   {"type": "mqtt", "url": "mqtt://127.0.0.1:1883", "topic": "mdc/{device}", "qos": 1}
 *
 * Keys: the connection's (mqtt_conn.h: url, protocol, client_id, username, password, tls,
 * keepalive, timeout, max_inflight, message_expiry, user_properties), topic (template:
 * {device}, {machine_id}, {point}), per ("record": one JSON record per message, default;
 * "point": one message per value on a topic with {point}, payload {"timestamp", "value"[,
 * "error"]}), qos (0, 1 default, 2), retain (false), status_topic (template; a retained
 * {"timestamp", "device", "machine_id", "status", "state", "error"} per device, published when
 * the state changes and after each connect), availability_topic (retained "online" after each
 * connect, "offline" on a clean stop and, as the Last Will, when mdc dies; default: the topic's
 * literal prefix + "/availability"; "" for none), homeassistant {discovery_prefix, node_id}
 * (Home Assistant MQTT discovery, ha_discovery.h), format ("json", the only one).
 *
 * Delivery: write() publishes a batch and waits until the broker has acknowledged its messages
 * (PUBACK for QoS 1, PUBCOMP for QoS 2; written for QoS 0); it reports the records taken in
 * order, and a message the broker refuses for good (an MQTT 5 reason code, a payload too large
 * for libmosquitto) as a rejected record with the refusal's class. A lost connection fails the
 * batch after what was taken; the runtime reopens the sink and sends the rest again.
 *
 * Sink id: "mqtt:HOST:PORT/TOPIC" (no credentials).
 */
#ifndef MDC_SINK_MQTT_H
#define MDC_SINK_MQTT_H

#include "core/confread.h"
#include "core/strbuf.h"
#include "sinks/mqtt/mqtt_conn.h"
#include "sinks/sink.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum { MDC_MQTT_PER_RECORD, MDC_MQTT_PER_POINT } mdc_mqtt_per;

typedef struct mdc_mqtt_sink_cfg {
    mdc_mqtt_conn_cfg conn;
    const char *topic;              /* template */
    const char *status_topic;       /* template or NULL */
    const char *availability_topic; /* NULL: none */
    mdc_mqtt_per per;
    int qos;
    bool retain;
    const char *ha_prefix;  /* Home Assistant discovery prefix; NULL: no discovery */
    const char *ha_node_id; /* [a-zA-Z0-9_-]+ */
} mdc_mqtt_sink_cfg;

/* Builds the sink from its configuration object. */
/* instance: the configuration's "instance" (NULL: none), part of default topics. */
/* The keys of the mqtt sink and its homeassistant object (core/keys.h). */
extern const struct mdc_keyset mdc_mqtt_keyset, mdc_mqtt_ha_keyset;
int mdc_sink_mqtt_build(const mdc_cfgnode *n, const char *instance, mdc_sink **out, mdc_err *err);
/* The config is copied. */
mdc_sink *mdc_sink_mqtt_new(const mdc_mqtt_sink_cfg *cfg);

/* Topic templates: non-empty, no '+' or '#', only {device}, {machine_id} and (when
 * allow_point) {point}. */
int mdc_mqtt_topic_check(const char *tmpl, bool allow_point, mdc_err *err);
/* Expands a template for r (point may be NULL); substituted values have '/', '+', '#' replaced
 * by '_'; a missing machine_id is "unknown". */
void mdc_mqtt_topic_expand(const char *tmpl, const mdc_record *r, const char *point, strbuf *out);
/* The literal part of a template before its first placeholder, without trailing '/': "mdc" for
 * "mdc/{device}"; "mdc" when that is empty. */
void mdc_mqtt_topic_prefix(const char *tmpl, strbuf *out);
/* Payloads (no trailing newline). */
void mdc_mqtt_point_payload(const mdc_record *r, const char *name, const mdc_value *v,
                            const char *error, strbuf *out);
void mdc_mqtt_status_payload(const mdc_record *r, strbuf *out);

#endif
