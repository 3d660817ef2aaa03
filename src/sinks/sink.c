/* sink.c — see sink.h. */
#include "sink.h"
#include "core/xalloc.h"

mdc_sink *mdc_sink_new(const mdc_sink_ops *ops, const char *id, void *impl)
{
    mdc_sink *s = xcalloc(1, sizeof *s);
    s->ops = ops;
    s->id = xstrdup(id);
    s->impl = impl;
    return s;
}

void mdc_sink_destroy(mdc_sink *s)
{
    if (!s) return;
    free(s->id);
    s->id = NULL;
    if (s->ops && s->ops->destroy)
        s->ops->destroy(s);
    else
        free(s);
}

int mdc_sink_all_or_nothing(mdc_sink_result *res, size_t n, int rc)
{
    res->delivered = rc == 0 ? n : 0;
    return rc;
}

int mdc_sink_write(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_sink_result *res,
                   mdc_err *err)
{
    mdc_sink_result local;
    if (!res) res = &local;
    *res = (mdc_sink_result){0};
    return s->ops->write(s, recs, n, res, err);
}
