/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the Cookie request header as the HTTP server reads a session from it
 * (http/session.h). Input: the header's value. Checks that a value found fits and is a part of
 * the input, and that an unknown session never validates. */
#include "http/session.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *header = malloc(size + 1);
    memcpy(header, data, size);
    header[size] = '\0';
    char out[MDC_SESSION_ID_LEN + 1];
    if (mdc_http_cookie(header, MDC_SESSION_COOKIE, out, sizeof out)) {
        if (strlen(out) > MDC_SESSION_ID_LEN || !strstr(header, out)) abort();
        static mdc_http_sessions *s;
        if (!s) s = mdc_http_sessions_new();
        if (mdc_http_session_valid(s, out, 0)) abort(); /* no session was ever made */
    }
    free(header);
    return 0;
}
