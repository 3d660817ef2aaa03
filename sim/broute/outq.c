/* SPDX-License-Identifier: Apache-2.0 */
/* outq.c — bytes waiting for the emulated serial line, in order of readiness. */
#include "bsim.h"
#include "core/xalloc.h"

#include <string.h>

void bsim_outq_push(bsim_outq *q, int64_t ready_us, const void *data, size_t len, int action)
{
    xgrow(&q->items, &q->cap, q->n + 1, sizeof q->items[0]);
    bsim_item *it = &q->items[q->n++];
    it->ready_us = ready_us;
    it->seq = q->seq++;
    it->action = action;
    it->len = len;
    it->data = xmalloc(len ? len : 1);
    memcpy(it->data, data, len);
}

long bsim_outq_next(const bsim_outq *q)
{
    long best = -1;
    for (size_t i = 0; i < q->n; i++) {
        const bsim_item *a = &q->items[i];
        if (best < 0 || a->ready_us < q->items[best].ready_us ||
            (a->ready_us == q->items[best].ready_us && a->seq < q->items[best].seq))
            best = (long)i;
    }
    return best;
}

void bsim_outq_remove(bsim_outq *q, size_t i)
{
    free(q->items[i].data);
    q->items[i] = q->items[--q->n];
}

void bsim_outq_free(bsim_outq *q)
{
    while (q->n)
        bsim_outq_remove(q, 0);
    free(q->items);
    q->items = NULL;
    q->cap = 0;
}
