/* SPDX-License-Identifier: Apache-2.0 */
/* mqtt_conn.c — the libmosquitto client of the MQTT sinks (see mqtt_conn.h). */
#include "mqtt_conn.h"
#include "mqtt_conn_internal.h"
#include "mqtt_ledger.h"

#include "core/clock.h"
#include "core/xalloc.h"

#include <errno.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void lib_init(void)
{
    mosquitto_lib_init();
}

/* ---- callbacks (the loop thread) ---- */

static void on_connect(struct mosquitto *m, void *obj, int rc, int flags,
                       const mosquitto_property *props)
{
    (void)m, (void)flags, (void)props;
    mdc_mqtt_conn *c = obj;
    pthread_mutex_lock(&c->mu);
    c->conn_rc = rc;
    c->conn_done = true;
    c->connected = rc == 0;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc, const mosquitto_property *props)
{
    (void)m, (void)props;
    mdc_mqtt_conn *c = obj;
    pthread_mutex_lock(&c->mu);
    c->connected = false;
    c->disc_rc = rc;
    mdc_mqtt_ledger_lose(&c->ledger, 0); /* QoS 1/2 ones are resent in this session */
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static void on_publish(struct mosquitto *m, void *obj, int mid, int reason,
                       const mosquitto_property *props)
{
    (void)m, (void)props;
    mdc_mqtt_conn *c = obj;
    pthread_mutex_lock(&c->mu);
    mdc_mqtt_ledger_ack(&c->ledger, mid, reason);
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static void on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted,
                         const mosquitto_property *props)
{
    (void)m, (void)props;
    mdc_mqtt_conn *c = obj;
    pthread_mutex_lock(&c->mu);
    c->suback_mid = mid;
    c->sub_granted = n > 0 ? granted[0] : 0x80;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg,
                       const mosquitto_property *props)
{
    (void)m, (void)props;
    mdc_mqtt_conn *c = obj;
    pthread_mutex_lock(&c->mu); /* held: set_handler(NULL) returns only after a running call */
    if (c->on_message && msg->topic)
        c->on_message(c->ctx, msg->topic, msg->payload, (size_t)(msg->payloadlen));
    pthread_mutex_unlock(&c->mu);
}

/* The library's own error lines (TLS failures, refused connections) give errors their cause. */
static void on_log(struct mosquitto *m, void *obj, int level, const char *msg)
{
    (void)m;
    mdc_mqtt_conn *c = obj;
    if (!(level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING)) || !msg) return;
    pthread_mutex_lock(&c->mu);
    snprintf(c->last_log, sizeof c->last_log, "%s", msg);
    if (level & MOSQ_LOG_ERR) c->log_error = true;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

/* ---- reasons ---- */

const char *mdc_mqtt_refusal_class(int reason)
{
    switch (reason) {
    case MQTT_RC_NOT_AUTHORIZED:
        return "not_authorized";
    case MQTT_RC_TOPIC_NAME_INVALID:
    case -MOSQ_ERR_MALFORMED_UTF8:
        return "topic_invalid";
    case MQTT_RC_PACKET_TOO_LARGE:
    case -MOSQ_ERR_OVERSIZE_PACKET:
        return "packet_too_large";
    case -MOSQ_ERR_PAYLOAD_SIZE:
        return "payload_too_large";
    case MQTT_RC_PAYLOAD_FORMAT_INVALID:
        return "payload_format_invalid";
    case MQTT_RC_QUOTA_EXCEEDED:
    case MQTT_RC_PACKET_ID_IN_USE:
    case MQTT_RC_SERVER_BUSY:
        return NULL; /* the broker may take it later */
    default:
        return "refused";
    }
}

const char *mdc_mqtt_reason_text(int reason, char *buf, size_t size)
{
    if (reason < 0)
        snprintf(buf, size, "%s (libmosquitto)", mosquitto_strerror(-reason));
    else
        snprintf(buf, size, "reason code 0x%02x %s", (unsigned)reason,
                 mosquitto_reason_string(reason));
    return buf;
}

/* ---- connecting ---- */

int mdc_mqtt_lib_fail(mdc_mqtt_conn *c, mdc_err *err, const char *what, int rc)
{
    const char *why = rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc);
    char detail[256];
    pthread_mutex_lock(&c->mu);
    snprintf(detail, sizeof detail, "%s", c->last_log);
    pthread_mutex_unlock(&c->mu);
    return mdc_err_set(err, MDC_EIO, "mqtt %s:%d: %s: %s%s%s%s", c->cfg.host, c->cfg.port, what,
                       why, detail[0] ? " (" : "", detail, detail[0] ? ")" : "");
}

