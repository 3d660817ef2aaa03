/* SPDX-License-Identifier: Apache-2.0 */
/* ua_token.c — identity tokens and SignatureData (see ua_token.h). */
#include "ua_token.h"

void ua_put_token(strbuf *w, uint32_t type_id, const strbuf *body)
{
    ua_put_typeid(w, type_id);
    ua_put_u8(w, UA_EXT_BINARY);
    ua_put_bytes(w, body->buf, (int32_t)body->len);
}

void ua_put_x509_token(strbuf *w, const ua_string *policy_id, const void *cert, size_t n)
{
    strbuf body = STRBUF_INIT;
    ua_put_string(&body, policy_id);
    ua_put_bytes(&body, cert, (int32_t)n);
    ua_put_token(w, UA_ID_X509_TOKEN, &body);
    sb_free(&body);
}

int ua_put_signature(strbuf *w, EVP_PKEY *key, const void *server_cert, size_t cert_len,
                     const void *nonce, size_t nonce_len, mdc_err *err)
{
    strbuf data = STRBUF_INIT, sig = STRBUF_INIT;
    sb_append(&data, server_cert, cert_len);
    if (nonce) sb_append(&data, nonce, nonce_len);
    int rc = ua_rsa_sign(key, data.buf, data.len, &sig, err);
    if (rc == 0) {
        ua_put_cstr(w, UA_SIG_ALG_RSA_SHA256);
        ua_put_bytes(w, sig.buf, (int32_t)sig.len);
    }
    sb_free(&data);
    sb_free(&sig);
    return rc;
}

void ua_put_no_signature(strbuf *w)
{
    ua_put_cstr(w, NULL);
    ua_put_bytes(w, NULL, -1);
}
