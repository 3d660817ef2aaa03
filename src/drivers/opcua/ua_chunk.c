/* SPDX-License-Identifier: Apache-2.0 */
/* ua_chunk.c — building and opening secure-conversation chunks (see ua_chunk.h).
 *
 * Asymmetric (OPN), Sign and SignAndEncrypt alike:
 *   header | SecurityPolicyUri, SenderCertificate, ReceiverThumbprint | RSA-OAEP(
 *     seq | body | padding | RSA-SHA256(header .. padding) )
 * Symmetric (MSG, CLO):
 *   Sign:            header+token | seq | body | HMAC
 *   SignAndEncrypt:  header+token | AES-CBC( seq | body | padding | HMAC(header .. padding) )
 */
#include "ua_chunk.h"

#include <openssl/crypto.h>
#include <string.h>

void ua_chunk_info_clear(ua_chunk_info *ci)
{
    ua_string_clear(&ci->policy_uri);
    ua_string_clear(&ci->sender_cert);
    ua_string_clear(&ci->receiver_thumbprint);
}

size_t ua_padding_len(size_t plain, size_t sig, size_t block, int extra)
{
    size_t base = plain + 1 + (size_t)extra + sig;
    size_t rem = base % block;
    return 1 + (size_t)extra + (rem ? block - rem : 0);
}

void ua_put_padding(strbuf *w, size_t total, int extra)
{
    size_t pad = total - 1 - (size_t)extra; /* PaddingSize: bytes after the size byte(s) */
    for (size_t i = 0; i <= pad; i++)
        ua_put_u8(w, (uint8_t)pad);
    if (extra) ua_put_u8(w, (uint8_t)(pad >> 8));
}

static void put_header(strbuf *w, const char *type, char chunk_type, uint32_t channel_id)
{
    sb_append(w, type, 3);
    sb_putc(w, chunk_type);
    ua_put_u32(w, 0); /* MessageSize, patched */
    ua_put_u32(w, channel_id);
}

static bool secured(const ua_sec *s)
{
    return s->policy->id != UA_POLICY_NONE && s->mode != UA_MODE_NONE;
}

/* ---- asymmetric ---- */

static void put_asym_header(const ua_sec *s, strbuf *w)
{
    ua_put_cstr(w, s->policy->uri);
    if (s->policy->id == UA_POLICY_NONE) {
        ua_put_bytes(w, NULL, -1);
        ua_put_bytes(w, NULL, -1);
        return;
    }
    uint8_t thumb[20];
    ua_sha1(s->peer_cert, s->peer_cert_len, thumb);
    ua_put_bytes(w, s->own_cert, (int32_t)s->own_cert_len);
    ua_put_bytes(w, thumb, 20);
}

int ua_chunk_put_asym(const ua_sec *s, uint32_t channel_id, uint32_t seq, uint32_t request_id,
                      const void *body, size_t n, strbuf *out, mdc_err *err)
{
    size_t start = out->len;
    put_header(out, "OPN", 'F', channel_id);
    put_asym_header(s, out);
    size_t plain_at = out->len;
    ua_put_u32(out, seq);
    ua_put_u32(out, request_id);
    sb_append(out, body, n);
    if (s->policy->id == UA_POLICY_NONE) {
        ua_patch_u32(out, start + 4, (uint32_t)(out->len - start));
        return 0;
    }
    size_t peer_bytes = ua_rsa_bytes(s->peer_key), sig = ua_rsa_bytes(s->own_key);
    size_t block = peer_bytes - s->policy->oaep_overhead;
    int extra = peer_bytes > 256;
    size_t pad = ua_padding_len(out->len - plain_at, sig, block, extra);
    ua_put_padding(out, pad, extra);
    size_t plain_len = out->len - plain_at + sig;
    ua_patch_u32(out, start + 4, (uint32_t)(plain_at - start + plain_len / block * peer_bytes));
    strbuf enc = STRBUF_INIT, signature = STRBUF_INIT;
    int rc = ua_rsa_sign(s->own_key, out->buf + start, out->len - start, &signature, err);
    if (rc == 0) sb_append(out, signature.buf, signature.len);
    sb_free(&signature);
    if (rc == 0) rc = ua_rsa_encrypt(s->peer_key, out->buf + plain_at, plain_len, &enc, err);
    if (rc == 0) {
        out->len = plain_at;
        sb_append(out, enc.buf, enc.len);
    }
    sb_free(&enc);
    return rc;
}

