/* SPDX-License-Identifier: Apache-2.0 */
/* ha_announce.c — publishing Home Assistant discovery for the "mqtt" sink after each connect,
 * and removing (empty retained config) the sensors of this node that the configuration no longer
 * has: the broker's retained configs under PREFIX/sensor/NODE/+/config are collected first, up
 * to a marker message we publish after subscribing (retained messages reach a subscriber before
 * anything published later on the same connection). */
#include "ha_announce.h"

#include "core/clock.h"
#include "core/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct seen {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char **objects; /* OBJECT of every retained config seen */
    size_t n, cap;
    bool synced;
    const char *sync_topic;
    size_t base_len; /* strlen("PREFIX/sensor/NODE/") */
} seen;

static void on_message(void *ctx, const char *topic, const void *payload, size_t len)
{
    seen *s = ctx;
    (void)payload;
    pthread_mutex_lock(&s->mu);
    if (!strcmp(topic, s->sync_topic)) {
        s->synced = true;
        pthread_cond_broadcast(&s->cv);
    } else if (len > 0 && !s->synced && strlen(topic) > s->base_len + 7) {
        const char *obj = topic + s->base_len;
        xgrow(&s->objects, &s->cap, s->n + 1, sizeof *s->objects);
        s->objects[s->n++] = xstrndup(obj, strlen(obj) - 7); /* without "/config" */
    }
    pthread_mutex_unlock(&s->mu);
}

static int wait_synced(seen *s, int64_t timeout_us)
{
    int64_t deadline = mdc_now_us() + timeout_us;
    pthread_mutex_lock(&s->mu);
    while (!s->synced && mdc_now_us() < deadline) {
        struct timespec ts = {.tv_sec = deadline / MDC_US_PER_SEC,
                              .tv_nsec = (deadline % MDC_US_PER_SEC) * 1000};
        pthread_cond_timedwait(&s->cv, &s->mu, &ts);
    }
    bool ok = s->synced;
    pthread_mutex_unlock(&s->mu);
    return ok ? 0 : -1;
}

/* Collects the retained configs of this node (s->objects). */
static int collect(mdc_mqtt_conn *c, const mdc_ha_ctx *h, seen *s, mdc_err *err)
{
    strbuf filter = STRBUF_INIT;
    mdc_ha_topic_base(h, &filter);
    s->base_len = filter.len;
    sb_puts(&filter, "+/config");
    mdc_mqtt_conn_set_handler(c, on_message, s);
    int rc = mdc_mqtt_conn_subscribe(c, s->sync_topic, 1, err);
    if (rc == 0) rc = mdc_mqtt_conn_subscribe(c, sb_str(&filter), 1, err);
    sb_free(&filter);
    mdc_mqtt_msg_spec mark = {.topic = s->sync_topic, .payload = "sync", .len = 4, .qos = 1};
    mdc_sink_result res = {0};
    mdc_mqtt_conn_begin(c);
    if (rc == 0 && (rc = mdc_mqtt_conn_publish(c, 0, &mark, 0, err)) == 0)
        rc = mdc_mqtt_conn_finish(c, 1, &res, err);
    if (rc == 0 && wait_synced(s, mdc_mqtt_conn_config(c)->timeout_us) < 0)
        rc = mdc_err_set(err, MDC_ETIMEOUT,
                         "mqtt: Home Assistant discovery: our marker on %s did not come back",
                         s->sync_topic);
    mdc_mqtt_conn_set_handler(c, NULL, NULL);
    return rc < 0 ? -1 : 0;
}

static int send(mdc_mqtt_conn *c, const strbuf *topic, const strbuf *payload, mdc_err *err)
{
    mdc_mqtt_msg_spec m = {.topic = sb_str(topic),
                           .payload = payload->buf,
                           .len = payload->len,
                           .qos = 1,
                           .retain = true,
                           .content_type = payload->len ? "application/json" : NULL};
    int rc = mdc_mqtt_conn_publish(c, 0, &m, 0, err);
    return rc == 0  ? 0
           : rc > 0 ? mdc_err_set(err, MDC_EINVAL, "mqtt: cannot publish %s", m.topic)
                    : -1;
}

/* True when OBJECT is one of the sensors the catalog gives. */
static bool configured(const mdc_catalog *cat, const char *object)
{
    strbuf id = STRBUF_INIT;
    bool found = false;
    for (size_t d = 0; cat && d < cat->ndevices && !found; d++) {
        const mdc_device_info *dev = &cat->devices[d];
        for (size_t f = 0; f <= dev->nfields && !found; f++) {
            sb_reset(&id);
            mdc_ha_object_id(dev->id, f < dev->nfields ? dev->fields[f].name : "status", &id);
            found = !strcmp(sb_str(&id), object);
        }
    }
    sb_free(&id);
    return found;
}

static int announce_all(mdc_mqtt_conn *c, const mdc_ha_ctx *h, const mdc_catalog *cat,
                        const seen *s, mdc_err *err)
{
    strbuf topic = STRBUF_INIT, payload = STRBUF_INIT;
    int rc = 0;
    for (size_t d = 0; cat && d < cat->ndevices && rc == 0; d++)
        for (size_t f = 0; f < cat->devices[d].nfields && rc == 0; f++) {
            sb_reset(&topic);
            sb_reset(&payload);
            mdc_ha_field_config(h, &cat->devices[d], &cat->devices[d].fields[f], &topic, &payload);
            rc = send(c, &topic, &payload, err);
        }
    for (size_t i = 0; i < s->n && rc == 0; i++) {
        if (configured(cat, s->objects[i])) continue;
        sb_reset(&topic);
        sb_reset(&payload);
        mdc_ha_topic_base(h, &topic);
        sb_printf(&topic, "%s/config", s->objects[i]);
        rc = send(c, &topic, &payload, err); /* empty and retained: Home Assistant removes it */
    }
    sb_free(&topic);
    sb_free(&payload);
    return rc;
}

int mdc_ha_announce(mdc_mqtt_conn *c, const mdc_ha_ctx *h, const mdc_catalog *cat,
                    const char *sync_topic, mdc_err *err)
{
    seen s = {.sync_topic = sync_topic};
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.cv, NULL);
    int rc = collect(c, h, &s, err);
    if (rc == 0) {
        mdc_sink_result res = {0};
        mdc_mqtt_conn_begin(c);
        rc = announce_all(c, h, cat, &s, err);
        size_t n = 1;
        if (rc == 0) rc = mdc_mqtt_conn_finish(c, n, &res, err);
    }
    for (size_t i = 0; i < s.n; i++)
        free(s.objects[i]);
    free(s.objects);
    pthread_cond_destroy(&s.cv);
    pthread_mutex_destroy(&s.mu);
    return rc;
}
