/* SPDX-License-Identifier: Apache-2.0 */
/* session_internal.h — the session structure, shared by session.c and session_calls.c. */
#ifndef MDC_LSV2_SESSION_INTERNAL_H
#define MDC_LSV2_SESSION_INTERNAL_H

#include "session.h"

#define LSV2_MAX_LOGINS      8
#define LSV2_REFUSAL_HOLD_US (10 * 1000000LL)

struct lsv2_session {
    lsv2_session_cfg cfg; /* the strings point to the owned copies below */
    char *host, *dnc_password, *plc_password;
    char peer[300];
    int fd;
    lsv2_health health;
    int buffer;
    lsv2_version version;
    lsv2_params params;
    char logins[LSV2_MAX_LOGINS][16];
    int nlogins;
    /* the last refused login, not asked again for LSV2_REFUSAL_HOLD_US */
    char refused[16];
    int64_t refused_at_us;
    mdc_err refusal;
    lsv2_error last_error;
    uint64_t telegrams;
    uint8_t *rbuf;
    size_t rcap;
    uint8_t wbuf[LSV2_HEADER_LEN + LSV2_REQ_MAX];
};

/* Sets err to "PEER: WHAT: message" (and the session's health unless h is LSV2_OK). Returns
 * -1. */
int lsv2_fail(lsv2_session *s, lsv2_health h, mdc_err *err, int code, const char *what,
              const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
