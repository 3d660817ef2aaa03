/* SPDX-License-Identifier: Apache-2.0 */
/* contracts.c — debug-build checks that a driver kept its contract (driver.h): cheap asserts,
 * compiled out with NDEBUG. */
#include "runtime_internal.h"

#include <assert.h>
#include <string.h>

#ifndef NDEBUG
/* A successful poll filled the record it was given: one field per name in fields(), in that
 * order, then only hidden fields ('_'); a field has an error only while its value is null. */
static bool poll_filled(const mdc_rt_device *d, const mdc_record *rec)
{
    size_t i = 0;
    for (; d->fields && d->fields[i]; i++)
        if (i >= rec->nfields || strcmp(rec->fields[i].name, d->fields[i]) != 0) return false;
    for (; i < rec->nfields; i++)
        if (rec->fields[i].name[0] != '_') return false;
    for (i = 0; i < rec->nfields; i++)
        if (rec->fields[i].error && rec->fields[i].v.type != MDC_NULL) return false;
    return true;
}
#endif

void mdc_rt_assert_poll(const mdc_rt_device *d, int rc, const mdc_record *rec, const mdc_err *err)
{
    (void)d, (void)rc, (void)rec, (void)err;
    assert((rc == 0 || rc == -1) && "poll() returns 0 or -1");
    assert((rc == 0 || err->code != MDC_OK) && "a failed poll() fills err");
    assert((rc != 0 || poll_filled(d, rec)) && "poll() appends one field per name in fields()");
}

void mdc_rt_assert_async_done(const mdc_rt_device *d, int rc, const mdc_record *rec,
                              const mdc_err *err)
{
    (void)d, (void)rc, (void)rec, (void)err;
    assert((rc == MDC_ASYNC_OK || rc == MDC_ASYNC_FAILED || rc == MDC_ASYNC_NO_CONNECTION) &&
           "done() gets an MDC_ASYNC_* result");
    assert((rc == MDC_ASYNC_OK) == (err == NULL) && "done()'s err is NULL exactly for OK");
    assert((!err || err->code != MDC_OK) && "a failed asynchronous poll fills err");
    assert((rc != MDC_ASYNC_OK || poll_filled(d, rec)) &&
           "an asynchronous poll fills rec as poll() does");
}
