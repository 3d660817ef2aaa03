/* SPDX-License-Identifier: Apache-2.0 */
/* ua_session.c — CreateSession, ActivateSession with the identity token, CloseSession
 * (Part 4 §5.6). The password is encrypted with the server certificate as the legacy
 * encrypted secret (length, password, last server nonce; RSA-OAEP SHA-1) whenever the token
 * policy names a security policy, even on a None channel. A user certificate is proven by
 * signing the server certificate and nonce with the user's key. */
#include "ua_client_internal.h"
#include "ua_service.h"
#include "ua_text.h"
#include "ua_token.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#define CLIENT_NONCE_LEN 32

void ua_session_forget(ua_client *c)
{
    ua_nodeid_clear(&c->session_id);
    ua_nodeid_clear(&c->auth_token);
    ua_string_clear(&c->server_nonce);
    c->have_session = false;
    for (int32_t i = 0; i < c->nnamespaces; i++) /* indexes may change with a new session */
        free(c->namespaces[i]);
    free(c->namespaces);
    c->namespaces = NULL;
    c->nnamespaces = 0;
}

static void put_client_description(ua_client *c, strbuf *w)
{
    ua_ltext name = {{-1, NULL}, {(int32_t)strlen(c->app_name), c->app_name}};
    ua_put_cstr(w, c->app_uri);
    ua_put_cstr(w, "urn:mdc"); /* ProductUri */
    ua_put_ltext(w, &name);
    ua_put_i32(w, 1);     /* ApplicationType: Client */
    ua_put_cstr(w, NULL); /* GatewayServerUri */
    ua_put_cstr(w, NULL); /* DiscoveryProfileUri */
    ua_put_i32(w, -1);    /* DiscoveryUrls */
}

static bool channel_secured(const ua_client *c)
{
    return c->cfg.policy->id != UA_POLICY_NONE;
}

/* The server proves it holds its key: RSA-SHA256 over our certificate and nonce. */
static int check_server_signature(ua_client *c, const ua_string *alg, const ua_string *sig,
                                  const uint8_t *nonce, mdc_err *err)
{
    if (!channel_secured(c)) return 0;
    X509 *x;
    EVP_PKEY *pub;
    if (!sig->data || !alg->data || strcmp(alg->data, UA_SIG_ALG_RSA_SHA256) != 0)
        return mdc_err_set(err, MDC_EPROTO, "CreateSession: missing server signature");
    if (ua_cert_parse(c->ep.server_cert.data, (size_t)c->ep.server_cert.len, &x, &pub, err) < 0)
        return -1;
    strbuf data = STRBUF_INIT;
    sb_append(&data, c->cfg.own_cert, c->cfg.own_cert_len);
    sb_append(&data, (const char *)nonce, CLIENT_NONCE_LEN);
    int rc = ua_rsa_verify(pub, data.buf, data.len, sig->data, (size_t)sig->len, err);
    if (rc < 0) mdc_err_prefix(err, "CreateSession: server signature");
    sb_free(&data);
    X509_free(x);
    EVP_PKEY_free(pub);
    return rc;
}

static int skip_endpoints(ua_r *r)
{
    int32_t n;
    if (ua_get_i32(r, &n) < 0) return -1;
    for (int32_t i = 0; i < n; i++) {
        ua_endpoint e;
        int rc = ua_get_endpoint(r, &e);
        ua_endpoint_clear(&e);
        if (rc < 0) return -1;
    }
    return 0;
}

static int skip_software_certs(ua_r *r)
{
    int32_t n;
    const ua_type *bs = ua_type_of(UA_BYTESTRING);
    if (ua_get_i32(r, &n) < 0) return -1;
    for (int32_t i = 0; i < n; i++)
        if (ua_skip(r, bs) < 0 || ua_skip(r, bs) < 0) return -1;
    return 0;
}

