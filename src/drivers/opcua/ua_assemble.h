/* SPDX-License-Identifier: Apache-2.0 */
/* ua_assemble.h — reassembly of chunked messages by RequestId, with the message size and
 * chunk count limits enforced, and abort chunks turned into per-request errors. */
#ifndef MDC_UA_ASSEMBLE_H
#define MDC_UA_ASSEMBLE_H

#include "ua_chunk.h"

#include "core/err.h"
#include "core/strbuf.h"

#define UA_ASM_SLOTS 16 /* messages being received at once */

typedef struct ua_msg {
    char type[4]; /* "OPN", "MSG", "CLO" */
    uint32_t request_id;
    uint32_t abort_status; /* non-zero: the server aborted this response ('A' chunk) */
    strbuf body;           /* owned; for an abort, the reason text */
} ua_msg;

typedef struct ua_asm_part {
    bool used;
    uint32_t request_id;
    char type[4];
    uint32_t chunks;
    strbuf body;
} ua_asm_part;

typedef struct ua_assembler {
    size_t max_message; /* 0 = no limit */
    uint32_t max_chunks;
    ua_asm_part parts[UA_ASM_SLOTS];
} ua_assembler;

void ua_asm_init(ua_assembler *a, size_t max_message, uint32_t max_chunks);
void ua_asm_free(ua_assembler *a);
void ua_msg_free(ua_msg *m);

/* Feeds the body of one opened chunk. Returns 1 when a message is complete (moved to *out,
 * which the caller frees), 0 when more chunks are needed, -1 on a violated limit. */
int ua_asm_feed(ua_assembler *a, const ua_chunk_info *ci, const void *body, size_t n, ua_msg *out,
                mdc_err *err);

#endif
