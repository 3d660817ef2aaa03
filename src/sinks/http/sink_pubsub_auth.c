/* SPDX-License-Identifier: Apache-2.0 */
/* sink_pubsub_auth.c — base64, service-account keys, JWT assertions, OAuth2 token responses
 * and publish bodies. */
#include "sink_pubsub_auth.h"

#include "core/xalloc.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>

#define KEY_FILE_MAX (256 * 1024)

/* ---- base64 ---- */

void mdc_b64_encode(const void *data, size_t n, bool url, strbuf *out)
{
    static const char std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static const char safe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char *a = url ? safe : std;
    const unsigned char *p = data;
    sb_reserve(out, (n + 2) / 3 * 4 + 1);
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        char q[4] = {a[v >> 18], a[v >> 12 & 63], a[v >> 6 & 63], a[v & 63]};
        sb_append(out, q, 4);
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        char q[4] = {a[v >> 18], a[v >> 12 & 63], i + 1 < n ? a[v >> 6 & 63] : '=', '='};
        size_t len = url ? (i + 1 < n ? 3 : 2) : 4;
        sb_append(out, q, len);
    }
}

/* ---- service-account key ---- */

void mdc_gsa_key_free(mdc_gsa_key *k)
{
    if (!k) return;
    free(k->client_email);
    free(k->private_key_id);
    free(k->token_uri);
    free(k->project_id);
    EVP_PKEY_free(k->pkey);
    free(k);
}

static char *opt_string(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? xstrdup(s) : NULL;
}

static int read_pkey(const char *name, const char *pem, mdc_gsa_key *k, mdc_err *err)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *pkey = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    if (!pkey)
        return mdc_err_set(err, MDC_EINVAL, "%s: \"private_key\" is not a PEM private key", name);
    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
        EVP_PKEY_free(pkey);
        return mdc_err_set(err, MDC_EINVAL,
                           "%s: \"private_key\" is not an RSA key (RS256 needs one)", name);
    }
    k->pkey = pkey;
    return 0;
}

static int key_from_json(const char *name, json_t *root, mdc_gsa_key *k, mdc_err *err)
{
    const char *type = json_string_value(json_object_get(root, "type"));
    if (!type || strcmp(type, "service_account") != 0)
        return mdc_err_set(err, MDC_EINVAL,
                           "%s: not a service-account key file (\"type\" is %s%s%s; expected "
                           "\"service_account\")",
                           name, type ? "\"" : "", type ? type : "missing", type ? "\"" : "");
    const char *pem = json_string_value(json_object_get(root, "private_key"));
    k->client_email = opt_string(root, "client_email");
    if (!pem || !k->client_email)
        return mdc_err_set(err, MDC_EINVAL, "%s: \"%s\" is missing", name,
                           pem ? "client_email" : "private_key");
    k->private_key_id = opt_string(root, "private_key_id");
    k->token_uri = opt_string(root, "token_uri");
    k->project_id = opt_string(root, "project_id");
    return read_pkey(name, pem, k, err);
}

int mdc_gsa_key_parse(const char *name, const char *json, size_t len, mdc_gsa_key **out,
                      mdc_err *err)
{
    json_error_t je;
    json_t *root = json_loadb(json, len, 0, &je);
    if (!root || !json_is_object(root)) {
        /* je.text may quote the file's content (the key): only the position is reported */
        json_decref(root);
        return mdc_err_set(err, MDC_EINVAL, "%s:%d:%d: not a JSON key file", name,
                           root ? 1 : je.line, root ? 1 : je.column);
    }
    mdc_gsa_key *k = xcalloc(1, sizeof *k);
    int rc = key_from_json(name, root, k, err);
    json_decref(root);
    if (rc < 0) {
        mdc_gsa_key_free(k);
        return -1;
    }
    *out = k;
    return 0;
}

int mdc_gsa_key_load(const char *path, mdc_gsa_key **out, mdc_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return mdc_err_set(err, MDC_EIO, "cannot read %s: %s", path, strerror(errno));
    char *buf = xmalloc(KEY_FILE_MAX);
    size_t n = fread(buf, 1, KEY_FILE_MAX, f);
    bool too_big = n == KEY_FILE_MAX;
    bool bad = ferror(f) != 0;
    fclose(f);
    int rc;
    if (bad || too_big)
        rc = mdc_err_set(err, MDC_EIO, "cannot read %s: %s", path,
                         too_big ? "larger than a key file can be" : "read error");
    else
        rc = mdc_gsa_key_parse(path, buf, n, out, err);
    OPENSSL_cleanse(buf, KEY_FILE_MAX);
    free(buf);
    return rc;
}

/* ---- JWT ---- */

static void b64_json(json_t *o, strbuf *out)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    mdc_b64_encode(s, strlen(s), true, out);
    free(s);
}

static int sign_rs256(const mdc_gsa_key *k, const char *data, size_t n, strbuf *out, mdc_err *err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t siglen = 0;
    unsigned char *sig = NULL;
    int ok = ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
             EVP_DigestSign(ctx, NULL, &siglen, (const unsigned char *)data, n) == 1;
    if (ok) {
        sig = xmalloc(siglen);
        ok = EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)data, n) == 1;
    }
    EVP_MD_CTX_free(ctx);
    if (ok) mdc_b64_encode(sig, siglen, true, out);
    free(sig);
    return ok ? 0 : mdc_err_set(err, MDC_EINVAL, "cannot sign the JWT with the RSA key");
}

