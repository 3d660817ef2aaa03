/* SPDX-License-Identifier: Apache-2.0 */
/* ua_trust.c — is this server certificate trusted? A trust directory of certificates, first-use
 * pinning, and rejected certificates saved for approval (see ua_pki.h). */
#include "ua_crypto.h"
#include "ua_pki.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* The certificate in a .der/.pem/.crt file as DER; -1 if the file is not one. */
static int load_any(const char *path, strbuf *der)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    X509 *x = d2i_X509_fp(f, NULL);
    if (!x) {
        rewind(f);
        x = PEM_read_X509(f, NULL, NULL, NULL);
    }
    fclose(f);
    if (!x) return -1;
    unsigned char *p = NULL;
    int n = i2d_X509(x, &p);
    X509_free(x);
    if (n <= 0) return -1;
    sb_append(der, (const char *)p, (size_t)n);
    OPENSSL_free(p);
    return 0;
}

static bool is_cert_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    return name[0] != '.' && dot &&
           (!strcmp(dot, ".der") || !strcmp(dot, ".pem") || !strcmp(dot, ".crt"));
}

/* 1 when `der` is in dir, 0 when not; *count = certificates found there. */
static int in_dir(const char *dir, const void *der, size_t n, int *count)
{
    DIR *d = opendir(dir);
    int found = 0;
    *count = 0;
    if (!d) return 0;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        if (!is_cert_name(e->d_name)) continue;
        char path[4400];
        strbuf have = STRBUF_INIT;
        ua_path(path, sizeof path, "%s/%s", dir, e->d_name);
        if (load_any(path, &have) == 0) {
            (*count)++;
            found = have.len == n && memcmp(have.buf, der, n) == 0;
        }
        sb_free(&have);
    }
    closedir(d);
    return found;
}

static void subject_cn(X509 *x, char *out, size_t n)
{
    out[0] = '\0';
    X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, out, (int)n);
    for (char *p = out; *p; p++) /* a safe file name */
        if (*p == '/' || *p == '\\' || *p == ' ' || (unsigned char)*p < 0x20) *p = '_';
    if (!out[0]) snprintf(out, n, "server");
}

static int save(const char *path, const void *der, size_t n, mdc_err *err)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(der, 1, n, f) != n) {
        if (f) fclose(f);
        return mdc_err_set(err, MDC_EIO, "cannot write %s: %s", path, strerror(errno));
    }
    return fclose(f) == 0 ? 0 : mdc_err_set(err, MDC_EIO, "cannot write %s", path);
}

static int check_dates(X509 *x, const char *thumb, mdc_err *err)
{
    if (X509_cmp_current_time(X509_get0_notBefore(x)) > 0)
        return mdc_err_set(err, MDC_EAUTH, "server certificate %s is not valid yet", thumb);
    if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0)
        return mdc_err_set(err, MDC_EAUTH, "server certificate %s has expired", thumb);
    return 0;
}

/* 1: `path` holds exactly this certificate; 0: it holds another; -1: no such file. */
static int same_file(const char *path, const void *der, size_t n)
{
    strbuf have = STRBUF_INIT;
    int rc = load_any(path, &have) < 0 ? -1 : have.len == n && memcmp(have.buf, der, n) == 0;
    sb_free(&have);
    return rc;
}

/* DIR/pinned/<server with unsafe characters replaced>.der */
static void pin_path(const char *dir, const char *server, char *out, size_t n)
{
    char name[200];
    snprintf(name, sizeof name, "%s", server && *server ? server : "server");
    for (char *p = name; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == '_')) *p = '_';
    ua_path(out, n, "%s/pinned/%s.der", dir, name);
}

static int reject(const char *dir, const char *cn, const char *thumb, const char *why,
                  const void *der, size_t n, mdc_err *err)
{
    char rejected[4200], path[4400];
    ua_path(rejected, sizeof rejected, "%s/rejected", dir);
    mkdir(dir, 0755);
    mkdir(rejected, 0755);
    ua_path(path, sizeof path, "%s/%s [%s].der", rejected, cn, thumb);
    if (save(path, der, n, err) < 0) return -1;
    return mdc_err_set(err, MDC_EAUTH,
                       "server certificate %s (thumbprint %s) is not trusted%s; it was saved "
                       "as \"%s\": move it to %s/trusted/ to trust it",
                       cn, thumb, why, path, dir);
}

int ua_pki_check(const char *dir, ua_trust_mode mode, const char *server, const void *der, size_t n,
                 mdc_err *err)
{
    X509 *x;
    EVP_PKEY *pub;
    char thumb[41], cn[128], trusted[4200], pin[4400];
    if (ua_cert_parse(der, n, &x, &pub, err) < 0) return mdc_err_prefix(err, "server certificate");
    EVP_PKEY_free(pub);
    ua_thumbprint_hex(der, n, thumb);
    subject_cn(x, cn, sizeof cn);
    int rc = check_dates(x, thumb, err);
    X509_free(x);
    if (rc < 0) return -1;
    ua_path(trusted, sizeof trusted, "%s/trusted", dir);
    int count;
    if (in_dir(trusted, der, n, &count)) return 0;
    if (mode != UA_TRUST_FIRST_USE) return reject(dir, cn, thumb, "", der, n, err);
    pin_path(dir, server, pin, sizeof pin);
    int same = same_file(pin, der, n);
    if (same == 1) return 0;
    if (same == 0) {
        char why[4500];
        snprintf(why, sizeof why, " (it differs from the one pinned for %s in %s)",
                 server ? server : "this server", pin);
        return reject(dir, cn, thumb, why, der, n, err);
    }
    char pinned[4200];
    ua_path(pinned, sizeof pinned, "%s/pinned", dir);
    mkdir(dir, 0755);
    mkdir(pinned, 0755);
    return save(pin, der, n, err);
}
