/* SPDX-License-Identifier: Apache-2.0 */
/* User identity by X.509 certificate: loading the certificate and key (PEM or DER) with errors
 * that name the files and never their content, and the exact bytes of the X509IdentityToken
 * and of the SignatureData that proves the user holds the key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "drivers/opcua/ua_pki.h"
#include "drivers/opcua/ua_token.h"
#include "test_util.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <string.h>

typedef struct fixture {
    char *dir;
    EVP_PKEY *key, *other;
    X509 *cert;
    char path[16][300];
} fixture;

enum {
    CERT_PEM,
    CERT_DER,
    KEY_PEM,
    KEY_DER,
    KEY_ENCRYPTED,
    KEY_PKCS8_ENCRYPTED,
    KEY_OTHER,
    KEY_EC,
    NOT_A_KEY,
    EXPIRED_PEM,
    MISSING,
};

static X509 *make_cert(EVP_PKEY *key, const char *cn, long from, long to)
{
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_gmtime_adj(X509_getm_notBefore(x), from);
    X509_gmtime_adj(X509_getm_notAfter(x), to);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_sign(x, key, EVP_sha256());
    return x;
}

static BIO *out_file(fixture *f, int which, const char *name)
{
    snprintf(f->path[which], sizeof f->path[which], "%s/%s", f->dir, name);
    BIO *b = BIO_new_file(f->path[which], "wb");
    assert_non_null(b);
    return b;
}

static void write_files(fixture *f)
{
    BIO *b = out_file(f, CERT_PEM, "alice.pem");
    PEM_write_bio_X509(b, f->cert);
    BIO_free(b);
    b = out_file(f, CERT_DER, "alice.der");
    i2d_X509_bio(b, f->cert);
    BIO_free(b);
    b = out_file(f, KEY_PEM, "alice.key");
    PEM_write_bio_PrivateKey(b, f->key, NULL, NULL, 0, NULL, NULL);
    BIO_free(b);
    b = out_file(f, KEY_DER, "alice-key.der");
    i2d_PrivateKey_bio(b, f->key);
    BIO_free(b);
    b = out_file(f, KEY_ENCRYPTED, "alice-enc.key");
    PEM_write_bio_PrivateKey_traditional(b, f->key, EVP_aes_256_cbc(), (unsigned char *)"pw", 2,
                                         NULL, NULL);
    BIO_free(b);
    b = out_file(f, KEY_PKCS8_ENCRYPTED, "alice-p8.key");
    PEM_write_bio_PKCS8PrivateKey(b, f->key, EVP_aes_256_cbc(), "pw", 2, NULL, NULL);
    BIO_free(b);
    b = out_file(f, KEY_OTHER, "bob.key");
    PEM_write_bio_PrivateKey(b, f->other, NULL, NULL, 0, NULL, NULL);
    BIO_free(b);
    EVP_PKEY *ec = EVP_EC_gen("P-256");
    b = out_file(f, KEY_EC, "ec.key");
    PEM_write_bio_PrivateKey(b, ec, NULL, NULL, 0, NULL, NULL);
    BIO_free(b);
    EVP_PKEY_free(ec);
    b = out_file(f, NOT_A_KEY, "notes.txt");
    BIO_puts(b, "s3cr3t-passphrase-material\n");
    BIO_free(b);
    X509 *old = make_cert(f->key, "alice", -7200, -3600);
    b = out_file(f, EXPIRED_PEM, "expired.pem");
    PEM_write_bio_X509(b, old);
    BIO_free(b);
    X509_free(old);
    snprintf(f->path[MISSING], sizeof f->path[MISSING], "%s/none.pem", f->dir);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_tmpdir();
    f->key = EVP_RSA_gen(2048);
    f->other = EVP_RSA_gen(2048);
    f->cert = make_cert(f->key, "alice", -60, 3600);
    write_files(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    X509_free(f->cert);
    EVP_PKEY_free(f->key);
    EVP_PKEY_free(f->other);
    tu_rmdir(f->dir);
    free(f);
    return 0;
}

static void test_load_pem_and_der(void **state)
{
    fixture *f = *state;
    ua_user_cert u;
    mdc_err err = {0};
    unsigned char *der = NULL;
    int n = i2d_X509(f->cert, &der);
    char thumb[41];
    ua_thumbprint_hex(der, (size_t)n, thumb);
    assert_int_equal(ua_user_cert_load(f->path[CERT_PEM], f->path[KEY_PEM], &u, &err), 0);
    assert_int_equal(u.der.len, n);
    assert_memory_equal(u.der.buf, der, (size_t)n);
    assert_string_equal(u.name, "alice");
    assert_string_equal(u.thumbprint, thumb);
    assert_int_equal(EVP_PKEY_eq(u.key, f->key), 1);
    ua_user_cert_free(&u);
    assert_int_equal(ua_user_cert_load(f->path[CERT_DER], f->path[KEY_DER], &u, &err), 0);
    assert_memory_equal(u.der.buf, der, (size_t)n);
    assert_int_equal(EVP_PKEY_eq(u.key, f->key), 1);
    ua_user_cert_free(&u);
    OPENSSL_free(der);
}

/* Loading fails with exactly this message, which shows no line of the key file. */
static void expect_load_error(fixture *f, int cert, int key, const char *want)
{
    ua_user_cert u;
    mdc_err err = {0};
    char text[8192] = "";
    assert_int_equal(ua_user_cert_load(f->path[cert], f->path[key], &u, &err), -1);
    assert_string_equal(err.msg, want);
    FILE *kf = fopen(f->path[key], "rb");
    if (!kf) return;
    size_t n = fread(text, 1, sizeof text - 1, kf);
    fclose(kf);
    text[n] = '\0';
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
        if (strlen(line) >= 8 && !strstr(line, "-----")) assert_null(strstr(err.msg, line));
}

