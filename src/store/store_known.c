/* SPDX-License-Identifier: Apache-2.0 */
/* store_known.c — what the store's writer knows of each device's committed rows
 * (store_internal.h), so that a batch need not read it back: the live row's status and which
 * shift_energy rows are all closed. Filled from each committed batch's plan; a rolled back
 * batch leaves it as it was. Only this writer changes those rows (retention deletes old
 * shift rows, which keeps "every row before a start is closed" true). */
#include "store/store_internal.h"

#include "core/xalloc.h"

#include <string.h>

static size_t slot_of(const st_known_map *m, const char *device, uint64_t hash)
{
    size_t i = (size_t)hash & (m->cap - 1);
    while (m->slots[i].device &&
           (m->slots[i].hash != hash || strcmp(m->slots[i].device, device) != 0))
        i = (i + 1) & (m->cap - 1);
    return i;
}

const st_rows *mdc_store_known_find(const st_known_map *m, const char *device, uint64_t hash)
{
    if (!m->cap) return NULL;
    const st_known *e = &m->slots[slot_of(m, device, hash)];
    return e->device ? &e->rows : NULL;
}

static void grow(st_known_map *m)
{
    st_known_map bigger = {.cap = m->cap ? m->cap * 2 : 64, .n = m->n};
    bigger.slots = xcalloc(bigger.cap, sizeof *bigger.slots);
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].device)
            bigger.slots[slot_of(&bigger, m->slots[i].device, m->slots[i].hash)] = m->slots[i];
    free(m->slots);
    *m = bigger;
}

/* The entry of device, added (knowing nothing) when absent. */
static st_known *known_put(st_known_map *m, const char *device, uint64_t hash)
{
    if ((m->n + 1) * 2 > m->cap) grow(m);
    st_known *e = &m->slots[slot_of(m, device, hash)];
    if (!e->device) {
        *e = (st_known){.device = xstrdup(device), .hash = hash};
        m->n++;
    }
    return e;
}

void mdc_store_known_commit(st_known_map *m, const st_plan *p)
{
    for (size_t i = 0; i < p->cap; i++) {
        const st_dev *v = &p->slots[i];
        if (v->device && v->seeded) known_put(m, v->device, v->hash)->rows = v->rows;
    }
}

void mdc_store_known_free(st_known_map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].device);
    free(m->slots);
    *m = (st_known_map){0};
}
