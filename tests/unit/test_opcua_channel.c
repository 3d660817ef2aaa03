/* SPDX-License-Identifier: Apache-2.0 */
/* The secure channel against a minimal peer on loopback (policy None, in a thread): the token
 * is renewed while the client only waits for an answer, and the renewed token's answer is
 * taken in. A server that never answers the renewal makes no difference to the waiting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/clock.h"
#include "drivers/opcua/ua_channel.h"
#include "drivers/opcua/ua_service.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PEER_CHANNEL 7
#define LIFETIME_MS  1000

typedef struct peer {
    int lfd, port;
    ua_inbuf in;
    ua_sec sec;
    uint32_t seq;
    int fd;
    /* what the peer saw */
    int opens, renews;
    uint32_t renew_header_channel;
    char failure[MDC_ERR_MSG_MAX];
} peer;

static int peer_fail(peer *p, const char *what)
{
    snprintf(p->failure, sizeof p->failure, "%s", what);
    return -1;
}

static int read_chunk(peer *p, strbuf *chunk)
{
    mdc_err err = {0};
    int rc = ua_uacp_read_chunk(p->fd, &p->in, 1 << 16, mdc_mono_us() + 10000000, chunk, &err);
    return rc == 0 ? 0 : peer_fail(p, err.msg[0] ? err.msg : "read timed out");
}

static void send_ack(peer *p)
{
    strbuf w = STRBUF_INIT;
    ua_put_raw(&w, "ACKF", 4);
    ua_put_u32(&w, 28);
    ua_put_u32(&w, 0);     /* ProtocolVersion */
    ua_put_u32(&w, 65536); /* ReceiveBufferSize */
    ua_put_u32(&w, 65536); /* SendBufferSize */
    ua_put_u32(&w, 0);     /* MaxMessageSize */
    ua_put_u32(&w, 0);     /* MaxChunkCount */
    (void)!write(p->fd, w.buf, w.len);
    sb_free(&w);
}

/* The OPN request's RequestType (0 Issue, 1 Renew); -1 if it is not one. */
static int opn_request_type(peer *p, uint8_t *chunk, size_t n, uint32_t *request_id,
                            uint32_t *header_channel)
{
    ua_chunk_info ci;
    strbuf body = STRBUF_INIT;
    mdc_err err = {0};
    int type = -1;
    if (ua_chunk_get(&p->sec, chunk, n, &ci, &body, &err) == 0 && !memcmp(ci.type, "OPN", 3)) {
        ua_r r;
        ua_nodeid id, token;
        ua_r_init(&r, body.buf, body.len);
        uint32_t version, req_type, handle, diag, hint;
        int64_t ts;
        ua_string audit = {-1, NULL};
        if (ua_get_nodeid(&r, &id) == 0 && id.num == UA_ID_OPN_REQ &&
            ua_get_nodeid(&r, &token) == 0 && ua_get_i64(&r, &ts) == 0 &&
            ua_get_u32(&r, &handle) == 0 && ua_get_u32(&r, &diag) == 0 &&
            ua_get_string(&r, &audit) == 0 && ua_get_u32(&r, &hint) == 0 &&
            ua_skip(&r, ua_type_of(UA_EXTENSIONOBJECT)) == 0 && ua_get_u32(&r, &version) == 0 &&
            ua_get_u32(&r, &req_type) == 0)
            type = (int)req_type;
        ua_string_clear(&audit);
        *request_id = ci.request_id;
        *header_channel = ci.channel_id;
    }
    ua_chunk_info_clear(&ci);
    sb_free(&body);
    return type;
}

static void send_opn_response(peer *p, uint32_t request_id, uint32_t token_id)
{
    strbuf body = STRBUF_INIT, w = STRBUF_INIT;
    mdc_err err = {0};
    ua_put_typeid(&body, UA_ID_OPN_RESP);
    ua_put_i64(&body, 0);                 /* ResponseHeader: Timestamp */
    ua_put_u32(&body, 0);                 /* RequestHandle */
    ua_put_u32(&body, 0);                 /* ServiceResult */
    ua_put_u8(&body, 0);                  /* ServiceDiagnostics */
    ua_put_i32(&body, -1);                /* StringTable */
    ua_put_raw(&body, "\x00\x00\x00", 3); /* AdditionalHeader */
    ua_put_u32(&body, 0);                 /* ServerProtocolVersion */
    ua_put_u32(&body, PEER_CHANNEL);
    ua_put_u32(&body, token_id);
    ua_put_i64(&body, 0); /* CreatedAt */
    ua_put_u32(&body, LIFETIME_MS);
    ua_put_bytes(&body, NULL, -1); /* ServerNonce */
    ua_chunk_put_asym(&p->sec, PEER_CHANNEL, p->seq++, request_id, body.buf, body.len, &w, &err);
    (void)!write(p->fd, w.buf, w.len);
    sb_free(&body);
    sb_free(&w);
}

