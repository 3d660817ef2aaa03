/* SPDX-License-Identifier: Apache-2.0 */
/* redact.h — credentials masked in text by field, never by searching for a secret's text.
 *
 * Searching for a secret's text masks every occurrence of it: a password "5" turns
 * "addr 4519" into "addr 4***19", both spoiling the text and telling where the secret's
 * characters were. Instead, what we print is built without secrets (a sink's id names the host,
 * never the password), and text from elsewhere (a library's message, a URL, a header, a JSON
 * body) has the VALUES of credential fields replaced by "***":
 *   - a URL's password:          scheme://user:***@host/...
 *   - NAME=VALUE (a conninfo, a URL query), "NAME": "VALUE" (JSON) and NAME: VALUE to the end
 *     of the line (a header: Authorization, Cookie or a name with '-') when NAME is a
 *     credential's name: it contains "password", "passwd", "secret" or
 *     "token", ends in "key" after '_' or '-' ("api_key", "X-Api-Key", "private_key"), or is
 *     pwd, pass, apikey, auth, authorization, proxy-authorization, cookie, credentials,
 *     signature or sig (case-insensitive).
 * Pure and thread-safe.
 */
#ifndef MDC_REDACT_H
#define MDC_REDACT_H

#include "strbuf.h"

#include <stdbool.h>
#include <stddef.h>

/* Masks the credential fields of text in place. */
void mdc_redact(strbuf *text);
/* True if NAME (n bytes) names a credential (the rules above). */
bool mdc_redact_is_secret_name(const char *name, size_t n);

#endif
