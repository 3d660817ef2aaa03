/* SPDX-License-Identifier: Apache-2.0 */
/* ua_uacp.c — UA TCP messages: HEL, ACK, ERR, and whole chunks read by their header. */
#include "ua_transport.h"
#include "ua_text.h"
#include "ua_types.h"

#include "core/clock.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define REST_OF_CHUNK_US (10 * MDC_US_PER_SEC) /* once a chunk has started */

void ua_uacp_put_hel(strbuf *w, const char *endpoint_url, const ua_limits *l)
{
    size_t start = w->len;
    sb_append(w, "HELF", 4);
    ua_put_u32(w, 0);
    ua_put_u32(w, 0); /* ProtocolVersion */
    ua_put_u32(w, l->recv_buffer);
    ua_put_u32(w, l->send_buffer);
    ua_put_u32(w, l->max_message);
    ua_put_u32(w, l->max_chunks);
    ua_put_cstr(w, endpoint_url);
    ua_patch_u32(w, start + 4, (uint32_t)(w->len - start));
}

int ua_uacp_get_ack(const void *body, size_t n, ua_limits *out, mdc_err *err)
{
    ua_r r;
    uint32_t version;
    ua_r_init(&r, body, n);
    if (ua_get_u32(&r, &version) || ua_get_u32(&r, &out->recv_buffer) ||
        ua_get_u32(&r, &out->send_buffer) || ua_get_u32(&r, &out->max_message) ||
        ua_get_u32(&r, &out->max_chunks))
        return mdc_err_set(err, MDC_EPROTO, "ACK too short");
    if (out->recv_buffer < 8192 || out->send_buffer < 8192)
        return mdc_err_set(err, MDC_EPROTO, "ACK buffer sizes below 8192 (%u, %u)",
                           (unsigned)out->recv_buffer, (unsigned)out->send_buffer);
    return 0;
}

int ua_uacp_err_message(const void *body, size_t n, mdc_err *err)
{
    ua_r r;
    uint32_t code = 0;
    ua_string reason = {-1, NULL};
    ua_r_init(&r, body, n);
    ua_get_u32(&r, &code);
    ua_get_string(&r, &reason);
    char buf[96];
    mdc_err_set(err, MDC_EDEVICE, "server error %s%s%.200s", ua_status_text(code, buf, sizeof buf),
                reason.data && reason.len ? ": " : "", reason.data ? reason.data : "");
    ua_string_clear(&reason);
    return -1;
}

void ua_inbuf_free(ua_inbuf *in)
{
    free(in->buf);
    memset(in, 0, sizeof *in);
}

/* Receives until `need` bytes are buffered. 1 when the deadline passed with nothing new. */
static int fill(int fd, ua_inbuf *in, size_t need, int64_t deadline, mdc_err *err)
{
    if (in->start > 0 && in->start == in->end) in->start = in->end = 0;
    if (in->start + need > in->cap) { /* compact, then grow */
        if (in->buf) memmove(in->buf, in->buf + in->start, in->end - in->start);
        in->end -= in->start;
        in->start = 0;
        if (need + 65536 > in->cap) {
            in->cap = need + 65536;
            in->buf = xrealloc(in->buf, in->cap);
        }
    }
    while (in->end - in->start < need) {
        int rc =
            ua_tcp_recv_some(fd, in->buf + in->end, in->cap - in->end, deadline, &in->end, err);
        if (rc != 0) return rc;
    }
    return 0;
}

int ua_uacp_read_chunk(int fd, ua_inbuf *in, size_t max, int64_t deadline, strbuf *chunk,
                       mdc_err *err)
{
    sb_reset(chunk);
    int rc = in->end > in->start ? 0 : fill(fd, in, 1, deadline, err);
    if (rc != 0) return rc;
    int64_t rest = mdc_mono_us() + REST_OF_CHUNK_US; /* the chunk has started */
    if (rest < deadline) rest = deadline;
    if (fill(fd, in, UA_TCP_HEADER, rest, err) != 0)
        return mdc_err_set(err, MDC_EIO, "%s", err && err->msg[0] ? err->msg : "short header");
    const uint8_t *h = (const uint8_t *)in->buf + in->start;
    uint32_t size =
        (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
    if (size < UA_TCP_HEADER || size > max)
        return mdc_err_set(err, MDC_EPROTO, "chunk of %u bytes (limit %zu)", (unsigned)size, max);
    if (fill(fd, in, size, rest, err) != 0)
        return mdc_err_set(err, MDC_EIO, "%s", err && err->msg[0] ? err->msg : "short chunk");
    sb_append(chunk, in->buf + in->start, size);
    in->start += size;
    return 0;
}

int ua_uacp_hello(int fd, ua_inbuf *in, const char *endpoint_url, const ua_limits *ours,
                  int64_t deadline, ua_limits *negotiated, mdc_err *err)
{
    strbuf w = STRBUF_INIT;
    ua_uacp_put_hel(&w, endpoint_url, ours);
    int rc = ua_tcp_write(fd, w.buf, w.len, deadline, err);
    if (rc == 0) rc = ua_uacp_read_chunk(fd, in, ours->recv_buffer, deadline, &w, err);
    if (rc == 1) rc = mdc_err_set(err, MDC_ETIMEOUT, "no answer to HEL");
    if (rc == 0 && !memcmp(w.buf, "ERR", 3))
        rc = ua_uacp_err_message(w.buf + UA_TCP_HEADER, w.len - UA_TCP_HEADER, err);
    else if (rc == 0 && memcmp(w.buf, "ACK", 3) != 0)
        rc = mdc_err_set(err, MDC_EPROTO, "expected ACK, got \"%.3s\"", w.buf);
    ua_limits ack;
    if (rc == 0) rc = ua_uacp_get_ack(w.buf + UA_TCP_HEADER, w.len - UA_TCP_HEADER, &ack, err);
    if (rc == 0) {
        /* we send chunks the server can receive, and expect chunks up to our own size */
        negotiated->send_buffer =
            ack.recv_buffer < ours->send_buffer ? ack.recv_buffer : ours->send_buffer;
        negotiated->recv_buffer = ours->recv_buffer;
        negotiated->max_message = ack.max_message;
        negotiated->max_chunks = ack.max_chunks;
    }
    sb_free(&w);
    return rc;
}
