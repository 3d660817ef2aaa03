/* ua_trust.c — is this server certificate trusted? A trust directory of certificates, first-use
 * pinning, and rejected certificates saved for approval (see ua_pki.h). */
#include "ua_crypto.h"
#include "ua_pki.h"

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

int ua_pki_check(const char *dir, ua_trust_mode mode, const void *der, size_t n, mdc_err *err)
{
    X509 *x;
    EVP_PKEY *pub;
    char thumb[41], cn[128], trusted[4200], path[4400];
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
    if (mode == UA_TRUST_FIRST_USE && count == 0) { /* pin it */
        mkdir(dir, 0755);
        mkdir(trusted, 0755);
        ua_path(path, sizeof path, "%s/%s [%s].der", trusted, cn, thumb);
        return save(path, der, n, err);
    }
    char rejected[4200];
    ua_path(rejected, sizeof rejected, "%s/rejected", dir);
    mkdir(dir, 0755);
    mkdir(rejected, 0755);
    ua_path(path, sizeof path, "%s/%s [%s].der", rejected, cn, thumb);
    if (save(path, der, n, err) < 0) return -1;
    return mdc_err_set(err, MDC_EAUTH,
                       "server certificate %s (thumbprint %s) is not trusted%s; it was saved "
                       "as \"%s\": move it to %s/ to trust it",
                       cn, thumb, mode == UA_TRUST_FIRST_USE ? " (another one is pinned)" : "",
                       path, trusted);
}
