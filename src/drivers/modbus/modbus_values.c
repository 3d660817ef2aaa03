/* SPDX-License-Identifier: Apache-2.0 */
/* modbus_values.c — a poll's record: one field per point, in configuration order, filled as
 * the requests of the plan come back. */
#include "modbus_impl.h"

void mdc_mb_rec_begin(const mdc_mb_dev *c, mdc_record *rec)
{
    const mdc_mb_pointset *ps = c->ps;
    mdc_record_reserve(rec, ps->npoints + 4); /* + derived fields */
    for (size_t i = 0; i < ps->npoints; i++)
        mdc_record_add_null(rec, ps->points[i].name, NULL);
}

static void decode_point(const mdc_mb_point *pt, const uint16_t *regs, mdc_field *f)
{
    mdc_value v = {0};
    mdc_err e;
    if (mdc_mb_decode(&pt->fmt, pt->span.address, regs, pt->span.count, &v, &e) < 0) {
        mdc_field_set_error(f, e.msg);
        return;
    }
    mdc_value_free(&f->v);
    f->v = v;
}

void mdc_mb_rec_store(const mdc_mb_dev *c, size_t r, const uint16_t *values, mdc_record *rec)
{
    const mdc_mb_pointset *ps = c->ps;
    for (size_t i = 0; i < ps->npoints; i++)
        if (ps->plan.slots[i].request == r)
            decode_point(&ps->points[i], values + ps->plan.slots[i].offset, &rec->fields[i]);
}

void mdc_mb_rec_fail(const mdc_mb_dev *c, size_t from, size_t to, const char *msg, mdc_record *rec)
{
    const mdc_mb_pointset *ps = c->ps;
    for (size_t i = 0; i < ps->npoints; i++)
        if (ps->plan.slots[i].request >= from && ps->plan.slots[i].request < to)
            mdc_field_set_error(&rec->fields[i], msg);
}