static int get_asym(const ua_sec *s, uint8_t *c, size_t n, ua_chunk_info *ci, strbuf *body,
                    mdc_err *err)
{
    ua_r r;
    ua_r_init(&r, c + UA_SEC_HEADER, n - UA_SEC_HEADER);
    if (ua_get_string(&r, &ci->policy_uri) < 0 || ua_get_string(&r, &ci->sender_cert) < 0 ||
        ua_get_string(&r, &ci->receiver_thumbprint) < 0)
        return mdc_err_set(err, MDC_EPROTO, "bad asymmetric security header");
    size_t plain_at = UA_SEC_HEADER + r.pos;
    if (!ci->policy_uri.data || strcmp(ci->policy_uri.data, s->policy->uri) != 0)
        return mdc_err_set(err, MDC_EPROTO, "OPN answered with security policy %s",
                           ci->policy_uri.data ? ci->policy_uri.data : "(null)");
    uint8_t *plain = c + plain_at;
    size_t plain_len = n - plain_at;
    strbuf dec = STRBUF_INIT;
    if (s->policy->id != UA_POLICY_NONE) {
        size_t sig = ua_rsa_bytes(s->peer_key);
        if (ua_rsa_decrypt(s->own_key, plain, plain_len, &dec, err) < 0) goto fail;
        if (dec.len < UA_SEQ_HEADER + sig + 1) {
            mdc_err_set(err, MDC_EPROTO, "OPN response too short");
            goto fail;
        }
        memcpy(plain, dec.buf, dec.len); /* plaintext is shorter than the ciphertext */
        plain_len = dec.len - sig;
        if (ua_rsa_verify(s->peer_key, c, plain_at + plain_len, plain + plain_len, sig, err) < 0) {
            mdc_err_prefix(err, "OPN response");
            goto fail;
        }
        int extra = ua_rsa_bytes(s->own_key) > 256;
        size_t pad = plain[plain_len - 1];
        if (extra) pad = (size_t)plain[plain_len - 1] << 8 | plain[plain_len - 2];
        if (pad + 1 + (size_t)extra > plain_len - UA_SEQ_HEADER) {
            mdc_err_set(err, MDC_EPROTO, "bad padding in OPN response");
            goto fail;
        }
        plain_len -= pad + 1 + (size_t)extra;
    }
    sb_free(&dec);
    if (plain_len < UA_SEQ_HEADER) return mdc_err_set(err, MDC_EPROTO, "OPN chunk too short");
    ua_r_init(&r, plain, plain_len);
    ua_get_u32(&r, &ci->seq);
    ua_get_u32(&r, &ci->request_id);
    sb_append(body, (const char *)plain + UA_SEQ_HEADER, plain_len - UA_SEQ_HEADER);
    return 0;
fail:
    sb_free(&dec);
    return -1;
}

/* ---- symmetric ---- */

size_t ua_chunk_sym_capacity(const ua_sec *s, size_t chunk_size)
{
    size_t room = chunk_size - UA_SYM_HEADER;
    if (!secured(s)) return room - UA_SEQ_HEADER;
    if (s->mode == UA_MODE_SIGN) return room - UA_SEQ_HEADER - s->policy->mac_len;
    return room / s->policy->block * s->policy->block - UA_SEQ_HEADER - 1 - s->policy->mac_len;
}

int ua_chunk_put_sym(const ua_sec *s, const char *type, char chunk_type, uint32_t channel_id,
                     uint32_t token_id, uint32_t seq, uint32_t request_id, const void *body,
                     size_t n, strbuf *out, mdc_err *err)
{
    size_t start = out->len;
    put_header(out, type, chunk_type, channel_id);
    ua_put_u32(out, token_id);
    size_t plain_at = out->len;
    ua_put_u32(out, seq);
    ua_put_u32(out, request_id);
    sb_append(out, body, n);
    if (!secured(s)) {
        ua_patch_u32(out, start + 4, (uint32_t)(out->len - start));
        return 0;
    }
    bool encrypt = s->mode == UA_MODE_SIGN_ENCRYPT;
    size_t mac = s->policy->mac_len;
    if (encrypt)
        ua_put_padding(out, ua_padding_len(out->len - plain_at, mac, s->policy->block, 0), 0);
    ua_patch_u32(out, start + 4, (uint32_t)(out->len + mac - start));
    uint8_t sig[32];
    if (ua_hmac_sha256(s->send_keys.sign, s->policy->sig_key_len, out->buf + start,
                       out->len - start, sig, err) < 0)
        return -1;
    sb_append(out, (const char *)sig, mac);
    if (!encrypt) return 0;
    return ua_aes_cbc(s->policy, true, &s->send_keys, (uint8_t *)out->buf + plain_at,
                      out->len - plain_at, err);
}

/* Decrypts (a copy) and verifies with one key set; *plain_len = length without the MAC and
 * padding. Returns 0, 1 when the signature does not match, -1 on other errors. */
