/* SPDX-License-Identifier: Apache-2.0 */
/* httpc.h — a small HTTP(S) client for the webhook and Pub/Sub sinks (libcurl).
 *
 * One client is one reusable connection (keep-alive) used by one thread. TLS peers are always
 * verified (the system CA store, or ca_file). Responses are read into a buffer (at most
 * HTTPC_MAX_RESPONSE bytes are kept). Errors name the URL without its user info and query
 * (mdc_httpc_redact), so tokens in URLs are never part of a message; header values are never
 * part of one either.
 */
#ifndef MDC_HTTPC_H
#define MDC_HTTPC_H

#include "core/err.h"
#include "core/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTPC_MAX_RESPONSE (1 << 20)

typedef struct mdc_httpc mdc_httpc;

typedef struct mdc_httpc_opts {
    int64_t timeout_us;  /* whole request; > 0 */
    const char *ca_file; /* NULL: the system's CA store */
} mdc_httpc_opts;

/* Initialises libcurl once per process (call from the main thread before any client). */
void mdc_httpc_global_init(void);

/* Never returns NULL. The options are copied. */
mdc_httpc *mdc_httpc_new(const mdc_httpc_opts *o);
void mdc_httpc_free(mdc_httpc *c);

/* POSTs body with the given "Name: value" header lines (NULL-terminated; may be NULL).
 * Returns 0 when a response arrived (any status: *status), -1 when none did (err filled).
 * resp (may be NULL) receives the response body. */
int mdc_httpc_post(mdc_httpc *c, const char *url, const char *const *headers, const char *body,
                   size_t len, long *status, strbuf *resp, mdc_err *err);

/* The pause the last response asked for (Retry-After: seconds or an HTTP date), 0 if none. */
int64_t mdc_httpc_retry_after_us(mdc_httpc *c);

/* Registers a secret the client sends (a header value, a token, a URL's password or query
 * value; copied): a response that repeats one is never quoted in an error. Empty ones are
 * ignored. */
void mdc_httpc_add_secret(mdc_httpc *c, const char *secret, size_t len);
/* Registers every secret part of a URL: the user info's password and the query's values, as
 * written and percent-decoded, and base64("user:password") (HTTP Basic authentication). */
void mdc_httpc_add_url_secrets(mdc_httpc *c, const char *url);

/* True when text[0, len) contains one of c's secrets (c may be NULL: false). */
bool mdc_httpc_repeats_secret(const mdc_httpc *c, const char *text, size_t len);
/* Appends url without user info, query and fragment: "https://host:1/path". */
void mdc_httpc_redact(const char *url, strbuf *out);
/* Appends at most max bytes of a response body for an error message: printable ASCII, other
 * bytes as '?', newlines as spaces, "..." when cut — or "(response withheld: it repeats a
 * secret)" when the body contains one of c's secrets (c may be NULL: no secrets). */
void mdc_httpc_snippet(const mdc_httpc *c, const char *body, size_t len, size_t max, strbuf *out);

#endif
