/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the receive path of a client on a None channel. The input is a stream of UA TCP
 * chunks (each with its own 8-byte header); each is opened (OPN/MSG/CLO), reassembled by
 * RequestId with limits, and every complete message is decoded as a service response
 * (ResponseHeader, GetEndpoints) — ACK and ERR bodies too. */
#include "drivers/opcua/ua_assemble.h"
#include "drivers/opcua/ua_chunk.h"
#include "drivers/opcua/ua_endpoint.h"
#include "drivers/opcua/ua_service.h"
#include "drivers/opcua/ua_transport.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode_message(const ua_msg *m)
{
    mdc_err err;
    uint32_t status;
    ua_r r;
    ua_r_init(&r, m->body.buf, m->body.len);
    ua_response_begin(&r, UA_ID_READ_RESP, "Read", &status, &err);
    ua_endpoint *eps;
    int32_t n;
    ua_get_endpoints_response(m->body.buf, m->body.len, &eps, &n, &err);
    ua_endpoints_free(eps, n);
}

static void one_chunk(const ua_sec *s, ua_assembler *a, uint8_t *c, size_t n)
{
    mdc_err err;
    ua_limits lim;
    if (n >= 8 && !memcmp(c, "ACK", 3)) {
        ua_uacp_get_ack(c + 8, n - 8, &lim, &err);
        return;
    }
    if (n >= 8 && !memcmp(c, "ERR", 3)) {
        ua_uacp_err_message(c + 8, n - 8, &err);
        return;
    }
    ua_chunk_info ci;
    strbuf body = STRBUF_INIT;
    if (ua_chunk_get(s, c, n, &ci, &body, &err) == 0) {
        ua_msg m;
        if (ua_asm_feed(a, &ci, body.buf, body.len, &m, &err) == 1) {
            decode_message(&m);
            ua_msg_free(&m);
        }
    }
    ua_chunk_info_clear(&ci);
    sb_free(&body);
}

/* The first byte picks the channel security: None, or Basic256Sha256 / Aes128 in Sign or
 * SignAndEncrypt with fixed symmetric keys (token 1), so padding and MAC checks are reached. */
static void pick_security(uint8_t b, ua_sec *s)
{
    static const ua_policy_id ids[] = {UA_POLICY_NONE, UA_POLICY_BASIC256SHA256,
                                       UA_POLICY_AES128_SHA256_RSAOAEP};
    memset(s, 0, sizeof *s);
    s->policy = ua_policy_get(ids[b % 3]);
    s->mode = s->policy->id == UA_POLICY_NONE ? UA_MODE_NONE
              : (b & 4)                       ? UA_MODE_SIGN_ENCRYPT
                                              : UA_MODE_SIGN;
    for (int i = 0; i < 32; i++)
        s->recv_keys[0].sign[i] = s->recv_keys[0].enc[i] = (uint8_t)i;
    s->recv_token[0] = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ua_sec s;
    if (size < 1) return 0;
    pick_security(data[0], &s);
    data++;
    size--;
    ua_assembler a;
    ua_asm_init(&a, 1 << 16, 8);
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    size_t pos = 0;
    while (size - pos >= 8) {
        uint32_t len = (uint32_t)copy[pos + 4] | (uint32_t)copy[pos + 5] << 8 |
                       (uint32_t)copy[pos + 6] << 16 | (uint32_t)copy[pos + 7] << 24;
        if (len < 8 || len > size - pos) break;
        one_chunk(&s, &a, copy + pos, len);
        pos += len;
    }
    ua_asm_free(&a);
    free(copy);
    return 0;
}
