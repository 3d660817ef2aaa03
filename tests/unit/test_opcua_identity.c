/* SPDX-License-Identifier: Apache-2.0 */
/* Server identity: the names in a server certificate (made here with OpenSSL) against the
 * endpoint URL's host and the server's ApplicationUri, and the errors that say what is wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/strbuf.h"
#include "drivers/opcua/ua_identity.h"

#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <unistd.h>

/* A self-signed certificate with this CN and subjectAltName (OpenSSL's "DNS:a,IP:b" syntax;
 * NULL for none). */
static X509 *make_cert(const char *cn, const char *san)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    assert_non_null(key);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, name);
    if (san) {
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
        X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
        assert_non_null(ext);
        X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
    }
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    EVP_PKEY_free(key);
    return x;
}

static void der_of(X509 *x, strbuf *out)
{
    unsigned char *p = NULL;
    int n = i2d_X509(x, &p);
    assert_true(n > 0);
    sb_append(out, (const char *)p, (size_t)n);
    OPENSSL_free(p);
}

static const char *PLANT_SAN = "URI:urn:plant7:server,DNS:Plant-7.example.com,"
                               "DNS:*.cells.example.com,IP:10.1.2.3,IP:fd00::7";

static void test_host_names(void **state)
{
    (void)state;
    X509 *x = make_cert("plant-7", PLANT_SAN);
    /* DNS: case-insensitive, a trailing dot ignored, no short-name guessing */
    assert_true(ua_cert_names_host(x, "plant-7.example.com"));
    assert_true(ua_cert_names_host(x, "PLANT-7.EXAMPLE.COM"));
    assert_true(ua_cert_names_host(x, "plant-7.example.com."));
    assert_false(ua_cert_names_host(x, "plant-8.example.com"));
    assert_false(ua_cert_names_host(x, "plant-7"));
    /* one wildcard label, leftmost only */
    assert_true(ua_cert_names_host(x, "robot.cells.example.com"));
    assert_false(ua_cert_names_host(x, "arm.robot.cells.example.com"));
    assert_false(ua_cert_names_host(x, "cells.example.com"));
    /* IP entries compared as addresses */
    assert_true(ua_cert_names_host(x, "10.1.2.3"));
    assert_false(ua_cert_names_host(x, "10.1.2.4"));
    assert_true(ua_cert_names_host(x, "fd00:0:0:0:0:0:0:7"));
    assert_true(ua_cert_names_host(x, "FD00::7"));
    assert_false(ua_cert_names_host(x, "fd00::8"));
    /* a name is not an address */
    assert_false(ua_cert_names_host(x, "10.1.2.3.example.com"));
    X509_free(x);
    /* the subject's CN is never a host name */
    x = make_cert("plant-9.example.com", "URI:urn:plant9:server");
    assert_false(ua_cert_names_host(x, "plant-9.example.com"));
    X509_free(x);
    x = make_cert("plant-9.example.com", NULL);
    assert_false(ua_cert_names_host(x, "plant-9.example.com"));
    X509_free(x);
    /* an IP address written as a DNS entry */
    x = make_cert("ip", "DNS:10.9.8.7");
    assert_true(ua_cert_names_host(x, "10.9.8.7"));
    assert_false(ua_cert_names_host(x, "10.9.8.6"));
    X509_free(x);
}

static void test_loopback(void **state)
{
    (void)state;
    X509 *x = make_cert("local", "DNS:localhost");
    assert_true(ua_cert_names_host(x, "localhost"));
    assert_true(ua_cert_names_host(x, "LocalHost"));
    assert_true(ua_cert_names_host(x, "127.0.0.1"));
    assert_true(ua_cert_names_host(x, "127.0.1.1"));
    assert_true(ua_cert_names_host(x, "::1"));
    assert_false(ua_cert_names_host(x, "10.0.0.1")); /* not this machine */
    assert_false(ua_cert_names_host(x, "128.0.0.1"));
    X509_free(x);
    x = make_cert("local", "IP:127.0.0.1");
    assert_true(ua_cert_names_host(x, "localhost"));
    assert_true(ua_cert_names_host(x, "::1"));
    X509_free(x);
    /* a certificate naming this machine by its host name */
    char self[256] = "", san[300];
    assert_int_equal(gethostname(self, sizeof self - 1), 0);
    snprintf(san, sizeof san, "DNS:%s", self);
    x = make_cert("self", san);
    assert_true(ua_cert_names_host(x, "localhost"));
    assert_true(ua_cert_names_host(x, "127.0.0.1"));
    X509_free(x);
    x = make_cert("elsewhere", "DNS:plant-7.example.com,IP:10.1.2.3");
    assert_false(ua_cert_names_host(x, "localhost"));
    assert_false(ua_cert_names_host(x, "127.0.0.1"));
    X509_free(x);
}