static int parse_create_response(ua_client *c, const ua_msg *m, const uint8_t *nonce, mdc_err *err)
{
    ua_r r;
    uint32_t status, max_request;
    ua_string cert = {-1, NULL}, alg = {-1, NULL}, sig = {-1, NULL};
    ua_r_init(&r, m->body.buf, m->body.len);
    if (ua_response_begin(&r, UA_ID_CREATE_SESSION_RESP, "CreateSession", &status, err) < 0)
        return -1;
    int rc = ua_get_nodeid(&r, &c->session_id) || ua_get_nodeid(&r, &c->auth_token) ||
                     ua_get_f64(&r, &c->session_timeout_ms) ||
                     ua_get_string(&r, &c->server_nonce) || ua_get_string(&r, &cert) ||
                     skip_endpoints(&r) || skip_software_certs(&r) || ua_get_string(&r, &alg) ||
                     ua_get_string(&r, &sig) || ua_get_u32(&r, &max_request)
                 ? mdc_err_set(err, MDC_EPROTO, "CreateSession: malformed response (%s)",
                               r.why ? r.why : "?")
                 : 0;
    if (rc == 0 && channel_secured(c) && !ua_string_eq(&cert, &c->ep.server_cert))
        rc = mdc_err_set(err, MDC_EPROTO,
                         "CreateSession: the server certificate differs from its endpoint's");
    if (rc == 0) rc = check_server_signature(c, &alg, &sig, nonce, err);
    ua_string_clear(&cert);
    ua_string_clear(&alg);
    ua_string_clear(&sig);
    return rc;
}

int ua_session_create(ua_client *c, mdc_err *err)
{
    uint8_t nonce[CLIENT_NONCE_LEN];
    strbuf w = STRBUF_INIT;
    ua_msg resp;
    ua_session_forget(c);
    if (ua_random(nonce, sizeof nonce, err) < 0) return -1;
    ua_client_begin(c, &w, UA_ID_CREATE_SESSION_REQ, 0);
    put_client_description(c, &w);
    ua_put_cstr(&w, NULL); /* ServerUri */
    ua_put_cstr(&w, c->url);
    ua_put_cstr(&w, c->session_name);
    ua_put_bytes(&w, nonce, sizeof nonce);
    if (channel_secured(c))
        ua_put_bytes(&w, c->cfg.own_cert, (int32_t)c->cfg.own_cert_len);
    else
        ua_put_bytes(&w, NULL, -1);
    ua_put_f64(&w, c->cfg.session_timeout_ms);
    ua_put_u32(&w, 0); /* MaxResponseMessageSize: no limit */
    int rc = ua_client_call(c, &w, &resp, err);
    if (rc == 0) rc = parse_create_response(c, &resp, nonce, err);
    ua_msg_free(&resp);
    sb_free(&w);
    if (rc < 0) {
        ua_session_forget(c);
        return -1;
    }
    c->have_session = true;
    c->stats.sessions++;
    return 0;
}

/* ---- ActivateSession ---- */

static int put_client_signature(ua_client *c, strbuf *w, mdc_err *err)
{
    if (!channel_secured(c)) {
        ua_put_no_signature(w);
        return 0;
    }
    return ua_put_signature(w, c->cfg.own_key, c->ep.server_cert.data,
                            (size_t)c->ep.server_cert.len, c->server_nonce.data,
                            c->server_nonce.data ? (size_t)c->server_nonce.len : 0, err);
}

static const ua_policy *secret_policy(const ua_client *c, const ua_token_policy *t)
{
    if (t->policy_uri.data && t->policy_uri.len > 0) return ua_policy_by_uri(t->policy_uri.data);
    return c->cfg.policy;
}

/* The token policy to use for a token type, preferring one whose security policy we
 * implement (every RSA policy here uses RSA-OAEP SHA-1 for secrets and RSA-SHA256 to sign);
 * a user certificate also needs a policy that signs (not None). */
static const ua_token_policy *pick_token(const ua_client *c, int32_t type)
{
    const ua_token_policy *any = NULL;
    for (int32_t i = 0; i < c->ep.ntokens; i++) {
        const ua_token_policy *t = &c->ep.tokens[i];
        if (t->type != type) continue;
        const ua_policy *p = secret_policy(c, t);
        if (p && (type != UA_TOKEN_CERTIFICATE || p->id != UA_POLICY_NONE)) return t;
        if (!any) any = t;
    }
    return any;
}

