/* SPDX-License-Identifier: Apache-2.0 */
/* mqtt_publish.c — publishing batches over an MQTT connection and waiting for the broker's
 * verdicts (see mqtt_conn.h). */
#include "mqtt_conn.h"
#include "mqtt_conn_internal.h"

#include "core/clock.h"

#include <inttypes.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define QUICKACK_US 1000 /* while acknowledgements are due, see quick_ack() */

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* MQTT 5 properties of a message (NULL under 3.1.1); the caller frees them. */
static mosquitto_property *message_props(const mdc_mqtt_conn *c, const mdc_mqtt_msg_spec *m,
                                         int64_t record_seq)
{
    const mdc_mqtt_conn_cfg *k = &c->cfg;
    mosquitto_property *p = NULL;
    if (k->protocol != 5) return NULL;
    if (m->content_type) {
        mosquitto_property_add_string(&p, MQTT_PROP_CONTENT_TYPE, m->content_type);
        if (!strncmp(m->content_type, "application/json", 16) ||
            !strncmp(m->content_type, "text/", 5))
            mosquitto_property_add_byte(&p, MQTT_PROP_PAYLOAD_FORMAT_INDICATOR, 1); /* UTF-8 */
    }
    if (!m->data) return p;
    if (k->message_expiry_s > 0)
        mosquitto_property_add_int32(&p, MQTT_PROP_MESSAGE_EXPIRY_INTERVAL,
                                     (uint32_t)k->message_expiry_s);
    for (size_t i = 0; i < k->nprops; i++)
        mosquitto_property_add_string_pair(&p, MQTT_PROP_USER_PROPERTY, k->props[i].name,
                                           k->props[i].value);
    if (record_seq > 0) {
        char seq[24];
        snprintf(seq, sizeof seq, "%" PRId64, record_seq);
        mosquitto_property_add_string_pair(&p, MQTT_PROP_USER_PROPERTY, "mdc-seq", seq);
    }
    return p;
}

static bool permanent(int rc)
{
    return rc == MOSQ_ERR_PAYLOAD_SIZE || rc == MOSQ_ERR_OVERSIZE_PACKET ||
           rc == MOSQ_ERR_MALFORMED_UTF8;
}

/* libmosquitto (2.0) queues a QoS 1/2 message published while the connection is down and sends
 * it after the reconnect, yet returns MOSQ_ERR_NO_CONN: it is in flight all the same, and
 * publishing its record again would make a second message of it. */
static bool queued_offline(int rc, int qos, int mid)
{
    return rc == MOSQ_ERR_NO_CONN && qos > 0 && mid > 0;
}

/* Publishes m with key (seq 0: no key); see mdc_mqtt_conn_publish. */
static int publish_keyed(mdc_mqtt_conn *c, size_t rec, mdc_mqtt_key key, const mdc_mqtt_msg_spec *m,
                         int64_t record_seq, mdc_err *err)
{
    if (!c->mosq) return mdc_mqtt_conn_down(c, err);
    pthread_mutex_lock(&c->mu);
    bool have = key.seq > 0 && mdc_mqtt_ledger_attach(&c->ledger, key, rec);
    pthread_mutex_unlock(&c->mu);
    if (have) return 0; /* in flight in this session, or taken: never twice */
    mosquitto_property *props = message_props(c, m, record_seq);
    int mid = 0;
    int rc = mosquitto_publish_v5(c->mosq, &mid, m->topic, (int)m->len, m->payload, m->qos,
                                  m->retain, props);
    pthread_mutex_lock(&c->mu); /* an acknowledgement that came first waits in the ledger */
    if (rc == MOSQ_ERR_SUCCESS || queued_offline(rc, m->qos, mid))
        mdc_mqtt_ledger_add(&c->ledger, mid, m->qos, key, rec, m->topic);
    else if (permanent(rc))
        mdc_mqtt_ledger_refuse(&c->ledger, rec, -rc, m->topic);
    pthread_mutex_unlock(&c->mu);
    mosquitto_property_free_all(&props);
    if (rc == MOSQ_ERR_SUCCESS) return 0;
    if (permanent(rc)) return 1;
    if (rc == MOSQ_ERR_NO_CONN) return mdc_mqtt_conn_down(c, err);
    return mdc_mqtt_lib_fail(c, err, "publish", rc);
}

int mdc_mqtt_conn_publish(mdc_mqtt_conn *c, size_t rec, const mdc_mqtt_msg_spec *m,
                          int64_t record_seq, mdc_err *err)
{
    return publish_keyed(c, rec, (mdc_mqtt_key){0, 0}, m, record_seq, err);
}

int mdc_mqtt_conn_publish_part(mdc_mqtt_conn *c, size_t rec, int part, const mdc_mqtt_msg_spec *m,
                               int64_t record_seq, mdc_err *err)
{
    mdc_mqtt_key key = {record_seq > 0 && part >= 0 ? record_seq : 0, part};
    return publish_keyed(c, rec, key, m, record_seq, err);
}

void mdc_mqtt_conn_begin_records(mdc_mqtt_conn *c, int64_t first_seq)
{
    pthread_mutex_lock(&c->mu);
    mdc_mqtt_ledger_begin(&c->ledger, first_seq);
    pthread_mutex_unlock(&c->mu);
}

