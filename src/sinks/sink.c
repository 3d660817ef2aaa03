/* SPDX-License-Identifier: Apache-2.0 */
/* sink.c — see sink.h. */
#include "sink.h"

#include "core/xalloc.h"

#include <assert.h>

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

void mdc_sink_assert_result(int rc, size_t n, const mdc_sink_result *res, const mdc_err *err)
{
    (void)rc, (void)n, (void)res, (void)err;
    assert((rc == 0 || rc == -1) && "write() returns 0 or -1");
    assert(res->delivered <= n && "write() delivered more records than it was given");
    assert((rc == 0) == (res->delivered == n) && "write() returns 0 exactly when all delivered");
    assert((!res->rejected || (rc == -1 && res->reason)) &&
           "a rejection is a failure at [delivered] with a reason");
    assert(res->retry_after_us >= 0 && "retry_after_us is a pause");
    assert((rc == 0 || !err || err->code != MDC_OK) && "a failed write() fills err");
}

int mdc_sink_write(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_sink_result *res,
                   mdc_err *err)
{
    mdc_sink_result local;
    if (!res) res = &local;
    *res = (mdc_sink_result){0};
    int rc = s->ops->write(s, recs, n, res, err);
    mdc_sink_assert_result(rc, n, res, err);
    return rc;
}
