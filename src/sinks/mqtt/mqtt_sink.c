/* SPDX-License-Identifier: Apache-2.0 */
/* mqtt_sink.c — the "mqtt" sink (see mqtt_sink.h): records → messages over mqtt_conn, the
 * retained availability and machine states, Home Assistant discovery. */
#include "format/format.h"
#include "ha_announce.h"
#include "mqtt_sink.h"

#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

#define STATUS_DEVICES_MAX 4096

typedef struct dev_state {
    char *device;
    int status;       /* last published status */
    bool unreachable; /* ... and whether it had an error */
    bool announced;   /* its Home Assistant status sensor was published on this connection */
} dev_state;

typedef struct mqtt_sink {
    mdc_mqtt_sink_cfg cfg; /* strings owned */
    mdc_mqtt_conn *conn;
    const mdc_catalog *catalog; /* may be NULL */
    mdc_ha_ctx ha;
    dev_state *devs; /* what this connection published per device */
    size_t ndevs, capdevs;
    strbuf topic, payload;
} mqtt_sink;

static const char *const ONLINE = "online", *const OFFLINE = "offline";

static mdc_mqtt_msg_spec availability(const mqtt_sink *k, const char *state)
{
    return (mdc_mqtt_msg_spec){.topic = k->cfg.availability_topic,
                               .payload = state,
                               .len = strlen(state),
                               .qos = 1,
                               .retain = true,
                               .content_type = "text/plain"};
}

static void forget_devices(mqtt_sink *k)
{
    for (size_t i = 0; i < k->ndevs; i++)
        free(k->devs[i].device);
    k->ndevs = 0; /* statuses are published again on the next connection */
}

static dev_state *device_state(mqtt_sink *k, const char *device)
{
    for (size_t i = 0; i < k->ndevs; i++)
        if (!strcmp(k->devs[i].device, device)) return &k->devs[i];
    if (k->ndevs == STATUS_DEVICES_MAX) return NULL;
    xgrow(&k->devs, &k->capdevs, k->ndevs + 1, sizeof *k->devs);
    k->devs[k->ndevs] = (dev_state){xstrdup(device), MDC_STATUS_NONE - 1, false, false};
    return &k->devs[k->ndevs++];
}

/* ---- publishing ---- */

static mdc_mqtt_msg_spec data_msg(const mqtt_sink *k, bool retain)
{
    return (mdc_mqtt_msg_spec){.topic = sb_str(&k->topic),
                               .payload = k->payload.buf,
                               .len = k->payload.len,
                               .qos = k->cfg.qos,
                               .retain = retain,
                               .content_type = "application/json",
                               .data = true};
}

/* The messages of a record, numbered the same each time it is offered (mqtt_conn.h). */
enum { PART_STATUS_TOPIC, PART_RECORD, PART_STATUS_POINT = PART_RECORD, PART_FIRST_FIELD };

/* Publishes topic/payload, message `part` of record i: 0, 1 (refused for good), -1 (temporary). */
static int publish(mqtt_sink *k, size_t i, int part, const mdc_record *r, bool retain, mdc_err *err)
{
    mdc_mqtt_msg_spec m = data_msg(k, retain);
    return mdc_mqtt_conn_publish_part(k->conn, i, part, &m, r->seq, err);
}

static int publish_status(mqtt_sink *k, size_t i, const mdc_record *r, mdc_err *err)
{
    if (!k->cfg.status_topic || !r->device) return 0;
    dev_state *d = device_state(k, r->device);
    if (d && d->status == r->status && d->unreachable == (r->error != NULL)) return 0;
    if (d) d->status = r->status, d->unreachable = r->error != NULL;
    sb_reset(&k->topic);
    sb_reset(&k->payload);
    mdc_mqtt_topic_expand(k->cfg.status_topic, r, NULL, &k->topic);
    mdc_mqtt_status_payload(r, &k->payload);
    return publish(k, i, PART_STATUS_TOPIC, r, true, err);
}

