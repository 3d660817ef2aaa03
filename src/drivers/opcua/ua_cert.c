/* SPDX-License-Identifier: Apache-2.0 */
/* ua_cert.c — making, saving and loading the client's application instance certificate
 * (see ua_pki.h). */
#include "ua_crypto.h"
#include "ua_pki.h"

#include "core/mkdirs.h"
#include "core/xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define VALID_DAYS 3650

int ua_path(char *out, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(out, n, fmt, ap);
    va_end(ap);
    return r < 0 || (size_t)r >= n ? -1 : 0;
}

static void path_join(char *out, size_t n, const char *dir, const char *name)
{
    ua_path(out, n, "%s/%s", dir, name);
}

void ua_thumbprint_hex(const void *der, size_t n, char out[41])
{
    uint8_t t[20];
    ua_sha1(der, n, t);
    for (int i = 0; i < 20; i++)
        snprintf(out + 2 * i, 3, "%02X", t[i]);
}

static int add_ext(X509 *cert, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ext) return -1;
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

static int set_names(X509 *cert, const char *host)
{
    X509_NAME *name = X509_get_subject_name(cert);
    char cn[300];
    snprintf(cn, sizeof cn, "mdc@%s", host);
    if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
                                    0) ||
        !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"mdc", -1, -1,
                                    0))
        return -1;
    return X509_set_issuer_name(cert, name) ? 0 : -1;
}

static int set_serial_and_dates(X509 *cert)
{
    uint8_t serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) return -1;
    serial[0] &= 0x7F; /* positive */
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
    int ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
    BN_free(bn);
    if (!ok || !X509_set_version(cert, 2)) return -1;
    if (!X509_gmtime_adj(X509_getm_notBefore(cert), -3600)) return -1; /* clock skew */
    return X509_time_adj_ex(X509_getm_notAfter(cert), VALID_DAYS, 0, NULL) ? 0 : -1;
}

static int add_extensions(X509 *cert, const char *app_uri, const char *host)
{
    char san[1200];
    snprintf(san, sizeof san, "URI:%s,DNS:%s", app_uri, host);
    return add_ext(cert, NID_basic_constraints, "critical,CA:FALSE") ||
                   add_ext(cert, NID_key_usage,
                           "critical,digitalSignature,nonRepudiation,keyEncipherment,"
                           "dataEncipherment") ||
                   add_ext(cert, NID_ext_key_usage, "clientAuth,serverAuth") ||
                   add_ext(cert, NID_subject_alt_name, san) ||
                   add_ext(cert, NID_subject_key_identifier, "hash") ||
                   add_ext(cert, NID_authority_key_identifier, "keyid:always")
               ? -1
               : 0;
}

static X509 *make_cert(EVP_PKEY *key, const char *app_uri, const char *host)
{
    X509 *cert = X509_new();
    if (!cert || !X509_set_pubkey(cert, key) || set_serial_and_dates(cert) < 0 ||
        set_names(cert, host) < 0 || add_extensions(cert, app_uri, host) < 0 ||
        !X509_sign(cert, key, EVP_sha256())) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

/* Writes via a temporary file renamed into place, with `mode`. */
static int write_file(const char *path, int mode, int (*writer)(FILE *, const void *),
                      const void *obj, mdc_err *err)
{
    char tmp[4300];
    ua_path(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f) {
        if (fd >= 0) close(fd);
        return mdc_err_set(err, MDC_EIO, "cannot write %s: %s", tmp, strerror(errno));
    }
    int ok = writer(f, obj) == 0;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) < 0) {
        unlink(tmp);
        return mdc_err_set(err, MDC_EIO, "cannot write %s", path);
    }
    return 0;
}

static int write_key(FILE *f, const void *k)
{
    return PEM_write_PrivateKey(f, (EVP_PKEY *)k, NULL, NULL, 0, NULL, NULL) ? 0 : -1;
}

static int write_cert_pem(FILE *f, const void *c)
{
    return PEM_write_X509(f, (X509 *)c) ? 0 : -1;
}

static int write_cert_der(FILE *f, const void *c)
{
    return i2d_X509_fp(f, (X509 *)c) ? 0 : -1;
}

static void default_uri(char *buf, size_t n, char *host, size_t hn)
{
    if (gethostname(host, hn) != 0 || !host[0]) snprintf(host, hn, "localhost");
    host[hn - 1] = '\0';
    snprintf(buf, n, "urn:%s:mdc", host);
}

static int create(const char *dir, const char *app_uri, const char *host, mdc_err *err)
{
    char own[4100], priv[4100], path[4200];
    path_join(own, sizeof own, dir, "own");
    path_join(priv, sizeof priv, own, "private");
    if (mdc_mkdirs(priv, 0755, NULL, err) < 0) return -1;
    chmod(priv, 0700);
    EVP_PKEY *key = EVP_RSA_gen(2048);
    X509 *cert = key ? make_cert(key, app_uri, host) : NULL;
    int rc = cert ? 0 : ua_ssl_error(err, MDC_EIO, "cannot make the certificate");
    if (rc == 0) {
        path_join(path, sizeof path, priv, "key.pem");
        rc = write_file(path, 0600, write_key, key, err);
    }
    if (rc == 0) {
        path_join(path, sizeof path, own, "cert.pem");
        rc = write_file(path, 0644, write_cert_pem, cert, err);
    }
    if (rc == 0) { /* cert.der last: its presence means the pair is complete */
        path_join(path, sizeof path, own, "cert.der");
        rc = write_file(path, 0644, write_cert_der, cert, err);
    }
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}

