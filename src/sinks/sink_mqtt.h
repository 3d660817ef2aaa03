/* sink_mqtt.h — the "mqtt" sink (libmosquitto, MQTT 3.1.1).
 *
 *   {"type": "mqtt", "url": "mqtt://127.0.0.1:1883", "topic": "mdc/{device}", "qos": 1}
 *
 * Keys: url (mqtt://HOST[:1883] or mqtts://HOST[:8883]), topic (template: {device},
 * {machine_id}, {point}), per ("record": one JSON record per message, default; "point": one
 * message per value on a topic with {point}, payload {"timestamp", "value"[, "error"]}),
 * qos (0, 1 default, 2), retain (false), status_topic (template; a retained
 * {"timestamp", "device", "machine_id", "status", "state", "error"} per device, published
 * when the state changes and after each connect), client_id (default: chosen by the library),
 * username, password (a secret), tls {ca, cert, key, insecure} (mqtts without "ca" trusts the
 * system's CAs), keepalive ("30s"), timeout ("10s": connect and acknowledgement wait),
 * max_inflight (100), format ("json", the only one).
 *
 * Delivery: write() publishes a batch and returns only when the broker has acknowledged every
 * message (PUBACK for QoS 1, PUBCOMP for QoS 2; sent for QoS 0), so the spool forgets nothing
 * unacknowledged. A lost connection fails the batch; the runtime closes the sink, reopens it
 * with backoff and sends the batch again (at-least-once: a broker restart may duplicate a few
 * messages, never lose one).
 *
 * Sink id: "mqtt:HOST:PORT/TOPIC" (no credentials).
 */
#ifndef MDC_SINK_MQTT_H
#define MDC_SINK_MQTT_H

#include "core/confread.h"
#include "core/strbuf.h"
#include "sinks/sink.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum { MDC_MQTT_PER_RECORD, MDC_MQTT_PER_POINT } mdc_mqtt_per;

typedef struct mdc_mqtt_sink_cfg {
    const char *host;
    int port;
    bool tls;
    const char *topic;        /* template */
    const char *status_topic; /* template or NULL */
    mdc_mqtt_per per;
    int qos;
    bool retain;
    const char *client_id; /* NULL: generated */
    const char *username, *password;
    const char *ca, *cert, *key; /* files; NULL when not given */
    bool insecure;               /* skip the host name check */
    int keepalive_s;
    int64_t timeout_us;
    int max_inflight;
} mdc_mqtt_sink_cfg;

/* Builds the sink from its configuration object. */
int mdc_sink_mqtt_build(const mdc_cfgnode *n, mdc_sink **out, mdc_err *err);
/* The config is copied. */
mdc_sink *mdc_sink_mqtt_new(const mdc_mqtt_sink_cfg *cfg);

/* Topic templates: non-empty, no '+' or '#', only {device}, {machine_id} and (when
 * allow_point) {point}. */
int mdc_mqtt_topic_check(const char *tmpl, bool allow_point, mdc_err *err);
/* Expands a template for r (point may be NULL); substituted values have '/', '+', '#' replaced
 * by '_'; a missing machine_id is "unknown". */
void mdc_mqtt_topic_expand(const char *tmpl, const mdc_record *r, const char *point, strbuf *out);
/* Payloads (no trailing newline). */
void mdc_mqtt_point_payload(const mdc_record *r, const char *name, const mdc_value *v,
                            const char *error, strbuf *out);
void mdc_mqtt_status_payload(const mdc_record *r, strbuf *out);

#endif