/* The Home Assistant status sensor of a device, once per connection, when it has a status. */
static int announce_status(mqtt_sink *k, size_t i, const mdc_record *r, mdc_err *err)
{
    if (!k->cfg.ha_prefix || !r->device || r->status < 0) return 0;
    dev_state *d = device_state(k, r->device);
    if (!d || d->announced) return 0;
    d->announced = true;
    const mdc_device_info *info = mdc_catalog_device(k->catalog, r->device);
    mdc_device_info bare = {
        .id = r->device, .has_machine_id = r->has_machine_id, .machine_id = r->machine_id};
    sb_reset(&k->topic);
    sb_reset(&k->payload);
    mdc_ha_status_config(&k->ha, info ? info : &bare, &k->topic, &k->payload);
    mdc_mqtt_msg_spec m = data_msg(k, true);
    m.qos = 1;
    m.data = false;
    return mdc_mqtt_conn_publish(k->conn, i, &m, 0, err);
}

static int publish_point(mqtt_sink *k, size_t i, int part, const mdc_record *r, const char *name,
                         const mdc_value *v, const char *error, mdc_err *err)
{
    sb_reset(&k->topic);
    sb_reset(&k->payload);
    mdc_mqtt_topic_expand(k->cfg.topic, r, name, &k->topic);
    mdc_mqtt_point_payload(r, name, v, error, &k->payload);
    return publish(k, i, part, r, k->cfg.retain, err);
}

static int publish_record(mqtt_sink *k, size_t i, const mdc_record *r, mdc_err *err)
{
    if (k->cfg.per == MDC_MQTT_PER_RECORD) {
        sb_reset(&k->topic);
        sb_reset(&k->payload);
        mdc_mqtt_topic_expand(k->cfg.topic, r, NULL, &k->topic);
        mdc_format_record(MDC_FMT_JSON, MDC_STYLE_MDC, r, &k->payload);
        if (k->payload.len && k->payload.buf[k->payload.len - 1] == '\n') k->payload.len--;
        return publish(k, i, PART_RECORD, r, k->cfg.retain, err);
    }
    int rc;
    if (r->status >= 0) {
        mdc_value st = {.type = MDC_INT, .u.i = r->status};
        if ((rc = publish_point(k, i, PART_STATUS_POINT, r, "status", &st, NULL, err)) != 0)
            return rc;
    }
    for (size_t f = 0; f < r->nfields; f++)
        if ((rc = publish_point(k, i, PART_FIRST_FIELD + (int)f, r, r->fields[f].name,
                                &r->fields[f].v, r->fields[f].error, err)) != 0)
            return rc;
    return 0;
}

static int publish_one(mqtt_sink *k, size_t i, const mdc_record *r, mdc_err *err)
{
    int rc = announce_status(k, i, r, err);
    if (rc == 0) rc = publish_status(k, i, r, err);
    if (rc == 0) rc = publish_record(k, i, r, err);
    return rc;
}

static int m_write(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_sink_result *res,
                   mdc_err *err)
{
    mqtt_sink *k = s->impl;
    if (!mdc_mqtt_conn_connected(k->conn)) return mdc_mqtt_conn_down(k->conn, err);
    mdc_mqtt_conn_begin_records(k->conn, n ? recs[0]->seq : 0);
    mdc_err perr = {0};
    size_t i = 0;
    int rc = 0;
    while (i < n && (rc = publish_one(k, i, recs[i], &perr)) == 0)
        i++;
    /* refused (rc 1): the ledger holds the refusal of record i; a temporary failure (-1): only
     * records before i were published whole */
    int frc = mdc_mqtt_conn_finish(k->conn, rc == 1 ? i + 1 : i, res, err);
    if (rc < 0 && frc == 0) { /* a temporary failure before the rest could be published */
        *err = perr;
        frc = -1;
    }
    if (frc < 0) forget_devices(k); /* what the broker has is unsure: publish states again */
    return frc;
}

/* ---- opening and closing ---- */

static int announce_online(mqtt_sink *k, mdc_err *err)
{
    if (!k->cfg.availability_topic) return 0;
    mdc_mqtt_msg_spec m = availability(k, ONLINE);
    mdc_sink_result res = {0};
    mdc_mqtt_conn_begin(k->conn);
    int rc = mdc_mqtt_conn_publish(k->conn, 0, &m, 0, err);
    if (rc > 0) return mdc_err_set(err, MDC_EINVAL, "mqtt: cannot publish %s", m.topic);
    return rc < 0 ? -1 : mdc_mqtt_conn_finish(k->conn, 1, &res, err);
}

