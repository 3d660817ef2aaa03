/* SPDX-License-Identifier: Apache-2.0 */
/* ua_crypto.h — the security policies (None, Basic256Sha256, Aes128_Sha256_RsaOaep) and the
 * primitives they use, on OpenSSL 3 EVP: P_SHA256 key derivation, HMAC-SHA256, AES-CBC
 * without padding, RSA-OAEP (SHA-1) in blocks, RSA PKCS#1 v1.5 SHA-256 signatures, SHA-1
 * thumbprints and random nonces. */
#ifndef MDC_UA_CRYPTO_H
#define MDC_UA_CRYPTO_H

#include "core/err.h"
#include "core/strbuf.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    UA_POLICY_NONE,
    UA_POLICY_BASIC256SHA256,
    UA_POLICY_AES128_SHA256_RSAOAEP
} ua_policy_id;

typedef enum {
    UA_MODE_INVALID = 0,
    UA_MODE_NONE = 1,
    UA_MODE_SIGN = 2,
    UA_MODE_SIGN_ENCRYPT = 3
} ua_mode;

typedef struct ua_policy {
    ua_policy_id id;
    const char *name; /* "Basic256Sha256" */
    const char *uri;
    size_t sig_key_len; /* symmetric signing key (HMAC-SHA256) */
    size_t enc_key_len; /* AES key: 32 or 16 */
    size_t block;       /* AES block / IV length */
    size_t mac_len;     /* HMAC-SHA256 output */
    size_t nonce_len;
    size_t oaep_overhead; /* RSA-OAEP SHA-1: 42 bytes per block */
} ua_policy;

#define UA_SIG_ALG_RSA_SHA256 "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
#define UA_ENC_ALG_RSA_OAEP   "http://www.w3.org/2001/04/xmlenc#rsa-oaep"

const ua_policy *ua_policy_get(ua_policy_id id);
const ua_policy *ua_policy_by_name(const char *name); /* "None", "Basic256Sha256", ... */
const ua_policy *ua_policy_by_uri(const char *uri);   /* NULL or "" -> NULL */
const char *ua_mode_name(int mode);

typedef struct ua_sym_keys {
    uint8_t sign[32];
    uint8_t enc[32];
    uint8_t iv[16];
} ua_sym_keys;

/* P_SHA256(secret, seed) -> out[n] (the TLS 1.2 PRF without label). */
int ua_p_sha256(const void *secret, size_t secret_len, const void *seed, size_t seed_len,
                uint8_t *out, size_t n, mdc_err *err);
/* Keys = P_SHA256(secret, seed) cut into signing key, encrypting key and IV. */
int ua_derive_keys(const ua_policy *p, const void *secret, size_t secret_len, const void *seed,
                   size_t seed_len, ua_sym_keys *out, mdc_err *err);
int ua_hmac_sha256(const void *key, size_t key_len, const void *data, size_t n, uint8_t out[32],
                   mdc_err *err);
/* AES-CBC over n bytes (a multiple of the block), in place, no padding. */
int ua_aes_cbc(const ua_policy *p, bool encrypt, const ua_sym_keys *k, uint8_t *buf, size_t n,
               mdc_err *err);

size_t ua_rsa_bytes(EVP_PKEY *key); /* modulus length in bytes */
/* RSA PKCS#1 v1.5 with SHA-256; appends the signature (ua_rsa_bytes long). */
int ua_rsa_sign(EVP_PKEY *key, const void *data, size_t n, strbuf *out, mdc_err *err);
int ua_rsa_verify(EVP_PKEY *key, const void *data, size_t n, const void *sig, size_t sig_len,
                  mdc_err *err);
/* RSA-OAEP (SHA-1) in blocks of key bytes - 42; appends the ciphertext. */
int ua_rsa_encrypt(EVP_PKEY *key, const void *data, size_t n, strbuf *out, mdc_err *err);
/* Decrypts whole blocks of key bytes; appends the plaintext. */
int ua_rsa_decrypt(EVP_PKEY *key, const void *data, size_t n, strbuf *out, mdc_err *err);

void ua_sha1(const void *data, size_t n, uint8_t out[20]);
int ua_random(void *buf, size_t n, mdc_err *err);

/* A DER certificate: parsed, with its public key (caller frees both). */
int ua_cert_parse(const void *der, size_t n, X509 **cert, EVP_PKEY **pub, mdc_err *err);

/* Appends OpenSSL's last error text ("; <reason>") to a message being built. */
int ua_ssl_error(mdc_err *err, int code, const char *what);

#endif
