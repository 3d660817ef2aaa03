/* SPDX-License-Identifier: Apache-2.0 */
/* store_batch.c — which of a batch's per-device rows need writing (store_internal.h).
 *
 * A batch that holds several records of one device (a backlog drains in batches of thousands)
 * would upsert the device's `devices`, `live` and `shift_energy` rows once per record, each
 * upsert overwriting the one before in the same transaction. The plan finds each device's
 * first and last record and the next record of the same device, so that the writer upserts
 * those rows once, from the record whose values stand at the end, with exactly the rows the
 * record-by-record writes would have left. */
#include "store/store_internal.h"

#include "core/xalloc.h"

#include <string.h>

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static void reserve(st_plan *p, size_t n)
{
    if (n > p->nrec_cap) {
        p->dev_of = xrealloc(p->dev_of, n * sizeof *p->dev_of);
        p->next = xrealloc(p->next, n * sizeof *p->next);
        p->nrec_cap = n;
    }
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    if (cap > p->cap) {
        free(p->slots);
        p->slots = xcalloc(cap, sizeof *p->slots);
        p->cap = cap;
    } else
        memset(p->slots, 0, p->cap * sizeof *p->slots);
}

/* The slot of device (a new one when absent). */
static int32_t slot_of(st_plan *p, const char *device)
{
    uint64_t h = hash_str(device);
    size_t i = (size_t)h & (p->cap - 1);
    while (p->slots[i].device && (p->slots[i].hash != h || strcmp(p->slots[i].device, device) != 0))
        i = (i + 1) & (p->cap - 1);
    if (!p->slots[i].device) {
        p->slots[i] = (st_dev){.device = device, .hash = h, .first = -1, .last = -1};
    }
    return (int32_t)i;
}

void mdc_store_plan(st_plan *p, const mdc_record *const *recs, size_t n, const bool *skip)
{
    reserve(p, n);
    p->devices = 0;
    for (size_t i = 0; i < n; i++) {
        p->dev_of[i] = -1;
        p->next[i] = -1;
        if (skip[i] || !recs[i]->device) continue;
        int32_t d = slot_of(p, recs[i]->device);
        st_dev *v = &p->slots[d];
        if (v->first < 0) {
            v->first = (int32_t)i;
            p->devices++;
        } else
            p->next[v->last] = (int32_t)i;
        v->last = (int32_t)i;
        p->dev_of[i] = d;
    }
}

void mdc_store_plan_free(st_plan *p)
{
    free(p->slots);
    free(p->dev_of);
    free(p->next);
    *p = (st_plan){0};
}
