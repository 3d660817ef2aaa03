/* SPDX-License-Identifier: Apache-2.0 */
/* opcua_bus.c — the "opcua" driver's connection: connect (certificate, trust, session), poll
 * by Read or from the subscription's latest values, and reconnect by itself with a capped,
 * jittered backoff, keeping the session and subscription when the server still has them. */
#include "opcua_internal.h"
#include "ua_services.h"
#include "ua_text.h"

#include "core/clock.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

#define RETRY_BASE_US (250 * 1000LL)
#define RETRY_CAP_US  (5 * MDC_US_PER_SEC)

static int check_cert(void *arg, const void *der, size_t n, mdc_err *err)
{
    const opcua_cfg *c = arg;
    ua_url u;
    char server[300] = "";
    if (ua_url_parse(c->endpoint, &u, err) == 0)
        snprintf(server, sizeof server, "%s:%d", u.host, u.port);
    return ua_pki_check(c->pki_dir, c->trust, server, der, n, err);
}

static int load_certificate(opcua_bus *b, mdc_err *err)
{
    const opcua_cfg *c = b->cfg;
    bool created;
    if (b->have_own) return 0;
    if (c->policy->id == UA_POLICY_NONE && !c->user) return 0; /* nothing to sign or encrypt */
    if (mdc_opcua_cert_ensure(c->pki_dir, c->app_uri, &created, err) < 0 ||
        ua_own_cert_load(c->pki_dir, &b->own, err) < 0)
        return -1;
    b->have_own = true;
    return 0;
}

static ua_client_cfg client_cfg(opcua_bus *b)
{
    const opcua_cfg *c = b->cfg;
    ua_client_cfg cc = {
        .endpoint_url = c->endpoint,
        .policy = c->policy,
        .mode = c->mode,
        .user = c->user,
        .password = c->password,
        .allow_plain_password = c->allow_plain_password,
        .user_cert = c->have_user_cert ? c->user_cert.der.buf : NULL,
        .user_cert_len = c->user_cert.der.len,
        .user_key = c->user_cert.key,
        .app_name = "mdc",
        .session_name = c->id,
        .timeout_us = c->timeout_us,
        .lifetime_ms = (uint32_t)(c->lifetime_us / 1000),
        .session_timeout_ms = (double)(c->session_timeout_us / 1000),
        .recv_buffer = c->buffer_size,
        .check_cert = check_cert,
        .check_arg = (void *)c,
        .identity = {.skip_hostname = !c->verify_hostname,
                     .skip_app_uri = !c->verify_app_uri,
                     .hostname_hint = "set \"verify_hostname\": false",
                     .app_uri_hint = "set \"verify_application_uri\": false"},
    };
    if (b->have_own) {
        cc.own_key = b->own.key;
        cc.own_cert = b->own.der.buf;
        cc.own_cert_len = b->own.der.len;
        cc.app_uri = b->own.app_uri;
    }
    return cc;
}

/* Node ids with "nsu=" resolved against this session's NamespaceArray. */
static int resolve_nodes(opcua_bus *b, mdc_err *err)
{
    const opcua_cfg *c = b->cfg;
    for (size_t i = 0; i < c->nnodes; i++) {
        ua_nodeid_clear(&b->ids[i]);
        ua_nodeid_copy(&b->ids[i], &c->nodes[i].id);
        if (!c->nodes[i].ns_uri) continue;
        int ns = ua_client_namespace_index(b->client, c->nodes[i].ns_uri, err);
        if (ns < 0) return mdc_err_prefix(err, "node %s", c->nodes[i].name);
        b->ids[i].ns = (uint16_t)ns;
    }
    return 0;
}

static void on_value(void *arg, size_t i, const ua_datavalue *dv)
{
    opcua_bus *b = arg;
    ua_datavalue_clear(&b->last[i]);
    strbuf w = STRBUF_INIT; /* a deep copy through the codec keeps ownership simple */
    ua_put_datavalue(&w, dv);
    ua_r r;
    ua_r_init(&r, w.buf, w.len);
    if (ua_get_datavalue(&r, &b->last[i]) == 0) b->have[i] = true;
    sb_free(&w);
}

