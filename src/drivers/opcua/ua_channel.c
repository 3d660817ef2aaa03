/* SPDX-License-Identifier: Apache-2.0 */
/* ua_channel.c — the secure channel (see ua_channel.h). */
#include "ua_channel.h"
#include "ua_service.h"
#include "ua_text.h"

#include "core/clock.h"
#include "core/xalloc.h"

#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define OUR_MAX_MESSAGE (64u << 20)
#define OUR_MAX_CHUNKS  4096u
#define REQ_ISSUE       0
#define REQ_RENEW       1

struct ua_channel {
    ua_channel_cfg cfg;
    char *url;
    int fd;
    ua_inbuf in;
    ua_limits lim;
    ua_sec sec;
    X509 *server_x509;
    EVP_PKEY *server_pub;
    uint8_t own_thumb[20];
    uint32_t channel_id, token_id, lifetime_ms;
    uint32_t send_seq, recv_seq;
    bool have_recv_seq;
    uint32_t next_request_id;
    int64_t token_at; /* mdc_mono_us() when the current token arrived */
    bool renew_pending;
    uint8_t client_nonce[32];
    size_t nonce_len;
    unsigned tokens;
    ua_assembler as;
    strbuf chunk, body;
    bool broken;
};

static bool secured(const ua_channel *ch)
{
    return ch->sec.policy->id != UA_POLICY_NONE && ch->sec.mode != UA_MODE_NONE;
}

uint32_t ua_channel_next_request_id(ua_channel *ch)
{
    if (++ch->next_request_id == 0) ch->next_request_id = 1;
    return ch->next_request_id;
}

static int fail(ua_channel *ch)
{
    ch->broken = true;
    return -1;
}

static int write_all(ua_channel *ch, const strbuf *w, mdc_err *err)
{
    int64_t deadline = mdc_mono_us() + ch->cfg.timeout_us;
    if (ua_tcp_write(ch->fd, w->buf, w->len, deadline, err) < 0) return fail(ch);
    return 0;
}

/* ---- OpenSecureChannel ---- */

static int send_opn(ua_channel *ch, int request_type, mdc_err *err)
{
    ch->nonce_len = secured(ch) ? ch->sec.policy->nonce_len : 0;
    if (ch->nonce_len && ua_random(ch->client_nonce, ch->nonce_len, err) < 0) return -1;
    strbuf body = STRBUF_INIT, w = STRBUF_INIT;
    ua_put_typeid(&body, UA_ID_OPN_REQ);
    ua_put_request_header(&body, NULL, ua_channel_next_request_id(ch),
                          (uint32_t)(ch->cfg.timeout_us / 1000));
    ua_put_u32(&body, 0); /* ClientProtocolVersion */
    ua_put_u32(&body, (uint32_t)request_type);
    ua_put_u32(&body, (uint32_t)ch->sec.mode);
    ua_put_bytes(&body, ch->client_nonce, (int32_t)ch->nonce_len);
    ua_put_u32(&body, ch->cfg.lifetime_ms);
    int rc = ua_chunk_put_asym(&ch->sec, ch->channel_id, ch->send_seq++, ch->next_request_id,
                               body.buf, body.len, &w, err);
    if (rc == 0) rc = write_all(ch, &w, err);
    if (rc == 0 && request_type == REQ_RENEW) ch->renew_pending = true;
    sb_free(&body);
    sb_free(&w);
    return rc;
}

static int install_keys(ua_channel *ch, const ua_string *server_nonce, mdc_err *err)
{
    const ua_policy *p = ch->sec.policy;
    if (!secured(ch)) return 0;
    if (!server_nonce->data || (size_t)server_nonce->len < p->nonce_len)
        return mdc_err_set(err, MDC_EPROTO, "OPN response: server nonce of %d bytes",
                           server_nonce->len);
    ua_sym_keys send, recv;
    if (ua_derive_keys(p, server_nonce->data, (size_t)server_nonce->len, ch->client_nonce,
                       ch->nonce_len, &send, err) < 0 ||
        ua_derive_keys(p, ch->client_nonce, ch->nonce_len, server_nonce->data,
                       (size_t)server_nonce->len, &recv, err) < 0)
        return -1;
    ch->sec.send_keys = send;
    ch->sec.recv_keys[1] = ch->sec.recv_keys[0];
    ch->sec.recv_token[1] = ch->sec.recv_token[0];
    ch->sec.recv_keys[0] = recv;
    return 0;
}

