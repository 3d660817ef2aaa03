/* SPDX-License-Identifier: Apache-2.0 */
/* ua_client.c — connection management and service calls (see ua_client.h). */
#include "ua_client_internal.h"
#include "ua_pki.h"
#include "ua_service.h"
#include "ua_text.h"

#include "core/clock.h"
#include "core/xalloc.h"

#include <openssl/crypto.h>
#include <string.h>

static ua_channel_cfg channel_cfg(const ua_client *c, const ua_policy *p, int mode)
{
    ua_channel_cfg cc = {
        .endpoint_url = c->url,
        .policy = p,
        .mode = mode,
        .own_key = c->cfg.own_key,
        .own_cert = c->cfg.own_cert,
        .own_cert_len = c->cfg.own_cert_len,
        .lifetime_ms = c->cfg.lifetime_ms ? c->cfg.lifetime_ms : 3600000,
        .timeout_us = c->cfg.timeout_us,
        .recv_buffer = c->cfg.recv_buffer,
    };
    if (c->have_ep) {
        cc.server_cert = c->ep.server_cert.data;
        cc.server_cert_len = c->ep.server_cert.data ? (size_t)c->ep.server_cert.len : 0;
    }
    return cc;
}

/* ---- calls ---- */

void ua_client_begin(ua_client *c, strbuf *w, uint32_t type_id, uint32_t timeout_ms)
{
    sb_reset(w);
    ua_put_typeid(w, type_id);
    if (++c->next_handle == 0) c->next_handle = 1;
    ua_put_request_header(w, c->have_session ? &c->auth_token : NULL, c->next_handle,
                          timeout_ms ? timeout_ms : (uint32_t)(c->cfg.timeout_us / 1000));
}

void ua_client_set_async(ua_client *c, ua_async_fn fn, void *arg)
{
    c->async = fn;
    c->async_arg = arg;
}

static void dispatch(ua_client *c, ua_msg *m)
{
    if (c->async) c->async(c->async_arg, m->request_id, m);
    ua_msg_free(m);
}

int ua_client_send_async(ua_client *c, const strbuf *req, uint32_t *request_id, mdc_err *err)
{
    if (!c->ch) return mdc_err_set(err, MDC_ESTATE, "not connected");
    *request_id = ua_channel_next_request_id(c->ch);
    return ua_channel_send(c->ch, *request_id, req, err);
}

int ua_client_call(ua_client *c, const strbuf *req, ua_msg *resp, mdc_err *err)
{
    uint32_t id = 0;
    memset(resp, 0, sizeof *resp);
    if (ua_client_send_async(c, req, &id, err) < 0) return -1;
    int64_t deadline = mdc_mono_us() + c->cfg.timeout_us;
    for (;;) {
        int rc = ua_channel_recv(c->ch, deadline, resp, err);
        if (rc == 1) {
            ua_client_drop(c); /* a silent server: start over on a new connection */
            return mdc_err_set(err, MDC_ETIMEOUT, "no response within %lld ms",
                               (long long)(c->cfg.timeout_us / 1000));
        }
        if (rc < 0) return -1;
        if (resp->request_id != id) {
            dispatch(c, resp);
            continue;
        }
        if (resp->abort_status) {
            char buf[96];
            mdc_err_set(err, MDC_EDEVICE, "response aborted by the server: %s %s",
                        ua_status_text(resp->abort_status, buf, sizeof buf), sb_str(&resp->body));
            ua_msg_free(resp);
            return -1;
        }
        return 0;
    }
}

int ua_client_pump(ua_client *c, int64_t deadline, mdc_err *err)
{
    if (!c->ch) return mdc_err_set(err, MDC_ESTATE, "not connected");
    if (ua_channel_maintain(c->ch, err) < 0) return -1;
    for (;;) {
        ua_msg m;
        int rc = ua_channel_recv(c->ch, deadline, &m, err);
        if (rc == 1) return 0;
        if (rc < 0) return -1;
        dispatch(c, &m);
        if (mdc_mono_us() >= deadline) return 0;
    }
}

