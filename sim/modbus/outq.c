/* SPDX-License-Identifier: Apache-2.0 */
/* outq.c — replies waiting for their due time (emulated line speed, `slow`). Few items at a
 * time: a linear scan is enough. */
#include "msim.h"
#include "core/xalloc.h"

#include <string.h>

void msim_outq_push(msim_outq *q, const msim_out *o)
{
    xgrow(&q->items, &q->cap, q->n + 1, sizeof *q->items);
    q->items[q->n++] = *o;
}

long msim_outq_earliest(const msim_outq *q)
{
    long best = -1;
    for (size_t i = 0; i < q->n; i++)
        if (best < 0 || q->items[i].due_us < q->items[best].due_us) best = (long)i;
    return best;
}

void msim_outq_remove(msim_outq *q, size_t i)
{
    /* keep FIFO order among equal due times: shift rather than swap */
    memmove(&q->items[i], &q->items[i + 1], (q->n - i - 1) * sizeof *q->items);
    q->n--;
}

void msim_outq_drop_fd(msim_outq *q, int fd)
{
    size_t k = 0;
    for (size_t i = 0; i < q->n; i++)
        if (q->items[i].fd != fd) q->items[k++] = q->items[i];
    q->n = k;
}

void msim_outq_free(msim_outq *q)
{
    free(q->items);
    memset(q, 0, sizeof *q);
}
