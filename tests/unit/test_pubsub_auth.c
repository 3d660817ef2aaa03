/* SPDX-License-Identifier: Apache-2.0 */
/* Pub/Sub sink building blocks: base64 (RFC 4648 vectors), service-account key files, the
 * RS256 JWT assertion (exact header and claims bytes, signature verified with the public
 * key), the token request and response, and the publish body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sinks/http/sink_pubsub.h"
#include "sinks/http/sink_pubsub_auth.h"

#include "core/strbuf.h"

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <string.h>

static void b64(const char *in, bool url, const char *want)
{
    strbuf sb = STRBUF_INIT;
    mdc_b64_encode(in, strlen(in), url, &sb);
    assert_string_equal(sb_str(&sb), want);
    sb_free(&sb);
}

static void test_base64(void **state)
{
    (void)state;
    b64("", false, "");
    b64("f", false, "Zg==");
    b64("fo", false, "Zm8=");
    b64("foo", false, "Zm9v");
    b64("foob", false, "Zm9vYg==");
    b64("fooba", false, "Zm9vYmE=");
    b64("foobar", false, "Zm9vYmFy");
    b64("f", true, "Zg");
    b64("fo", true, "Zm8");
    b64("foobar", true, "Zm9vYmFy");
    b64("\xfb\xff\xbf", false, "+/+/");
    b64("\xfb\xff\xbf", true, "-_-_");
}

/* ---- a key made for the test ---- */

typedef struct fixture {
    EVP_PKEY *pkey;
    char *key_json; /* a service-account key file */
} fixture;

static char *pem_of(EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
    char *p;
    long n = BIO_get_mem_data(b, &p);
    char *s = strndup(p, (size_t)n);
    BIO_free(b);
    return s;
}

static char *key_file(EVP_PKEY *k, const char *type, bool with_kid)
{
    char *pem = pem_of(k);
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string(type));
    json_object_set_new(o, "project_id", json_string("proj-1"));
    if (with_kid) json_object_set_new(o, "private_key_id", json_string("kid-42"));
    json_object_set_new(o, "private_key", json_string(pem));
    json_object_set_new(o, "client_email", json_string("mdc@proj-1.example"));
    json_object_set_new(o, "token_uri", json_string("http://127.0.0.1:1/token"));
    char *s = json_dumps(o, JSON_INDENT(2));
    json_decref(o);
    free(pem);
    return s;
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    fx->pkey = EVP_RSA_gen(2048);
    if (!fx->pkey) return -1;
    fx->key_json = key_file(fx->pkey, "service_account", true);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    EVP_PKEY_free(fx->pkey);
    free(fx->key_json);
    free(fx);
    return 0;
}

static mdc_gsa_key *parse_ok(const char *json)
{
    mdc_gsa_key *k = NULL;
    mdc_err err = {0};
    int rc = mdc_gsa_key_parse("key.json", json, strlen(json), &k, &err);
    if (rc < 0) fail_msg("%s", err.msg);
    return k;
}

static void test_key_file(void **state)
{
    fixture *fx = *state;
    mdc_gsa_key *k = parse_ok(fx->key_json);
    assert_string_equal(k->client_email, "mdc@proj-1.example");
    assert_string_equal(k->private_key_id, "kid-42");
    assert_string_equal(k->token_uri, "http://127.0.0.1:1/token");
    assert_string_equal(k->project_id, "proj-1");
    mdc_gsa_key_free(k);
}

static void expect_key_error(const char *json, const char *want)
{
    mdc_gsa_key *k = NULL;
    mdc_err err = {0};
    assert_int_equal(mdc_gsa_key_parse("key.json", json, strlen(json), &k, &err), -1);
    assert_null(k);
    assert_string_equal(err.msg, want);
}

