/* SPDX-License-Identifier: Apache-2.0 */
/* mqtt_conn.h — one MQTT client connection for the MQTT sinks (libmosquitto, MQTT 3.1.1 or 5).
 *
 * libmosquitto runs its network loop in its own thread; its callbacks only update state under
 * the connection's mutex. The sink's delivery thread opens, publishes a batch (each message
 * noted with the index of the record it carries) and waits for the broker's verdicts: the
 * connection says how many records of the batch the broker has taken, in order, and whether
 * the first one not taken was refused for good (an MQTT 5 reason code such as 0x95 packet too
 * large, or a payload libmosquitto cannot send) or is merely not acknowledged yet (connection
 * lost, timeout).
 *
 * Sessions. Without `persistent`, every open() makes a fresh client with a clean session and
 * close() destroys it (Sparkplug B asks for that). With `persistent` (the mqtt sink), the client
 * and its MQTT session outlive connections: close() disconnects but keeps the client, open()
 * reconnects it, and libmosquitto resends the QoS 1/2 messages still in flight with their
 * packet ids, so the broker can tell a resent QoS 2 message from a new one (exactly once). The
 * session is kept by the broker across disconnections: under MQTT 5 for `session_expiry_s`,
 * under 3.1.1 (clean session false) only with a configured client id; a configured client id's
 * session left by an earlier run is ended first (its packet ids mean nothing to this run).
 * Messages carrying a part of a record are keyed by (record's spool seq, part): a record
 * offered again whose message is still in flight, or already taken, is not published again.
 *
 * Messages the broker sends us (subscriptions) go to a handler called in the network thread.
 */
#ifndef MDC_MQTT_CONN_H
#define MDC_MQTT_CONN_H

#include "core/confread.h"
#include "core/err.h"
#include "sinks/sink.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mdc_mqtt_user_prop {
    char *name, *value; /* owned */
} mdc_mqtt_user_prop;

/* The connection keys every MQTT sink shares. Strings owned by the configuration (mdc_mqtt_conn_
 * cfg_copy makes an owned copy, mdc_mqtt_conn_cfg_free frees one). */
typedef struct mdc_mqtt_conn_cfg {
    const char *host;
    int port;
    bool tls;
    int protocol;          /* 4: MQTT 3.1.1, 5: MQTT 5 */
    const char *client_id; /* NULL: generated */
    const char *username, *password;
    const char *ca, *cert, *key; /* files; NULL when not given */
    bool insecure;               /* skip the host name check */
    int keepalive_s;
    int64_t timeout_us;
    int max_inflight;
    int64_t message_expiry_s;  /* MQTT 5: expiry of data messages; 0: none */
    mdc_mqtt_user_prop *props; /* MQTT 5: user properties on every data message */
    size_t nprops;
    bool persistent;          /* keep the session across connections (not a key: the sink's) */
    int64_t session_expiry_s; /* MQTT 5, persistent: how long the broker keeps it */
} mdc_mqtt_conn_cfg;

/* The keys of an MQTT connection (shared by the mqtt and sparkplug sinks) and of its tls
 * object (core/keys.h). */
struct mdc_keyset;
extern const struct mdc_keyset mdc_mqtt_conn_keyset, mdc_mqtt_tls_keyset;

/* The connection keys of a sink object: url, protocol, client_id, username, password, tls,
 * keepalive, timeout, max_inflight, message_expiry, user_properties. host is malloc'ed into
 * *host_out (free it after copying the configuration). */
int mdc_mqtt_conn_cfg_parse(const mdc_cfgnode *n, mdc_mqtt_conn_cfg *c, char **host_out,
                            mdc_err *err);
void mdc_mqtt_conn_cfg_copy(mdc_mqtt_conn_cfg *dst, const mdc_mqtt_conn_cfg *src);
void mdc_mqtt_conn_cfg_free(mdc_mqtt_conn_cfg *c);
/* Frees the user properties a parse made (when the parsed configuration is not kept). */
void mdc_mqtt_conn_cfg_free_props(mdc_mqtt_conn_cfg *c);

