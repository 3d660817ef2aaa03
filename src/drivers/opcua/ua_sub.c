/* SPDX-License-Identifier: Apache-2.0 */
/* ua_sub.c — creating a subscription and its monitored items, and recovering it after a
 * reconnection (see ua_sub.h). */
#include "ua_services.h"
#include "ua_service.h"
#include "ua_sub_internal.h"
#include "ua_text.h"

#include "core/clock.h"
#include "core/xalloc.h"

#include <string.h>

/* ---- CreateSubscription ---- */

static int create_subscription(ua_sub *s, mdc_err *err)
{
    strbuf w = STRBUF_INIT;
    ua_msg resp;
    ua_r r;
    uint32_t status;
    ua_client_begin(s->c, &w, UA_ID_CREATE_SUBSCRIPTION_REQ, 0);
    ua_put_f64(&w, s->p.publish_ms);
    ua_put_u32(&w, s->p.lifetime_count);
    ua_put_u32(&w, s->p.keepalive_count);
    ua_put_u32(&w, 0);     /* MaxNotificationsPerPublish */
    ua_put_bool(&w, true); /* PublishingEnabled */
    ua_put_u8(&w, 0);      /* Priority */
    int rc = ua_client_call(s->c, &w, &resp, err);
    sb_free(&w);
    if (rc < 0) return -1;
    ua_r_init(&r, resp.body.buf, resp.body.len);
    rc = ua_response_begin(&r, UA_ID_CREATE_SUBSCRIPTION_RESP, "CreateSubscription", &status, err);
    if (rc == 0 && (ua_get_u32(&r, &s->id) || ua_get_f64(&r, &s->publish_ms) ||
                    ua_get_u32(&r, &s->lifetime_count) || ua_get_u32(&r, &s->keepalive_count)))
        rc = mdc_err_set(err, MDC_EPROTO, "CreateSubscription: malformed response");
    ua_msg_free(&resp);
    return rc;
}

/* ---- CreateMonitoredItems ---- */

static void put_filter(strbuf *w, const ua_sub_item_cfg *it)
{
    if (it->deadband_type == UA_DEADBAND_NONE) {
        ua_put_typeid(w, 0);
        ua_put_u8(w, UA_EXT_NONE);
        return;
    }
    strbuf body = STRBUF_INIT;
    ua_put_u32(&body, 1); /* Trigger: StatusValue */
    ua_put_u32(&body, (uint32_t)it->deadband_type);
    ua_put_f64(&body, it->deadband);
    ua_put_typeid(w, UA_ID_DATA_CHANGE_FILTER);
    ua_put_u8(w, UA_EXT_BINARY);
    ua_put_bytes(w, body.buf, (int32_t)body.len);
    sb_free(&body);
}

static void put_item(strbuf *w, const ua_sub_item_cfg *it, uint32_t handle)
{
    ua_put_nodeid(w, &it->node); /* ReadValueId */
    ua_put_u32(w, UA_ATTR_VALUE);
    ua_put_cstr(w, NULL);
    ua_put_u16(w, 0);
    ua_put_cstr(w, NULL);
    ua_put_u32(w, 2); /* MonitoringMode: Reporting */
    ua_put_u32(w, handle);
    ua_put_f64(w, it->sampling_ms);
    put_filter(w, it);
    ua_put_u32(w, it->queue_size);
    ua_put_bool(w, true); /* DiscardOldest */
}

static int parse_items(ua_sub *s, const ua_msg *m, size_t off, size_t n, mdc_err *err)
{
    ua_r r;
    uint32_t status;
    int32_t count;
    ua_r_init(&r, m->body.buf, m->body.len);
    if (ua_response_begin(&r, UA_ID_CREATE_MONITORED_ITEMS_RESP, "CreateMonitoredItems", &status,
                          err) < 0)
        return -1;
    if (ua_get_i32(&r, &count) < 0 || count != (int32_t)n)
        return mdc_err_set(err, MDC_EPROTO, "CreateMonitoredItems: %d results for %zu items", count,
                           n);
    for (size_t i = 0; i < n; i++) {
        ua_sub_item *it = &s->items[off + i];
        double sampling;
        uint32_t queue;
        ua_extobj filter = {0};
        int rc = ua_get_u32(&r, &it->status) || ua_get_u32(&r, &it->monitored_id) ||
                 ua_get_f64(&r, &sampling) || ua_get_u32(&r, &queue) || ua_get_extobj(&r, &filter);
        ua_extobj_clear(&filter);
        if (rc) return mdc_err_set(err, MDC_EPROTO, "CreateMonitoredItems: malformed result");
    }
    return 0;
}

