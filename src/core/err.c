/* SPDX-License-Identifier: Apache-2.0 */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int mdc_err_set(mdc_err *e, int code, const char *fmt, ...)
{
    if (!e) return -1;
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return -1;
}

int mdc_err_prefix(mdc_err *e, const char *fmt, ...)
{
    if (!e) return -1;
    char head[MDC_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(head, sizeof head - 2, fmt, ap);
    va_end(ap);
    if (n < 0) return -1;
    size_t hl = strlen(head);
    memcpy(head + hl, ": ", 3);
    hl += 2;
    size_t ol = strnlen(e->msg, sizeof e->msg - 1);
    if (hl + ol >= sizeof e->msg) /* keep the head; truncate the old message */
        ol = sizeof e->msg - 1 - hl;
    memmove(e->msg + hl, e->msg, ol);
    memcpy(e->msg, head, hl);
    e->msg[hl + ol] = '\0';
    return -1;
}

void mdc_err_clear(mdc_err *e)
{
    if (e) {
        e->code = MDC_OK;
        e->msg[0] = '\0';
    }
}

const char *mdc_errcode_name(int code)
{
    switch (code) {
    case MDC_OK:
        return "ok";
    case MDC_EINVAL:
        return "invalid";
    case MDC_EIO:
        return "i/o error";
    case MDC_ETIMEOUT:
        return "timeout";
    case MDC_EPROTO:
        return "protocol error";
    case MDC_EDEVICE:
        return "device error";
    case MDC_ENOMEM:
        return "out of memory";
    case MDC_EAUTH:
        return "authentication failed";
    case MDC_ESTATE:
        return "invalid state";
    case MDC_ENOSPC:
        return "no space left";
    }
    return "error";
}
