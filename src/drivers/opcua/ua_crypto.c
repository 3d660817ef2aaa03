/* SPDX-License-Identifier: Apache-2.0 */
/* ua_crypto.c — security policy table and OpenSSL 3 EVP primitives (see ua_crypto.h). */
#include "ua_crypto.h"

#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <string.h>

#define URI_PREFIX "http://opcfoundation.org/UA/SecurityPolicy#"

static const ua_policy policies[] = {
    {UA_POLICY_NONE, "None", URI_PREFIX "None", 0, 0, 1, 0, 0, 0},
    {UA_POLICY_BASIC256SHA256, "Basic256Sha256", URI_PREFIX "Basic256Sha256", 32, 32, 16, 32, 32,
     42},
    {UA_POLICY_AES128_SHA256_RSAOAEP, "Aes128_Sha256_RsaOaep", URI_PREFIX "Aes128_Sha256_RsaOaep",
     32, 16, 16, 32, 32, 42},
};

const ua_policy *ua_policy_get(ua_policy_id id)
{
    return &policies[id];
}

const ua_policy *ua_policy_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++)
        if (strcmp(policies[i].name, name) == 0) return &policies[i];
    return NULL;
}

const ua_policy *ua_policy_by_uri(const char *uri)
{
    if (!uri) return NULL;
    for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++)
        if (strcmp(policies[i].uri, uri) == 0) return &policies[i];
    return NULL;
}

const char *ua_mode_name(int mode)
{
    switch (mode) {
    case UA_MODE_NONE:
        return "None";
    case UA_MODE_SIGN:
        return "Sign";
    case UA_MODE_SIGN_ENCRYPT:
        return "SignAndEncrypt";
    default:
        return "Invalid";
    }
}

int ua_ssl_error(mdc_err *err, int code, const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[256] = "";
    if (e) ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return mdc_err_set(err, code, "%s%s%s", what, e ? ": " : "", buf);
}

int ua_hmac_sha256(const void *key, size_t key_len, const void *data, size_t n, uint8_t out[32],
                   mdc_err *err)
{
    unsigned int len = 32;
    if (!HMAC(EVP_sha256(), key, (int)key_len, data, n, out, &len))
        return ua_ssl_error(err, MDC_EPROTO, "HMAC-SHA256 failed");
    return 0;
}

int ua_p_sha256(const void *secret, size_t secret_len, const void *seed, size_t seed_len,
                uint8_t *out, size_t n, mdc_err *err)
{
    uint8_t a[32], block[32];
    uint8_t buf[32 + 256];
    if (seed_len > 256) return mdc_err_set(err, MDC_EINVAL, "P_SHA256 seed too long");
    /* A(1) = HMAC(secret, seed) */
    if (ua_hmac_sha256(secret, secret_len, seed, seed_len, a, err) < 0) return -1;
    for (size_t done = 0; done < n;) {
        memcpy(buf, a, 32);
        memcpy(buf + 32, seed, seed_len);
        if (ua_hmac_sha256(secret, secret_len, buf, 32 + seed_len, block, err) < 0) return -1;
        size_t take = n - done < 32 ? n - done : 32;
        memcpy(out + done, block, take);
        done += take;
        if (ua_hmac_sha256(secret, secret_len, a, 32, a, err) < 0) return -1; /* A(i+1) */
    }
    return 0;
}

int ua_derive_keys(const ua_policy *p, const void *secret, size_t secret_len, const void *seed,
                   size_t seed_len, ua_sym_keys *out, mdc_err *err)
{
    uint8_t km[32 + 32 + 16];
    size_t n = p->sig_key_len + p->enc_key_len + p->block;
    memset(out, 0, sizeof *out);
    if (ua_p_sha256(secret, secret_len, seed, seed_len, km, n, err) < 0) return -1;
    memcpy(out->sign, km, p->sig_key_len);
    memcpy(out->enc, km + p->sig_key_len, p->enc_key_len);
    memcpy(out->iv, km + p->sig_key_len + p->enc_key_len, p->block);
    return 0;
}

int ua_aes_cbc(const ua_policy *p, bool encrypt, const ua_sym_keys *k, uint8_t *buf, size_t n,
               mdc_err *err)
{
    const EVP_CIPHER *c = p->enc_key_len == 32 ? EVP_aes_256_cbc() : EVP_aes_128_cbc();
    if (n % 16) return mdc_err_set(err, MDC_EPROTO, "encrypted length %zu not whole blocks", n);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len = 0, rc = -1;
    if (ctx && EVP_CipherInit_ex(ctx, c, NULL, k->enc, k->iv, encrypt ? 1 : 0) == 1 &&
        EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
        EVP_CipherUpdate(ctx, buf, &len, buf, (int)n) == 1 && (size_t)len == n)
        rc = 0;
    else
        ua_ssl_error(err, MDC_EPROTO, "AES-CBC failed");
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

size_t ua_rsa_bytes(EVP_PKEY *key)
{
    return key ? (size_t)EVP_PKEY_get_size(key) : 0;
}

int ua_rsa_sign(EVP_PKEY *key, const void *data, size_t n, strbuf *out, mdc_err *err)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    size_t len = ua_rsa_bytes(key);
    int rc = -1;
    sb_reserve(out, len);
    if (md && EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, key) == 1 &&
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 &&
        EVP_DigestSign(md, (unsigned char *)out->buf + out->len, &len, data, n) == 1) {
        out->len += len;
        out->buf[out->len] = '\0';
        rc = 0;
    } else {
        ua_ssl_error(err, MDC_EPROTO, "RSA-SHA256 signing failed");
    }
    EVP_MD_CTX_free(md);
    return rc;
}

