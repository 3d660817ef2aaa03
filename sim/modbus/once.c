/* SPDX-License-Identifier: Apache-2.0 */
/* once.c — `once NAME VALUE`: the next read whose reply carries NAME's registers returns
 * VALUE, and after it the meter reads as before. One record with an out-of-range value — a
 * "poison" record for the delivery fault tests — however mdc groups its requests. */
#include "msim.h"

#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

void msim_once_arm(msim *s, long meter, long unit, msim_qty q, double v)
{
    s->once = (msim_once){.active = true, .meter = meter, .unit = unit, .q = q, .v = v};
}

static bool targets(const msim_once *o, const msim_meter *mt)
{
    return (o->meter < 0 || mt->id == o->meter) && (o->unit < 0 || mt->unit == o->unit);
}

/* The meters of `unit` (contiguous in the model) with the pending value applied; NULL when
 * none of them is targeted. */
static msim_meter *overlay_meters(const msim *s, int unit, size_t *n)
{
    const msim_model *m = &s->model;
    size_t first = m->nmeters, count = 0;
    bool any = false;
    for (size_t k = 0; k < m->nmeters; k++) {
        if (m->meters[k].unit != unit) continue;
        if (first == m->nmeters) first = k;
        count++;
        any |= targets(&s->once, &m->meters[k]);
    }
    if (!any) return NULL;
    msim_meter *copy = xcalloc(count, sizeof *copy);
    memcpy(copy, m->meters + first, count * sizeof *copy);
    for (size_t k = 0; k < count; k++) {
        if (!targets(&s->once, &copy[k])) continue;
        copy[k].q[s->once.q] = s->once.v;
        copy[k].pinned[s->once.q] = true;
        msim_meter_settle(&copy[k], &s->o);
    }
    *n = count;
    return copy;
}

static const uint16_t *table(const msim_image *img, int fc)
{
    return fc == 3 ? img->hr : img->ir;
}

const msim_image *msim_once_image(msim *s, int unit, int fc, uint32_t addr, uint32_t count,
                                  msim_image *tmp)
{
    const msim_image *img = &s->images[unit];
    if (!s->once.active || fc < 3) return img;
    size_t n;
    msim_meter *meters = overlay_meters(s, unit, &n);
    if (!meters) return img;
    msim_image_alloc(tmp, &s->profile);
    msim_image_build(tmp, &s->profile, meters, n);
    free(meters);
    if (memcmp(table(img, fc) + addr, table(tmp, fc) + addr, count * sizeof(uint16_t)) == 0) {
        msim_image_free(tmp);
        return img; /* this read does not carry the value */
    }
    msim_say("served once: unit %d FC%d addr %u count %u: %s %.10g", unit, fc, addr, count,
             msim_qty_name(s->once.q), s->once.v);
    s->once.active = false;
    return tmp;
}
