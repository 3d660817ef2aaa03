/* SPDX-License-Identifier: Apache-2.0 */
/* ua_transport.h — UA TCP (UACP): the socket, endpoint URLs, HEL/ACK/ERR and reading whole
 * chunks by their 8-byte header (Part 6 §7.1). */
#ifndef MDC_UA_TRANSPORT_H
#define MDC_UA_TRANSPORT_H

#include "core/err.h"
#include "core/strbuf.h"

#include <stddef.h>
#include <stdint.h>

#define UA_TCP_HEADER 8

typedef struct ua_url {
    char host[256];
    int port;
} ua_url;

/* Parses "opc.tcp://HOST[:PORT][/path]" (default port 4840; [v6] hosts accepted). */
int ua_url_parse(const char *url, ua_url *out, mdc_err *err);

/* ---- socket (deadlines are mdc_mono_us() values) ---- */
int ua_tcp_connect(const ua_url *u, int64_t deadline, int *fd, mdc_err *err);
int ua_tcp_write(int fd, const void *p, size_t n, int64_t deadline, mdc_err *err);
/* Receives what is available (at most n bytes, at least one), adding the count to *end.
 * Returns 0, 1 when the deadline passed first, -1 on error or close. */
int ua_tcp_recv_some(int fd, void *p, size_t n, int64_t deadline, size_t *end, mdc_err *err);
typedef struct ua_limits {
    uint32_t recv_buffer, send_buffer, max_message, max_chunks;
} ua_limits;

/* Bytes received ahead of the chunk being read (one recv() usually brings several). */
typedef struct ua_inbuf {
    char *buf;
    size_t start, end, cap;
} ua_inbuf;

void ua_inbuf_free(ua_inbuf *in);

/* HEL with our limits, then ACK; `negotiated` gets the sizes to use. */
int ua_uacp_hello(int fd, ua_inbuf *in, const char *endpoint_url, const ua_limits *ours,
                  int64_t deadline, ua_limits *negotiated, mdc_err *err);
void ua_uacp_put_hel(strbuf *w, const char *endpoint_url, const ua_limits *l);
/* Parses an ACK body (after the 8-byte header). */
int ua_uacp_get_ack(const void *body, size_t n, ua_limits *out, mdc_err *err);
/* Turns an ERR body into an error ("server error BadTcpEndpointUrlInvalid: reason"). */
int ua_uacp_err_message(const void *body, size_t n, mdc_err *err);

/* Reads one whole chunk (header included) into `chunk` (reset first), at most max bytes.
 * Returns 0, 1 on timeout before any byte, -1 on error. */
int ua_uacp_read_chunk(int fd, ua_inbuf *in, size_t max, int64_t deadline, strbuf *chunk,
                       mdc_err *err);

#endif