static int create_items(ua_sub *s, size_t off, size_t n, mdc_err *err)
{
    strbuf w = STRBUF_INIT;
    ua_msg resp;
    ua_client_begin(s->c, &w, UA_ID_CREATE_MONITORED_ITEMS_REQ, 0);
    ua_put_u32(&w, s->id);
    ua_put_u32(&w, 0); /* TimestampsToReturn: Source */
    ua_put_i32(&w, (int32_t)n);
    for (size_t i = 0; i < n; i++)
        put_item(&w, &s->items[off + i].cfg, (uint32_t)(off + i));
    int rc = ua_client_call(s->c, &w, &resp, err);
    sb_free(&w);
    if (rc < 0) return -1;
    rc = parse_items(s, &resp, off, n, err);
    ua_msg_free(&resp);
    return rc;
}

static bool filter_refused(uint32_t status)
{
    uint32_t code = status & 0xFFFF0000u;
    return code == 0x80430000u /* BadMonitoredItemFilterInvalid */ ||
           code == 0x80440000u /* BadMonitoredItemFilterUnsupported */ ||
           code == 0x80450000u /* BadFilterNotAllowed */ ||
           code == 0x808E0000u /* BadDeadbandFilterInvalid */;
}

/* Items whose deadband the server refused (a string node, no EURange for a percent deadband)
 * are monitored without one, each on its own. */
static int retry_without_filter(ua_sub *s, mdc_err *err)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->items[i].cfg.deadband_type == UA_DEADBAND_NONE ||
            !filter_refused(s->items[i].status))
            continue;
        s->items[i].cfg.deadband_type = UA_DEADBAND_NONE;
        if (create_items(s, i, 1, err) < 0) return -1;
    }
    return 0;
}

int ua_sub_create_on_server(ua_sub *s, mdc_err *err)
{
    if (create_subscription(s, err) < 0) return -1;
    size_t step = s->p.max_per_call ? s->p.max_per_call : (s->n ? s->n : 1);
    for (size_t off = 0; off < s->n; off += step)
        if (create_items(s, off, s->n - off < step ? s->n - off : step, err) < 0) return -1;
    if (retry_without_filter(s, err) < 0) return -1;
    return ua_sub_publish_init(s);
}

