/* SPDX-License-Identifier: Apache-2.0 */
/* ua_assemble.c — chunk reassembly (see ua_assemble.h). */
#include "ua_assemble.h"
#include "ua_text.h"

#include <stdio.h>
#include <string.h>

void ua_asm_init(ua_assembler *a, size_t max_message, uint32_t max_chunks)
{
    memset(a, 0, sizeof *a);
    a->max_message = max_message;
    a->max_chunks = max_chunks;
}

static void part_release(ua_asm_part *p)
{
    sb_free(&p->body);
    memset(p, 0, sizeof *p);
}

void ua_asm_free(ua_assembler *a)
{
    for (int i = 0; i < UA_ASM_SLOTS; i++)
        part_release(&a->parts[i]);
}

void ua_msg_free(ua_msg *m)
{
    sb_free(&m->body);
    memset(m, 0, sizeof *m);
}

static ua_asm_part *find_part(ua_assembler *a, uint32_t request_id, bool create)
{
    ua_asm_part *free_slot = NULL;
    for (int i = 0; i < UA_ASM_SLOTS; i++) {
        if (a->parts[i].used && a->parts[i].request_id == request_id) return &a->parts[i];
        if (!a->parts[i].used && !free_slot) free_slot = &a->parts[i];
    }
    if (!create || !free_slot) return NULL;
    free_slot->used = true;
    free_slot->request_id = request_id;
    return free_slot;
}

static void take_message(ua_asm_part *p, ua_msg *out)
{
    memset(out, 0, sizeof *out);
    memcpy(out->type, p->type, 4);
    out->request_id = p->request_id;
    out->body = p->body;
    if (!out->body.buf) sb_reserve(&out->body, 1);
    memset(p, 0, sizeof *p);
}

static int abort_message(ua_asm_part *p, uint32_t request_id, const void *body, size_t n,
                         ua_msg *out)
{
    ua_r r;
    uint32_t code = 0x80000000u;
    ua_string reason = {-1, NULL};
    if (p) part_release(p);
    ua_r_init(&r, body, n);
    ua_get_u32(&r, &code);
    ua_get_string(&r, &reason);
    memset(out, 0, sizeof *out);
    memcpy(out->type, "MSG", 4);
    out->request_id = request_id;
    out->abort_status = code ? code : 0x80000000u;
    sb_printf(&out->body, "%.200s", reason.data ? reason.data : "");
    ua_string_clear(&reason);
    return 1;
}

int ua_asm_feed(ua_assembler *a, const ua_chunk_info *ci, const void *body, size_t n, ua_msg *out,
                mdc_err *err)
{
    ua_asm_part *p = find_part(a, ci->request_id, ci->chunk_type != 'A');
    if (ci->chunk_type == 'A') return abort_message(p, ci->request_id, body, n, out);
    if (!p)
        return mdc_err_set(err, MDC_EPROTO, "more than %d chunked messages at once", UA_ASM_SLOTS);
    if (p->chunks == 0)
        memcpy(p->type, ci->type, 4);
    else if (memcmp(p->type, ci->type, 3) != 0) {
        part_release(p);
        return mdc_err_set(err, MDC_EPROTO, "chunk types mixed in one message");
    }
    p->chunks++;
    if ((a->max_chunks && p->chunks > a->max_chunks) ||
        (a->max_message && p->body.len + n > a->max_message)) {
        part_release(p);
        return mdc_err_set(err, MDC_EPROTO,
                           "response too large (over %zu bytes or %u chunks); "
                           "read fewer nodes at once",
                           a->max_message, (unsigned)a->max_chunks);
    }
    sb_append(&p->body, body, n);
    if (ci->chunk_type == 'C') return 0;
    take_message(p, out);
    return 1;
}