static int encrypt_password(ua_client *c, strbuf *out, mdc_err *err)
{
    X509 *x;
    EVP_PKEY *pub;
    size_t plen = strlen(c->password);
    int32_t nlen = c->server_nonce.data ? c->server_nonce.len : 0;
    if (ua_cert_parse(c->ep.server_cert.data, (size_t)c->ep.server_cert.len, &x, &pub, err) < 0)
        return -1;
    strbuf plain = STRBUF_INIT;
    ua_put_u32(&plain, (uint32_t)(plen + (size_t)nlen));
    sb_append(&plain, c->password, plen);
    if (nlen) sb_append(&plain, c->server_nonce.data, (size_t)nlen);
    int rc = ua_rsa_encrypt(pub, plain.buf, plain.len, out, err);
    OPENSSL_cleanse(plain.buf, plain.len);
    sb_free(&plain);
    X509_free(x);
    EVP_PKEY_free(pub);
    return rc;
}

static int put_username_token(ua_client *c, const ua_token_policy *t, strbuf *w, mdc_err *err)
{
    const ua_policy *p = secret_policy(c, t);
    strbuf body = STRBUF_INIT, secret = STRBUF_INIT;
    int rc = 0;
    if (!p)
        return mdc_err_set(err, MDC_EINVAL,
                           "the server wants the password secured with %s, which is not "
                           "supported",
                           t->policy_uri.data);
    if (p->id == UA_POLICY_NONE && !c->cfg.allow_plain_password &&
        c->cfg.mode != UA_MODE_SIGN_ENCRYPT)
        return mdc_err_set(err, MDC_EINVAL,
                           "the server's user token policy would send the password of user "
                           "\"%s\" unencrypted; use security mode SignAndEncrypt or allow "
                           "plaintext passwords explicitly",
                           c->user);
    ua_put_string(&body, &t->policy_id);
    ua_put_cstr(&body, c->user);
    if (p->id == UA_POLICY_NONE) {
        ua_put_bytes(&body, c->password, (int32_t)strlen(c->password));
        ua_put_cstr(&body, NULL);
    } else {
        rc = encrypt_password(c, &secret, err);
        ua_put_bytes(&body, secret.buf, (int32_t)secret.len);
        ua_put_cstr(&body, UA_ENC_ALG_RSA_OAEP);
    }
    if (rc == 0) ua_put_token(w, UA_ID_USERNAME_TOKEN, &body);
    OPENSSL_cleanse(body.buf, body.len);
    sb_free(&body);
    sb_free(&secret);
    return rc;
}

static int32_t token_type(const ua_client *c)
{
    if (c->user) return UA_TOKEN_USERNAME;
    return c->cfg.user_cert ? UA_TOKEN_CERTIFICATE : UA_TOKEN_ANONYMOUS;
}

/* The user's proof of possession: the token policy's asymmetric signature with the user's
 * key over the server certificate and nonce (Part 4 §5.6.3); none for other tokens. */
static int put_user_signature(ua_client *c, const ua_token_policy *t, strbuf *w, mdc_err *err)
{
    if (token_type(c) != UA_TOKEN_CERTIFICATE) {
        ua_put_no_signature(w);
        return 0;
    }
    const ua_policy *p = secret_policy(c, t);
    if (!p || p->id == UA_POLICY_NONE)
        return mdc_err_set(err, MDC_EINVAL,
                           "the server's user certificate token policy \"%s\" names security "
                           "policy %s, with which a user certificate cannot be proven; use a "
                           "secure endpoint",
                           t->policy_id.data ? t->policy_id.data : "",
                           p ? "None" : t->policy_uri.data);
    return ua_put_signature(w, c->cfg.user_key, c->ep.server_cert.data,
                            (size_t)c->ep.server_cert.len, c->server_nonce.data,
                            c->server_nonce.data ? (size_t)c->server_nonce.len : 0, err);
}