static int subscribe(opcua_bus *b, mdc_err *err)
{
    const opcua_cfg *c = b->cfg;
    size_t n = c->nnodes;
    ua_datavalue *init = xcalloc(n, sizeof *init);
    int rc = ua_read(b->client, b->ids, n, UA_ATTR_VALUE, b->max_per_read, init, err);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0) on_value(b, i, &init[i]);
        ua_datavalue_clear(&init[i]);
    }
    free(init);
    if (rc < 0) return -1;
    ua_sub_item_cfg *items = xcalloc(n, sizeof *items);
    for (size_t i = 0; i < n; i++)
        items[i] = (ua_sub_item_cfg){b->ids[i], (double)c->sampling_us / 1000.0, c->queue_size,
                                     c->deadband_type, c->deadband};
    ua_sub_params p = {.publish_ms = (double)c->publishing_us / 1000.0,
                       .keepalive_count = 10,
                       .lifetime_count = 60,
                       .max_per_call = b->max_per_call};
    rc = ua_sub_create(b->client, &p, items, n, on_value, b, &b->sub, err);
    free(items);
    return rc;
}

static int connect_fresh(opcua_bus *b, mdc_err *err)
{
    ua_client_cfg cc = client_cfg(b);
    if (ua_client_connect(&cc, &b->client, err) < 0) return -1;
    if (resolve_nodes(b, err) < 0) return -1;
    b->max_per_read = ua_read_limit(b->client, UA_NS0_MAX_NODES_PER_READ);
    b->max_per_call = ua_read_limit(b->client, UA_NS0_MAX_MONITORED_PER_CALL);
    if (b->cfg->collect == OPCUA_SUBSCRIBE) return subscribe(b, err);
    return 0;
}

static int reconnect(opcua_bus *b, mdc_err *err)
{
    bool new_session;
    if (!b->client) return connect_fresh(b, err);
    if (ua_client_reconnect(b->client, &new_session, err) < 0) return -1;
    if (new_session && resolve_nodes(b, err) < 0) return -1;
    if (b->sub) return ua_sub_resume(b->sub, new_session, err);
    if (b->cfg->collect == OPCUA_SUBSCRIBE) return subscribe(b, err);
    return 0;
}

static void mark_down(opcua_bus *b, const mdc_err *err)
{
    b->down = true;
    snprintf(b->last_error, sizeof b->last_error, "%s", err->msg);
    if (b->client) ua_client_drop(b->client);
}

int opcua_bus_ready(opcua_bus *b, mdc_err *err)
{
    int64_t now = mdc_mono_us();
    if (!b->down && b->client && ua_client_connected(b->client)) return 0;
    if (!b->down) b->retry_at_us = 0; /* just lost: try at once */
    if (now < b->retry_at_us) return mdc_err_set(err, MDC_EIO, "%s", b->last_error);
    if (reconnect(b, err) == 0) {
        b->down = false;
        mdc_backoff_reset(&b->backoff);
        b->last_request_us = mdc_mono_us();
        return 0;
    }
    mark_down(b, err);
    b->retry_at_us = mdc_mono_us() + mdc_backoff_next(&b->backoff);
    return -1;
}

int opcua_bus_open(const void *cfgp, void **out, mdc_err *err)
{
    const opcua_cfg *c = cfgp;
    opcua_bus *b = xcalloc(1, sizeof *b);
    b->cfg = c;
    b->ids = xcalloc(c->nnodes, sizeof *b->ids);
    b->last = xcalloc(c->nnodes, sizeof *b->last);
    b->have = xcalloc(c->nnodes, sizeof *b->have);
    mdc_backoff_init(&b->backoff, RETRY_BASE_US, RETRY_CAP_US,
                     (uint64_t)(uintptr_t)b ^ (uint64_t)mdc_mono_us());
    if (load_certificate(b, err) < 0 || connect_fresh(b, err) < 0) {
        opcua_bus_close(b);
        return -1;
    }
    b->last_request_us = mdc_mono_us();
    *out = b;
    return 0;
}