int ua_sub_create(ua_client *c, const ua_sub_params *p, const ua_sub_item_cfg *items, size_t n,
                  ua_sub_value_fn fn, void *arg, ua_sub **out, mdc_err *err)
{
    ua_sub *s = xcalloc(1, sizeof *s);
    s->c = c;
    s->p = *p;
    if (s->p.publish_requests <= 0) s->p.publish_requests = 2;
    if (s->p.keepalive_count == 0) s->p.keepalive_count = 10;
    if (s->p.lifetime_count < 3 * s->p.keepalive_count)
        s->p.lifetime_count = 3 * s->p.keepalive_count;
    s->items = xcalloc(n ? n : 1, sizeof *s->items);
    s->n = n;
    for (size_t i = 0; i < n; i++) {
        s->items[i].cfg = items[i];
        ua_nodeid_copy(&s->items[i].cfg.node, &items[i].node);
    }
    s->fn = fn;
    s->arg = arg;
    *out = NULL;
    if (ua_sub_create_on_server(s, err) < 0) {
        ua_sub_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

/* ---- recovery ---- */

static int republish_one(ua_sub *s, uint32_t seq, bool *more, mdc_err *err)
{
    strbuf w = STRBUF_INIT;
    ua_msg resp;
    ua_r r;
    uint32_t status;
    ua_client_begin(s->c, &w, UA_ID_REPUBLISH_REQ, 0);
    ua_put_u32(&w, s->id);
    ua_put_u32(&w, seq);
    int rc = ua_client_call(s->c, &w, &resp, err);
    sb_free(&w);
    *more = false;
    if (rc < 0) return -1;
    ua_r_init(&r, resp.body.buf, resp.body.len);
    mdc_err e2;
    if (ua_response_begin(&r, UA_ID_REPUBLISH_RESP, "Republish", &status, &e2) == 0) {
        rc = ua_sub_notification(s, &r);
        *more = rc == 0;
        s->stats.republished++;
    } else if (status != UA_BAD_MESSAGE_NOT_AVAILABLE && status != 0) {
        rc = 0; /* nothing more to recover; not fatal */
    }
    ua_msg_free(&resp);
    return rc < 0 ? mdc_err_set(err, MDC_EPROTO, "Republish: malformed response") : 0;
}

static int republish_missed(ua_sub *s, mdc_err *err)
{
    bool more = s->have_seq;
    for (int i = 0; more && i < 100; i++)
        if (republish_one(s, s->last_seq + 1, &more, err) < 0) return -1;
    return 0;
}

static int transfer(ua_sub *s, bool *ok, mdc_err *err)
{
    strbuf w = STRBUF_INIT;
    ua_msg resp;
    ua_r r;
    uint32_t status, result = 0x80000000u;
    int32_t n = 0;
    ua_client_begin(s->c, &w, UA_ID_TRANSFER_SUBSCRIPTIONS_REQ, 0);
    ua_put_i32(&w, 1);
    ua_put_u32(&w, s->id);
    ua_put_bool(&w, true); /* SendInitialValues */
    int rc = ua_client_call(s->c, &w, &resp, err);
    sb_free(&w);
    *ok = false;
    if (rc < 0) return ua_client_connected(s->c) ? 0 : -1;
    ua_r_init(&r, resp.body.buf, resp.body.len);
    mdc_err e2;
    if (ua_response_begin(&r, UA_ID_TRANSFER_SUBSCRIPTIONS_RESP, "TransferSubscriptions", &status,
                          &e2) == 0 &&
        ua_get_i32(&r, &n) == 0 && n == 1 && ua_get_u32(&r, &result) == 0)
        *ok = !(result >> 30);
    ua_msg_free(&resp);
    return 0;
}

/* The subscription itself ended while the session may live: it expired (a StatusChange such
 * as BadTimeout), or the server answers that there is none. A lost session is not this. */
static bool subscription_lost(uint32_t status)
{
    return status != 0 && status != UA_BAD_SESSION_ID_INVALID && status != UA_BAD_SESSION_CLOSED &&
           status != UA_BAD_SESSION_NOT_ACTIVATED;
}

int ua_sub_resume(ua_sub *s, bool new_session, mdc_err *err)
{
    bool lost = subscription_lost(s->failure);
    ua_client_set_async(s->c, ua_sub_on_response, s);
    s->outstanding = 0; /* requests on the old channel are lost */
    s->failure = 0;
    s->last_heard_us = mdc_mono_us();
    if (!new_session && !lost) return republish_missed(s, err);
    bool ok = false;
    if (new_session && transfer(s, &ok, err) < 0) return -1;
    if (ok) {
        s->stats.transferred++;
        return 0;
    }
    s->have_seq = false;
    s->nacks = 0;
    s->stats.recreated++;
    return ua_sub_create_on_server(s, err);
}

uint32_t ua_sub_item_status(const ua_sub *s, size_t index)
{
    return index < s->n ? s->items[index].status : 0x80000000u;
}

uint32_t ua_sub_id(const ua_sub *s)
{
    return s->id;
}

ua_sub_stats ua_sub_get_stats(const ua_sub *s)
{
    return s->stats;
}

void ua_sub_free(ua_sub *s)
{
    if (!s) return;
    ua_client_set_async(s->c, NULL, NULL);
    for (size_t i = 0; i < s->n; i++)
        ua_nodeid_clear(&s->items[i].cfg.node);
    free(s->items);
    free(s);
}
