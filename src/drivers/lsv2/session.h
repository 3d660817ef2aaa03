/* SPDX-License-Identifier: Apache-2.0 */
/* session.h — an LSV2 client session with one TNC control over TCP.
 *
 * lsv2_open() connects (non-blocking connect bounded by connect_timeout), logs in as INSPECT,
 * reads the version (R_VR) and the system parameters (R_PR), and negotiates a larger buffer
 * with C_CC when the control offers one. Logins that need more rights (DNC for R_RI,
 * PLCDEBUG for R_MB) are made the first time a call needs them. lsv2_close() logs out (A_LO)
 * when the connection is still good, then closes.
 *
 * Every exchange is one request and one reply: the 8-byte header read exactly, then exactly
 * `length` payload bytes, all within `timeout` of sending. An unsolicited M_CC before the reply
 * is skipped. A timeout, a short read, an I/O error or a malformed reply leaves the session
 * broken (the byte stream can no longer be trusted): close it and open a new one. A T_ER
 * answer does not break it.
 *
 * Errors carry their context: "HOST:PORT: REQUEST: what came back". Passwords never appear in
 * messages. One session belongs to one thread; the library has no global state.
 */
#ifndef MDC_LSV2_SESSION_H
#define MDC_LSV2_SESSION_H

#include "reply.h"
#include "telegram.h"

#include "core/err.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct lsv2_session_cfg {
    const char *host;
    int port;
    int64_t connect_timeout_us;
    int64_t timeout_us;       /* per request: from sending to the whole reply */
    int max_buffer;           /* upper bound for C_CC negotiation; 256 never negotiates */
    const char *dnc_password; /* NULL: none (may be NULL) */
    const char *plc_password; /* PLCDEBUG password, often the OEM code number (may be NULL) */
} lsv2_session_cfg;

typedef struct lsv2_session lsv2_session;

/* Why a session broke (for callers deciding whether to reconnect at once). */
typedef enum {
    LSV2_OK = 0,
    LSV2_BROKEN_CLOSED,  /* the control closed or reset the connection */
    LSV2_BROKEN_TIMEOUT, /* no (complete) reply in time */
    LSV2_BROKEN_IO,      /* another socket error */
    LSV2_BROKEN_PROTO,   /* a reply that cannot be parsed */
} lsv2_health;

/* Connects and runs the opening sequence. The configuration is copied. */
int lsv2_open(const lsv2_session_cfg *cfg, lsv2_session **out, mdc_err *err);
/* A_LO (bounded by min(timeout, 500 ms)) when healthy, then closes. NULL is fine. */
void lsv2_close(lsv2_session *s);
lsv2_health lsv2_health_of(const lsv2_session *s);
/* "HOST:PORT" as used in messages. */
const char *lsv2_peer(const lsv2_session *s);

const lsv2_version *lsv2_version_info(const lsv2_session *s);
const lsv2_params *lsv2_params_info(const lsv2_session *s);
int lsv2_buffer_size(const lsv2_session *s);
/* Telegrams exchanged since open (requests sent). */
uint64_t lsv2_telegrams(const lsv2_session *s);

/* Logs in (once per session) as `name`. A refusal is MDC_EAUTH: "NAME login refused by the
 * control: T_ER ...". A refused PLCDEBUG is not asked again for 10 s (the same error is
 * returned), so that it does not cost a telegram per PLC value and poll; other refusals fail the
 * caller's poll, whose retry asks again. */
int lsv2_login(lsv2_session *s, const char *name, const char *password, mdc_err *err);

/* One request → one reply whose code must be `expect` (or T_ER, which becomes MDC_EDEVICE
 * with the error code available from lsv2_last_error()). The reply payload is valid until the
 * next call. */
int lsv2_exchange(lsv2_session *s, const lsv2_req *req, const char *expect, lsv2_telegram *reply,
                  mdc_err *err);
/* The T_ER of the last exchange (code -1 when the last exchange had none). */
const lsv2_error *lsv2_last_error(const lsv2_session *s);

/* ---- run info (log in as DNC first) ---- */
int lsv2_read_exec_state(lsv2_session *s, int *out, mdc_err *err);
int lsv2_read_pgm_state(lsv2_session *s, int *out, mdc_err *err);
int lsv2_read_stack(lsv2_session *s, lsv2_stack *out, mdc_err *err);
int lsv2_read_overrides(lsv2_session *s, lsv2_overrides *out, mdc_err *err);
/* The active NC error messages: R_RI 27, then 28 until T_ER 57 (no more errors). At most
 * `max` are stored; *n gets how many. No active error gives 0 and *n = 0. */
int lsv2_read_nc_errors(lsv2_session *s, lsv2_nc_error *out, size_t max, size_t *n, mdc_err *err);

/* ---- PLC memory (log in as PLCDEBUG first) ---- */
/* Reads `count` elements of kind m from native number `number` (M4170, D10368 → 10368) into
 * values; splits into requests that fit both the 1-byte count and the buffer. When the
 * PLCDEBUG login is refused, R_MB is tried anyway (a 1993 manual lists it under INSPECT); if
 * that fails too, the error (MDC_EAUTH) gives both answers. */
int lsv2_read_plc(lsv2_session *s, lsv2_mem m, uint32_t number, uint32_t count, int64_t *values,
                  mdc_err *err);

#endif