void opcua_bus_close(void *p)
{
    opcua_bus *b = p;
    if (!b) return;
    ua_sub_free(b->sub);
    ua_client_free(b->client);
    for (size_t i = 0; i < b->cfg->nnodes; i++) {
        ua_nodeid_clear(&b->ids[i]);
        ua_datavalue_clear(&b->last[i]);
    }
    free(b->ids);
    free(b->last);
    free(b->have);
    if (b->have_own) ua_own_cert_free(&b->own);
    free(b);
}

bool opcua_bus_broken(void *p)
{
    (void)p;
    return false; /* the bus reconnects by itself (keeping its session) */
}

/* ---- poll ---- */

static void fill_fields(opcua_bus *b, const ua_datavalue *values, const bool *have, mdc_record *rec)
{
    const opcua_cfg *c = b->cfg;
    for (size_t i = 0; i < c->nnodes; i++) {
        mdc_field *f = mdc_record_add(rec, c->nodes[i].name);
        mdc_field *t = c->source_timestamps ? mdc_record_add(rec, c->owned_fields[i]) : NULL;
        uint32_t st = b->sub ? ua_sub_item_status(b->sub, i) : 0;
        char buf[96];
        if (st >> 30) {
            mdc_field_set_error(f, ua_status_text(st, buf, sizeof buf));
        } else if (have && !have[i]) {
            mdc_field_set_error(f, "no value received yet");
        } else {
            opcua_set_field(f, &values[i]);
        }
        if (t) opcua_set_time_field(t, &values[i]);
    }
}

static int poll_read(opcua_bus *b, mdc_record *rec, mdc_err *err)
{
    size_t n = b->cfg->nnodes;
    ua_datavalue *dv = xcalloc(n, sizeof *dv);
    int rc = ua_read(b->client, b->ids, n, UA_ATTR_VALUE, b->max_per_read, dv, err);
    b->last_request_us = mdc_mono_us();
    if (rc == 0) fill_fields(b, dv, NULL, rec);
    for (size_t i = 0; i < n; i++)
        ua_datavalue_clear(&dv[i]);
    free(dv);
    if (rc < 0) mark_down(b, err);
    return rc;
}

int opcua_poll(void *p, const void *cfgp, mdc_record *rec, mdc_err *err)
{
    opcua_bus *b = p;
    (void)cfgp;
    if (opcua_bus_ready(b, err) < 0) return -1;
    if (b->cfg->collect == OPCUA_READ) return poll_read(b, rec, err);
    if (ua_sub_run(b->sub, mdc_mono_us(), err) < 0) { /* take what has arrived */
        mark_down(b, err);
        return -1;
    }
    fill_fields(b, b->last, b->have, rec);
    return 0;
}

/* ---- between polls ---- */

static void keep_session_alive(opcua_bus *b, int64_t until)
{
    mdc_err err;
    int64_t quiet = mdc_mono_us() - b->last_request_us;
    if (quiet > b->cfg->session_timeout_us / 3) {
        ua_nodeid state = ua_nodeid_numeric(0, UA_NS0_SERVER_STATE);
        ua_datavalue dv = {0};
        if (ua_read(b->client, &state, 1, UA_ATTR_VALUE, 0, &dv, &err) < 0) mark_down(b, &err);
        ua_datavalue_clear(&dv);
        b->last_request_us = mdc_mono_us();
        if (b->down) return;
    }
    if (ua_client_pump(b->client, until, &err) < 0) mark_down(b, &err);
}

void opcua_idle(void *p, int64_t until)
{
    opcua_bus *b = p;
    mdc_err err;
    if (b->down || !b->client || !ua_client_connected(b->client)) {
        int64_t wake = b->retry_at_us < until ? b->retry_at_us : until;
        if (mdc_mono_us() < wake) mdc_sleep_us(wake - mdc_mono_us());
        if (mdc_mono_us() < b->retry_at_us || opcua_bus_ready(b, &err) < 0) {
            if (mdc_mono_us() < until) mdc_sleep_us(until - mdc_mono_us());
            return;
        }
    }
    if (b->cfg->collect == OPCUA_READ) {
        keep_session_alive(b, until);
        return;
    }
    if (ua_sub_run(b->sub, until, &err) < 0) mark_down(b, &err);
}
