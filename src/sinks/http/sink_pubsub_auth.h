/* SPDX-License-Identifier: Apache-2.0 */
/* sink_pubsub_auth.h — what the Pub/Sub sink needs besides HTTP: base64, the service-account
 * key file, the RS256-signed JWT assertion (RFC 7519/7515) exchanged for an OAuth2 access token
 * (RFC 7523 jwt-bearer grant) at the key's token_uri, and the publish request body.
 *
 * Pure functions over OpenSSL and jansson; nothing here does I/O except mdc_gsa_key_load
 * (reads the file) and nothing ever puts key material or tokens into an error message.
 */
#ifndef MDC_SINK_PUBSUB_AUTH_H
#define MDC_SINK_PUBSUB_AUTH_H

#include "core/err.h"
#include "core/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The Pub/Sub REST endpoint and the OAuth2 scope its API requires (protocol constants). */
#define MDC_PUBSUB_ENDPOINT "https://pubsub.googleapis.com"
#define MDC_PUBSUB_SCOPE    "https://www.googleapis.com/auth/pubsub"
/* Lifetime asked for in the assertion (the maximum the token endpoint accepts). */
#define MDC_JWT_LIFETIME_S 3600

/* RFC 4648 base64: with url, the URL-safe alphabet without padding (JWT segments). */
void mdc_b64_encode(const void *data, size_t n, bool url, strbuf *out);

typedef struct mdc_gsa_key {
    char *client_email;
    char *private_key_id; /* may be NULL */
    char *token_uri;      /* may be NULL (then the configuration must give one) */
    char *project_id;     /* may be NULL */
    void *pkey;           /* EVP_PKEY (RSA) */
} mdc_gsa_key;

/* Parses a service-account key file's JSON ("type": "service_account"). `name` is used in
 * errors. */
int mdc_gsa_key_parse(const char *name, const char *json, size_t len, mdc_gsa_key **out,
                      mdc_err *err);
int mdc_gsa_key_load(const char *path, mdc_gsa_key **out, mdc_err *err);
void mdc_gsa_key_free(mdc_gsa_key *k);

/* header.claims.signature for the token request:
 *   {"alg":"RS256","typ":"JWT","kid":KEY_ID}   (kid only when the key has one)
 *   {"iss":EMAIL,"scope":SCOPE,"aud":AUD,"iat":IAT,"exp":IAT+3600} */
int mdc_gsa_jwt(const mdc_gsa_key *k, const char *scope, const char *aud, int64_t iat, strbuf *out,
                mdc_err *err);

/* application/x-www-form-urlencoded body of the token request. */
void mdc_oauth_token_body(const char *jwt, strbuf *out);
/* Parses the token endpoint's response (status is the HTTP status): the access token into
 * token, its lifetime into *expires_in_s. An error response gives its "error" and
 * "error_description" in err, never the body of a successful one. */
int mdc_oauth_token_parse(long status, const char *body, size_t len, strbuf *token,
                          int64_t *expires_in_s, mdc_err *err);

/* The publish request: {"messages":[{"data":"BASE64"},...]}. Start with begin, add each
 * message, finish with end. */
void mdc_pubsub_body_begin(strbuf *out);
/* record_id (may be NULL; [0-9a-f-] only): the message attribute "mdc_record_id", a stable key
 * for subscribers that deduplicate (delivery is at least once). */
void mdc_pubsub_body_add(strbuf *out, const void *data, size_t n, const char *record_id,
                         bool first);
void mdc_pubsub_body_end(strbuf *out);
/* Checks a publish response: {"messageIds": [...]} with `expected` ids. */
int mdc_pubsub_check_response(const char *body, size_t len, size_t expected, mdc_err *err);

#endif
