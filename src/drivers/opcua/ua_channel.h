/* SPDX-License-Identifier: Apache-2.0 */
/* ua_channel.h — a secure channel over UA TCP: connect, HEL/ACK, OpenSecureChannel (Issue and
 * Renew), messages split into chunks and reassembled, sequence numbers, token keys, CLO.
 *
 * Single-threaded. Renewal is asynchronous: once 75% of the token lifetime has passed,
 * ua_channel_send() sends a Renew OPN before its message and ua_channel_recv() sends it while
 * waiting (so that a long wait never outlives the token); ua_channel_recv() consumes the answer
 * and switches keys. Messages are accepted under the keys of the current or previous token,
 * whichever verifies (see ua_chunk_get). */
#ifndef MDC_UA_CHANNEL_H
#define MDC_UA_CHANNEL_H

#include "ua_assemble.h"
#include "ua_chunk.h"
#include "ua_transport.h"

#include "core/err.h"
#include "core/strbuf.h"

typedef struct ua_channel_cfg {
    const char *endpoint_url;
    const ua_policy *policy;
    int mode; /* UA_MODE_* */
    /* our certificate and key (needed when the policy is not None); borrowed */
    EVP_PKEY *own_key;
    const void *own_cert;
    size_t own_cert_len;
    /* the server's certificate from its endpoint description (policy not None); borrowed */
    const void *server_cert;
    size_t server_cert_len;
    uint32_t lifetime_ms; /* requested token lifetime */
    int64_t timeout_us;   /* for connect, OPN and every request */
    uint32_t recv_buffer; /* our chunk size (0 = 65536) */
} ua_channel_cfg;

typedef struct ua_channel ua_channel;

/* Connects and opens the channel (Issue). */
int ua_channel_open(const ua_channel_cfg *cfg, ua_channel **out, mdc_err *err);
/* Sends CloseSecureChannel (best effort) and frees. NULL is fine. */
void ua_channel_close(ua_channel *ch);

uint32_t ua_channel_next_request_id(ua_channel *ch);
/* Sends a service request body (type id onwards) as MSG chunks under `request_id`. */
int ua_channel_send(ua_channel *ch, uint32_t request_id, const strbuf *body, mdc_err *err);
/* Receives one complete MSG response, renewing the token when due. Returns 0 (msg filled;
 * free with ua_msg_free), 1 when the deadline passed with nothing received, -1 when the
 * channel failed (it is then broken). */
int ua_channel_recv(ua_channel *ch, int64_t deadline, ua_msg *msg, mdc_err *err);
/* Sends a Renew now if one is due (also done by ua_channel_send). */
int ua_channel_maintain(ua_channel *ch, mdc_err *err);

bool ua_channel_broken(const ua_channel *ch);
uint32_t ua_channel_id(const ua_channel *ch);
uint32_t ua_channel_token_id(const ua_channel *ch);
unsigned ua_channel_renewals(const ua_channel *ch); /* tokens received after the first */
uint32_t ua_channel_revised_lifetime(const ua_channel *ch);
const ua_limits *ua_channel_limits(const ua_channel *ch);

#endif