/* ---- discovery ---- */

static int get_endpoints(ua_client *c, ua_endpoint **eps, int32_t *n, mdc_err *err)
{
    strbuf w = STRBUF_INIT;
    ua_msg resp;
    ua_client_begin(c, &w, UA_ID_GET_ENDPOINTS_REQ, 0);
    ua_put_cstr(&w, c->url);
    ua_put_i32(&w, -1); /* LocaleIds */
    ua_put_i32(&w, -1); /* ProfileUris */
    int rc = ua_client_call(c, &w, &resp, err);
    if (rc == 0) rc = ua_get_endpoints_response(resp.body.buf, resp.body.len, eps, n, err);
    ua_msg_free(&resp);
    sb_free(&w);
    return rc;
}

static bool needs_server_cert(const ua_client *c)
{
    if (c->cfg.policy->id != UA_POLICY_NONE || c->cfg.user_cert) return true;
    if (!c->user) return false;
    const ua_token_policy *t = ua_endpoint_token(&c->ep, UA_TOKEN_USERNAME);
    return t && t->policy_uri.data && t->policy_uri.len > 0 &&
           ua_policy_by_uri(t->policy_uri.data) != ua_policy_get(UA_POLICY_NONE);
}

/* The certificate names the host we dialled and the ApplicationUri the server claims; checked
 * before trust, so that a certificate for another server is never pinned. */
static int check_identity(ua_client *c, mdc_err *err)
{
    ua_url u;
    if (ua_url_parse(c->url, &u, err) < 0) return -1;
    return ua_server_identity_check(c->ep.server_cert.data, (size_t)c->ep.server_cert.len, u.host,
                                    c->ep.server_uri.data, &c->cfg.identity, err);
}

static int discover(ua_client *c, mdc_err *err)
{
    ua_channel_cfg cc = channel_cfg(c, ua_policy_get(UA_POLICY_NONE), UA_MODE_NONE);
    ua_endpoint *eps = NULL;
    int32_t n = 0;
    if (ua_channel_open(&cc, &c->ch, err) < 0) return -1;
    c->stats.channels++;
    int rc = get_endpoints(c, &eps, &n, err);
    int i = rc < 0 ? -1 : ua_endpoint_select(eps, n, c->cfg.policy->uri, c->cfg.mode, err);
    if (i >= 0) {
        if (c->have_ep) ua_endpoint_clear(&c->ep);
        ua_endpoint_copy(&c->ep, &eps[i]);
        c->have_ep = true;
    }
    ua_endpoints_free(eps, n);
    if (i < 0) return -1;
    if (!needs_server_cert(c)) return 0;
    if (!c->ep.server_cert.data || c->ep.server_cert.len <= 0)
        return mdc_err_set(err, MDC_EPROTO, "the endpoint has no server certificate");
    if (check_identity(c, err) < 0) return -1;
    if (c->cfg.check_cert && c->cfg.check_cert(c->cfg.check_arg, c->ep.server_cert.data,
                                               (size_t)c->ep.server_cert.len, err) < 0)
        return -1;
    return 0;
}

static int open_channel(ua_client *c, mdc_err *err)
{
    if (discover(c, err) < 0) {
        ua_client_drop(c);
        return -1;
    }
    if (c->cfg.policy->id == UA_POLICY_NONE) return 0; /* keep the discovery channel */
    ua_channel_close(c->ch);
    c->ch = NULL;
    ua_channel_cfg cc = channel_cfg(c, c->cfg.policy, c->cfg.mode);
    if (ua_channel_open(&cc, &c->ch, err) < 0)
        return mdc_err_prefix(err, "secure channel %s/%s", c->cfg.policy->name,
                              ua_mode_name(c->cfg.mode));
    c->stats.channels++;
    return 0;
}

