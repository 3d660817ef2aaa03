/* SPDX-License-Identifier: Apache-2.0 */
/* sparkplug_sink.c — the "sparkplug" sink (see sparkplug_sink.h): the edge node's connection
 * lifecycle over mqtt_conn, records through sparkplug_node. */
#include "sparkplug_sink.h"
#include "sparkplug_codec.h"
#include "sparkplug_node.h"

#include "core/clock.h"
#include "core/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct sp_sink {
    mdc_sparkplug_cfg cfg; /* strings owned; cfg.conn borrowed from conn */
    mdc_mqtt_conn *conn;
    mdc_sp_node node;
    int bdseq;        /* of this connection */
    size_t cur_rec;   /* the record the node's messages carry */
    bool need_nbirth; /* a failed batch: tell the host everything again */
    char *ncmd_topic, *state_topic;
    strbuf death;
    pthread_mutex_t mu; /* guards what the network thread sets: */
    pthread_cond_t cv;
    bool rebirth_asked, host_seen, host_online;
    int64_t host_ts;
} sp_sink;

static int64_t now_ms(void)
{
    return mdc_now_us() / 1000;
}

/* ---- messages from the host application (the network thread) ---- */

static void on_state(sp_sink *k, const void *payload, size_t len)
{
    bool online;
    int64_t ts;
    mdc_err err;
    if (mdc_sp_parse_state(payload, len, &online, &ts, &err) < 0) return;
    pthread_mutex_lock(&k->mu);
    if (!k->host_seen || ts >= k->host_ts) { /* an older STATE does not count */
        k->host_seen = true;
        k->host_online = online;
        k->host_ts = ts;
    }
    pthread_cond_broadcast(&k->cv);
    pthread_mutex_unlock(&k->mu);
}

static void on_message(void *ctx, const char *topic, const void *payload, size_t len)
{
    sp_sink *k = ctx;
    bool rebirth = false;
    mdc_err err;
    if (k->state_topic && !strcmp(topic, k->state_topic)) {
        on_state(k, payload, len);
    } else if (!strcmp(topic, k->ncmd_topic) &&
               mdc_sp_decode_ncmd(payload, len, 0, &rebirth, &err) == 0 && rebirth) {
        pthread_mutex_lock(&k->mu);
        k->rebirth_asked = true;
        pthread_mutex_unlock(&k->mu);
    }
}

/* ---- publishing ---- */

static int emit(void *ctx, const char *topic, const strbuf *payload)
{
    sp_sink *k = ctx;
    mdc_mqtt_msg_spec m = {.topic = topic,
                           .payload = payload->buf,
                           .len = payload->len,
                           .qos = k->cfg.qos,
                           .content_type = NULL,
                           .data = true};
    mdc_err err;
    int rc = mdc_mqtt_conn_publish(k->conn, k->cur_rec, &m, 0, &err);
    return rc; /* a temporary failure shows again in mdc_mqtt_conn_finish */
}

static mdc_mqtt_msg_spec death_msg(sp_sink *k)
{
    mdc_sp_ndeath_payload((uint64_t)now_ms(), k->bdseq, &k->death);
    mdc_sp_topic(&k->node, "NDEATH", NULL, &k->node.topic);
    return (mdc_mqtt_msg_spec){
        .topic = sb_str(&k->node.topic), .payload = k->death.buf, .len = k->death.len, .qos = 1};
}

static bool host_known(const sp_sink *k)
{
    return k->host_seen;
}

