/* SPDX-License-Identifier: Apache-2.0 */
/* ua_endpoint.h — EndpointDescription and UserTokenPolicy, GetEndpoints, and choosing the
 * endpoint that matches the configured policy and mode. */
#ifndef MDC_UA_ENDPOINT_H
#define MDC_UA_ENDPOINT_H

#include "ua_types.h"

#include "core/err.h"

enum {
    UA_TOKEN_ANONYMOUS = 0,
    UA_TOKEN_USERNAME = 1,
    UA_TOKEN_CERTIFICATE = 2,
    UA_TOKEN_ISSUED = 3
};

typedef struct ua_token_policy {
    ua_string policy_id;
    int32_t type;         /* UA_TOKEN_* */
    ua_string policy_uri; /* security policy for the secret; null/empty = the endpoint's */
} ua_token_policy;

typedef struct ua_endpoint {
    ua_string url;
    ua_string server_uri; /* Server.ApplicationUri */
    ua_string server_cert;
    int32_t mode;
    ua_string policy_uri;
    ua_token_policy *tokens;
    int32_t ntokens;
    ua_string transport_uri;
    uint8_t level;
} ua_endpoint;

void ua_endpoint_clear(ua_endpoint *e);
void ua_endpoint_copy(ua_endpoint *dst, const ua_endpoint *src);
int ua_get_endpoint(ua_r *r, ua_endpoint *e);
/* Skips an ApplicationDescription, keeping its ApplicationUri when uri is not NULL. */
int ua_get_appdesc(ua_r *r, ua_string *uri);

void ua_endpoints_free(ua_endpoint *eps, int32_t n);
/* Decodes a GetEndpointsResponse body. */
int ua_get_endpoints_response(const void *body, size_t n, ua_endpoint **eps, int32_t *count,
                              mdc_err *err);
/* Index of the endpoint with this policy URI and mode; -1 with an error listing the offered
 * combinations otherwise. */
int ua_endpoint_select(const ua_endpoint *eps, int32_t n, const char *policy_uri, int mode,
                       mdc_err *err);
/* The endpoint's token policy of `type`, or NULL. */
const ua_token_policy *ua_endpoint_token(const ua_endpoint *e, int32_t type);

#endif