typedef struct mdc_mqtt_conn mdc_mqtt_conn;

/* A message: what to publish (for a Last Will, or the last words of a clean close). */
typedef struct mdc_mqtt_msg_spec {
    const char *topic;
    const void *payload;
    size_t len;
    int qos;
    bool retain;
    const char *content_type; /* MQTT 5; NULL: none */
    bool data;                /* MQTT 5: carries the data properties (expiry, user properties) */
} mdc_mqtt_msg_spec;

/* Called in the network thread, under the connection's lock (so it must not call the
 * connection), for every message received on a subscription. */
typedef void (*mdc_mqtt_on_message)(void *ctx, const char *topic, const void *payload, size_t len);

/* cfg is copied. */
mdc_mqtt_conn *mdc_mqtt_conn_new(const mdc_mqtt_conn_cfg *cfg);
void mdc_mqtt_conn_free(mdc_mqtt_conn *c);
const mdc_mqtt_conn_cfg *mdc_mqtt_conn_config(const mdc_mqtt_conn *c);
void mdc_mqtt_conn_set_handler(mdc_mqtt_conn *c, mdc_mqtt_on_message fn, void *ctx);

/* Connects (will may be NULL) and waits for the CONNACK. */
int mdc_mqtt_conn_open(mdc_mqtt_conn *c, const mdc_mqtt_msg_spec *will, mdc_err *err);
/* Publishes `last` (may be NULL) and waits for it, then disconnects cleanly and frees the client
 * (keeps it, with its session, when persistent). Without a clean DISCONNECT (a crash) the broker
 * publishes the will instead. */
void mdc_mqtt_conn_close(mdc_mqtt_conn *c, const mdc_mqtt_msg_spec *last);
bool mdc_mqtt_conn_connected(mdc_mqtt_conn *c);
/* Fails with why the connection is not up. */
int mdc_mqtt_conn_down(mdc_mqtt_conn *c, mdc_err *err);
/* Subscribes and waits for the SUBACK. */
int mdc_mqtt_conn_subscribe(mdc_mqtt_conn *c, const char *topic, int qos, mdc_err *err);

/* ---- batches ---- */
/* Starts a batch of messages no record owns (announcements). */
void mdc_mqtt_conn_begin(mdc_mqtt_conn *c);
/* Starts a batch of records, the first with spool sequence number first_seq. */
void mdc_mqtt_conn_begin_records(mdc_mqtt_conn *c, int64_t first_seq);
/* Publishes a message carrying record `rec` of the batch. Returns 0 when it is on its way, 1 when
 * libmosquitto refused it for good (noted as refused: stop publishing records after rec), -1 on
 * a temporary failure (err set). record_seq > 0 goes out as the MQTT 5 user property mdc-seq. */
int mdc_mqtt_conn_publish(mdc_mqtt_conn *c, size_t rec, const mdc_mqtt_msg_spec *m,
                          int64_t record_seq, mdc_err *err);
/* The same for message number `part` (>= 0; the same message each time the record is offered)
 * of the record with spool sequence number record_seq > 0: when this session already has that
 * message in flight or taken, it is not published again (0). */
int mdc_mqtt_conn_publish_part(mdc_mqtt_conn *c, size_t rec, int part, const mdc_mqtt_msg_spec *m,
                               int64_t record_seq, mdc_err *err);
/* Waits for the verdicts on records [0, nrecs) and fills res: 0 when all were taken, else -1
 * with err (and res->rejected, res->reason when the first not taken was refused for good). A
 * batch that timed out disconnects, so that the next write fails and the sink reconnects. */
int mdc_mqtt_conn_finish(mdc_mqtt_conn *c, size_t nrecs, mdc_sink_result *res, mdc_err *err);

/* The refusal class for metrics of a reason (MQTT 5 code, or -libmosquitto error), or NULL when
 * the refusal is temporary (quota exceeded...). */
const char *mdc_mqtt_refusal_class(int reason);
/* "0x95 Packet too large" / "payload too large (libmosquitto)" into buf. */
const char *mdc_mqtt_reason_text(int reason, char *buf, size_t size);

#endif
