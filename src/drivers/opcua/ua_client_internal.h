/* SPDX-License-Identifier: Apache-2.0 */
/* ua_client_internal.h — the client's state, shared by ua_client.c (connection and calls)
 * and ua_session.c (sessions and identity). Not for other users. */
#ifndef MDC_UA_CLIENT_INTERNAL_H
#define MDC_UA_CLIENT_INTERNAL_H

#include "ua_channel.h"
#include "ua_client.h"

struct ua_client {
    ua_client_cfg cfg; /* strings below are owned copies */
    char *url, *user, *password, *app_uri, *app_name, *session_name;
    ua_channel *ch;
    ua_endpoint ep; /* the selected endpoint */
    bool have_ep;
    /* session */
    bool have_session;
    ua_nodeid session_id, auth_token;
    ua_string server_nonce; /* the last one: CreateSession or ActivateSession */
    double session_timeout_ms;
    uint32_t next_handle;
    /* async responses (Publish) */
    ua_async_fn async;
    void *async_arg;
    ua_client_stats stats;
    char **namespaces;
    int32_t nnamespaces;
    char user_cert_name[64], user_cert_thumb[41]; /* for messages */
};

int ua_session_create(ua_client *c, mdc_err *err);
int ua_session_activate(ua_client *c, mdc_err *err);
void ua_session_close(ua_client *c);
void ua_session_forget(ua_client *c);

#endif
