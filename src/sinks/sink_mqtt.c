/* sink_mqtt.c — the MQTT client of the "mqtt" sink (see sink_mqtt.h).
 *
 * libmosquitto runs its network loop in its own thread (mosquitto_loop_start); its callbacks
 * only update counters under k->mu and signal k->cv. The delivery thread publishes and waits
 * there for the acknowledgements. Every open() makes a fresh client, every close() destroys
 * it, so a reconnect never inherits half-sent state.
 */
#include "format/format.h"
#include "sink_mqtt.h"

#include "core/clock.h"
#include "core/xalloc.h"

#include <errno.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define STATUS_DEVICES_MAX 4096
#define QUICKACK_US        1000 /* while acknowledgements are due, see quick_ack() */

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

typedef struct dev_state {
    char *device;
    int status;       /* last published status */
    bool unreachable; /* ... and whether it had an error */
} dev_state;

typedef struct mqtt_sink {
    mdc_mqtt_sink_cfg cfg; /* strings owned */
    struct mosquitto *mosq;
    bool loop_started;
    pthread_mutex_t mu; /* guards everything below; the loop thread writes it */
    pthread_cond_t cv;
    bool connected, conn_done; /* CONNACK or failure seen */
    int conn_rc, disc_rc;
    uint64_t acked; /* messages acknowledged on this connection */
    char last_log[256];
    bool log_error; /* the library reported an error (a failed TLS handshake...) */
    /* delivery thread only */
    uint64_t published;
    dev_state *devs; /* status last published per device, on this connection */
    size_t ndevs, capdevs;
    strbuf topic, payload;
} mqtt_sink;

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void lib_init(void)
{
    mosquitto_lib_init();
}

/* ---- callbacks (the loop thread) ---- */

static void on_connect(struct mosquitto *m, void *obj, int rc)
{
    (void)m;
    mqtt_sink *k = obj;
    pthread_mutex_lock(&k->mu);
    k->conn_rc = rc;
    k->conn_done = true;
    k->connected = rc == 0;
    pthread_cond_broadcast(&k->cv);
    pthread_mutex_unlock(&k->mu);
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc)
{
    (void)m;
    mqtt_sink *k = obj;
    pthread_mutex_lock(&k->mu);
    k->connected = false;
    k->disc_rc = rc;
    pthread_cond_broadcast(&k->cv);
    pthread_mutex_unlock(&k->mu);
}

static void on_publish(struct mosquitto *m, void *obj, int mid)
{
    (void)m, (void)mid;
    mqtt_sink *k = obj;
    pthread_mutex_lock(&k->mu);
    k->acked++;
    pthread_cond_broadcast(&k->cv);
    pthread_mutex_unlock(&k->mu);
}

/* The library's own error lines (TLS failures, refused connections) give errors their cause. */
static void on_log(struct mosquitto *m, void *obj, int level, const char *msg)
{
    (void)m;
    mqtt_sink *k = obj;
    if (!(level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING)) || !msg) return;
    pthread_mutex_lock(&k->mu);
    snprintf(k->last_log, sizeof k->last_log, "%s", msg);
    if (level & MOSQ_LOG_ERR) k->log_error = true;
    pthread_cond_broadcast(&k->cv);
    pthread_mutex_unlock(&k->mu);
}

/* ---- connecting ---- */

static int lib_fail(mqtt_sink *k, mdc_err *err, const char *what, int rc)
{
    const char *why = rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc);
    char detail[256];
    pthread_mutex_lock(&k->mu);
    snprintf(detail, sizeof detail, "%s", k->last_log);
    pthread_mutex_unlock(&k->mu);
    return mdc_err_set(err, MDC_EIO, "mqtt %s:%d: %s: %s%s%s%s", k->cfg.host, k->cfg.port, what,
                       why, detail[0] ? " (" : "", detail, detail[0] ? ")" : "");
}

