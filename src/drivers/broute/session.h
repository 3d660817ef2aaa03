/* SPDX-License-Identifier: Apache-2.0 */
/* session.h — a B-route session: a SKSTACK-IP module on a serial line, joined (PANA) to one
 * smart meter, carrying ECHONET Lite requests.
 *
 * Start-up (mdc_brt_session_start), every step checked for OK / FAIL ERxx and bounded by a
 * deadline, never by fixed sleeps:
 *   CRLF, SKRESET, SKSREG SFE 0 (echo off; tolerated if unsupported), SKVER, SKINFO (module
 *   detection when the profile is "auto": a trailing SIDE field means the BP35C0 family),
 *   SKSETRBID, SKSETPWD <computed length>, then either the configured channel/PAN ID/IPv6 or
 *   SKSCAN with escalating durations until a beacon's EPANDESC arrives, SKLL64, SKSREG S2/S3,
 *   SKJOIN and EVENT 25 (EVENT 24: join again, up to three times, then the next PAN found).
 * Requests (mdc_brt_request): SKSENDTO with an increasing transaction id; the reply must come
 * from the meter's address and port 0E1A and match the request (echonet.h mdc_el_match);
 * replies with other TIDs (late or duplicated) are discarded. A FAIL, an EVENT 21 send
 * failure or a timeout retransmits with a new TID, up to three transmissions. Two requests in
 * a row without a valid reply end the session as far as we are concerned: the next request
 * joins again first (SKREJOIN, then SKJOIN).
 * Session events: EVENT 29 (lifetime expired) holds requests until the module's automatic
 * re-authentication ends with EVENT 25; on EVENT 24, or none, SKREJOIN, then a fresh SKJOIN.
 * EVENT 26/27/28 (session ended) → join again before the next request. EVENT 32/33
 * (ARIB transmission-time limit) hold requests.
 *
 * Errors never contain the password. A session is used by one thread.
 */
#ifndef MDC_BRT_SESSION_H
#define MDC_BRT_SESSION_H

#include "core/err.h"
#include "echonet.h"
#include "port.h"
#include "skcmd.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct mdc_brt_opts {
    const char *port; /* device path (for messages and opening) */
    int baud;
    const char *rbid;     /* 32 characters */
    const char *password; /* 1..32 characters; a secret */
    mdc_brt_module module;
    int channel;               /* 33..60, or -1: scan */
    int panid;                 /* 0..0xFFFF, or -1 */
    const char *ipv6;          /* the meter's link-local address, or NULL */
    int64_t timeout_us;        /* a meter reply (default 10 s) */
    int64_t cmd_timeout_us;    /* a module command (default 2 s) */
    int64_t join_timeout_us;   /* SKJOIN to EVENT 25 (default 30 s) */
    int scan_first, scan_last; /* SKSCAN durations tried in turn (default 4..8) */
    int join_tries;            /* SKJOIN attempts per PAN (default 3) */
    int send_tries;            /* transmissions per request (default 3) */
} mdc_brt_opts;

/* Defaults for every field but port, rbid and password. */
void mdc_brt_opts_init(mdc_brt_opts *o);

typedef struct mdc_brt_stats {
    uint64_t tx_bytes, rx_bytes;
    uint64_t requests, transmissions;
    uint64_t stale_replies; /* replies with another TID, discarded */
    uint64_t ignored_udp;   /* other receptions while a reply was awaited */
    uint64_t noise_bytes;
    uint64_t scans, joins, rejoins, expiries;
    int64_t setup_us; /* the last start (reset to join) */
} mdc_brt_stats;

typedef struct mdc_brt_session mdc_brt_session;

/* Opens the serial port; no dialogue yet. Strings in o are copied. */
int mdc_brt_session_open(const mdc_brt_opts *o, mdc_brt_session **out, mdc_err *err);
/* The same over an already connected descriptor (tests); the session owns fd. */
mdc_brt_session *mdc_brt_session_from_fd(int fd, const mdc_brt_opts *o);
void mdc_brt_session_close(mdc_brt_session *s);

/* Resets the module, authenticates and joins the meter. */
int mdc_brt_session_start(mdc_brt_session *s, mdc_err *err);
/* Handles what arrived since the last call (EVENT 29 etc.) and joins again if the session
 * ended. Call before a series of requests. */
int mdc_brt_session_ensure(mdc_brt_session *s, mdc_err *err);

/* Sends req (its TID is assigned here) and waits for the matching response, decoded into res
 * with property data copied to buf (which must hold MDC_EL_FRAME_MAX bytes). */
int mdc_brt_request(mdc_brt_session *s, mdc_el_frame *req, mdc_el_frame *res, uint8_t *buf,
                    mdc_err *err);

/* True after an error that only reopening the port and a new start can cure. */
bool mdc_brt_session_broken(const mdc_brt_session *s);
bool mdc_brt_session_joined(const mdc_brt_session *s);
/* Number of fresh joins so far (1 after start): the meter's state may have been reset. */
uint64_t mdc_brt_session_join_count(const mdc_brt_session *s);
const mdc_brt_stats *mdc_brt_session_stats(const mdc_brt_session *s);

typedef struct mdc_brt_info {
    mdc_brt_module module; /* detected or configured */
    char version[64];      /* EVER */
    int channel, panid;
    char ipv6[40];
    char mac[17];
} mdc_brt_info;
void mdc_brt_session_info(const mdc_brt_session *s, mdc_brt_info *out);

#endif
