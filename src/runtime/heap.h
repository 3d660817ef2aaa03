/* SPDX-License-Identifier: Apache-2.0 */
/* heap.h — a binary min-heap of (key, item) pairs: the event threads' timers (device slots by
 * wall-clock time, bus deadlines by monotonic time). Ownership: the heap owns its array, not the
 * items. */
#ifndef MDC_RUNTIME_HEAP_H
#define MDC_RUNTIME_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mdc_heap_entry {
    int64_t key;
    void *item;
} mdc_heap_entry;

typedef struct mdc_heap {
    mdc_heap_entry *e;
    size_t n, cap;
} mdc_heap;

void mdc_heap_free(mdc_heap *h);
void mdc_heap_push(mdc_heap *h, int64_t key, void *item);
/* The smallest entry (false when empty), left in place. */
bool mdc_heap_peek(const mdc_heap *h, mdc_heap_entry *top);
/* Removes the smallest entry. */
void mdc_heap_pop(mdc_heap *h);

#endif