static int handle_opn_response(ua_channel *ch, const ua_msg *m, mdc_err *err)
{
    ua_r r;
    uint32_t status, version, channel_id, token_id, lifetime;
    int64_t created;
    ua_string nonce = {-1, NULL};
    ua_r_init(&r, m->body.buf, m->body.len);
    if (ua_response_begin(&r, UA_ID_OPN_RESP, "OpenSecureChannel", &status, err) < 0) return -1;
    if (ua_get_u32(&r, &version) || ua_get_u32(&r, &channel_id) || ua_get_u32(&r, &token_id) ||
        ua_get_i64(&r, &created) || ua_get_u32(&r, &lifetime) || ua_get_string(&r, &nonce)) {
        ua_string_clear(&nonce);
        return mdc_err_set(err, MDC_EPROTO, "OpenSecureChannel: malformed response");
    }
    int rc = install_keys(ch, &nonce, err);
    ua_string_clear(&nonce);
    if (rc < 0) return -1;
    if (ch->tokens && channel_id != ch->channel_id)
        return mdc_err_set(err, MDC_EPROTO, "renewed token for another channel");
    ch->channel_id = channel_id;
    ch->token_id = token_id;
    ch->sec.recv_token[0] = token_id;
    ch->lifetime_ms = lifetime ? lifetime : ch->cfg.lifetime_ms;
    ch->token_at = mdc_mono_us();
    ch->renew_pending = false;
    ch->tokens++;
    return 0;
}

/* ---- receiving ---- */

static bool seq_ok(ua_channel *ch, uint32_t seq)
{
    if (!ch->have_recv_seq) {
        ch->have_recv_seq = true;
        ch->recv_seq = seq;
        return true;
    }
    bool ok = seq == ch->recv_seq + 1 || (ch->recv_seq > 4294966271u && seq < 1024);
    ch->recv_seq = seq;
    return ok;
}

static int check_opn_chunk(ua_channel *ch, const ua_chunk_info *ci, mdc_err *err)
{
    if (!secured(ch)) return 0;
    if (!ci->sender_cert.data ||
        !(ci->sender_cert.len >= (int32_t)ch->cfg.server_cert_len &&
          !memcmp(ci->sender_cert.data, ch->cfg.server_cert, ch->cfg.server_cert_len)))
        return mdc_err_set(err, MDC_EPROTO,
                           "OPN response signed with another certificate than the endpoint's");
    if (ci->receiver_thumbprint.len != 20 ||
        memcmp(ci->receiver_thumbprint.data, ch->own_thumb, 20) != 0)
        return mdc_err_set(err, MDC_EPROTO, "OPN response for another client certificate");
    return 0;
}

/* One complete message of any type; 1 on timeout. */
static int recv_any(ua_channel *ch, int64_t deadline, ua_msg *m, mdc_err *err)
{
    for (;;) {
        int rc =
            ua_uacp_read_chunk(ch->fd, &ch->in, ch->lim.recv_buffer, deadline, &ch->chunk, err);
        if (rc == 1) return 1;
        if (rc < 0) return fail(ch);
        uint8_t *c = (uint8_t *)ch->chunk.buf;
        if (!memcmp(c, "ERR", 3)) {
            ua_uacp_err_message(c + UA_TCP_HEADER, ch->chunk.len - UA_TCP_HEADER, err);
            return fail(ch);
        }
        ua_chunk_info ci;
        sb_reset(&ch->body);
        rc = ua_chunk_get(&ch->sec, c, ch->chunk.len, &ci, &ch->body, err);
        if (rc == 0 && !memcmp(ci.type, "OPN", 3)) rc = check_opn_chunk(ch, &ci, err);
        ua_chunk_info_clear(&ci);
        if (rc < 0) return fail(ch);
        if (ch->tokens && ci.channel_id != ch->channel_id) {
            mdc_err_set(err, MDC_EPROTO, "message for channel %u", (unsigned)ci.channel_id);
            return fail(ch);
        }
        if (!seq_ok(ch, ci.seq)) {
            mdc_err_set(err, MDC_EPROTO, "sequence number %u out of order", (unsigned)ci.seq);
            return fail(ch);
        }
        rc = ua_asm_feed(&ch->as, &ci, ch->body.buf, ch->body.len, m, err);
        if (rc < 0) return fail(ch);
        if (rc == 1) return 0;
    }
}