/* Subscribes to NCMD and the primary host's STATE, and waits until that host is online. */
static int subscribe(sp_sink *k, mdc_err *err)
{
    pthread_mutex_lock(&k->mu);
    k->host_seen = k->host_online = k->rebirth_asked = false;
    k->host_ts = 0;
    pthread_mutex_unlock(&k->mu);
    mdc_mqtt_conn_set_handler(k->conn, on_message, k);
    if (mdc_mqtt_conn_subscribe(k->conn, k->ncmd_topic, 1, err) < 0) return -1;
    if (!k->state_topic) return 0;
    if (mdc_mqtt_conn_subscribe(k->conn, k->state_topic, 1, err) < 0) return -1;
    int64_t deadline = mdc_now_us() + mdc_mqtt_conn_config(k->conn)->timeout_us;
    pthread_mutex_lock(&k->mu);
    while (!host_known(k) && mdc_now_us() < deadline) {
        struct timespec ts = {.tv_sec = deadline / MDC_US_PER_SEC,
                              .tv_nsec = (deadline % MDC_US_PER_SEC) * 1000};
        pthread_cond_timedwait(&k->cv, &k->mu, &ts);
    }
    bool seen = k->host_seen, online = k->host_online;
    pthread_mutex_unlock(&k->mu);
    if (online) return 0;
    return mdc_err_set(err, MDC_ESTATE,
                       "sparkplug: the primary host application \"%s\" is %s (%s): holding "
                       "the records until it is online",
                       k->cfg.primary_host_id, seen ? "offline" : "not known", k->state_topic);
}

static int publish_nbirth(sp_sink *k, mdc_err *err)
{
    mdc_sink_result res = {0};
    bool *was_born = xcalloc(k->node.ndevs + 1, sizeof *was_born);
    for (size_t i = 0; i < k->node.ndevs; i++) /* not the dead ones: they are unreachable */
        was_born[i] = k->node.devs[i].born;
    k->cur_rec = 0;
    mdc_mqtt_conn_begin(k->conn);
    int rc = mdc_sp_nbirth(&k->node, (uint64_t)now_ms(), k->bdseq);
    if (rc == 0) rc = mdc_sp_rebirth_devices(&k->node, (uint64_t)now_ms(), was_born);
    free(was_born);
    if (rc > 0) return mdc_err_set(err, MDC_EINVAL, "sparkplug: the broker refused the NBIRTH");
    return mdc_mqtt_conn_finish(k->conn, 1, &res, err);
}

static int s_open(mdc_sink *s, mdc_err *err)
{
    sp_sink *k = s->impl;
    if (mdc_sp_bdseq_load(k->cfg.bdseq_path, &k->bdseq, err) < 0) return -1;
    mdc_mqtt_msg_spec will = death_msg(k);
    if (mdc_mqtt_conn_open(k->conn, &will, err) < 0) return -1;
    k->need_nbirth = false;
    for (size_t i = 0; i < k->node.ndevs; i++)
        k->node.devs[i].born = false; /* a new session: births with the next records */
    /* every CONNECT takes a new bdSeq: a late will of an earlier session never matches */
    if (mdc_sp_bdseq_store(k->cfg.bdseq_path, (k->bdseq + 1) % 256, err) < 0 ||
        subscribe(k, err) < 0) {
        mdc_mqtt_conn_close(k->conn, NULL); /* no NBIRTH went out: a clean disconnect, no will */
        return -1;
    }
    if (publish_nbirth(k, err) < 0) {
        mdc_mqtt_msg_spec last = death_msg(k); /* a clean disconnect drops the will */
        mdc_mqtt_conn_close(k->conn, &last);
        return -1;
    }
    return 0;
}

static void s_close(mdc_sink *s)
{
    sp_sink *k = s->impl;
    mdc_mqtt_msg_spec last = death_msg(k);
    mdc_mqtt_conn_close(k->conn, &last);
}

/* Why not to publish now (a rebirth asked for is done here), or 0. */
static int before_batch(sp_sink *k, mdc_err *err)
{
    pthread_mutex_lock(&k->mu);
    bool rebirth = k->rebirth_asked, offline = k->state_topic && !k->host_online;
    k->rebirth_asked = false;
    pthread_mutex_unlock(&k->mu);
    if (offline)
        return mdc_err_set(err, MDC_ESTATE,
                           "sparkplug: the primary host application \"%s\" went offline: "
                           "holding the records",
                           k->cfg.primary_host_id);
    if (!rebirth && !k->need_nbirth) return 0;
    if (publish_nbirth(k, err) < 0) return -1;
    k->need_nbirth = false;
    return 0;
}

