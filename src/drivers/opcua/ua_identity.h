/* SPDX-License-Identifier: Apache-2.0 */
/* ua_identity.h — does a server certificate name the server we meant to reach? Its
 * subjectAltName must hold the server's ApplicationUri (a URI entry; Part 4 §5.6.2, Part 6
 * §6.2.2) and the host of the endpoint URL we connect to (Part 4 §5.6.2.1: a DNS entry,
 * compared case-insensitively with OpenSSL's RFC 6125 rules, one leftmost wildcard label at
 * most, the subject CN never used; or an IP entry, compared as an address).
 *
 * Loopback: when the URL's host is localhost, 127.0.0.0/8 or ::1 the server runs on this
 * machine, and like the OPC Foundation's reference stack we also accept a certificate naming
 * the machine: its host name (gethostname()), "localhost", 127.0.0.1 or ::1. A DNS entry
 * holding the URL's IP address as text is accepted too (some tools write IPs that way). */
#ifndef MDC_UA_IDENTITY_H
#define MDC_UA_IDENTITY_H

#include "core/err.h"

#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct ua_identity_checks {
    bool skip_hostname; /* don't match the endpoint URL's host */
    bool skip_app_uri;  /* don't match the server's ApplicationUri */
    /* how a user turns each check off, ending the error ("set \"x\": false"); static strings,
     * NULL for none */
    const char *hostname_hint, *app_uri_hint;
} ua_identity_checks;

/* Checks a server certificate (DER) against the endpoint URL's host and the ApplicationUri
 * of its endpoint description. The error names the certificate, what was expected, the
 * names the certificate holds, and the hint. */
int ua_server_identity_check(const void *der, size_t n, const char *host, const char *app_uri,
                             const ua_identity_checks *checks, mdc_err *err);

/* True when one of the certificate's URI entries is exactly `uri`. */
bool ua_cert_has_uri(X509 *x, const char *uri);
/* True when the certificate names `host` (rules above). */
bool ua_cert_names_host(X509 *x, const char *host);
/* The subject's CN, printable ASCII ("(no common name)" when there is none). */
void ua_cert_common_name(X509 *x, char *out, size_t n);
/* The subjectAltName entries as text ("URI:urn:a, DNS:b, IP:10.0.0.1"), unprintable bytes as
 * '?', cut with "..." to fit; "(none)" when there are none. */
void ua_cert_san_text(X509 *x, char *out, size_t n);

#endif
