/* SPDX-License-Identifier: Apache-2.0 */
/* session.h — dashboard sessions with `http.token`: the page trades the token (sent once, as a
 * bearer header) for a session cookie (GET /api/session), so that the event stream and every
 * later request carry no secret in their URL. A session is 32 random bytes (getrandom), kept in
 * memory for 12 hours; at most 256 at once (the oldest goes first). A configuration reload that
 * keeps the HTTP settings keeps the sessions; a new token starts a new server and so drops them.
 * Thread-safe. */
#ifndef MDC_HTTP_SESSION_H
#define MDC_HTTP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MDC_SESSION_COOKIE   "mdc_session"
#define MDC_SESSION_ID_LEN   64 /* hex characters */
#define MDC_SESSION_LIFETIME 43200

typedef struct mdc_http_sessions mdc_http_sessions;

mdc_http_sessions *mdc_http_sessions_new(void);
void mdc_http_sessions_free(mdc_http_sessions *s);
/* A new session valid from now_mono_us; id gets MDC_SESSION_ID_LEN hex characters + NUL.
 * Returns 0, or -1 when the system has no randomness to give. */
int mdc_http_session_create(mdc_http_sessions *s, int64_t now_mono_us,
                            char id[MDC_SESSION_ID_LEN + 1]);
/* Whether id names a live session (compared in constant time per session). */
bool mdc_http_session_valid(mdc_http_sessions *s, const char *id, int64_t now_mono_us);
/* The value of cookie `name` in a Cookie request header ("a=1; mdc_session=..."), copied into
 * out (n bytes); false when absent or too long. */
bool mdc_http_cookie(const char *header, const char *name, char *out, size_t n);

#endif