static int s_write(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_sink_result *res,
                   mdc_err *err)
{
    sp_sink *k = s->impl;
    if (!mdc_mqtt_conn_connected(k->conn)) return mdc_mqtt_conn_down(k->conn, err);
    if (before_batch(k, err) < 0) return -1;
    mdc_mqtt_conn_begin(k->conn);
    size_t i = 0;
    int rc = 0;
    while (i < n && (k->cur_rec = i, rc = mdc_sp_record(&k->node, recs[i])) == 0)
        i++;
    int frc = mdc_mqtt_conn_finish(k->conn, rc == 1 ? i + 1 : i, res, err);
    if (rc < 0 && frc == 0) frc = mdc_mqtt_conn_down(k->conn, err);
    if (frc < 0) k->need_nbirth = true; /* what the host got is unsure */
    return frc;
}

static void s_catalog(mdc_sink *s, const mdc_catalog *c)
{
    sp_sink *k = s->impl;
    k->node.catalog = c;
}

/* ---- construction ---- */

static void s_destroy(mdc_sink *s)
{
    sp_sink *k = s->impl;
    mdc_mqtt_conn_free(k->conn);
    mdc_sp_node_free(&k->node);
    sb_free(&k->death);
    free(k->ncmd_topic);
    free(k->state_topic);
    free((char *)k->cfg.group_id);
    free((char *)k->cfg.edge_node_id);
    free((char *)k->cfg.primary_host_id);
    free((char *)k->cfg.bdseq_path);
    pthread_cond_destroy(&k->cv);
    pthread_mutex_destroy(&k->mu);
    free(k);
    free(s);
}

static const mdc_sink_ops sparkplug_ops = {
    .type = "sparkplug",
    .open = s_open,
    .write = s_write,
    .close = s_close,
    .destroy = s_destroy,
    .catalog = s_catalog,
};

mdc_sink *mdc_sink_sparkplug_new(const mdc_sparkplug_cfg *cfg)
{
    sp_sink *k = xcalloc(1, sizeof *k);
    k->cfg = *cfg;
    k->cfg.group_id = xstrdup(cfg->group_id);
    k->cfg.edge_node_id = xstrdup(cfg->edge_node_id);
    k->cfg.primary_host_id = cfg->primary_host_id ? xstrdup(cfg->primary_host_id) : NULL;
    k->cfg.bdseq_path = xstrdup(cfg->bdseq_path);
    k->conn = mdc_mqtt_conn_new(&cfg->conn);
    k->cfg.conn = *mdc_mqtt_conn_config(k->conn);
    mdc_sp_node_init(&k->node, cfg->group_id, cfg->edge_node_id, emit, k);
    sb_init(&k->death);
    pthread_mutex_init(&k->mu, NULL);
    pthread_cond_init(&k->cv, NULL);
    strbuf t = STRBUF_INIT;
    mdc_sp_topic(&k->node, "NCMD", NULL, &t);
    k->ncmd_topic = sb_detach(&t);
    if (cfg->primary_host_id) {
        sb_printf(&t, "spBv1.0/STATE/%s", cfg->primary_host_id);
        k->state_topic = sb_detach(&t);
    }
    const char *host = cfg->conn.host;
    bool v6 = strchr(host, ':') != NULL;
    sb_printf(&t, "sparkplug:%s%s%s:%d/%s/%s", v6 ? "[" : "", host, v6 ? "]" : "", cfg->conn.port,
              cfg->group_id, cfg->edge_node_id);
    mdc_sink *s = mdc_sink_new(&sparkplug_ops, sb_str(&t), k);
    sb_free(&t);
    return s;
}