static void test_load_errors(void **state)
{
    fixture *f = *state;
    char want[1200];
    snprintf(want, sizeof want,
             "user certificate \"%s\": cannot read it: No such file or directory",
             f->path[MISSING]);
    expect_load_error(f, MISSING, KEY_PEM, want);
    snprintf(want, sizeof want, "user certificate \"%s\" is not an X.509 certificate (PEM or DER)",
             f->path[KEY_PEM]);
    expect_load_error(f, KEY_PEM, KEY_PEM, want);
    snprintf(want, sizeof want,
             "user private key \"%s\" is encrypted; give it without a passphrase and protect the "
             "file instead (chmod 600)",
             f->path[KEY_ENCRYPTED]);
    expect_load_error(f, CERT_PEM, KEY_ENCRYPTED, want);
    snprintf(want, sizeof want,
             "user private key \"%s\" is encrypted; give it without a passphrase and protect the "
             "file instead (chmod 600)",
             f->path[KEY_PKCS8_ENCRYPTED]);
    expect_load_error(f, CERT_PEM, KEY_PKCS8_ENCRYPTED, want);
    snprintf(want, sizeof want, "user private key \"%s\" is not a private key (PEM or DER)",
             f->path[NOT_A_KEY]);
    expect_load_error(f, CERT_PEM, NOT_A_KEY, want);
    snprintf(want, sizeof want,
             "user private key \"%s\" is not an RSA key (the security policies sign with RSA)",
             f->path[KEY_EC]);
    expect_load_error(f, CERT_PEM, KEY_EC, want);
    snprintf(want, sizeof want,
             "user private key \"%s\" does not belong to user certificate \"%s\"",
             f->path[KEY_OTHER], f->path[CERT_PEM]);
    expect_load_error(f, CERT_PEM, KEY_OTHER, want);
    snprintf(want, sizeof want, "user certificate \"%s\" has expired", f->path[EXPIRED_PEM]);
    expect_load_error(f, EXPIRED_PEM, KEY_PEM, want);
}

static void test_x509_token_bytes(void **state)
{
    (void)state;
    static const uint8_t want[] = {
        0x01, 0x00, 0x47, 0x01, /* NodeId 327 (four-byte form): X509IdentityToken binary */
        0x01,                   /* body is binary */
        0x27, 0x00, 0x00, 0x00, /* 39 bytes */
        0x1a, 0x00, 0x00, 0x00, 'c',  'e',  'r',  't',  'i',  'f', 'i', 'c', 'a', 't', 'e', '_',
        'b',  'a',  's',  'i',  'c',  '2',  '5',  '6',  'S',  'h', 'a', '2', '5', '6', /* PolicyId
                                                                                        */
        0x05, 0x00, 0x00, 0x00, 0x30, 0x03, 0x02, 0x01, 0x05, /* CertificateData */
    };
    strbuf w = STRBUF_INIT;
    ua_string policy = {26, "certificate_basic256Sha256"};
    ua_put_x509_token(&w, &policy, "\x30\x03\x02\x01\x05", 5);
    assert_int_equal(w.len, sizeof want);
    assert_memory_equal(w.buf, want, sizeof want);
    sb_reset(&w);
    ua_put_no_signature(&w);
    assert_int_equal(w.len, 8);
    assert_memory_equal(w.buf, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
    sb_free(&w);
}

static void test_signature_bytes(void **state)
{
    fixture *f = *state;
    static const char alg[] = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
    uint8_t nonce[32];
    for (int i = 0; i < 32; i++)
        nonce[i] = (uint8_t)i;
    strbuf w = STRBUF_INIT, data = STRBUF_INIT;
    mdc_err err = {0};
    assert_int_equal(ua_put_signature(&w, f->key, "SERVERCERT", 10, nonce, 32, &err), 0);
    /* Algorithm: String of 49 bytes; Signature: ByteString of 256 bytes (2048-bit key) */
    assert_int_equal(w.len, 4 + 49 + 4 + 256);
    assert_memory_equal(w.buf, "\x31\x00\x00\x00", 4);
    assert_memory_equal(w.buf + 4, alg, 49);
    assert_memory_equal(w.buf + 53, "\x00\x01\x00\x00", 4);
    /* RSA PKCS#1 v1.5 SHA-256 by the user's key over server certificate || nonce */
    sb_append(&data, "SERVERCERT", 10);
    sb_append(&data, (const char *)nonce, 32);
    assert_int_equal(ua_rsa_verify(f->key, data.buf, data.len, w.buf + 57, 256, &err), 0);
    data.buf[0] = 'X';
    assert_int_equal(ua_rsa_verify(f->key, data.buf, data.len, w.buf + 57, 256, &err), -1);
    /* deterministic: the same input signs to the same bytes */
    strbuf again = STRBUF_INIT;
    assert_int_equal(ua_put_signature(&again, f->key, "SERVERCERT", 10, nonce, 32, &err), 0);
    assert_int_equal(again.len, w.len);
    assert_memory_equal(again.buf, w.buf, w.len);
    sb_free(&again);
    sb_free(&data);
    sb_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_pem_and_der),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_x509_token_bytes),
        cmocka_unit_test(test_signature_bytes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
