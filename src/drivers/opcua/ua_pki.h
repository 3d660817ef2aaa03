/* SPDX-License-Identifier: Apache-2.0 */
/* ua_pki.h — the client's certificate and the server certificates it trusts, in a PKI folder,
 * and a user's certificate for X.509 user identity tokens. The PKI folder:
 *
 *   DIR/own/cert.der, DIR/own/cert.pem   our certificate (made once, reused at every start)
 *   DIR/own/private/key.pem              its RSA key (mode 0600)
 *   DIR/trusted/                         server certificates we trust (.der, .pem, .crt)
 *   DIR/rejected/                        server certificates seen but not trusted, saved for
 *                                        the user to approve by moving them to trusted/
 *   DIR/pinned/                          "trust": "first-use": one certificate per server
 *
 * The certificate is X.509 v3, RSA 2048, sha256WithRSA, basicConstraints critical CA:FALSE,
 * keyUsage critical digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment,
 * extendedKeyUsage clientAuth and serverAuth, and subjectAltName URI:<application URI> first
 * (CreateSession must send that same URI) and DNS:<host name>. */
#ifndef MDC_UA_PKI_H
#define MDC_UA_PKI_H

#include "core/err.h"
#include "core/strbuf.h"

#include <openssl/evp.h>
#include <stdbool.h>

typedef struct ua_own_cert {
    strbuf der;    /* certificate, DER */
    EVP_PKEY *key; /* private key */
    char *app_uri; /* the URI in its subjectAltName */
    char thumbprint[41];
} ua_own_cert;

/* Creates the certificate and key in `dir` unless they exist (then checks that the existing
 * certificate names `app_uri`, when given). *created tells which. app_uri NULL means
 * "urn:<hostname>:mdc". `mdc opcua-cert` calls this. */
int mdc_opcua_cert_ensure(const char *dir, const char *app_uri, bool *created, mdc_err *err);
/* Loads the certificate and key made by mdc_opcua_cert_ensure(). */
int ua_own_cert_load(const char *dir, ua_own_cert *out, mdc_err *err);
void ua_own_cert_free(ua_own_cert *c);

/* An X.509 user identity (Part 4 §7.36.5): a certificate and its RSA private key, each a file
 * in PEM or DER. The key must not be encrypted (protect the file instead); its content is
 * never put into an error. Expired or not yet valid certificates are refused. */
typedef struct ua_user_cert {
    strbuf der;    /* the certificate, DER */
    EVP_PKEY *key; /* its private key */
    char name[64]; /* the subject's CN, printable */
    char thumbprint[41];
} ua_user_cert;

int ua_user_cert_load(const char *cert_path, const char *key_path, ua_user_cert *out, mdc_err *err);
void ua_user_cert_free(ua_user_cert *c);

typedef enum { UA_TRUST_DIRECTORY, UA_TRUST_FIRST_USE } ua_trust_mode;

/* Checks a server certificate: trusted when it is in DIR/trusted. Otherwise, first use: the
 * first certificate seen for `server` (e.g. "host:port") is pinned in DIR/pinned/ and accepted,
 * and only that one is accepted later for that server. Untrusted certificates are saved in
 * DIR/rejected and the error names that file. Expired or not yet valid ones are refused. */
int ua_pki_check(const char *dir, ua_trust_mode mode, const char *server, const void *der, size_t n,
                 mdc_err *err);

/* snprintf for paths; returns -1 when the result was cut. */
int ua_path(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "AB12…" SHA-1 of the DER, 40 hex digits. */
void ua_thumbprint_hex(const void *der, size_t n, char out[41]);

#endif