static int setup_tls(mdc_mqtt_conn *c, mdc_err *err)
{
    const mdc_mqtt_conn_cfg *k = &c->cfg;
    int rc;
    if (!k->ca) {
        mosquitto_int_option(c->mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
        if (k->cert && (rc = mosquitto_tls_set(c->mosq, NULL, "/etc/ssl/certs", k->cert, k->key,
                                               NULL)) != MOSQ_ERR_SUCCESS)
            return mdc_mqtt_lib_fail(c, err, "TLS client certificate", rc);
    } else if ((rc = mosquitto_tls_set(c->mosq, k->ca, NULL, k->cert, k->key, NULL)) !=
               MOSQ_ERR_SUCCESS) {
        return mdc_mqtt_lib_fail(c, err, "TLS settings (ca, cert, key)", rc);
    }
    mosquitto_tls_insecure_set(c->mosq, k->insecure);
    return 0;
}

static void set_callbacks(mdc_mqtt_conn *c)
{
    mosquitto_connect_v5_callback_set(c->mosq, on_connect);
    mosquitto_disconnect_v5_callback_set(c->mosq, on_disconnect);
    mosquitto_publish_v5_callback_set(c->mosq, on_publish);
    mosquitto_subscribe_v5_callback_set(c->mosq, on_subscribe);
    mosquitto_message_v5_callback_set(c->mosq, on_message);
    mosquitto_log_callback_set(c->mosq, on_log);
}

static int set_will(mdc_mqtt_conn *c, const mdc_mqtt_msg_spec *w, mdc_err *err)
{
    int rc =
        mosquitto_will_set_v5(c->mosq, w->topic, (int)w->len, w->payload, w->qos, w->retain, NULL);
    return rc == MOSQ_ERR_SUCCESS ? 0 : mdc_mqtt_lib_fail(c, err, "last will", rc);
}

static int setup_client(mdc_mqtt_conn *c, const mdc_mqtt_msg_spec *will, bool clean, mdc_err *err)
{
    const mdc_mqtt_conn_cfg *k = &c->cfg;
    c->mosq = mosquitto_new(k->client_id       ? k->client_id
                            : c->session_id[0] ? c->session_id
                                               : NULL,
                            clean, c);
    if (!c->mosq)
        return mdc_err_set(err, MDC_EIO, "mqtt: cannot create a client: %s", strerror(errno));
    mosquitto_int_option(c->mosq, MOSQ_OPT_PROTOCOL_VERSION,
                         k->protocol == 5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
    /* a batch ends with a few small packets: Nagle would hold them for the peer's delayed ACK */
    mosquitto_int_option(c->mosq, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_max_inflight_messages_set(c->mosq, (unsigned)k->max_inflight);
    mosquitto_reconnect_delay_set(c->mosq, 1, 1, false);
    set_callbacks(c);
    int rc;
    if (k->username &&
        (rc = mosquitto_username_pw_set(c->mosq, k->username, k->password)) != MOSQ_ERR_SUCCESS)
        return mdc_mqtt_lib_fail(c, err, "credentials", rc);
    if (will && set_will(c, will, err) < 0) return -1;
    return k->tls ? setup_tls(c, err) : 0;
}

/* Forgets the last connection attempt; with forget_messages, the session's messages too. */
static void reset_state(mdc_mqtt_conn *c, bool forget_messages)
{
    pthread_mutex_lock(&c->mu);
    c->connected = c->conn_done = false;
    c->conn_rc = c->disc_rc = c->suback_mid = c->sub_granted = 0;
    c->last_log[0] = '\0';
    c->log_error = false;
    if (forget_messages) mdc_mqtt_ledger_clear(&c->ledger);
    pthread_mutex_unlock(&c->mu);
}

/* Disconnects and stops the network thread; the client keeps its messages. */
static void disconnect(mdc_mqtt_conn *c)
{
    if (!c->mosq || !c->loop_started) return;
    mosquitto_disconnect(c->mosq);
    mosquitto_loop_stop(c->mosq, false);
    c->loop_started = false;
}

static void teardown(mdc_mqtt_conn *c)
{
    if (!c->mosq) return;
    disconnect(c);
    mosquitto_destroy(c->mosq);
    c->mosq = NULL;
    c->kept = false;
}

/* Waits (c->mu held) until pred holds or the deadline passes; returns pred. */
bool mdc_mqtt_wait_locked(mdc_mqtt_conn *c, int64_t deadline_us,
                          bool (*pred)(const mdc_mqtt_conn *))
{
    while (!pred(c)) {
        int64_t now = mdc_now_us();
        if (now >= deadline_us) break;
        struct timespec ts = {.tv_sec = deadline_us / MDC_US_PER_SEC,
                              .tv_nsec = (deadline_us % MDC_US_PER_SEC) * 1000};
        pthread_cond_timedwait(&c->cv, &c->mu, &ts);
    }
    return pred(c);
}

/* CONNACK seen, or this connection attempt failed (the library retries: we do not wait). */
static bool conn_done(const mdc_mqtt_conn *c)
{
    return c->conn_done || c->log_error;
}

static const char *connack_text(const mdc_mqtt_conn *c, int rc, char *buf, size_t size)
{
    if (c->cfg.protocol == 5) return mdc_mqtt_reason_text(rc, buf, size);
    snprintf(buf, size, "%s", mosquitto_connack_string(rc));
    return buf;
}

static bool auth_refusal(int rc)
{
    return rc == 4 || rc == 5 || rc == MQTT_RC_BAD_USERNAME_OR_PASSWORD ||
           rc == MQTT_RC_NOT_AUTHORIZED;
}

static int wait_connack(mdc_mqtt_conn *c, mdc_err *err)
{
    pthread_mutex_lock(&c->mu);
    bool done = mdc_mqtt_wait_locked(c, mdc_now_us() + c->cfg.timeout_us, conn_done);
    int rc = c->conn_rc;
    bool connack = c->conn_done;
    char why[256], text[128];
    snprintf(why, sizeof why, "%s", c->last_log[0] ? c->last_log : "no answer");
    pthread_mutex_unlock(&c->mu);
    if (!done)
        return mdc_err_set(err, MDC_ETIMEOUT, "mqtt %s:%d: not connected within %.1f s (%s)",
                           c->cfg.host, c->cfg.port, (double)c->cfg.timeout_us / 1e6, why);
    if (!connack)
        return mdc_err_set(err, MDC_EIO, "mqtt %s:%d: cannot connect: %s", c->cfg.host, c->cfg.port,
                           why);
    if (rc != 0)
        return mdc_err_set(err, auth_refusal(rc) ? MDC_EAUTH : MDC_EIO,
                           "mqtt %s:%d: the broker refused the connection: %s", c->cfg.host,
                           c->cfg.port, connack_text(c, rc, text, sizeof text));
    return 0;
}

/* The session outlives connections: MQTT 5 with a session expiry, or a client id we know. */
static bool persistent(const mdc_mqtt_conn *c)
{
    return c->cfg.persistent && (c->cfg.protocol == 5 || c->cfg.client_id);
}

/* MQTT 5: the session expiry goes in the CONNECT properties, which libmosquitto takes only
 * from its blocking connect; given keepalive 1 that call stores them and fails its argument
 * check before any network I/O, and every later (non-blocking) connect sends them. */
static int set_session_expiry(mdc_mqtt_conn *c, mdc_err *err)
{
    mosquitto_property *p = NULL;
    mosquitto_property_add_int32(&p, MQTT_PROP_SESSION_EXPIRY_INTERVAL,
                                 (uint32_t)c->cfg.session_expiry_s);
    int rc = mosquitto_connect_bind_v5(c->mosq, c->cfg.host, c->cfg.port, 1, NULL, p);
    mosquitto_property_free_all(&p);
    if (rc == MOSQ_ERR_INVAL) return 0;
    if (rc == MOSQ_ERR_SUCCESS) mosquitto_disconnect(c->mosq);
    return mdc_mqtt_lib_fail(c, err, "session expiry",
                             rc == MOSQ_ERR_SUCCESS ? MOSQ_ERR_INVAL : rc);
}

/* Connects c->mosq (set up) and waits for the CONNACK. */
static int connect_client(mdc_mqtt_conn *c, bool resume, mdc_err *err)
{
    int rc = resume
                 ? mosquitto_reconnect_async(c->mosq)
                 : mosquitto_connect_async(c->mosq, c->cfg.host, c->cfg.port, c->cfg.keepalive_s);
    if (rc != MOSQ_ERR_SUCCESS) return mdc_mqtt_lib_fail(c, err, "cannot connect", rc);
    if ((rc = mosquitto_loop_start(c->mosq)) != MOSQ_ERR_SUCCESS)
        return mdc_mqtt_lib_fail(c, err, "cannot start the network thread", rc);
    c->loop_started = true;
    return wait_connack(c, err);
}

/* A configured client id may have a session an earlier run left: end it with a clean start. */
static int end_old_session(mdc_mqtt_conn *c, mdc_err *err)
{
    int rc = setup_client(c, NULL, true, err) < 0 ? -1 : connect_client(c, false, err);
    teardown(c); /* a clean DISCONNECT: under MQTT 5 without an expiry, the session ends */
    reset_state(c, true);
    if (rc == 0) c->wiped = true;
    return rc;
}

static void make_session_id(mdc_mqtt_conn *c)
{
    if (c->cfg.client_id || c->session_id[0]) return;
    uint64_t r = (uint64_t)mdc_now_us() ^ ((uint64_t)getpid() << 40) ^ (uint64_t)(uintptr_t)c;
    r *= 0x9E3779B97F4A7C15u;
    snprintf(c->session_id, sizeof c->session_id, "mdc-%016llx", (unsigned long long)r);
}

static int open_new(mdc_mqtt_conn *c, const mdc_mqtt_msg_spec *will, mdc_err *err)
{
    bool keep = persistent(c);
    if (keep && c->cfg.client_id && !c->wiped && end_old_session(c, err) < 0) return -1;
    if (keep) make_session_id(c);
    if (setup_client(c, will, !keep, err) < 0) return -1;
    if (keep && c->cfg.protocol == 5 && set_session_expiry(c, err) < 0) return -1;
    return connect_client(c, false, err);
}

int mdc_mqtt_conn_open(mdc_mqtt_conn *c, const mdc_mqtt_msg_spec *will, mdc_err *err)
{
    pthread_once(&lib_once, lib_init);
    bool resume = c->mosq && c->kept;
    if (!resume) teardown(c);
    reset_state(c, !resume);
    c->kept = false;
    if ((resume ? connect_client(c, true, err) : open_new(c, will, err)) == 0) return 0;
    if (resume) {
        disconnect(c); /* keep the client: its session's messages are still to be resent */
        c->kept = true;
    } else {
        teardown(c); /* a new client has no messages yet */
    }
    return -1;
}

bool mdc_mqtt_conn_connected(mdc_mqtt_conn *c)
{
    pthread_mutex_lock(&c->mu);
    bool up = c->mosq && c->connected;
    pthread_mutex_unlock(&c->mu);
    return up;
}

const char *mdc_mqtt_disc_text(const mdc_mqtt_conn *c, int rc, char *buf, size_t size)
{
    if (c->cfg.protocol == 5 && rc >= 0x80) return mdc_mqtt_reason_text(rc, buf, size);
    snprintf(buf, size, "%s", mosquitto_strerror(rc));
    return buf;
}

int mdc_mqtt_conn_down(mdc_mqtt_conn *c, mdc_err *err)
{
    pthread_mutex_lock(&c->mu);
    int rc = c->disc_rc;
    pthread_mutex_unlock(&c->mu);
    char text[128];
    return mdc_err_set(err, MDC_EIO, "mqtt %s:%d: not connected (%s)", c->cfg.host, c->cfg.port,
                       mdc_mqtt_disc_text(c, rc, text, sizeof text));
}

void mdc_mqtt_conn_close(mdc_mqtt_conn *c, const mdc_mqtt_msg_spec *last)
{
    if (last && mdc_mqtt_conn_connected(c)) {
        mdc_err err = {0};
        mdc_sink_result res = {0};
        mdc_mqtt_conn_begin(c);
        if (mdc_mqtt_conn_publish(c, 0, last, 0, &err) == 0)
            mdc_mqtt_conn_finish(c, 1, &res, &err); /* best effort: we are leaving anyway */
    }
    if (c->mosq && persistent(c)) {
        disconnect(c);
        c->kept = true;
    } else {
        teardown(c);
    }
}

/* ---- construction ---- */

mdc_mqtt_conn *mdc_mqtt_conn_new(const mdc_mqtt_conn_cfg *cfg)
{
    mdc_mqtt_conn *c = xcalloc(1, sizeof *c);
    mdc_mqtt_conn_cfg_copy(&c->cfg, cfg);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    return c;
}

void mdc_mqtt_conn_free(mdc_mqtt_conn *c)
{
    if (!c) return;
    teardown(c);
    mdc_mqtt_ledger_free(&c->ledger);
    mdc_mqtt_conn_cfg_free(&c->cfg);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

const mdc_mqtt_conn_cfg *mdc_mqtt_conn_config(const mdc_mqtt_conn *c)
{
    return &c->cfg;
}

void mdc_mqtt_conn_set_handler(mdc_mqtt_conn *c, mdc_mqtt_on_message fn, void *ctx)
{
    pthread_mutex_lock(&c->mu);
    c->on_message = fn;
    c->ctx = ctx;
    pthread_mutex_unlock(&c->mu);
}