static void test_key_errors(void **state)
{
    fixture *fx = *state;
    char *user = key_file(fx->pkey, "authorized_user", false);
    expect_key_error(user, "key.json: not a service-account key file (\"type\" is "
                           "\"authorized_user\"; expected \"service_account\")");
    free(user);
    expect_key_error("{\"type\": \"service_account\", \"client_email\": \"a@b\"}",
                     "key.json: \"private_key\" is missing");
    expect_key_error("{\"type\": \"service_account\", \"client_email\": \"a@b\", "
                     "\"private_key\": \"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE "
                     "KEY-----\\n\"}",
                     "key.json: \"private_key\" is not a PEM private key");
    /* the parser's message would quote the file; only the position is given */
    expect_key_error("{\"private_key\": \"SECRET-MATERIAL\" x}",
                     "key.json:1:35: not a JSON key file");
    EVP_PKEY *ec = EVP_EC_gen("P-256");
    char *ecjson = key_file(ec, "service_account", false);
    expect_key_error(ecjson, "key.json: \"private_key\" is not an RSA key (RS256 needs one)");
    free(ecjson);
    EVP_PKEY_free(ec);
    mdc_err err = {0};
    mdc_gsa_key *k = NULL;
    assert_int_equal(mdc_gsa_key_load("/nonexistent/key.json", &k, &err), -1);
    assert_string_equal(err.msg, "cannot read /nonexistent/key.json: No such file or directory");
}

static char *b64url_decode(const char *s, size_t n, size_t *outlen)
{
    char *t = calloc(1, n + 4);
    for (size_t i = 0; i < n; i++)
        t[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
    size_t pad = 0;
    while ((n + pad) % 4)
        t[n + pad++] = '=';
    unsigned char *out = calloc(1, n + 4);
    int len = EVP_DecodeBlock(out, (unsigned char *)t, (int)(n + pad));
    free(t);
    assert_true(len >= (int)pad);
    *outlen = (size_t)len - pad; /* DecodeBlock counts the padding as zero bytes */
    return (char *)out;
}

static void test_jwt(void **state)
{
    fixture *fx = *state;
    mdc_gsa_key *k = parse_ok(fx->key_json);
    strbuf jwt = STRBUF_INIT;
    mdc_err err = {0};
    assert_int_equal(
        mdc_gsa_jwt(k, MDC_PUBSUB_SCOPE, "http://127.0.0.1:1/token", 1795327205, &jwt, &err), 0);
    const char *s = sb_str(&jwt);
    const char *dot1 = strchr(s, '.'), *dot2 = strrchr(s, '.');
    assert_non_null(dot1);
    assert_true(dot2 > dot1);
    /* header and claims: exact bytes (base64url of compact JSON, in this order) */
    strbuf want = STRBUF_INIT;
    const char *hdr = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"kid-42\"}";
    const char *claims = "{\"iss\":\"mdc@proj-1.example\",\"scope\":\"https://www.googleapis.com/"
                         "auth/pubsub\",\"aud\":\"http://127.0.0.1:1/token\",\"iat\":1795327205,"
                         "\"exp\":1795330805}";
    mdc_b64_encode(hdr, strlen(hdr), true, &want);
    sb_putc(&want, '.');
    mdc_b64_encode(claims, strlen(claims), true, &want);
    assert_int_equal((size_t)(dot2 - s), want.len);
    assert_memory_equal(s, sb_str(&want), want.len);
    /* the signature: RS256 over "header.claims", verified with the public key */
    size_t siglen;
    char *sig = b64url_decode(dot2 + 1, strlen(dot2 + 1), &siglen);
    assert_int_equal(siglen, 256);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, fx->pkey), 1);
    assert_int_equal(EVP_DigestVerify(ctx, (unsigned char *)sig, siglen, (const unsigned char *)s,
                                      (size_t)(dot2 - s)),
                     1);
    /* and a tampered claim does not verify */
    strbuf bad = STRBUF_INIT;
    sb_append(&bad, s, (size_t)(dot2 - s));
    bad.buf[bad.len - 2] ^= 1;
    assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, fx->pkey), 1);
    assert_int_not_equal(EVP_DigestVerify(ctx, (unsigned char *)sig, siglen,
                                          (const unsigned char *)bad.buf, bad.len),
                         1);
    EVP_MD_CTX_free(ctx);
    free(sig);
    sb_free(&bad);
    sb_free(&want);
    sb_free(&jwt);
    mdc_gsa_key_free(k);
}