/* HEL/ACK, Issue, then chunks until a Renew, which gets token 2 (unless `answer_renew` is
 * false); returns after that. */
static int run_peer(peer *p, bool answer_renew)
{
    strbuf chunk = STRBUF_INIT;
    uint32_t request_id, header_channel;
    int rc = -1;
    p->fd = accept(p->lfd, NULL, NULL);
    if (p->fd < 0) return peer_fail(p, "accept");
    if (read_chunk(p, &chunk) < 0 || memcmp(chunk.buf, "HEL", 3) != 0) goto out;
    send_ack(p);
    if (read_chunk(p, &chunk) < 0 ||
        opn_request_type(p, (uint8_t *)chunk.buf, chunk.len, &request_id, &header_channel) != 0)
        goto out;
    p->opens++;
    send_opn_response(p, request_id, 1);
    while (read_chunk(p, &chunk) == 0) {
        if (memcmp(chunk.buf, "OPN", 3) != 0) continue;
        if (opn_request_type(p, (uint8_t *)chunk.buf, chunk.len, &request_id, &header_channel) != 1)
            break;
        p->renews++;
        p->renew_header_channel = header_channel;
        if (answer_renew) send_opn_response(p, request_id, 2);
        rc = 0;
        break;
    }
out:
    sb_free(&chunk);
    return rc < 0 && !p->failure[0] ? peer_fail(p, "unexpected chunk") : rc;
}

static void *peer_answering(void *arg)
{
    run_peer(arg, true);
    return NULL;
}

static void *peer_silent(void *arg)
{
    run_peer(arg, false);
    return NULL;
}

static void peer_listen(peer *p)
{
    memset(p, 0, sizeof *p);
    p->sec.policy = ua_policy_get(UA_POLICY_NONE);
    p->sec.mode = UA_MODE_NONE;
    p->seq = 1;
    p->lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(p->lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(p->lfd, 1), 0);
    assert_int_equal(getsockname(p->lfd, (struct sockaddr *)&a, &len), 0);
    p->port = ntohs(a.sin_port);
}

static void peer_close(peer *p)
{
    if (p->fd >= 0) close(p->fd);
    close(p->lfd);
    ua_inbuf_free(&p->in);
}

static ua_channel *open_channel(peer *p)
{
    char url[64];
    snprintf(url, sizeof url, "opc.tcp://127.0.0.1:%d", p->port);
    ua_channel_cfg cfg = {.endpoint_url = url,
                          .policy = ua_policy_get(UA_POLICY_NONE),
                          .mode = UA_MODE_NONE,
                          .lifetime_ms = LIFETIME_MS,
                          .timeout_us = 10000000};
    ua_channel *ch = NULL;
    mdc_err err = {0};
    if (ua_channel_open(&cfg, &ch, &err) < 0) fail_msg("open: %s", err.msg);
    return ch;
}

static void test_renew_while_waiting(void **state)
{
    (void)state;
    peer p;
    pthread_t t;
    peer_listen(&p);
    pthread_create(&t, NULL, peer_answering, &p);
    ua_channel *ch = open_channel(&p);
    assert_int_equal(ua_channel_token_id(ch), 1);
    /* nothing is sent; the renewal falls due (at 750 ms) inside this wait of 1.5 s */
    ua_msg m;
    mdc_err err = {0};
    assert_int_equal(ua_channel_recv(ch, mdc_mono_us() + 1500000, &m, &err), 1);
    pthread_join(t, NULL);
    assert_string_equal(p.failure, "");
    assert_int_equal(p.opens, 1);
    assert_int_equal(p.renews, 1);
    assert_int_equal(p.renew_header_channel, PEER_CHANNEL);
    /* the peer has answered with token 2: the next receive takes it in */
    assert_int_equal(ua_channel_recv(ch, mdc_mono_us(), &m, &err), 1);
    assert_int_equal(ua_channel_token_id(ch), 2);
    assert_int_equal(ua_channel_renewals(ch), 1);
    assert_false(ua_channel_broken(ch));
    ua_channel_close(ch);
    peer_close(&p);
}

static void test_unanswered_renewal(void **state)
{
    (void)state;
    peer p;
    pthread_t t;
    peer_listen(&p);
    pthread_create(&t, NULL, peer_silent, &p);
    ua_channel *ch = open_channel(&p);
    ua_msg m;
    mdc_err err = {0};
    assert_int_equal(ua_channel_recv(ch, mdc_mono_us() + 1500000, &m, &err), 1);
    pthread_join(t, NULL);
    assert_int_equal(p.renews, 1);
    /* the Renew is under way: waiting on neither sends another nor fails */
    assert_int_equal(ua_channel_recv(ch, mdc_mono_us() + 100000, &m, &err), 1);
    assert_int_equal(ua_channel_token_id(ch), 1);
    assert_false(ua_channel_broken(ch));
    ua_channel_close(ch);
    peer_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_renew_while_waiting),
        cmocka_unit_test(test_unanswered_renewal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
