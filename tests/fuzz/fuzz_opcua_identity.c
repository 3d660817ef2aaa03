/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: a server certificate (DER, as a server sends it) checked against endpoint hosts
 * and an ApplicationUri, and its names turned into text for errors. The text must stay
 * printable ASCII within its buffer whatever the certificate holds. */
#include "drivers/opcua/ua_identity.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_printable(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    if (n == cap) abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7F) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const hosts[] = {"127.0.0.1",           "::1",      "localhost",
                                        "plant-7.example.com", "10.1.2.3", "fd00::7"};
    ua_identity_checks on = {.hostname_hint = "set \"verify_hostname\": false",
                             .app_uri_hint = "set \"verify_application_uri\": false"};
    mdc_err err;
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        if (ua_server_identity_check(data, size, hosts[i], "urn:testpeer:server", &on, &err) < 0)
            check_printable(err.msg, sizeof err.msg);
    }
    const unsigned char *p = data;
    X509 *x = d2i_X509(NULL, &p, (long)size);
    if (!x) return 0;
    char text[180], small[12], cn[64];
    ua_cert_san_text(x, text, sizeof text);
    check_printable(text, sizeof text);
    ua_cert_san_text(x, small, sizeof small);
    check_printable(small, sizeof small);
    ua_cert_common_name(x, cn, sizeof cn);
    check_printable(cn, sizeof cn);
    (void)ua_cert_has_uri(x, "urn:testpeer:server");
    X509_free(x);
    return 0;
}
