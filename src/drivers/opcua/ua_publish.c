/* SPDX-License-Identifier: Apache-2.0 */
/* ua_publish.c — the Publish loop: outstanding requests carrying acknowledgements, responses
 * decoded into value callbacks, keep-alives watched (Part 4 §5.13.5). */
#include "ua_service.h"
#include "ua_sub_internal.h"
#include "ua_text.h"

#include "core/clock.h"

#include <string.h>

int ua_sub_publish_init(ua_sub *s)
{
    s->outstanding = 0;
    s->target = s->p.publish_requests;
    s->failure = 0;
    s->last_heard_us = mdc_mono_us();
    ua_client_set_async(s->c, ua_sub_on_response, s);
    return 0;
}

static int64_t keepalive_us(const ua_sub *s)
{
    return (int64_t)(s->publish_ms * 1000.0) * (int64_t)s->keepalive_count;
}

static void add_ack(ua_sub *s, uint32_t seq)
{
    if (s->nacks == UA_MAX_ACKS) { /* drop the oldest; the server keeps it a while */
        memmove(s->acks, s->acks + 1, (UA_MAX_ACKS - 1) * sizeof s->acks[0]);
        s->nacks--;
    }
    s->acks[s->nacks++] = seq;
}

/* ---- notifications ---- */

static int data_change(ua_sub *s, ua_r *r)
{
    int32_t n;
    if (ua_get_i32(r, &n) < 0) return -1;
    for (int32_t i = 0; i < n; i++) {
        uint32_t handle;
        ua_datavalue dv;
        int rc = ua_get_u32(r, &handle) || ua_get_datavalue(r, &dv);
        if (rc == 0 && handle < s->n) {
            s->fn(s->arg, handle, &dv);
            s->stats.values++;
        }
        ua_datavalue_clear(&dv);
        if (rc) return -1;
    }
    return 0; /* DiagnosticInfos ignored */
}

static int status_change(ua_sub *s, ua_r *r)
{
    uint32_t status;
    if (ua_get_u32(r, &status) < 0) return -1;
    if (status >> 30) s->failure = status; /* e.g. BadTimeout: the subscription expired */
    return 0;
}

static int notification_data(ua_sub *s, const ua_extobj *e)
{
    if (e->encoding != UA_EXT_BINARY || e->type_id.kind != UA_NID_NUMERIC || e->type_id.ns)
        return 0;
    ua_r r;
    ua_r_init(&r, e->body.data, e->body.data ? (size_t)e->body.len : 0);
    if (e->type_id.num == UA_ID_DATA_CHANGE_NOTIFICATION) return data_change(s, &r);
    if (e->type_id.num == UA_ID_STATUS_CHANGE_NOTIFICATION) return status_change(s, &r);
    return 0; /* events are not used */
}

int ua_sub_notification(ua_sub *s, ua_r *r)
{
    uint32_t seq;
    int64_t publish_time;
    int32_t n;
    if (ua_get_u32(r, &seq) || ua_get_i64(r, &publish_time) || ua_get_i32(r, &n)) return -1;
    if (n <= 0) {
        s->stats.keepalives++;
        return 0; /* a keep-alive: carries the next number, not to be acknowledged */
    }
    for (int32_t i = 0; i < n; i++) {
        ua_extobj e;
        int rc = ua_get_extobj(r, &e);
        if (rc == 0) rc = notification_data(s, &e);
        ua_extobj_clear(&e);
        if (rc < 0) return -1;
    }
    s->stats.data_messages++;
    add_ack(s, seq);
    s->last_seq = seq;
    s->have_seq = true;
    return 0;
}

static bool session_gone(uint32_t status)
{
    return status == UA_BAD_SESSION_ID_INVALID || status == UA_BAD_SESSION_CLOSED ||
           status == UA_BAD_SESSION_NOT_ACTIVATED;
}

void ua_sub_on_response(void *arg, uint32_t request_id, const ua_msg *m)
{
    ua_sub *s = arg;
    ua_r r;
    uint32_t status, sub_id;
    mdc_err e;
    (void)request_id;
    if (s->outstanding > 0) s->outstanding--;
    s->last_heard_us = mdc_mono_us();
    ua_r_init(&r, m->body.buf, m->body.len);
    if (m->abort_status) return;
    if (ua_response_begin(&r, UA_ID_PUBLISH_RESP, "Publish", &status, &e) < 0) {
        if (status == UA_BAD_TOO_MANY_PUBLISH_REQUESTS && s->target > 1)
            s->target--;
        else if (status == UA_BAD_NO_SUBSCRIPTION || status == UA_BAD_SUBSCRIPTION_ID_INVALID ||
                 session_gone(status))
            s->failure = status;
        return; /* BadTimeout etc.: the next request replaces it */
    }
    if (ua_get_u32(&r, &sub_id) < 0 || ua_skip_array(&r, ua_type_of(UA_UINT32)) < 0 ||
        ua_skip(&r, ua_type_of(UA_BOOLEAN)) < 0)
        return;
    if (sub_id == s->id) ua_sub_notification(s, &r);
}

/* ---- the loop ---- */

static int send_publish(ua_sub *s, mdc_err *err)
{
    strbuf w = STRBUF_INIT;
    uint32_t id;
    int64_t hold_ms = keepalive_us(s) / 1000 * (s->target + 1) + ua_client_timeout_us(s->c) / 1000;
    ua_client_begin(s->c, &w, UA_ID_PUBLISH_REQ,
                    (uint32_t)(hold_ms > 0x7FFFFFFF ? 0x7FFFFFFF : hold_ms));
    ua_put_i32(&w, s->nacks);
    for (int i = 0; i < s->nacks; i++) {
        ua_put_u32(&w, s->id);
        ua_put_u32(&w, s->acks[i]);
    }
    int rc = ua_client_send_async(s->c, &w, &id, err);
    sb_free(&w);
    if (rc < 0) return -1;
    s->nacks = 0;
    s->outstanding++;
    return 0;
}

static int fail_status(ua_sub *s, mdc_err *err)
{
    char buf[96];
    return mdc_err_set(err, MDC_EDEVICE, "subscription ended: %s",
                       ua_status_text(s->failure, buf, sizeof buf));
}

int ua_sub_run(ua_sub *s, int64_t deadline, mdc_err *err)
{
    for (;;) {
        if (s->failure) return fail_status(s, err);
        while (s->outstanding < s->target)
            if (send_publish(s, err) < 0) return -1;
        int64_t now = mdc_mono_us();
        int64_t silent = now - s->last_heard_us;
        int64_t limit = keepalive_us(s) * 2 + ua_client_timeout_us(s->c);
        if (silent > limit)
            return mdc_err_set(err, MDC_ETIMEOUT, "no keep-alive from the server for %lld ms",
                               (long long)(silent / 1000));
        if (now >= deadline) return 0;
        int64_t step = deadline - now < 100000 ? deadline : now + 100000;
        if (ua_client_pump(s->c, step, err) < 0) return -1;
    }
}
