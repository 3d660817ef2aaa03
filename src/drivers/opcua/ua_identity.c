/* SPDX-License-Identifier: Apache-2.0 */
/* ua_identity.c — the names in a server certificate (see ua_identity.h). */
#include "ua_identity.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define SAN_TEXT_MAX 180

bool ua_cert_has_uri(X509 *x, const char *uri)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    size_t len = strlen(uri);
    bool found = false;
    for (int i = 0; names && !found && i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        if (g->type != GEN_URI) continue;
        const ASN1_STRING *s = g->d.uniformResourceIdentifier;
        found =
            (size_t)ASN1_STRING_length(s) == len && memcmp(ASN1_STRING_get0_data(s), uri, len) == 0;
    }
    GENERAL_NAMES_free(names);
    return found;
}

static bool is_ip(const char *host)
{
    unsigned char a[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

static bool is_loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (strcasecmp(host, "localhost") == 0) return true;
    if (inet_pton(AF_INET, host, &a4) == 1) return ntohl(a4.s_addr) >> 24 == 127;
    return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

/* An IP entry with this address, or a DNS entry matching this name (or holding the IP as
 * text); never the subject's CN. */
static bool names(X509 *x, const char *host)
{
    if (is_ip(host) && X509_check_ip_asc(x, host, 0) == 1) return true;
    return X509_check_host(x, host, strlen(host), X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL) == 1;
}

bool ua_cert_names_host(X509 *x, const char *host)
{
    char h[256], self[256] = "";
    snprintf(h, sizeof h, "%s", host);
    size_t n = strlen(h);
    if (n > 1 && h[n - 1] == '.') h[n - 1] = '\0'; /* "plant.example.com." */
    if (names(x, h)) return true;
    if (!is_loopback(h)) return false;
    if (gethostname(self, sizeof self - 1) == 0 && self[0] && names(x, self)) return true;
    return names(x, "localhost") || names(x, "127.0.0.1") || names(x, "::1");
}

/* Printable ASCII of a name from the certificate (the server chose it). */
static void printable(char *out, size_t n, const unsigned char *s, size_t len)
{
    size_t k = 0;
    for (size_t i = 0; i < len && k + 1 < n; i++)
        out[k++] = s[i] >= 0x20 && s[i] < 0x7F ? (char)s[i] : '?';
    out[k] = '\0';
    if (k + 1 == n && len > k && n > 4) memcpy(out + n - 4, "...", 4);
}

static bool san_item(const GENERAL_NAME *g, char *out, size_t n)
{
    char text[100];
    const ASN1_STRING *s;
    switch (g->type) {
    case GEN_URI:
    case GEN_DNS:
        s = g->type == GEN_URI ? g->d.uniformResourceIdentifier : g->d.dNSName;
        printable(text, sizeof text, ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
        snprintf(out, n, "%s:%s", g->type == GEN_URI ? "URI" : "DNS", text);
        return true;
    case GEN_IPADD:
        s = g->d.iPAddress;
        if (!inet_ntop(ASN1_STRING_length(s) == 16 ? AF_INET6 : AF_INET, ASN1_STRING_get0_data(s),
                       text, sizeof text) ||
            (ASN1_STRING_length(s) != 4 && ASN1_STRING_length(s) != 16))
            snprintf(text, sizeof text, "?");
        snprintf(out, n, "IP:%s", text);
        return true;
    default:
        return false;
    }
}

void ua_cert_san_text(X509 *x, char *out, size_t n)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    size_t at = 0;
    out[0] = '\0';
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
        char item[120];
        if (!san_item(sk_GENERAL_NAME_value(names, i), item, sizeof item)) continue;
        const char *sep = at ? ", " : "";
        if (at + strlen(sep) + strlen(item) + 4 > n) {
            if (at + 4 <= n) memcpy(out + at, "...", 4);
            break;
        }
        at += (size_t)snprintf(out + at, n - at, "%s%s", sep, item);
    }
    GENERAL_NAMES_free(names);
    if (!out[0]) snprintf(out, n, "(none)");
}

void ua_cert_common_name(X509 *x, char *out, size_t n)
{
    X509_NAME *subject = X509_get_subject_name(x);
    int i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    const ASN1_STRING *s = i < 0 ? NULL : X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
    if (s)
        printable(out, n, ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
    else
        snprintf(out, n, "(no common name)");
}

static int host_error(X509 *x, const char *host, const char *hint, mdc_err *err)
{
    char cn[64], san[SAN_TEXT_MAX];
    ua_cert_common_name(x, cn, sizeof cn);
    ua_cert_san_text(x, san, sizeof san);
    return mdc_err_set(err, MDC_EAUTH,
                       "server certificate \"%s\" does not name the endpoint's host \"%s\" (its "
                       "subjectAltName: %s); connect by a name it lists or give the server a "
                       "certificate naming this host%s%s%s",
                       cn, host, san, hint ? ", or " : "", hint ? hint : "",
                       hint ? " to skip this check" : "");
}

static int uri_error(X509 *x, const char *app_uri, const char *hint, mdc_err *err)
{
    char cn[64], san[SAN_TEXT_MAX];
    ua_cert_common_name(x, cn, sizeof cn);
    ua_cert_san_text(x, san, sizeof san);
    if (!app_uri || !*app_uri)
        return mdc_err_set(err, MDC_EAUTH,
                           "the server's endpoint description has no ApplicationUri to check "
                           "its certificate \"%s\" against (its subjectAltName: %s)%s%s%s",
                           cn, san, hint ? "; " : "", hint ? hint : "",
                           hint ? " to skip this check" : "");
    return mdc_err_set(err, MDC_EAUTH,
                       "server certificate \"%s\" is not for the server's ApplicationUri \"%s\" "
                       "(its subjectAltName: %s); fix the server's certificate or "
                       "ApplicationUri%s%s%s",
                       cn, app_uri, san, hint ? ", or " : "", hint ? hint : "",
                       hint ? " to skip this check" : "");
}

int ua_server_identity_check(const void *der, size_t n, const char *host, const char *app_uri,
                             const ua_identity_checks *checks, mdc_err *err)
{
    if (checks->skip_hostname && checks->skip_app_uri) return 0;
    const unsigned char *p = der;
    X509 *x = der && n ? d2i_X509(NULL, &p, (long)n) : NULL;
    if (!x) return mdc_err_set(err, MDC_EPROTO, "the server certificate is not valid DER X.509");
    int rc = 0;
    if (!checks->skip_hostname && !ua_cert_names_host(x, host))
        rc = host_error(x, host, checks->hostname_hint, err);
    else if (!checks->skip_app_uri && !(app_uri && *app_uri && ua_cert_has_uri(x, app_uri)))
        rc = uri_error(x, app_uri, checks->app_uri_hint, err);
    X509_free(x);
    return rc;
}