/* When the next Renew is due (mdc_mono_us()); INT64_MAX while one is under way. */
static int64_t renew_due(const ua_channel *ch)
{
    return ch->renew_pending ? INT64_MAX : ch->token_at + (int64_t)ch->lifetime_ms * 750;
}

int ua_channel_recv(ua_channel *ch, int64_t deadline, ua_msg *msg, mdc_err *err)
{
    if (ch->broken) return mdc_err_set(err, MDC_ESTATE, "secure channel is closed");
    for (;;) {
        /* a long wait (a slow answer, a held Publish) must not outlive the token */
        if (ua_channel_maintain(ch, err) < 0) return -1;
        int64_t due = renew_due(ch), until = due < deadline ? due : deadline;
        int rc = recv_any(ch, until, msg, err);
        if (rc == 1 && until < deadline) continue;
        if (rc != 0) return rc;
        if (!memcmp(msg->type, "MSG", 3)) return 0;
        bool opn = !memcmp(msg->type, "OPN", 3);
        rc = opn ? handle_opn_response(ch, msg, err) : 0;
        ua_msg_free(msg);
        if (rc < 0) return fail(ch);
        if (!opn) {
            mdc_err_set(err, MDC_EIO, "server closed the secure channel");
            return fail(ch);
        }
    }
}

/* ---- sending ---- */

int ua_channel_maintain(ua_channel *ch, mdc_err *err)
{
    if (ch->broken) return mdc_err_set(err, MDC_ESTATE, "secure channel is closed");
    if (mdc_mono_us() < renew_due(ch)) return 0;
    if (send_opn(ch, REQ_RENEW, err) < 0) {
        mdc_err_prefix(err, "renewing the secure channel token");
        return fail(ch);
    }
    return 0;
}

static int send_chunks(ua_channel *ch, const char *type, uint32_t request_id, const strbuf *body,
                       mdc_err *err)
{
    size_t cap = ua_chunk_sym_capacity(&ch->sec, ch->lim.send_buffer);
    size_t n = body->len, nchunks = n ? (n + cap - 1) / cap : 1;
    if ((ch->lim.max_chunks && nchunks > ch->lim.max_chunks) ||
        (ch->lim.max_message && n > ch->lim.max_message))
        return mdc_err_set(err, MDC_EINVAL,
                           "request of %zu bytes is larger than the server accepts", n);
    strbuf w = STRBUF_INIT;
    int rc = 0;
    for (size_t off = 0, i = 0; i < nchunks && rc == 0; i++, off += cap) {
        size_t take = n - off < cap ? n - off : cap;
        sb_reset(&w);
        rc = ua_chunk_put_sym(&ch->sec, type, i + 1 == nchunks ? 'F' : 'C', ch->channel_id,
                              ch->token_id, ch->send_seq++, request_id, body->buf + off, take, &w,
                              err);
        if (rc == 0) rc = write_all(ch, &w, err);
    }
    sb_free(&w);
    return rc < 0 ? fail(ch) : 0;
}

int ua_channel_send(ua_channel *ch, uint32_t request_id, const strbuf *body, mdc_err *err)
{
    if (ua_channel_maintain(ch, err) < 0) return -1;
    return send_chunks(ch, "MSG", request_id, body, err);
}

/* ---- open and close ---- */

static int setup_security(ua_channel *ch, mdc_err *err)
{
    ch->sec.policy = ch->cfg.policy;
    ch->sec.mode = ch->cfg.mode;
    if (ch->cfg.policy->id == UA_POLICY_NONE) {
        ch->sec.mode = UA_MODE_NONE;
        return 0;
    }
    if (!ch->cfg.own_key || !ch->cfg.own_cert)
        return mdc_err_set(err, MDC_EINVAL, "a client certificate is needed for %s",
                           ch->cfg.policy->name);
    if (ua_cert_parse(ch->cfg.server_cert, ch->cfg.server_cert_len, &ch->server_x509,
                      &ch->server_pub, err) < 0)
        return mdc_err_prefix(err, "server certificate");
    ch->sec.own_key = ch->cfg.own_key;
    ch->sec.own_cert = ch->cfg.own_cert;
    ch->sec.own_cert_len = ch->cfg.own_cert_len;
    ch->sec.peer_key = ch->server_pub;
    ch->sec.peer_cert = ch->cfg.server_cert;
    ch->sec.peer_cert_len = ch->cfg.server_cert_len;
    ua_sha1(ch->cfg.own_cert, ch->cfg.own_cert_len, ch->own_thumb);
    return 0;
}

