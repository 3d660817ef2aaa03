/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: request planning. Every point must land inside its request; requests respect the
 * limits and are ordered by (function, address). (Requests may overlap: a point that overlaps
 * a full request, or max_gap -1, gives a request of its own.) */
#include "drivers/modbus/plan.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const mdc_mb_plan *p, const mdc_mb_span *s, size_t n, const mdc_mb_plan_opts *o)
{
    for (size_t r = 0; r < p->nrequests; r++) {
        const mdc_mb_request *q = &p->requests[r];
        int limit = q->function <= 2 ? o->max_bits : o->max_registers;
        if (q->count < 1 || q->count > limit || (uint32_t)q->address + q->count > 65536) abort();
        if (r > 0) {
            const mdc_mb_request *prev = &p->requests[r - 1];
            if (prev->function > q->function ||
                (prev->function == q->function && prev->address > q->address))
                abort();
        }
    }
    for (size_t i = 0; i < n; i++) {
        const mdc_mb_slot *sl = &p->slots[i];
        if (sl->request >= p->nrequests) abort();
        const mdc_mb_request *q = &p->requests[sl->request];
        if (q->function != s[i].function || q->address + sl->offset != s[i].address ||
            (uint32_t)sl->offset + s[i].count > q->count)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) return 0;
    mdc_mb_plan_opts o;
    mdc_mb_plan_opts_init(&o);
    o.max_gap = (int)data[0] - 2;
    o.max_registers = 1 + data[1] % 126;
    o.max_bits = 1 + (data[2] << 3) % 2001;
    data += 4;
    size -= 4;
    mdc_mb_span s[64];
    size_t n = 0;
    for (; n < 64 && size >= 4; n++, data += 4, size -= 4) {
        s[n].name = "p";
        s[n].function = data[0] % 6;
        s[n].address = (uint16_t)(data[1] << 8 | data[2]);
        s[n].count = (uint16_t)(data[3] % 130);
    }
    mdc_mb_plan p;
    mdc_err err;
    if (mdc_mb_plan_build(s, n, &o, &p, &err) == 0) {
        check(&p, s, n, &o);
        strbuf sb = STRBUF_INIT;
        mdc_mb_plan_describe(&p, s, &sb);
        sb_free(&sb);
        mdc_mb_plan_free(&p);
    }
    return 0;
}
