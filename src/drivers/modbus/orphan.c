/* SPDX-License-Identifier: Apache-2.0 */
/* orphan.c — see orphan.h. */
#include "orphan.h"
#include "pdu.h"

#include <string.h>

static void drop(mdc_mb_orphans *s, size_t i)
{
    memmove(&s->o[i], &s->o[i + 1], (s->n - i - 1) * sizeof s->o[0]);
    s->n--;
}

void mdc_mb_orphans_add(mdc_mb_orphans *s, uint8_t unit, int fc, uint16_t count, int64_t until_us)
{
    if (s->n == MDC_MB_ORPHANS_MAX) drop(s, 0);
    s->o[s->n++] =
        (mdc_mb_orphan){.unit = unit, .fc = (uint8_t)fc, .count = count, .until_us = until_us};
}

void mdc_mb_orphans_expire(mdc_mb_orphans *s, int64_t now_us)
{
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->o[i].until_us >= now_us) s->o[k++] = s->o[i];
    s->n = k;
}

static bool answers(const mdc_mb_orphan *o, uint8_t unit, const uint8_t *pdu, size_t n)
{
    if (o->unit != unit || n < 2) return false;
    if (pdu[0] == (uint8_t)(o->fc | 0x80)) return n == 2;
    size_t want = mdc_mb_reply_bytes(o->fc, o->count);
    return pdu[0] == o->fc && pdu[1] == want && n == 2 + want;
}

bool mdc_mb_orphans_take(mdc_mb_orphans *s, uint8_t unit, const uint8_t *pdu, size_t pdu_len,
                         int64_t now_us)
{
    mdc_mb_orphans_expire(s, now_us);
    for (size_t i = 0; i < s->n; i++)
        if (answers(&s->o[i], unit, pdu, pdu_len)) {
            drop(s, i);
            return true;
        }
    return false;
}
