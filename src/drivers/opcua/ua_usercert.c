/* SPDX-License-Identifier: Apache-2.0 */
/* ua_usercert.c — loading a user's certificate and private key for X.509 user identity
 * tokens (see ua_pki.h). Errors name the files, never their content. */
#include "ua_crypto.h"
#include "ua_identity.h"
#include "ua_pki.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <string.h>

static BIO *open_file(const char *what, const char *path, mdc_err *err)
{
    errno = 0;
    BIO *b = BIO_new_file(path, "rb");
    if (!b)
        mdc_err_set(err, MDC_EINVAL, "%s \"%s\": cannot read it: %s", what, path,
                    errno ? strerror(errno) : "unknown error");
    ERR_clear_error();
    return b;
}

static X509 *read_cert(const char *path, mdc_err *err)
{
    BIO *b = open_file("user certificate", path, err);
    if (!b) return NULL;
    X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    if (!x && BIO_seek(b, 0) == 0) x = d2i_X509_bio(b, NULL);
    BIO_free(b);
    ERR_clear_error();
    if (!x)
        mdc_err_set(err, MDC_EINVAL,
                    "user certificate \"%s\" is not an X.509 certificate (PEM or DER)", path);
    return x;
}

/* Refuses passphrases (no prompt on a terminal) and remembers that one was wanted. */
static int no_passphrase(char *buf, int size, int rwflag, void *asked)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    *(bool *)asked = true;
    return -1;
}

static EVP_PKEY *read_key(const char *path, mdc_err *err)
{
    BIO *b = open_file("user private key", path, err);
    if (!b) return NULL;
    bool asked = false;
    EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, no_passphrase, &asked);
    if (!k && !asked && BIO_seek(b, 0) == 0) k = d2i_PrivateKey_bio(b, NULL);
    BIO_free(b);
    ERR_clear_error();
    if (!k && asked)
        mdc_err_set(err, MDC_EINVAL,
                    "user private key \"%s\" is encrypted; give it without a passphrase and "
                    "protect the file instead (chmod 600)",
                    path);
    else if (!k)
        mdc_err_set(err, MDC_EINVAL, "user private key \"%s\" is not a private key (PEM or DER)",
                    path);
    return k;
}

static int check_pair(X509 *x, EVP_PKEY *k, const char *cert_path, const char *key_path,
                      mdc_err *err)
{
    if (EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA)
        return mdc_err_set(err, MDC_EINVAL,
                           "user private key \"%s\" is not an RSA key (the security policies "
                           "sign with RSA)",
                           key_path);
    if (X509_check_private_key(x, k) != 1) {
        ERR_clear_error();
        return mdc_err_set(err, MDC_EINVAL,
                           "user private key \"%s\" does not belong to user certificate \"%s\"",
                           key_path, cert_path);
    }
    if (X509_cmp_current_time(X509_get0_notBefore(x)) > 0)
        return mdc_err_set(err, MDC_EINVAL, "user certificate \"%s\" is not valid yet", cert_path);
    if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0)
        return mdc_err_set(err, MDC_EINVAL, "user certificate \"%s\" has expired", cert_path);
    return 0;
}

int ua_user_cert_load(const char *cert_path, const char *key_path, ua_user_cert *out, mdc_err *err)
{
    memset(out, 0, sizeof *out);
    X509 *x = read_cert(cert_path, err);
    EVP_PKEY *k = x ? read_key(key_path, err) : NULL;
    if (!k || check_pair(x, k, cert_path, key_path, err) < 0) {
        X509_free(x);
        EVP_PKEY_free(k);
        return -1;
    }
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    if (n > 0) sb_append(&out->der, (const char *)der, (size_t)n);
    OPENSSL_free(der);
    ua_cert_common_name(x, out->name, sizeof out->name);
    ua_thumbprint_hex(out->der.buf, out->der.len, out->thumbprint);
    out->key = k;
    X509_free(x);
    return 0;
}

void ua_user_cert_free(ua_user_cert *c)
{
    sb_free(&c->der);
    EVP_PKEY_free(c->key);
    memset(c, 0, sizeof *c);
}