int mdc_gsa_jwt(const mdc_gsa_key *k, const char *scope, const char *aud, int64_t iat, strbuf *out,
                mdc_err *err)
{
    json_t *hdr = json_object(), *claims = json_object();
    json_object_set_new(hdr, "alg", json_string("RS256"));
    json_object_set_new(hdr, "typ", json_string("JWT"));
    if (k->private_key_id) json_object_set_new(hdr, "kid", json_string(k->private_key_id));
    json_object_set_new(claims, "iss", json_string(k->client_email));
    json_object_set_new(claims, "scope", json_string(scope));
    json_object_set_new(claims, "aud", json_string(aud));
    json_object_set_new(claims, "iat", json_integer(iat));
    json_object_set_new(claims, "exp", json_integer(iat + MDC_JWT_LIFETIME_S));
    size_t start = out->len;
    b64_json(hdr, out);
    sb_putc(out, '.');
    b64_json(claims, out);
    json_decref(hdr);
    json_decref(claims);
    strbuf sig = STRBUF_INIT;
    int rc = sign_rs256(k, out->buf + start, out->len - start, &sig, err);
    if (rc == 0) {
        sb_putc(out, '.');
        sb_append(out, sb_str(&sig), sig.len);
    }
    sb_free(&sig);
    return rc;
}

/* ---- OAuth2 ---- */

static void form_escape(strbuf *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~')
            sb_putc(out, (char)*p);
        else
            sb_printf(out, "%%%02X", *p);
    }
}

void mdc_oauth_token_body(const char *jwt, strbuf *out)
{
    sb_puts(out, "grant_type=");
    form_escape(out, "urn:ietf:params:oauth:grant-type:jwt-bearer");
    sb_puts(out, "&assertion=");
    form_escape(out, jwt);
}

static int token_error(long status, json_t *root, const char *body, size_t len, mdc_err *err)
{
    const char *e = json_string_value(json_object_get(root, "error"));
    const char *d = json_string_value(json_object_get(root, "error_description"));
    strbuf m = STRBUF_INIT;
    if (e) {
        sb_printf(&m, "%.100s%s%.200s", e, d ? ": " : "", d ? d : "");
    } else {
        for (size_t i = 0; i < len && i < 200; i++) {
            unsigned char c = (unsigned char)body[i];
            sb_putc(&m, c >= 0x20 && c < 0x7f ? (char)c : ' ');
        }
    }
    int code = status == 400 || status == 401 || status == 403 ? MDC_EAUTH : MDC_EIO;
    mdc_err_set(err, code, "token request refused (HTTP %ld): %s", status, sb_str(&m));
    sb_free(&m);
    return -1;
}

int mdc_oauth_token_parse(long status, const char *body, size_t len, strbuf *token,
                          int64_t *expires_in_s, mdc_err *err)
{
    json_t *root = json_loadb(body ? body : "", len, 0, NULL);
    int rc;
    if (status < 200 || status >= 300) {
        rc = token_error(status, root, body ? body : "", len, err);
    } else {
        const char *t = json_string_value(json_object_get(root, "access_token"));
        json_t *exp = json_object_get(root, "expires_in");
        if (!t || !*t) {
            rc = mdc_err_set(err, MDC_EPROTO, "token response without \"access_token\"");
        } else {
            sb_reset(token);
            sb_puts(token, t);
            *expires_in_s = json_is_integer(exp) ? json_integer_value(exp) : MDC_JWT_LIFETIME_S;
            if (*expires_in_s <= 0) *expires_in_s = 1;
            rc = 0;
        }
    }
    json_decref(root);
    return rc;
}

/* ---- publish ---- */

void mdc_pubsub_body_begin(strbuf *out)
{
    sb_puts(out, "{\"messages\":[");
}

void mdc_pubsub_body_add(strbuf *out, const void *data, size_t n, const char *record_id, bool first)
{
    sb_puts(out, first ? "{\"data\":\"" : ",{\"data\":\"");
    mdc_b64_encode(data, n, false, out);
    if (record_id)
        sb_printf(out, "\",\"attributes\":{\"mdc_record_id\":\"%s\"}}", record_id);
    else
        sb_puts(out, "\"}");
}

void mdc_pubsub_body_end(strbuf *out)
{
    sb_puts(out, "]}");
}

int mdc_pubsub_check_response(const char *body, size_t len, size_t expected, mdc_err *err)
{
    json_t *root = json_loadb(body ? body : "", len, 0, NULL);
    json_t *ids = json_object_get(root, "messageIds");
    size_t got = json_is_array(ids) ? json_array_size(ids) : 0;
    bool ok = json_is_array(ids) && got == expected;
    json_decref(root);
    if (ok) return 0;
    return mdc_err_set(err, MDC_EPROTO,
                       "unexpected publish response: %zu message id%s for %zu message%s", got,
                       got == 1 ? "" : "s", expected, expected == 1 ? "" : "s");
}