/* The first URI in the certificate's subjectAltName, malloc'd; NULL if none. */
static char *cert_uri(X509 *cert)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    char *uri = NULL;
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names) && !uri; i++) {
        GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        if (g->type != GEN_URI) continue;
        const ASN1_STRING *s = g->d.uniformResourceIdentifier;
        uri = xstrndup((const char *)ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
    }
    GENERAL_NAMES_free(names);
    return uri;
}

static int read_file(const char *path, strbuf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sb_append(out, buf, n);
    fclose(f);
    return 0;
}

static int load_cert(const char *dir, strbuf *der, X509 **cert, mdc_err *err)
{
    char path[4200];
    ua_path(path, sizeof path, "%s/own/cert.der", dir);
    if (read_file(path, der) < 0)
        return mdc_err_set(err, MDC_EINVAL,
                           "no client certificate %s (create it with `mdc opcua-cert`)", path);
    const unsigned char *p = (const unsigned char *)der->buf;
    *cert = d2i_X509(NULL, &p, (long)der->len);
    if (!*cert) return mdc_err_set(err, MDC_EINVAL, "%s is not a DER certificate", path);
    return 0;
}

static int ensure_locked(const char *dir, const char *app_uri, bool *created, mdc_err *err);

/* Devices started at once share one PKI folder: creation is serialised by a lock file. */
int mdc_opcua_cert_ensure(const char *dir, const char *app_uri, bool *created, mdc_err *err)
{
    char lock[4200];
    *created = false;
    if (mdc_mkdirs(dir, 0755, NULL, err) < 0) return -1;
    path_join(lock, sizeof lock, dir, ".lock");
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return mdc_err_set(err, MDC_EIO, "cannot open %s: %s", lock, strerror(errno));
    flock(fd, LOCK_EX);
    int rc = ensure_locked(dir, app_uri, created, err);
    flock(fd, LOCK_UN);
    close(fd);
    return rc;
}

static int ensure_locked(const char *dir, const char *app_uri, bool *created, mdc_err *err)
{
    char host[256], uri[600];
    default_uri(uri, sizeof uri, host, sizeof host);
    if (app_uri && strlen(app_uri) > 500) return mdc_err_set(err, MDC_EINVAL, "URI too long");
    if (app_uri) snprintf(uri, sizeof uri, "%s", app_uri);
    *created = false;
    char sub[4200];
    const char *subs[] = {"trusted", "rejected"};
    for (int i = 0; i < 2; i++) {
        path_join(sub, sizeof sub, dir, subs[i]);
        if (mdc_mkdirs(sub, 0755, NULL, err) < 0) return -1;
    }
    ua_path(sub, sizeof sub, "%s/own/cert.der", dir);
    if (access(sub, F_OK) != 0) {
        if (create(dir, uri, host, err) < 0) return -1;
        *created = true;
        return 0;
    }
    strbuf der = STRBUF_INIT;
    X509 *cert = NULL;
    int rc = load_cert(dir, &der, &cert, err);
    char *have = rc == 0 ? cert_uri(cert) : NULL;
    if (rc == 0 && app_uri && (!have || strcmp(have, app_uri) != 0))
        rc = mdc_err_set(err, MDC_EINVAL,
                         "%s names application URI %s, not %s; remove %s/own to make a new one",
                         sub, have ? have : "(none)", app_uri, dir);
    free(have);
    X509_free(cert);
    sb_free(&der);
    return rc;
}

static EVP_PKEY *load_key(const char *dir)
{
    char path[4200];
    ua_path(path, sizeof path, "%s/own/private/key.pem", dir);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    return k;
}

int ua_own_cert_load(const char *dir, ua_own_cert *out, mdc_err *err)
{
    X509 *cert = NULL;
    memset(out, 0, sizeof *out);
    if (load_cert(dir, &out->der, &cert, err) < 0) goto fail;
    out->app_uri = cert_uri(cert);
    out->key = load_key(dir);
    if (!out->app_uri) {
        mdc_err_set(err, MDC_EINVAL, "%s/own/cert.der has no URI in its subjectAltName", dir);
        goto fail;
    }
    if (!out->key || X509_check_private_key(cert, out->key) != 1) {
        mdc_err_set(err, MDC_EINVAL, "%s/own/private/key.pem is missing or does not match", dir);
        goto fail;
    }
    ua_thumbprint_hex(out->der.buf, out->der.len, out->thumbprint);
    X509_free(cert);
    return 0;
fail:
    X509_free(cert);
    ua_own_cert_free(out);
    return -1;
}

void ua_own_cert_free(ua_own_cert *c)
{
    sb_free(&c->der);
    EVP_PKEY_free(c->key);
    free(c->app_uri);
    memset(c, 0, sizeof *c);
}
