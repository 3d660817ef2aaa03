/* SPDX-License-Identifier: Apache-2.0 */
/* ua_client.h — an OPC UA client session: endpoint discovery and selection, the server's
 * identity (certificate names) and trust, secure channel, CreateSession/ActivateSession (Anonymous
 * or UserName with the password encrypted as the server's token policy requires), service calls
 * with every status checked, and reconnection (a new channel; the session re-activated when it is
 * still alive, otherwise a new one).
 *
 * Single-threaded: one owner calls everything. Knows nothing of records or configuration.
 * Secrets (the password, the user's key) are never put into error messages; the password is
 * copied and wiped on free.
 */
#ifndef MDC_UA_CLIENT_H
#define MDC_UA_CLIENT_H

#include "ua_assemble.h"
#include "ua_crypto.h"
#include "ua_endpoint.h"
#include "ua_identity.h"
#include "ua_types.h"

#include "core/err.h"
#include "core/strbuf.h"

typedef struct ua_client ua_client;

/* Checks the server certificate (DER) before it is used to secure anything; 0 = trusted. */
typedef int (*ua_cert_check_fn)(void *arg, const void *der, size_t n, mdc_err *err);
/* Receives responses to requests sent with ua_client_send_async(). The message is borrowed. */
typedef void (*ua_async_fn)(void *arg, uint32_t request_id, const ua_msg *msg);

typedef struct ua_client_cfg {
    const char *endpoint_url;
    const ua_policy *policy;
    int mode;                  /* UA_MODE_*; None with the None policy */
    const char *user;          /* NULL: anonymous (or the user certificate below) */
    const char *password;      /* copied; never shown */
    bool allow_plain_password; /* send it unencrypted when the token policy is None */
    /* X.509 user identity instead of a user name (exclusive): the user's certificate (DER)
     * and RSA private key, borrowed; the key signs the server certificate and nonce */
    const void *user_cert;
    size_t user_cert_len;
    EVP_PKEY *user_key;
    EVP_PKEY *own_key; /* borrowed; needed for secure policies and passwords */
    const void *own_cert;
    size_t own_cert_len;
    const char *app_uri; /* must equal the certificate's SAN URI */
    const char *app_name;
    const char *session_name;
    int64_t timeout_us;
    uint32_t lifetime_ms;      /* secure channel token lifetime requested */
    double session_timeout_ms; /* requested */
    uint32_t recv_buffer;      /* chunk size we receive (0 = 65536) */
    ua_cert_check_fn check_cert;
    void *check_arg;
    /* Whenever the server certificate is used (a secure policy, or a secret sealed with it
     * under None) it must name the endpoint URL's host and the server's ApplicationUri first;
     * both checks are on unless skipped here (see ua_identity.h). */
    ua_identity_checks identity;
} ua_client_cfg;

typedef struct ua_client_stats {
    unsigned channels;      /* secure channels opened */
    unsigned sessions;      /* sessions created */
    unsigned reactivations; /* sessions re-activated on a new channel */
    unsigned renewals;      /* token renewals on the current channel */
} ua_client_stats;

int ua_client_connect(const ua_client_cfg *cfg, ua_client **out, mdc_err *err);
/* CloseSession (deleting subscriptions) and CloseSecureChannel, best effort; frees. */
void ua_client_free(ua_client *c);
/* Drops the connection (no goodbye), keeping the session for ua_client_reconnect(). */
void ua_client_drop(ua_client *c);
bool ua_client_connected(const ua_client *c);
/* New channel; ActivateSession on the existing session, or a new session when it is gone.
 * *new_session tells which (subscriptions must then be transferred or re-created). */
int ua_client_reconnect(ua_client *c, bool *new_session, mdc_err *err);

/* Starts a request body: type id and RequestHeader (session token, a fresh handle). */
void ua_client_begin(ua_client *c, strbuf *w, uint32_t type_id, uint32_t timeout_ms);
/* Sends a request and waits for its response (other responses go to the async handler).
 * The response body is left in *resp (caller frees with ua_msg_free). */
int ua_client_call(ua_client *c, const strbuf *req, ua_msg *resp, mdc_err *err);
int ua_client_send_async(ua_client *c, const strbuf *req, uint32_t *request_id, mdc_err *err);
void ua_client_set_async(ua_client *c, ua_async_fn fn, void *arg);
/* Receives and dispatches responses until the deadline (mdc_mono_us); renews the token when
 * due. Returns 0, or -1 when the connection failed. */
int ua_client_pump(ua_client *c, int64_t deadline, mdc_err *err);

int64_t ua_client_timeout_us(const ua_client *c);
double ua_client_session_timeout_ms(const ua_client *c);
const ua_endpoint *ua_client_endpoint(const ua_client *c);
ua_client_stats ua_client_get_stats(const ua_client *c);
/* Namespace index of a URI (the server's NamespaceArray, read once per session); -1 if absent. */
int ua_client_namespace_index(ua_client *c, const char *uri, mdc_err *err);

#endif