static int setup_tls(mqtt_sink *k, mdc_err *err)
{
    const mdc_mqtt_sink_cfg *c = &k->cfg;
    int rc;
    if (!c->ca) {
        mosquitto_int_option(k->mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
        if (c->cert && (rc = mosquitto_tls_set(k->mosq, NULL, "/etc/ssl/certs", c->cert, c->key,
                                               NULL)) != MOSQ_ERR_SUCCESS)
            return lib_fail(k, err, "TLS client certificate", rc);
    } else if ((rc = mosquitto_tls_set(k->mosq, c->ca, NULL, c->cert, c->key, NULL)) !=
               MOSQ_ERR_SUCCESS) {
        return lib_fail(k, err, "TLS settings (ca, cert, key)", rc);
    }
    mosquitto_tls_insecure_set(k->mosq, c->insecure);
    return 0;
}

static int setup_client(mqtt_sink *k, mdc_err *err)
{
    const mdc_mqtt_sink_cfg *c = &k->cfg;
    k->mosq = mosquitto_new(c->client_id, true, k);
    if (!k->mosq)
        return mdc_err_set(err, MDC_EIO, "mqtt: cannot create a client: %s", strerror(errno));
    mosquitto_int_option(k->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    /* a batch ends with a few small packets: Nagle would hold them for the peer's delayed ACK */
    mosquitto_int_option(k->mosq, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_max_inflight_messages_set(k->mosq, (unsigned)c->max_inflight);
    mosquitto_reconnect_delay_set(k->mosq, 1, 1, false);
    mosquitto_connect_callback_set(k->mosq, on_connect);
    mosquitto_disconnect_callback_set(k->mosq, on_disconnect);
    mosquitto_publish_callback_set(k->mosq, on_publish);
    mosquitto_log_callback_set(k->mosq, on_log);
    int rc;
    if (c->username &&
        (rc = mosquitto_username_pw_set(k->mosq, c->username, c->password)) != MOSQ_ERR_SUCCESS)
        return lib_fail(k, err, "credentials", rc);
    return c->tls ? setup_tls(k, err) : 0;
}

static void reset_connection_state(mqtt_sink *k)
{
    k->connected = k->conn_done = false;
    k->conn_rc = k->disc_rc = 0;
    k->acked = k->published = 0;
    k->last_log[0] = '\0';
    k->log_error = false;
    for (size_t i = 0; i < k->ndevs; i++)
        free(k->devs[i].device);
    k->ndevs = 0; /* statuses are published again on the new connection */
}

static void teardown(mqtt_sink *k)
{
    if (!k->mosq) return;
    if (k->loop_started) {
        mosquitto_disconnect(k->mosq);
        mosquitto_loop_stop(k->mosq, false);
        k->loop_started = false;
    }
    mosquitto_destroy(k->mosq);
    k->mosq = NULL;
}

/* Waits (k->mu held) until pred holds or the deadline passes; returns pred. */
static bool wait_locked(mqtt_sink *k, int64_t deadline_us, bool (*pred)(const mqtt_sink *))
{
    while (!pred(k)) {
        int64_t now = mdc_now_us();
        if (now >= deadline_us) break;
        struct timespec ts = {.tv_sec = deadline_us / MDC_US_PER_SEC,
                              .tv_nsec = (deadline_us % MDC_US_PER_SEC) * 1000};
        pthread_cond_timedwait(&k->cv, &k->mu, &ts);
    }
    return pred(k);
}

/* CONNACK seen, or this connection attempt failed (the library retries: we do not wait). */
static bool conn_done(const mqtt_sink *k)
{
    return k->conn_done || k->log_error;
}

static int wait_connack(mqtt_sink *k, mdc_err *err)
{
    pthread_mutex_lock(&k->mu);
    bool done = wait_locked(k, mdc_now_us() + k->cfg.timeout_us, conn_done);
    int rc = k->conn_rc;
    bool connack = k->conn_done;
    char why[256];
    snprintf(why, sizeof why, "%s", k->last_log[0] ? k->last_log : "no answer");
    pthread_mutex_unlock(&k->mu);
    if (!done)
        return mdc_err_set(err, MDC_ETIMEOUT, "mqtt %s:%d: not connected within %.1f s (%s)",
                           k->cfg.host, k->cfg.port, (double)k->cfg.timeout_us / 1e6, why);
    if (!connack)
        return mdc_err_set(err, MDC_EIO, "mqtt %s:%d: cannot connect: %s", k->cfg.host, k->cfg.port,
                           why);
    if (rc != 0)
        return mdc_err_set(err, rc == 4 || rc == 5 ? MDC_EAUTH : MDC_EIO,
                           "mqtt %s:%d: the broker refused the connection: %s", k->cfg.host,
                           k->cfg.port, mosquitto_connack_string(rc));
    return 0;
}

static int m_open(mdc_sink *s, mdc_err *err)
{
    mqtt_sink *k = s->impl;
    pthread_once(&lib_once, lib_init);
    reset_connection_state(k);
    if (setup_client(k, err) < 0) goto fail;
    int rc = mosquitto_connect_async(k->mosq, k->cfg.host, k->cfg.port, k->cfg.keepalive_s);
    if (rc != MOSQ_ERR_SUCCESS) {
        lib_fail(k, err, "cannot connect", rc);
        goto fail;
    }
    if ((rc = mosquitto_loop_start(k->mosq)) != MOSQ_ERR_SUCCESS) {
        lib_fail(k, err, "cannot start the network thread", rc);
        goto fail;
    }
    k->loop_started = true;
    if (wait_connack(k, err) < 0) goto fail;
    return 0;
fail:
    teardown(k);
    return -1;
}

static void m_close(mdc_sink *s)
{
    teardown(s->impl);
}

/* ---- publishing ---- */

static int publish(mqtt_sink *k, const strbuf *topic, const strbuf *payload, bool retain,
                   mdc_err *err)
{
    int rc = mosquitto_publish(k->mosq, NULL, sb_str(topic), (int)payload->len, payload->buf,
                               k->cfg.qos, retain);
    if (rc != MOSQ_ERR_SUCCESS) return lib_fail(k, err, "publish", rc);
    k->published++;
    return 0;
}

/* True when the device's state differs from what this connection last published. */
static bool status_changed(mqtt_sink *k, const mdc_record *r)
{
    for (size_t i = 0; i < k->ndevs; i++)
        if (!strcmp(k->devs[i].device, r->device)) {
            dev_state *d = &k->devs[i];
            bool changed = d->status != r->status || d->unreachable != (r->error != NULL);
            d->status = r->status;
            d->unreachable = r->error != NULL;
            return changed;
        }
    if (k->ndevs == STATUS_DEVICES_MAX) return true;
    xgrow(&k->devs, &k->capdevs, k->ndevs + 1, sizeof *k->devs);
    k->devs[k->ndevs++] = (dev_state){xstrdup(r->device), r->status, r->error != NULL};
    return true;
}

static int publish_status(mqtt_sink *k, const mdc_record *r, mdc_err *err)
{
    if (!k->cfg.status_topic || !r->device || !status_changed(k, r)) return 0;
    sb_reset(&k->topic);
    sb_reset(&k->payload);
    mdc_mqtt_topic_expand(k->cfg.status_topic, r, NULL, &k->topic);
    mdc_mqtt_status_payload(r, &k->payload);
    return publish(k, &k->topic, &k->payload, true, err);
}

static int publish_point(mqtt_sink *k, const mdc_record *r, const char *name, const mdc_value *v,
                         const char *error, mdc_err *err)
{
    sb_reset(&k->topic);
    sb_reset(&k->payload);
    mdc_mqtt_topic_expand(k->cfg.topic, r, name, &k->topic);
    mdc_mqtt_point_payload(r, name, v, error, &k->payload);
    return publish(k, &k->topic, &k->payload, k->cfg.retain, err);
}

static int publish_record(mqtt_sink *k, const mdc_record *r, mdc_err *err)
{
    if (k->cfg.per == MDC_MQTT_PER_RECORD) {
        sb_reset(&k->topic);
        sb_reset(&k->payload);
        mdc_mqtt_topic_expand(k->cfg.topic, r, NULL, &k->topic);
        mdc_format_record(MDC_FMT_JSON, MDC_STYLE_MDC, r, &k->payload);
        if (k->payload.len && k->payload.buf[k->payload.len - 1] == '\n') k->payload.len--;
        return publish(k, &k->topic, &k->payload, k->cfg.retain, err);
    }
    if (r->status >= 0) {
        mdc_value st = {.type = MDC_INT, .u.i = r->status};
        if (publish_point(k, r, "status", &st, NULL, err) < 0) return -1;
    }
    for (size_t i = 0; i < r->nfields; i++)
        if (publish_point(k, r, r->fields[i].name, &r->fields[i].v, r->fields[i].error, err) < 0)
            return -1;
    return 0;
}

static bool all_acked_or_lost(const mqtt_sink *k)
{
    return k->acked >= k->published || !k->connected;
}

/* Asks the kernel to acknowledge what the broker sent at once. A broker with Nagle's algorithm
 * on (mosquitto's default) holds its last small PUBACKs until our delayed ACK (40 ms): at the
 * end of every batch, while we wait for exactly those. */
static void quick_ack(mqtt_sink *k)
{
    int fd = mosquitto_socket(k->mosq), one = 1;
    if (fd >= 0) setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

static int wait_acks(mqtt_sink *k, mdc_err *err)
{
    int64_t deadline = mdc_now_us() + k->cfg.timeout_us;
    pthread_mutex_lock(&k->mu);
    while (!wait_locked(k, min64(deadline, mdc_now_us() + QUICKACK_US), all_acked_or_lost) &&
           mdc_now_us() < deadline) {
        pthread_mutex_unlock(&k->mu);
        quick_ack(k);
        pthread_mutex_lock(&k->mu);
    }
    uint64_t acked = k->acked;
    bool connected = k->connected;
    int disc = k->disc_rc;
    pthread_mutex_unlock(&k->mu);
    if (acked >= k->published) return 0;
    uint64_t missing = k->published - acked;
    if (!connected)
        return mdc_err_set(err, MDC_EIO,
                           "mqtt %s:%d: connection lost (%s) with %llu message%s unacknowledged",
                           k->cfg.host, k->cfg.port, mosquitto_strerror(disc),
                           (unsigned long long)missing, missing == 1 ? "" : "s");
    return mdc_err_set(err, MDC_ETIMEOUT,
                       "mqtt %s:%d: the broker did not acknowledge %llu message%s within %.1f s",
                       k->cfg.host, k->cfg.port, (unsigned long long)missing,
                       missing == 1 ? "" : "s", (double)k->cfg.timeout_us / 1e6);
}

static int m_write_all(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_err *err)
{
    mqtt_sink *k = s->impl;
    pthread_mutex_lock(&k->mu);
    bool connected = k->connected;
    int disc = k->disc_rc;
    pthread_mutex_unlock(&k->mu);
    if (!connected)
        return mdc_err_set(err, MDC_EIO, "mqtt %s:%d: not connected (%s)", k->cfg.host, k->cfg.port,
                           mosquitto_strerror(disc));
    for (size_t i = 0; i < n; i++)
        if (publish_status(k, recs[i], err) < 0 || publish_record(k, recs[i], err) < 0) return -1;
    return wait_acks(k, err);
}

/* ---- construction ---- */

static void m_destroy(mdc_sink *s)
{
    mqtt_sink *k = s->impl;
    teardown(k);
    reset_connection_state(k);
    free(k->devs);
    sb_free(&k->topic);
    sb_free(&k->payload);
    pthread_cond_destroy(&k->cv);
    pthread_mutex_destroy(&k->mu);
    const char **strs[] = {&k->cfg.host,      &k->cfg.topic,    &k->cfg.status_topic,
                           &k->cfg.client_id, &k->cfg.username, &k->cfg.password,
                           &k->cfg.ca,        &k->cfg.cert,     &k->cfg.key};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        free((char *)*strs[i]);
    free(k);
    free(s);
}

static int m_write(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_sink_result *res,
                   mdc_err *err)
{
    return mdc_sink_all_or_nothing(res, n, m_write_all(s, recs, n, err));
}

static const mdc_sink_ops mqtt_ops = {
    .type = "mqtt",
    .open = m_open,
    .write = m_write,
    .close = m_close,
    .destroy = m_destroy,
};

static const char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

mdc_sink *mdc_sink_mqtt_new(const mdc_mqtt_sink_cfg *cfg)
{
    mqtt_sink *k = xcalloc(1, sizeof *k);
    k->cfg = *cfg;
    k->cfg.host = xstrdup(cfg->host);
    k->cfg.topic = xstrdup(cfg->topic);
    k->cfg.status_topic = dup_or_null(cfg->status_topic);
    k->cfg.client_id = dup_or_null(cfg->client_id);
    k->cfg.username = dup_or_null(cfg->username);
    k->cfg.password = dup_or_null(cfg->password);
    k->cfg.ca = dup_or_null(cfg->ca);
    k->cfg.cert = dup_or_null(cfg->cert);
    k->cfg.key = dup_or_null(cfg->key);
    pthread_mutex_init(&k->mu, NULL);
    pthread_cond_init(&k->cv, NULL);
    strbuf id = STRBUF_INIT;
    bool v6 = strchr(cfg->host, ':') != NULL;
    sb_printf(&id, "mqtt:%s%s%s:%d/%s", v6 ? "[" : "", cfg->host, v6 ? "]" : "", cfg->port,
              cfg->topic);
    mdc_sink *s = mdc_sink_new(&mqtt_ops, sb_str(&id), k);
    sb_free(&id);
    return s;
}
