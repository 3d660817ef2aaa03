/* SPDX-License-Identifier: Apache-2.0 */
/* skline.h — one text line from a SKSTACK-IP module, classified and split into its fields.
 *
 * Lines (CRLF stripped) the module prints, in both module families:
 *   OK [arg]                         a command succeeded ("OK 01" answers ROPT)
 *   FAIL ERnn                        a command failed; nn is decimal (04 unsupported,
 *                                    05 bad argument, 06 bad syntax, 09 UART error, 10 failed)
 *   EVENT nn addr [side] [param]     nn is hex; BP35C0-style modules add a one-digit SIDE
 *                                    before the two-digit parameter
 *   EPANDESC                         then indented "  Key:Value" lines (Channel, Channel Page,
 *                                    Pan ID, Addr, LQI, Side, PairID)
 *   EVER x.y.z / EAPPVER ...         versions
 *   EINFO ip addr64 ch panid addr16 [side]
 *   ESREG value                      a register read
 *   FE80:0000:...                    the IPv6 address printed by SKLL64
 *   SK... / ROPT / WOPT ...          the module echoing a command back
 * ERXUDP lines are cut by mdc_sk_rx (skrx.h), because their data may be binary.
 *
 * A line with noise in front of a known keyword is parsed from the keyword on. Pure functions.
 */
#ifndef MDC_BRT_SKLINE_H
#define MDC_BRT_SKLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MDC_SK_IPV6_LEN 39 /* "FE80:0000:0000:0000:021D:1290:1234:5678" */

typedef enum mdc_sk_kind {
    MDC_SK_UNKNOWN = 0,
    MDC_SK_EMPTY,
    MDC_SK_OK,
    MDC_SK_FAIL,
    MDC_SK_EVENT,
    MDC_SK_EPANDESC,
    MDC_SK_PANFIELD,
    MDC_SK_EVER,
    MDC_SK_EAPPVER,
    MDC_SK_EINFO,
    MDC_SK_ESREG,
    MDC_SK_IPV6,
    MDC_SK_ECHO,
} mdc_sk_kind;

/* EVENT numbers (hex on the wire). */
enum {
    MDC_SK_EV_NS = 0x01,           /* neighbour solicitation received */
    MDC_SK_EV_BEACON = 0x20,       /* a beacon was received during a scan */
    MDC_SK_EV_UDP_SENT = 0x21,     /* UDP transmission done; param 00 ok, 01 failed, 02 NS */
    MDC_SK_EV_SCAN_DONE = 0x22,    /* active scan finished */
    MDC_SK_EV_PANA_FAIL = 0x24,    /* PANA connection failed */
    MDC_SK_EV_PANA_OK = 0x25,      /* PANA connection established */
    MDC_SK_EV_TERM_REQ = 0x26,     /* the peer asked to end the session */
    MDC_SK_EV_TERM_OK = 0x27,      /* the session ended */
    MDC_SK_EV_TERM_TIMEOUT = 0x28, /* no answer to the end request; session ended anyway */
    MDC_SK_EV_EXPIRED = 0x29,      /* session lifetime over; the module re-authenticates */
    MDC_SK_EV_TX_LIMIT = 0x32,     /* ARIB STD-T108 transmission-time limit reached */
    MDC_SK_EV_TX_OK = 0x33,        /* the limit is lifted */
};

typedef struct mdc_sk_line {
    mdc_sk_kind kind;
    int code;       /* FAIL: the error number; EVENT: the event number */
    int side;       /* EVENT, EINFO: 0/1, or -1 when the module has no SIDE field */
    int param;      /* EVENT: the parameter, or -1 */
    char addr[48];  /* EVENT sender; IPV6 line; EINFO own IPv6 */
    char text[64];  /* OK argument, EVER/EAPPVER version, ESREG value, echoed command word */
    char key[24];   /* PANFIELD: "Channel", "Pan ID", "Addr", ... */
    char value[48]; /* PANFIELD value */
    /* EINFO */
    char addr64[24];
    uint32_t channel, panid, addr16;
} mdc_sk_line;

/* Parses line[0..n) (no CR/LF). Never fails: unrecognized text gives MDC_SK_UNKNOWN. */
void mdc_sk_line_parse(const char *line, size_t n, mdc_sk_line *out);

/* True if s is an IPv6 address as SKSTACK prints it: eight groups of 1-4 hex digits. */
bool mdc_sk_is_ipv6(const char *s, size_t n);
/* Canonical form for comparisons: eight uppercase four-digit groups. Returns 0 or -1. */
int mdc_sk_ipv6_canon(const char *s, size_t n, char out[MDC_SK_IPV6_LEN + 1]);

/* Meaning of a FAIL code: 4 → "unsupported command", ... (never NULL). */
const char *mdc_sk_fail_name(int code);
/* Short description of an event number ("PANA connection failed"), or "event". */
const char *mdc_sk_event_name(int code);

#endif