static int open_issue(ua_channel *ch, mdc_err *err)
{
    int64_t deadline = mdc_mono_us() + ch->cfg.timeout_us;
    ua_url u;
    ua_limits ours = {ch->cfg.recv_buffer ? ch->cfg.recv_buffer : 65536,
                      ch->cfg.recv_buffer ? ch->cfg.recv_buffer : 65536, OUR_MAX_MESSAGE,
                      OUR_MAX_CHUNKS};
    if (setup_security(ch, err) < 0 || ua_url_parse(ch->url, &u, err) < 0 ||
        ua_tcp_connect(&u, deadline, &ch->fd, err) < 0)
        return -1;
    if (ua_uacp_hello(ch->fd, &ch->in, ch->url, &ours, deadline, &ch->lim, err) < 0)
        return mdc_err_prefix(err, "UA TCP hello");
    ua_asm_init(&ch->as, OUR_MAX_MESSAGE, OUR_MAX_CHUNKS);
    if (send_opn(ch, REQ_ISSUE, err) < 0) return -1;
    ua_msg m;
    int rc = recv_any(ch, deadline, &m, err);
    if (rc == 1) return mdc_err_set(err, MDC_ETIMEOUT, "no answer to OpenSecureChannel");
    if (rc < 0) return -1;
    if (memcmp(m.type, "OPN", 3) != 0) rc = mdc_err_set(err, MDC_EPROTO, "expected OPN");
    if (rc == 0) rc = handle_opn_response(ch, &m, err);
    ua_msg_free(&m);
    return rc;
}

int ua_channel_open(const ua_channel_cfg *cfg, ua_channel **out, mdc_err *err)
{
    ua_channel *ch = xcalloc(1, sizeof *ch);
    ch->cfg = *cfg;
    ch->url = xstrdup(cfg->endpoint_url);
    ch->cfg.endpoint_url = ch->url;
    ch->fd = -1;
    ch->send_seq = 1;
    if (open_issue(ch, err) < 0) {
        ua_channel_close(ch);
        *out = NULL;
        return -1;
    }
    *out = ch;
    return 0;
}

void ua_channel_close(ua_channel *ch)
{
    if (!ch) return;
    if (ch->fd >= 0 && !ch->broken && ch->tokens) {
        strbuf body = STRBUF_INIT;
        mdc_err ignored;
        ua_put_typeid(&body, UA_ID_CLO_REQ);
        ua_put_request_header(&body, NULL, 0, 1000);
        send_chunks(ch, "CLO", ua_channel_next_request_id(ch), &body, &ignored);
        sb_free(&body);
    }
    if (ch->fd >= 0) close(ch->fd);
    ua_asm_free(&ch->as);
    ua_inbuf_free(&ch->in);
    sb_free(&ch->chunk);
    sb_free(&ch->body);
    X509_free(ch->server_x509);
    EVP_PKEY_free(ch->server_pub);
    OPENSSL_cleanse(&ch->sec.send_keys, sizeof ch->sec.send_keys);
    OPENSSL_cleanse(ch->sec.recv_keys, sizeof ch->sec.recv_keys);
    free(ch->url);
    free(ch);
}

bool ua_channel_broken(const ua_channel *ch)
{
    return ch->broken;
}

uint32_t ua_channel_id(const ua_channel *ch)
{
    return ch->channel_id;
}

uint32_t ua_channel_token_id(const ua_channel *ch)
{
    return ch->token_id;
}

unsigned ua_channel_renewals(const ua_channel *ch)
{
    return ch->tokens ? ch->tokens - 1 : 0;
}

uint32_t ua_channel_revised_lifetime(const ua_channel *ch)
{
    return ch->lifetime_ms;
}

const ua_limits *ua_channel_limits(const ua_channel *ch)
{
    return &ch->lim;
}
