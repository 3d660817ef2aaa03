/* SPDX-License-Identifier: Apache-2.0 */
/* err.h — error values carried up the stack.
 *
 * Functions that can fail return 0 on success and -1 on failure, filling a caller-owned
 * mdc_err with a code and a human-readable message. Callers add context on the way up with
 * mdc_err_prefix(); the message is logged once, at the top. Messages never contain secrets.
 */
#ifndef MDC_ERR_H
#define MDC_ERR_H

#include <stddef.h>

enum mdc_errcode {
    MDC_OK = 0,
    MDC_EINVAL,   /* bad input: configuration, arguments, malformed data */
    MDC_EIO,      /* I/O failure: socket, serial line, file */
    MDC_ETIMEOUT, /* the peer did not answer in time */
    MDC_EPROTO,   /* the peer answered something we do not understand */
    MDC_EDEVICE,  /* the peer answered with an error (e.g. a Modbus exception) */
    MDC_ENOMEM,
    MDC_EAUTH,  /* login/credentials rejected */
    MDC_ESTATE, /* operation not valid now (closed, stopped) */
    MDC_ENOSPC, /* no space left: the disk, or a configured limit on it */
};

#define MDC_ERR_MSG_MAX 512

typedef struct mdc_err {
    int code;
    char msg[MDC_ERR_MSG_MAX];
} mdc_err;

/* Sets code and message (printf-style). Returns -1 so callers can `return mdc_err_set(...)`.
 * e may be NULL (the error is then discarded). */
int mdc_err_set(mdc_err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prepends "context: " to the existing message. Returns -1. */
int mdc_err_prefix(mdc_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void mdc_err_clear(mdc_err *e);

/* Short name of a code ("timeout", "protocol error", ...). */
const char *mdc_errcode_name(int code);

#endif
