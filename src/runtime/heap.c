/* SPDX-License-Identifier: Apache-2.0 */
/* heap.c — see heap.h. */
#include "heap.h"

#include "core/xalloc.h"

#include <stdlib.h>

void mdc_heap_free(mdc_heap *h)
{
    free(h->e);
    h->e = NULL;
    h->n = h->cap = 0;
}

static void swap(mdc_heap_entry *a, mdc_heap_entry *b)
{
    mdc_heap_entry t = *a;
    *a = *b;
    *b = t;
}

void mdc_heap_push(mdc_heap *h, int64_t key, void *item)
{
    xgrow(&h->e, &h->cap, h->n + 1, sizeof *h->e);
    size_t i = h->n++;
    h->e[i] = (mdc_heap_entry){.key = key, .item = item};
    while (i > 0 && h->e[(i - 1) / 2].key > h->e[i].key) {
        swap(&h->e[(i - 1) / 2], &h->e[i]);
        i = (i - 1) / 2;
    }
}

bool mdc_heap_peek(const mdc_heap *h, mdc_heap_entry *top)
{
    if (h->n == 0) return false;
    *top = h->e[0];
    return true;
}

void mdc_heap_pop(mdc_heap *h)
{
    if (h->n == 0) return;
    h->e[0] = h->e[--h->n];
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && h->e[l].key < h->e[m].key) m = l;
        if (r < h->n && h->e[r].key < h->e[m].key) m = r;
        if (m == i) break;
        swap(&h->e[i], &h->e[m]);
        i = m;
    }
}