void mdc_mqtt_conn_begin(mdc_mqtt_conn *c)
{
    mdc_mqtt_conn_begin_records(c, 0);
}

static bool settled_or_lost(const mdc_mqtt_conn *c)
{
    return c->ledger.batch_pending == 0 || !c->connected;
}

/* Asks the kernel to acknowledge what the broker sent at once. A broker with Nagle's algorithm
 * on (mosquitto's default) holds its last small PUBACKs until our delayed ACK (40 ms): at the
 * end of every batch, while we wait for exactly those. */
static void quick_ack(mdc_mqtt_conn *c)
{
    int fd = mosquitto_socket(c->mosq), one = 1;
    if (fd >= 0) setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

/* Waits (c->mu held) until every message is settled, the connection is lost or the timeout
 * passes. */
static void wait_settled(mdc_mqtt_conn *c)
{
    int64_t deadline = mdc_now_us() + c->cfg.timeout_us;
    while (!mdc_mqtt_wait_locked(c, min64(deadline, mdc_now_us() + QUICKACK_US), settled_or_lost) &&
           mdc_now_us() < deadline) {
        pthread_mutex_unlock(&c->mu);
        quick_ack(c);
        pthread_mutex_lock(&c->mu);
    }
}

static int refused(mdc_mqtt_conn *c, const mdc_mqtt_msg *bad, size_t delivered,
                   mdc_sink_result *res, mdc_err *err)
{
    char text[160];
    const char *cls = mdc_mqtt_refusal_class(bad->reason);
    res->rejected = cls != NULL;
    res->reason = cls;
    return mdc_err_set(err, cls ? MDC_EDEVICE : MDC_EIO,
                       "mqtt %s:%d: the broker %s the message on %s (record %zu of the batch): %s",
                       c->cfg.host, c->cfg.port,
                       bad->reason < 0 ? "cannot take"
                       : cls           ? "refused"
                                       : "did not take yet",
                       bad->topic, delivered + 1,
                       mdc_mqtt_reason_text(bad->reason, text, sizeof text));
}

static int unsettled(mdc_mqtt_conn *c, size_t pending, bool connected, int disc, mdc_err *err)
{
    char text[128];
    if (!connected)
        return mdc_err_set(err, MDC_EIO,
                           "mqtt %s:%d: connection lost (%s) with %zu message%s unacknowledged",
                           c->cfg.host, c->cfg.port, mdc_mqtt_disc_text(c, disc, text, sizeof text),
                           pending, pending == 1 ? "" : "s");
    mosquitto_disconnect(c->mosq); /* late acknowledgements would confuse the next batch */
    return mdc_err_set(err, MDC_ETIMEOUT,
                       "mqtt %s:%d: the broker did not acknowledge %zu message%s within %.1f s",
                       c->cfg.host, c->cfg.port, pending, pending == 1 ? "" : "s",
                       (double)c->cfg.timeout_us / 1e6);
}

int mdc_mqtt_conn_finish(mdc_mqtt_conn *c, size_t nrecs, mdc_sink_result *res, mdc_err *err)
{
    pthread_mutex_lock(&c->mu);
    wait_settled(c);
    const mdc_mqtt_msg *bad;
    size_t delivered = mdc_mqtt_ledger_delivered(&c->ledger, nrecs, &bad);
    size_t pending = c->ledger.batch_pending;
    bool connected = c->connected;
    int disc = c->disc_rc;
    mdc_mqtt_msg copy = bad ? *bad : (mdc_mqtt_msg){0};
    char topic[256];
    snprintf(topic, sizeof topic, "%s", bad && bad->topic ? bad->topic : "");
    copy.topic = topic;
    pthread_mutex_unlock(&c->mu);
    res->delivered = delivered;
    if (!bad) return 0;
    if (copy.state == MDC_MQTT_REFUSED) return refused(c, &copy, delivered, res, err);
    return unsettled(c, pending, connected, disc, err);
}

static bool suback_for(const mdc_mqtt_conn *c)
{
    return c->suback_mid == c->sub_want || !c->connected;
}

int mdc_mqtt_conn_subscribe(mdc_mqtt_conn *c, const char *topic, int qos, mdc_err *err)
{
    int mid = 0, rc = mosquitto_subscribe_v5(c->mosq, &mid, topic, qos, 0, NULL);
    if (rc != MOSQ_ERR_SUCCESS) return mdc_mqtt_lib_fail(c, err, "subscribe", rc);
    pthread_mutex_lock(&c->mu);
    c->sub_want = mid;
    bool ok = mdc_mqtt_wait_locked(c, mdc_now_us() + c->cfg.timeout_us, suback_for) &&
              c->suback_mid == mid;
    int granted = c->sub_granted;
    pthread_mutex_unlock(&c->mu);
    if (!ok)
        return mdc_err_set(err, MDC_ETIMEOUT, "mqtt %s:%d: no SUBACK for %s within %.1f s",
                           c->cfg.host, c->cfg.port, topic, (double)c->cfg.timeout_us / 1e6);
    if (granted >= 0x80) {
        char text[128];
        return mdc_err_set(err, MDC_EAUTH,
                           "mqtt %s:%d: the broker refused the subscription to %s: %s", c->cfg.host,
                           c->cfg.port, topic, mdc_mqtt_reason_text(granted, text, sizeof text));
    }
    return 0;
}
