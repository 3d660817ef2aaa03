/* SPDX-License-Identifier: Apache-2.0 */
/* ua_chunk.h — one secure-conversation chunk (OPN, MSG, CLO) built and opened: headers,
 * padding, signature and encryption, asymmetric (OPN) and symmetric (MSG/CLO) (Part 6 §6.7).
 * No I/O; the caller owns sequence numbers, tokens and keys (ua_sec). */
#ifndef MDC_UA_CHUNK_H
#define MDC_UA_CHUNK_H

#include "ua_crypto.h"
#include "ua_types.h"

#include "core/err.h"
#include "core/strbuf.h"

#include <stdint.h>

#define UA_SEC_HEADER 12 /* MessageType(3) ChunkType(1) MessageSize(4) SecureChannelId(4) */
#define UA_SYM_HEADER 16 /* ... + TokenId */
#define UA_SEQ_HEADER 8  /* SequenceNumber, RequestId */

/* The security state a chunk needs. Certificates and keys are borrowed. */
typedef struct ua_sec {
    const ua_policy *policy;
    int mode; /* UA_MODE_* */
    EVP_PKEY *own_key;
    const void *own_cert;
    size_t own_cert_len;
    EVP_PKEY *peer_key;
    const void *peer_cert;
    size_t peer_cert_len;
    ua_sym_keys send_keys;
    ua_sym_keys recv_keys[2]; /* for recv_token[0] (current) and [1] (previous) */
    uint32_t recv_token[2];
} ua_sec;

typedef struct ua_chunk_info {
    char type[4];    /* "OPN", "MSG", "CLO" */
    char chunk_type; /* 'F', 'C', 'A' */
    uint32_t channel_id;
    uint32_t token_id; /* MSG/CLO */
    uint32_t seq, request_id;
    /* OPN only */
    ua_string policy_uri, sender_cert, receiver_thumbprint;
} ua_chunk_info;

void ua_chunk_info_clear(ua_chunk_info *ci);

/* Appends a complete OPN chunk ('F') with the asymmetric security header. */
int ua_chunk_put_asym(const ua_sec *s, uint32_t channel_id, uint32_t seq, uint32_t request_id,
                      const void *body, size_t n, strbuf *out, mdc_err *err);
/* Appends one symmetric chunk of type "MSG" or "CLO" ('C' or 'F'). */
int ua_chunk_put_sym(const ua_sec *s, const char *type, char chunk_type, uint32_t channel_id,
                     uint32_t token_id, uint32_t seq, uint32_t request_id, const void *body,
                     size_t n, strbuf *out, mdc_err *err);
/* Largest body one symmetric chunk of `chunk_size` bytes can carry. */
size_t ua_chunk_sym_capacity(const ua_sec *s, size_t chunk_size);

/* Opens a received OPN/MSG/CLO chunk (decrypting in place): fills info and appends the body.
 * A MSG/CLO is opened with the keys of the token it names, else with the other token's keys:
 * the MAC decides, the token id is a hint (servers mislabel answers around renewals). The
 * caller checks sequence numbers and the OPN sender certificate. */
int ua_chunk_get(const ua_sec *s, uint8_t *chunk, size_t n, ua_chunk_info *info, strbuf *body,
                 mdc_err *err);

/* Padding bytes (PaddingSize byte(s) included) that make `plain` + padding + `sig` a
 * multiple of `block`; extra = 1 when an ExtraPaddingSize byte is used. */
size_t ua_padding_len(size_t plain, size_t sig, size_t block, int extra);
/* Writes that padding: the PaddingSize byte, the padding bytes, [ExtraPaddingSize]. */
void ua_put_padding(strbuf *w, size_t total, int extra);

#endif