/* UserIdentityToken and UserTokenSignature. */
static int put_identity(ua_client *c, strbuf *w, mdc_err *err)
{
    static const char *const wanted[] = {"anonymous users", "user names", "user certificates"};
    int32_t type = token_type(c);
    const ua_token_policy *t = pick_token(c, type);
    if (!t) return mdc_err_set(err, MDC_EINVAL, "the endpoint does not accept %s", wanted[type]);
    int rc = 0;
    if (type == UA_TOKEN_USERNAME) {
        rc = put_username_token(c, t, w, err);
    } else if (type == UA_TOKEN_CERTIFICATE) {
        ua_put_x509_token(w, &t->policy_id, c->cfg.user_cert, c->cfg.user_cert_len);
    } else {
        strbuf body = STRBUF_INIT;
        ua_put_string(&body, &t->policy_id);
        ua_put_token(w, UA_ID_ANONYMOUS_TOKEN, &body);
        sb_free(&body);
    }
    return rc < 0 ? -1 : put_user_signature(c, t, w, err);
}

static int activate_error(ua_client *c, uint32_t status, mdc_err *err)
{
    char buf[96];
    ua_status_text(status, buf, sizeof buf);
    if (status == UA_BAD_USER_ACCESS_DENIED || status == UA_BAD_IDENTITY_TOKEN_REJECTED ||
        status == UA_BAD_IDENTITY_TOKEN_INVALID || status == UA_BAD_USER_SIGNATURE_INVALID) {
        if (c->user)
            return mdc_err_set(err, MDC_EAUTH, "login as user \"%s\" rejected: %s", c->user, buf);
        if (c->cfg.user_cert)
            return mdc_err_set(err, MDC_EAUTH,
                               "login with user certificate \"%s\" (thumbprint %s) rejected: "
                               "%s; the server must trust that certificate",
                               c->user_cert_name, c->user_cert_thumb, buf);
        return mdc_err_set(err, MDC_EAUTH, "anonymous login rejected: %s", buf);
    }
    err->code = MDC_EDEVICE;
    return -1;
}

static int parse_activate_response(ua_client *c, const ua_msg *m, mdc_err *err)
{
    ua_r r;
    uint32_t status;
    ua_r_init(&r, m->body.buf, m->body.len);
    if (ua_response_begin(&r, UA_ID_ACTIVATE_SESSION_RESP, "ActivateSession", &status, err) < 0)
        return status ? activate_error(c, status, err) : -1;
    ua_string nonce = {-1, NULL};
    if (ua_get_string(&r, &nonce) < 0)
        return mdc_err_set(err, MDC_EPROTO, "ActivateSession: malformed response");
    ua_string_clear(&c->server_nonce);
    c->server_nonce = nonce;
    return 0;
}

int ua_session_activate(ua_client *c, mdc_err *err)
{
    strbuf w = STRBUF_INIT;
    ua_msg resp = {0};
    int rc = 0;
    ua_client_begin(c, &w, UA_ID_ACTIVATE_SESSION_REQ, 0);
    rc = put_client_signature(c, &w, err);
    ua_put_i32(&w, -1); /* ClientSoftwareCertificates */
    ua_put_i32(&w, -1); /* LocaleIds */
    if (rc == 0) rc = put_identity(c, &w, err);
    if (rc == 0) rc = ua_client_call(c, &w, &resp, err);
    if (rc == 0) rc = parse_activate_response(c, &resp, err);
    ua_msg_free(&resp);
    OPENSSL_cleanse(w.buf, w.len);
    sb_free(&w);
    return rc;
}

void ua_session_close(ua_client *c)
{
    strbuf w = STRBUF_INIT;
    ua_msg resp;
    mdc_err ignored;
    ua_client_begin(c, &w, UA_ID_CLOSE_SESSION_REQ, 2000);
    ua_put_bool(&w, true); /* DeleteSubscriptions */
    if (ua_client_call(c, &w, &resp, &ignored) == 0) ua_msg_free(&resp);
    sb_free(&w);
    ua_session_forget(c);
}