int ua_rsa_verify(EVP_PKEY *key, const void *data, size_t n, const void *sig, size_t sig_len,
                  mdc_err *err)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int rc = -1;
    if (md && EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, key) == 1 &&
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 &&
        EVP_DigestVerify(md, sig, sig_len, data, n) == 1)
        rc = 0;
    else
        ua_ssl_error(err, MDC_EPROTO, "RSA-SHA256 signature invalid");
    EVP_MD_CTX_free(md);
    return rc;
}

static EVP_PKEY_CTX *oaep_ctx(EVP_PKEY *key, bool encrypt)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(key, NULL);
    if (!c) return NULL;
    if ((encrypt ? EVP_PKEY_encrypt_init(c) : EVP_PKEY_decrypt_init(c)) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(c, EVP_sha1()) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(c, EVP_sha1()) != 1) {
        EVP_PKEY_CTX_free(c);
        return NULL;
    }
    return c;
}

int ua_rsa_encrypt(EVP_PKEY *key, const void *data, size_t n, strbuf *out, mdc_err *err)
{
    size_t kb = ua_rsa_bytes(key), plain = kb - 42;
    EVP_PKEY_CTX *c = kb > 42 ? oaep_ctx(key, true) : NULL;
    if (!c) return ua_ssl_error(err, MDC_EPROTO, "RSA-OAEP setup failed");
    const uint8_t *p = data;
    int rc = 0;
    for (size_t off = 0; off < n && rc == 0; off += plain) {
        size_t take = n - off < plain ? n - off : plain, len = kb;
        sb_reserve(out, kb);
        if (EVP_PKEY_encrypt(c, (unsigned char *)out->buf + out->len, &len, p + off, take) != 1) {
            rc = ua_ssl_error(err, MDC_EPROTO, "RSA-OAEP encryption failed");
            break;
        }
        out->len += len;
        out->buf[out->len] = '\0';
    }
    EVP_PKEY_CTX_free(c);
    return rc;
}

int ua_rsa_decrypt(EVP_PKEY *key, const void *data, size_t n, strbuf *out, mdc_err *err)
{
    size_t kb = ua_rsa_bytes(key);
    if (kb == 0 || n % kb)
        return mdc_err_set(err, MDC_EPROTO, "encrypted length %zu is not whole RSA blocks", n);
    EVP_PKEY_CTX *c = oaep_ctx(key, false);
    if (!c) return ua_ssl_error(err, MDC_EPROTO, "RSA-OAEP setup failed");
    const uint8_t *p = data;
    int rc = 0;
    for (size_t off = 0; off < n; off += kb) {
        size_t len = kb;
        sb_reserve(out, kb);
        if (EVP_PKEY_decrypt(c, (unsigned char *)out->buf + out->len, &len, p + off, kb) != 1) {
            rc = ua_ssl_error(err, MDC_EPROTO, "RSA-OAEP decryption failed");
            break;
        }
        out->len += len;
        out->buf[out->len] = '\0';
    }
    EVP_PKEY_CTX_free(c);
    return rc;
}

void ua_sha1(const void *data, size_t n, uint8_t out[20])
{
    unsigned int len = 20;
    EVP_Digest(data, n, out, &len, EVP_sha1(), NULL);
}

int ua_random(void *buf, size_t n, mdc_err *err)
{
    if (RAND_bytes(buf, (int)n) != 1) return ua_ssl_error(err, MDC_EIO, "no random bytes");
    return 0;
}

int ua_cert_parse(const void *der, size_t n, X509 **cert, EVP_PKEY **pub, mdc_err *err)
{
    const unsigned char *p = der;
    *cert = NULL;
    *pub = NULL;
    if (!der || n == 0) return mdc_err_set(err, MDC_EPROTO, "no certificate");
    *cert = d2i_X509(NULL, &p, (long)n);
    if (!*cert) return ua_ssl_error(err, MDC_EPROTO, "certificate is not valid DER X.509");
    *pub = X509_get_pubkey(*cert);
    if (!*pub || EVP_PKEY_get_base_id(*pub) != EVP_PKEY_RSA) {
        X509_free(*cert);
        EVP_PKEY_free(*pub);
        *cert = NULL;
        *pub = NULL;
        return mdc_err_set(err, MDC_EPROTO, "certificate has no RSA public key");
    }
    return 0;
}
