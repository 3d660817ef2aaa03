/* SPDX-License-Identifier: Apache-2.0 */
/* sink_shape.c — field selection, bare (hems) records and empty-record skipping in front of
 * another sink. */
#include "sink_shape.h"

#include "core/xalloc.h"

#include <string.h>

typedef struct shape_sink {
    mdc_sink *inner;
    char **fields;
    size_t nfields;
    bool bare, skip_empty;
} shape_sink;

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

/* Records dropped by skip_empty count as delivered: the inner sink's progress over the kept
 * records maps back to the batch through their positions (pos[k]: where kept record k was). */
static int sh_write(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_sink_result *res,
                    mdc_err *err)
{
    shape_sink *sh = s->impl;
    mdc_shape_cfg cfg = cfg_of(sh);
    mdc_record *out = xcalloc(n ? n : 1, sizeof *out);
    const mdc_record **ptrs = xcalloc(n ? n : 1, sizeof *ptrs);
    size_t *pos = xcalloc(n ? n : 1, sizeof *pos);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (mdc_shape_record(&cfg, recs[i], &out[m])) {
            ptrs[m] = &out[m];
            pos[m++] = i;
        }
    int rc = m ? sh->inner->ops->write(sh->inner, (const mdc_record *const *)ptrs, m, res, err) : 0;
    res->delivered = res->delivered < m ? pos[res->delivered] : n;
    for (size_t i = 0; i < m; i++)
        mdc_record_free(&out[i]);
    free(out);
    free(ptrs);
    free(pos);
    return rc;
}

static void sh_catalog(mdc_sink *s, const mdc_catalog *c)
{
    shape_sink *sh = s->impl;
    if (sh->inner->ops->catalog) sh->inner->ops->catalog(sh->inner, c);
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
    .catalog = sh_catalog,
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