static void test_jwt_without_kid(void **state)
{
    fixture *fx = *state;
    char *json = key_file(fx->pkey, "service_account", false);
    mdc_gsa_key *k = parse_ok(json);
    strbuf jwt = STRBUF_INIT, want = STRBUF_INIT;
    mdc_err err = {0};
    assert_int_equal(mdc_gsa_jwt(k, "s", "a", 0, &jwt, &err), 0);
    const char *hdr = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
    mdc_b64_encode(hdr, strlen(hdr), true, &want);
    sb_putc(&want, '.');
    assert_memory_equal(sb_str(&jwt), sb_str(&want), want.len);
    sb_free(&jwt);
    sb_free(&want);
    mdc_gsa_key_free(k);
    free(json);
}

static void test_token_request_and_response(void **state)
{
    (void)state;
    strbuf body = STRBUF_INIT, tok = STRBUF_INIT;
    mdc_oauth_token_body("aaa.bb-b.c_c", &body);
    assert_string_equal(sb_str(&body), "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-"
                                       "bearer&assertion=aaa.bb-b.c_c");
    int64_t exp = 0;
    mdc_err err = {0};
    const char *ok = "{\"access_token\": \"ya29.tok\", \"expires_in\": 3599, \"token_type\": "
                     "\"Bearer\"}";
    assert_int_equal(mdc_oauth_token_parse(200, ok, strlen(ok), &tok, &exp, &err), 0);
    assert_string_equal(sb_str(&tok), "ya29.tok");
    assert_int_equal(exp, 3599);
    const char *refused = "{\"error\": \"invalid_grant\", \"error_description\": \"Invalid JWT "
                          "Signature.\"}";
    assert_int_equal(mdc_oauth_token_parse(400, refused, strlen(refused), &tok, &exp, &err), -1);
    assert_string_equal(err.msg,
                        "token request refused (HTTP 400): invalid_grant: Invalid JWT Signature.");
    assert_int_equal(err.code, MDC_EAUTH);
    assert_int_equal(mdc_oauth_token_parse(502, "Bad\ngateway", 11, &tok, &exp, &err), -1);
    assert_string_equal(err.msg, "token request refused (HTTP 502): Bad gateway");
    /* a 200 without a token: the body (which might hold one) is not quoted */
    const char *odd = "{\"token\": \"SECRET\"}";
    assert_int_equal(mdc_oauth_token_parse(200, odd, strlen(odd), &tok, &exp, &err), -1);
    assert_string_equal(err.msg, "token response without \"access_token\"");
    sb_free(&body);
    sb_free(&tok);
}

static void test_publish_body(void **state)
{
    (void)state;
    strbuf b = STRBUF_INIT;
    mdc_pubsub_body_begin(&b);
    mdc_pubsub_body_add(&b, "{\"a\": 1}", 8, NULL, true);
    mdc_pubsub_body_add(&b, "xy", 2, "00ab-7", false);
    mdc_pubsub_body_end(&b);
    assert_string_equal(sb_str(&b), "{\"messages\":[{\"data\":\"eyJhIjogMX0=\"},{\"data\":\"eHk=\","
                                    "\"attributes\":{\"mdc_record_id\":\"00ab-7\"}}]}");
    mdc_err err = {0};
    const char *resp = "{\"messageIds\": [\"1\", \"2\"]}";
    assert_int_equal(mdc_pubsub_check_response(resp, strlen(resp), 2, &err), 0);
    assert_int_equal(mdc_pubsub_check_response(resp, strlen(resp), 3, &err), -1);
    assert_string_equal(err.msg, "unexpected publish response: 2 message ids for 3 messages");
    assert_int_equal(mdc_pubsub_check_response("", 0, 1, &err), -1);
    sb_free(&b);
}

static void test_names(void **state)
{
    (void)state;
    mdc_err err = {0};
    assert_int_equal(mdc_pubsub_name_check("the topic", "hems-data", &err), 0);
    assert_int_equal(mdc_pubsub_name_check("the project", "example.com:proj", &err), 0);
    assert_int_equal(mdc_pubsub_name_check("the topic", "a/b", &err), -1);
    assert_string_equal(err.msg, "the topic \"a/b\" has a character that is not allowed (/)");
    assert_int_equal(mdc_pubsub_name_check("the topic", "", &err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64),          cmocka_unit_test(test_key_file),
        cmocka_unit_test(test_key_errors),      cmocka_unit_test(test_jwt),
        cmocka_unit_test(test_jwt_without_kid), cmocka_unit_test(test_token_request_and_response),
        cmocka_unit_test(test_publish_body),    cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
