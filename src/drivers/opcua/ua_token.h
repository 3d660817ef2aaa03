/* SPDX-License-Identifier: Apache-2.0 */
/* ua_token.h — what ActivateSession carries to prove who the client and its user are
 * (Part 4 §5.6.3, §7.36, §7.37): user identity tokens as ExtensionObjects, and SignatureData.
 * Encodings only; ua_session.c decides what to send. */
#ifndef MDC_UA_TOKEN_H
#define MDC_UA_TOKEN_H

#include "ua_crypto.h"
#include "ua_types.h"

#include "core/err.h"
#include "core/strbuf.h"

#define UA_ID_X509_TOKEN 327 /* X509IdentityToken, binary encoding */

/* An identity token: ExtensionObject with the type's binary encoding id and `body`. */
void ua_put_token(strbuf *w, uint32_t type_id, const strbuf *body);
/* X509IdentityToken: PolicyId, CertificateData (the user's certificate, DER). */
void ua_put_x509_token(strbuf *w, const ua_string *policy_id, const void *cert, size_t n);

/* SignatureData proving possession of `key`: Algorithm (rsa-sha256, the asymmetric signature
 * of every policy here) and RSA PKCS#1 v1.5 SHA-256 over the server certificate followed by
 * the server's last nonce. Used for the ClientSignature (our application key) and the
 * UserTokenSignature (the user's key). */
int ua_put_signature(strbuf *w, EVP_PKEY *key, const void *server_cert, size_t cert_len,
                     const void *nonce, size_t nonce_len, mdc_err *err);
/* SignatureData with a null Algorithm and a null Signature. */
void ua_put_no_signature(strbuf *w);

#endif
