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
