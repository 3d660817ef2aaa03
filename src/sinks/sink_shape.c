/* sink_shape.c — field selection, bare (hems) records and empty-record skipping in front of
 * another sink. */
#include "sink_shape.h"

#include "core/xalloc.h"

#include <string.h>

const char *const MDC_HEMS_FIELDS[MDC_HEMS_NFIELDS] = {
    "cumulative_power_kwh",
    "instant_power_w",
    "current_a",
    "current_r_a",
    "current_t_a",
    "historical_timestamp",
    "historical_cumulative_power_kwh",
    "recent_30min_timestamp", /* the seed README's order (its code inserts them the other way) */
    "recent_30min_consumption_kwh",
};

typedef struct shape_sink {
    mdc_sink *inner;
    char **fields;
    size_t nfields;
    bool bare, skip_empty;
} shape_sink;

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
    dst->ts_us = src->ts_us;
    dst->shift_start_us = src->shift_start_us;
    if (!cfg->bare) {
        if (src->device) mdc_record_set_device(dst, src->device);
        dst->has_machine_id = src->has_machine_id;
        dst->machine_id = src->machine_id;
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

static mdc_shape_cfg cfg_of(const shape_sink *sh)
{
    return (mdc_shape_cfg){.fields = (const char *const *)sh->fields,
                           .nfields = sh->nfields,
                           .bare = sh->bare,
                           .skip_empty = sh->skip_empty};
}

static int sh_open(mdc_sink *s, mdc_err *err)
{
    shape_sink *sh = s->impl;
    return sh->inner->ops->open(sh->inner, err);
}

static void sh_close(mdc_sink *s)
{
    shape_sink *sh = s->impl;
    sh->inner->ops->close(sh->inner);
}

static int64_t sh_committed_seq(mdc_sink *s, uint64_t epoch)
{
    shape_sink *sh = s->impl;
    return sh->inner->ops->committed_seq ? sh->inner->ops->committed_seq(sh->inner, epoch) : -1;
}

static int sh_write(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_err *err)
{
    shape_sink *sh = s->impl;
    mdc_shape_cfg cfg = cfg_of(sh);
    mdc_record *out = xcalloc(n ? n : 1, sizeof *out);
    const mdc_record **ptrs = xcalloc(n ? n : 1, sizeof *ptrs);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (mdc_shape_record(&cfg, recs[i], &out[m])) {
            ptrs[m] = &out[m];
            m++;
        }
    int rc = m ? sh->inner->ops->write(sh->inner, (const mdc_record *const *)ptrs, m, err) : 0;
    for (size_t i = 0; i < m; i++)
        mdc_record_free(&out[i]);
    free(out);
    free(ptrs);
    return rc;
}

static void sh_destroy(mdc_sink *s)
{
    shape_sink *sh = s->impl;
    if (sh) {
        mdc_sink_destroy(sh->inner);
        for (size_t i = 0; i < sh->nfields; i++)
            free(sh->fields[i]);
        free(sh->fields);
        free(sh);
    }
    free(s);
}

static const mdc_sink_ops shape_ops = {
    .type = "shape",
    .open = sh_open,
    .write = sh_write,
    .committed_seq = sh_committed_seq,
    .close = sh_close,
    .destroy = sh_destroy,
};

mdc_sink *mdc_sink_shape_new(mdc_sink *inner, const mdc_shape_cfg *cfg)
{
    shape_sink *sh = xcalloc(1, sizeof *sh);
    sh->inner = inner;
    sh->bare = cfg->bare;
    sh->skip_empty = cfg->skip_empty;
    if (cfg->fields) {
        sh->nfields = cfg->nfields;
        sh->fields = xcalloc(cfg->nfields ? cfg->nfields : 1, sizeof *sh->fields);
        for (size_t i = 0; i < cfg->nfields; i++)
            sh->fields[i] = xstrdup(cfg->fields[i]);
    }
    return mdc_sink_new(&shape_ops, inner->id, sh);
}
