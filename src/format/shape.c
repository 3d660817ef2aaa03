/* SPDX-License-Identifier: Apache-2.0 */
/* shape.c — see shape.h. */
#include "format/shape.h"

#include "core/xalloc.h"

static void copy_field(mdc_record *dst, const mdc_field *f)
{
    mdc_field *g = mdc_record_add(dst, f->name);
    mdc_value_copy(&g->v, &f->v);
    if (f->error) g->error = xstrdup(f->error);
}

static void copy_fields(const mdc_shape_cfg *cfg, const mdc_record *src, mdc_record *dst)
{
    if (!cfg->fields) {
        mdc_record_reserve(dst, src->nfields);
        for (size_t i = 0; i < src->nfields; i++)
            copy_field(dst, &src->fields[i]);
        return;
    }
    mdc_record_reserve(dst, cfg->nfields);
    for (size_t i = 0; i < cfg->nfields; i++) {
        const mdc_field *f = mdc_record_find(src, cfg->fields[i]);
        if (f)
            copy_field(dst, f);
        else
            mdc_record_add_null(dst, cfg->fields[i], NULL);
    }
}

static bool all_null(const mdc_record *r)
{
    for (size_t i = 0; i < r->nfields; i++)
        if (r->fields[i].v.type != MDC_NULL) return false;
    return true;
}

bool mdc_shape_record(const mdc_shape_cfg *cfg, const mdc_record *src, mdc_record *dst)
{
    mdc_record_init(dst);
    dst->seq = src->seq;
    dst->redelivered = src->redelivered;
    dst->ts_us = src->ts_us;
    dst->shift_start_us = src->shift_start_us;
    /* The identity stays also on bare records: a file path or topic template names it. */
    if (src->device) mdc_record_set_device(dst, src->device);
    dst->has_machine_id = src->has_machine_id;
    dst->machine_id = src->machine_id;
    if (!cfg->bare) {
        dst->status = src->status;
        if (src->error) mdc_record_set_error(dst, src->error);
    }
    copy_fields(cfg, src, dst);
    if (cfg->skip_empty && all_null(dst)) {
        mdc_record_free(dst);
        mdc_record_init(dst);
        return false;
    }
    return true;
}