static int announce_ha(mqtt_sink *k, mdc_err *err)
{
    if (!k->cfg.ha_prefix) return 0;
    strbuf sync = STRBUF_INIT;
    mdc_mqtt_topic_prefix(k->cfg.topic, &sync);
    sb_printf(&sync, "/_ha_sync/%s", k->cfg.ha_node_id);
    int rc = mdc_ha_announce(k->conn, &k->ha, k->catalog, sb_str(&sync), err);
    sb_free(&sync);
    return rc;
}

static int m_open(mdc_sink *s, mdc_err *err)
{
    mqtt_sink *k = s->impl;
    forget_devices(k);
    mdc_mqtt_msg_spec will = availability(k, OFFLINE);
    if (mdc_mqtt_conn_open(k->conn, k->cfg.availability_topic ? &will : NULL, err) < 0) return -1;
    if (announce_online(k, err) < 0 || announce_ha(k, err) < 0) {
        mdc_mqtt_conn_close(k->conn, NULL);
        return -1;
    }
    return 0;
}

static void m_close(mdc_sink *s)
{
    mqtt_sink *k = s->impl;
    mdc_mqtt_msg_spec last = availability(k, OFFLINE);
    mdc_mqtt_conn_close(k->conn, k->cfg.availability_topic ? &last : NULL);
}

static void m_catalog(mdc_sink *s, const mdc_catalog *c)
{
    mqtt_sink *k = s->impl;
    k->catalog = c;
}

/* ---- construction ---- */

static void m_destroy(mdc_sink *s)
{
    mqtt_sink *k = s->impl;
    mdc_mqtt_conn_free(k->conn);
    forget_devices(k);
    free(k->devs);
    sb_free(&k->topic);
    sb_free(&k->payload);
    const char **strs[] = {&k->cfg.topic, &k->cfg.status_topic, &k->cfg.availability_topic,
                           &k->cfg.ha_prefix, &k->cfg.ha_node_id};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        free((char *)*strs[i]);
    free(k);
    free(s);
}

static const mdc_sink_ops mqtt_ops = {
    .type = "mqtt",
    .open = m_open,
    .write = m_write,
    .close = m_close,
    .destroy = m_destroy,
    .catalog = m_catalog,
};

static const char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

mdc_sink *mdc_sink_mqtt_new(const mdc_mqtt_sink_cfg *cfg)
{
    mqtt_sink *k = xcalloc(1, sizeof *k);
    k->cfg = *cfg;
    k->cfg.topic = xstrdup(cfg->topic);
    k->cfg.status_topic = dup_or_null(cfg->status_topic);
    k->cfg.availability_topic = dup_or_null(cfg->availability_topic);
    k->cfg.ha_prefix = dup_or_null(cfg->ha_prefix);
    k->cfg.ha_node_id = dup_or_null(cfg->ha_node_id);
    k->conn = mdc_mqtt_conn_new(&cfg->conn);
    k->cfg.conn = *mdc_mqtt_conn_config(k->conn); /* borrowed from the connection */
    k->ha = (mdc_ha_ctx){.prefix = k->cfg.ha_prefix,
                         .node_id = k->cfg.ha_node_id,
                         .availability_topic = k->cfg.availability_topic,
                         .topic = k->cfg.topic,
                         .status_topic = k->cfg.status_topic,
                         .per_point = k->cfg.per == MDC_MQTT_PER_POINT,
                         .qos = k->cfg.qos};
    strbuf id = STRBUF_INIT;
    const char *host = cfg->conn.host;
    bool v6 = strchr(host, ':') != NULL;
    sb_printf(&id, "mqtt:%s%s%s:%d/%s", v6 ? "[" : "", host, v6 ? "]" : "", cfg->conn.port,
              cfg->topic);
    mdc_sink *s = mdc_sink_new(&mqtt_ops, sb_str(&id), k);
    sb_free(&id);
    return s;
}