/* ---- lifecycle ---- */

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* A user certificate: exclusive with a user name, with its key; named in messages. */
static int check_user_cert(ua_client *c, mdc_err *err)
{
    const ua_client_cfg *cfg = &c->cfg;
    if (!cfg->user_cert) return 0;
    if (cfg->user)
        return mdc_err_set(err, MDC_EINVAL, "give a user name or a user certificate, not both");
    if (!cfg->user_key)
        return mdc_err_set(err, MDC_EINVAL, "the user certificate needs its private key");
    const unsigned char *p = cfg->user_cert;
    X509 *x = d2i_X509(NULL, &p, (long)cfg->user_cert_len);
    if (!x) return mdc_err_set(err, MDC_EINVAL, "the user certificate is not DER X.509");
    ua_cert_common_name(x, c->user_cert_name, sizeof c->user_cert_name);
    X509_free(x);
    ua_thumbprint_hex(cfg->user_cert, cfg->user_cert_len, c->user_cert_thumb);
    return 0;
}

int ua_client_connect(const ua_client_cfg *cfg, ua_client **out, mdc_err *err)
{
    ua_client *c = xcalloc(1, sizeof *c);
    c->cfg = *cfg;
    c->url = xstrdup(cfg->endpoint_url);
    c->user = dup_or_null(cfg->user);
    c->password = dup_or_null(cfg->password ? cfg->password : (cfg->user ? "" : NULL));
    c->app_uri = xstrdup(cfg->app_uri ? cfg->app_uri : "urn:mdc:client");
    c->app_name = xstrdup(cfg->app_name ? cfg->app_name : "mdc");
    c->session_name = xstrdup(cfg->session_name ? cfg->session_name : "mdc");
    c->cfg.timeout_us = cfg->timeout_us > 0 ? cfg->timeout_us : 5000000;
    c->cfg.session_timeout_ms = cfg->session_timeout_ms > 0 ? cfg->session_timeout_ms : 120000;
    c->session_id = ua_nodeid_numeric(0, 0);
    c->auth_token = ua_nodeid_numeric(0, 0);
    c->server_nonce.len = -1;
    *out = NULL;
    if (check_user_cert(c, err) < 0 || open_channel(c, err) < 0 || ua_session_create(c, err) < 0 ||
        ua_session_activate(c, err) < 0) {
        ua_client_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

void ua_client_drop(ua_client *c)
{
    if (!c->ch) return;
    ua_channel_close(c->ch);
    c->ch = NULL;
}

bool ua_client_connected(const ua_client *c)
{
    return c->ch && !ua_channel_broken(c->ch);
}

int ua_client_reconnect(ua_client *c, bool *new_session, mdc_err *err)
{
    *new_session = false;
    ua_client_drop(c);
    if (open_channel(c, err) < 0) return -1;
    if (c->have_session) {
        mdc_err e2;
        if (ua_session_activate(c, &e2) == 0) {
            c->stats.reactivations++;
            return 0;
        }
        if (!ua_client_connected(c)) {
            *err = e2;
            return -1;
        }
        ua_session_forget(c); /* the session is gone: start a new one */
    }
    *new_session = true;
    return ua_session_create(c, err) < 0 || ua_session_activate(c, err) < 0 ? -1 : 0;
}

void ua_client_free(ua_client *c)
{
    if (!c) return;
    if (ua_client_connected(c) && c->have_session) ua_session_close(c);
    ua_client_drop(c);
    ua_session_forget(c);
    if (c->have_ep) ua_endpoint_clear(&c->ep);
    if (c->password) OPENSSL_cleanse(c->password, strlen(c->password));
    free(c->password);
    free(c->user);
    free(c->url);
    free(c->app_uri);
    free(c->app_name);
    free(c->session_name);
    free(c);
}

int64_t ua_client_timeout_us(const ua_client *c)
{
    return c->cfg.timeout_us;
}

double ua_client_session_timeout_ms(const ua_client *c)
{
    return c->session_timeout_ms;
}

const ua_endpoint *ua_client_endpoint(const ua_client *c)
{
    return c->have_ep ? &c->ep : NULL;
}

ua_client_stats ua_client_get_stats(const ua_client *c)
{
    ua_client_stats s = c->stats;
    s.renewals = c->ch ? ua_channel_renewals(c->ch) : 0;
    return s;
}