static int open_sym(const ua_sec *s, const ua_sym_keys *keys, const uint8_t *c, size_t n,
                    uint8_t *plain, size_t *plain_len, mdc_err *err)
{
    size_t mac = s->policy->mac_len, len = n - UA_SYM_HEADER;
    bool encrypt = s->mode == UA_MODE_SIGN_ENCRYPT;
    memcpy(plain, c + UA_SYM_HEADER, len);
    if (encrypt && ua_aes_cbc(s->policy, false, keys, plain, len, err) < 0) return -1;
    if (len < UA_SEQ_HEADER + mac + (encrypt ? 1 : 0))
        return mdc_err_set(err, MDC_EPROTO, "secured chunk too short");
    len -= mac;
    uint8_t want[32];
    strbuf signed_part = STRBUF_INIT; /* the clear header, then the decrypted data */
    sb_append(&signed_part, (const char *)c, UA_SYM_HEADER);
    sb_append(&signed_part, (const char *)plain, len);
    int rc = ua_hmac_sha256(keys->sign, s->policy->sig_key_len, signed_part.buf, signed_part.len,
                            want, err);
    sb_free(&signed_part);
    if (rc < 0) return -1;
    if (CRYPTO_memcmp(want, plain + len, mac) != 0) return 1;
    if (encrypt) {
        size_t pad = plain[len - 1];
        if (pad + 1 > len - UA_SEQ_HEADER)
            return mdc_err_set(err, MDC_EPROTO, "bad padding in message");
        len -= pad + 1;
    }
    *plain_len = len;
    return 0;
}

/* Opens with the keys of the token the chunk names, then with the other keys held (newest
 * first); the MAC decides, the token id is a hint. Around renewals a server may label a message
 * with an older token than the one that secures it: node-opcua puts the request's token id in
 * the answer's header but, once that token has expired, secures the answer with its newest
 * token (a Publish request held across two renewals names a token we no longer hold). */
static int open_sym_any(const ua_sec *s, uint32_t token, const uint8_t *c, size_t n, uint8_t *plain,
                        size_t *plain_len, mdc_err *err)
{
    int named = token == s->recv_token[0] ? 0 : token == s->recv_token[1] ? 1 : -1;
    int order[2] = {named == 1 ? 1 : 0, named == 1 ? 0 : 1};
    int rc = 1;
    for (int i = 0; i < 2 && rc == 1; i++)
        if (order[i] == 0 || s->recv_token[1] != 0)
            rc = open_sym(s, &s->recv_keys[order[i]], c, n, plain, plain_len, err);
    if (rc != 1) return rc;
    if (named < 0)
        return mdc_err_set(err, MDC_EPROTO, "message secured with unknown token %u",
                           (unsigned)token);
    return mdc_err_set(err, MDC_EPROTO, "message signature invalid");
}

static int get_sym(const ua_sec *s, uint8_t *c, size_t n, ua_chunk_info *ci, strbuf *body,
                   mdc_err *err)
{
    ua_r r;
    ua_r_init(&r, c + UA_SEC_HEADER, 4);
    ua_get_u32(&r, &ci->token_id);
    size_t plain_len = n - UA_SYM_HEADER;
    uint8_t *plain = c + UA_SYM_HEADER;
    strbuf dec = STRBUF_INIT;
    if (secured(s)) {
        sb_reserve(&dec, plain_len);
        plain = (uint8_t *)dec.buf;
        if (open_sym_any(s, ci->token_id, c, n, plain, &plain_len, err) < 0) {
            sb_free(&dec);
            return -1;
        }
    }
    int rc = 0;
    if (plain_len < UA_SEQ_HEADER) {
        rc = mdc_err_set(err, MDC_EPROTO, "chunk too short");
    } else {
        ua_r_init(&r, plain, plain_len);
        ua_get_u32(&r, &ci->seq);
        ua_get_u32(&r, &ci->request_id);
        sb_append(body, (const char *)plain + UA_SEQ_HEADER, plain_len - UA_SEQ_HEADER);
    }
    sb_free(&dec);
    return rc;
}

int ua_chunk_get(const ua_sec *s, uint8_t *c, size_t n, ua_chunk_info *ci, strbuf *body,
                 mdc_err *err)
{
    ua_r r;
    uint32_t size;
    memset(ci, 0, sizeof *ci);
    ci->policy_uri.len = ci->sender_cert.len = ci->receiver_thumbprint.len = -1;
    if (n < UA_SYM_HEADER) return mdc_err_set(err, MDC_EPROTO, "chunk too short (%zu bytes)", n);
    memcpy(ci->type, c, 3);
    ci->chunk_type = (char)c[3];
    ua_r_init(&r, c + 4, 8);
    ua_get_u32(&r, &size);
    ua_get_u32(&r, &ci->channel_id);
    if (size != n) return mdc_err_set(err, MDC_EPROTO, "chunk size %u != %zu", (unsigned)size, n);
    if (ci->chunk_type != 'F' && ci->chunk_type != 'C' && ci->chunk_type != 'A')
        return mdc_err_set(err, MDC_EPROTO, "bad chunk type '%c'", ci->chunk_type);
    if (!memcmp(ci->type, "OPN", 3)) return get_asym(s, c, n, ci, body, err);
    if (!memcmp(ci->type, "MSG", 3) || !memcmp(ci->type, "CLO", 3))
        return get_sym(s, c, n, ci, body, err);
    return mdc_err_set(err, MDC_EPROTO, "unexpected message type \"%.3s\"", ci->type);
}