static void test_application_uri(void **state)
{
    (void)state;
    X509 *x = make_cert("plant-7", PLANT_SAN);
    assert_true(ua_cert_has_uri(x, "urn:plant7:server"));
    assert_false(ua_cert_has_uri(x, "urn:plant7:Server"));
    assert_false(ua_cert_has_uri(x, "urn:plant7:server2"));
    assert_false(ua_cert_has_uri(x, "urn:plant7"));
    assert_false(ua_cert_has_uri(x, "Plant-7.example.com")); /* a DNS entry is not a URI */
    X509_free(x);
    /* node-opcua lists the URI last, after the host names */
    x = make_cert("peer", "DNS:localhost,IP:127.0.0.1,URI:urn:testpeer:server");
    assert_true(ua_cert_has_uri(x, "urn:testpeer:server"));
    X509_free(x);
    x = make_cert("none", NULL);
    assert_false(ua_cert_has_uri(x, "urn:plant7:server"));
    X509_free(x);
}

static void test_san_text(void **state)
{
    (void)state;
    char text[180];
    X509 *x = make_cert("plant-7", PLANT_SAN);
    ua_cert_san_text(x, text, sizeof text);
    assert_string_equal(text, "URI:urn:plant7:server, DNS:Plant-7.example.com, "
                              "DNS:*.cells.example.com, IP:10.1.2.3, IP:fd00::7");
    ua_cert_san_text(x, text, 50); /* cut where an entry no longer fits */
    assert_string_equal(text, "URI:urn:plant7:server, DNS:Plant-7.example.com...");
    X509_free(x);
    x = make_cert("none", NULL);
    ua_cert_san_text(x, text, sizeof text);
    assert_string_equal(text, "(none)");
    X509_free(x);
    /* names chosen by the server are shown printable only */
    x = make_cert("odd", "DNS:bad\x01name,email:ops@example.com");
    ua_cert_san_text(x, text, sizeof text);
    assert_string_equal(text, "DNS:bad?name");
    X509_free(x);
}

static void test_identity_errors(void **state)
{
    (void)state;
    X509 *x = make_cert("TestPeer", "URI:urn:testpeer:server,DNS:plant-7.invalid");
    strbuf der = STRBUF_INIT;
    der_of(x, &der);
    X509_free(x);
    ua_identity_checks on = {.hostname_hint = "set \"verify_hostname\": false",
                             .app_uri_hint = "set \"verify_application_uri\": false"};
    mdc_err err = {0};
    assert_int_equal(ua_server_identity_check(der.buf, der.len, "plant-7.invalid",
                                              "urn:testpeer:server", &on, &err),
                     0);
    assert_int_equal(
        ua_server_identity_check(der.buf, der.len, "127.0.0.1", "urn:testpeer:server", &on, &err),
        -1);
    assert_int_equal(err.code, MDC_EAUTH);
    assert_string_equal(err.msg,
                        "server certificate \"TestPeer\" does not name the endpoint's host "
                        "\"127.0.0.1\" (its subjectAltName: URI:urn:testpeer:server, "
                        "DNS:plant-7.invalid); connect by a name it lists or give the server a "
                        "certificate naming this host, or set \"verify_hostname\": false to "
                        "skip this check");
    assert_int_equal(
        ua_server_identity_check(der.buf, der.len, "plant-7.invalid", "urn:other", &on, &err), -1);
    assert_string_equal(err.msg,
                        "server certificate \"TestPeer\" is not for the server's ApplicationUri "
                        "\"urn:other\" (its subjectAltName: URI:urn:testpeer:server, "
                        "DNS:plant-7.invalid); fix the server's certificate or ApplicationUri, "
                        "or set \"verify_application_uri\": false to skip this check");
    assert_int_equal(ua_server_identity_check(der.buf, der.len, "plant-7.invalid", NULL, &on, &err),
                     -1);
    assert_string_equal(err.msg,
                        "the server's endpoint description has no ApplicationUri to check its "
                        "certificate \"TestPeer\" against (its subjectAltName: "
                        "URI:urn:testpeer:server, DNS:plant-7.invalid); set "
                        "\"verify_application_uri\": false to skip this check");
    /* each check can be skipped on its own; without hints the error just ends */
    ua_identity_checks no_host = {.skip_hostname = true};
    assert_int_equal(ua_server_identity_check(der.buf, der.len, "127.0.0.1", "urn:testpeer:server",
                                              &no_host, &err),
                     0);
    assert_int_equal(
        ua_server_identity_check(der.buf, der.len, "127.0.0.1", "urn:other", &no_host, &err), -1);
    assert_non_null(strstr(err.msg, "fix the server's certificate or ApplicationUri"));
    assert_null(strstr(err.msg, "skip"));
    ua_identity_checks no_uri = {.skip_app_uri = true};
    assert_int_equal(
        ua_server_identity_check(der.buf, der.len, "plant-7.invalid", "urn:other", &no_uri, &err),
        0);
    ua_identity_checks off = {.skip_hostname = true, .skip_app_uri = true};
    assert_int_equal(ua_server_identity_check("junk", 4, "127.0.0.1", NULL, &off, &err), 0);
    assert_int_equal(ua_server_identity_check("junk", 4, "127.0.0.1", NULL, &on, &err), -1);
    assert_string_equal(err.msg, "the server certificate is not valid DER X.509");
    sb_free(&der);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_names),      cmocka_unit_test(test_loopback),
        cmocka_unit_test(test_application_uri), cmocka_unit_test(test_san_text),
        cmocka_unit_test(test_identity_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
