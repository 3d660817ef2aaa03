/* SPDX-License-Identifier: Apache-2.0 */
/* session_internal.h — what session.c, join.c and request.c share. Not for other files. */
#ifndef MDC_BRT_SESSION_INTERNAL_H
#define MDC_BRT_SESSION_INTERNAL_H

#include "session.h"
#include "skline.h"
#include "skrx.h"

struct mdc_brt_session {
    mdc_brt_opts o;  /* strings point at the copies below */
    char *port_path; /* owned */
    char *rbid;      /* owned */
    char *password;  /* owned; wiped on close */
    char ipv6_cfg[MDC_SK_IPV6_LEN + 1];
    mdc_brt_port *port;
    mdc_sk_rx rx;
    /* the module */
    mdc_brt_module module; /* resolved (never AUTO after start) */
    bool side;             /* SIDE fields in commands */
    char version[64];
    /* the meter */
    int channel, panid;
    char ipv6[MDC_SK_IPV6_LEN + 1]; /* canonical; "" until known */
    char mac[17];
    /* state */
    bool joined;     /* PANA session up */
    bool reauth;     /* EVENT 29 seen: the module is re-authenticating */
    bool tx_limited; /* EVENT 32 seen, no EVENT 33 yet */
    bool broken;
    uint64_t join_count;
    int unanswered; /* requests in a row that got no valid reply */
    uint16_t tid;
    mdc_brt_stats st;
};

/* One item from the module, with its line already parsed. */
typedef struct brt_item {
    mdc_sk_item_type type;
    mdc_sk_line line;         /* MDC_SK_ITEM_LINE */
    const mdc_sk_erxudp *udp; /* MDC_SK_ITEM_UDP */
} brt_item;

/* Decides on each item: 1 = done, 0 = keep waiting, -1 = failed (err filled). */
typedef int (*brt_want)(mdc_brt_session *s, const brt_item *it, void *ctx, mdc_err *err);

/* Reads and dispatches items until want says done or failed, or the deadline passes
 * (MDC_ETIMEOUT "no <what> within N s"). want may be NULL: dispatch what is there. */
int brt_wait(mdc_brt_session *s, int64_t deadline_us, brt_want want, void *ctx, const char *what,
             mdc_err *err);
/* Dispatches what has already arrived without waiting. */
int brt_pump(mdc_brt_session *s, mdc_err *err);
/* Writes bytes to the module. */
int brt_send(mdc_brt_session *s, const void *data, size_t n, mdc_err *err);
/* Sends "cmd\r\n" and waits for OK; lines before it go to `data` (may be NULL; returning 1
 * ends the command without OK, as for SKLL64). FAIL → MDC_EDEVICE "NAME: FAIL ERnn (...)";
 * *fail_code gets the code when fail_code is not NULL (then the error is returned too).
 * name is what messages call the command (never the full text: it may hold a secret). */
int brt_command(mdc_brt_session *s, const char *cmd, const char *name, brt_want data, void *ctx,
                int *fail_code, mdc_err *err);
/* Deadline for a module command of n bytes (the command timeout plus line time). */
int64_t brt_cmd_deadline(const mdc_brt_session *s, size_t n);

/* join.c: a new PANA session with the known meter (SKJOIN with retries). 0 joined, 1 the meter
 * refused every attempt (err says so), -1 other failure. */
int brt_join(mdc_brt_session *s, mdc_err *err);

#endif
