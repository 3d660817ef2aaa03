/* SPDX-License-Identifier: Apache-2.0 */
/* telegram.h — the LSV2 telegram codec: framing, the requests mdc sends, T_ER error codes.
 *
 * A telegram is a 4-byte big-endian payload length, a 4-character ASCII code ("A_LG", "S_RI",
 * "T_ER", ...) and the payload. The length counts only the payload. Every integer in headers
 * and payloads is big-endian (PLC data excepted, see reply.h).
 *
 * Pure functions: no I/O, no allocation, no global state. Safe on arbitrary input.
 */
#ifndef MDC_LSV2_TELEGRAM_H
#define MDC_LSV2_TELEGRAM_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LSV2_HEADER_LEN     8
#define LSV2_DEFAULT_PORT   19000
#define LSV2_BUFFER_DEFAULT 256  /* largest whole telegram before C_CC negotiation */
#define LSV2_BUFFER_MAX     4096 /* largest that C_CC can negotiate */
/* Largest payload mdc accepts in a reply; anything above is treated as a corrupt header. */
#define LSV2_MAX_PAYLOAD 65536
/* Largest request payload mdc builds (a login name and password). */
#define LSV2_REQ_MAX 128

/* Login names (A_LG). */
#define LSV2_LOGIN_INSPECT  "INSPECT"
#define LSV2_LOGIN_DNC      "DNC"
#define LSV2_LOGIN_PLCDEBUG "PLCDEBUG"

/* R_RI selectors. */
enum {
    LSV2_RI_EXEC_STATE = 23,
    LSV2_RI_PGM_STACK = 24,
    LSV2_RI_OVERRIDE = 25,
    LSV2_RI_PGM_STATE = 26,
    LSV2_RI_FIRST_ERROR = 27,
    LSV2_RI_NEXT_ERROR = 28,
};

/* C_CC codes that set the buffer size. */
enum {
    LSV2_CC_SET_BUF1024 = 3,
    LSV2_CC_SET_BUF512 = 4,
    LSV2_CC_SET_BUF2048 = 5,
    LSV2_CC_SET_BUF3072 = 6,
    LSV2_CC_SET_BUF4096 = 7,
};

/* Error codes carried in T_ER / T_BD (byte 1 of the payload). */
enum {
    LSV2_ERR_BAD_FORMAT = 20,
    LSV2_ERR_UNEXPECTED_TELE = 21,
    LSV2_ERR_UNKNOWN_TELE = 22,
    LSV2_ERR_NO_PRIV = 23,
    LSV2_ERR_WRONG_PARA = 24,
    LSV2_ERR_BAD_KEY = 30,
    LSV2_ERR_NO_LOGIN = 49,
    LSV2_ERR_BAD_MEMADR = 52,
    LSV2_ERR_NO_NEXT_ERROR = 57,
    LSV2_ERR_NOT_FOUND = 63,
    LSV2_ERR_TOO_MANY_TCP = 80,
};

/* A request to send: code and payload. */
typedef struct lsv2_req {
    char code[5];
    uint8_t payload[LSV2_REQ_MAX];
    size_t len;
    char what[48]; /* "R_RI 26", "A_LG DNC": names the request in error messages */
} lsv2_req;

/* A decoded telegram; the payload points into the buffer it was decoded from. */
typedef struct lsv2_telegram {
    char code[5];
    const uint8_t *payload;
    size_t len;
} lsv2_telegram;

/* The content of a T_ER or T_BD payload. Real controls send 2 bytes (type, code); pyLSV2
 * accepts an empty payload as type 1. `code` is -1 when the payload carries none. */
typedef struct lsv2_error {
    int type;
    int code;
    size_t len; /* payload length as received */
} lsv2_error;

/* ---- framing ---- */

/* Writes the 8-byte header and the payload into out. Returns the telegram length, or -1 when
 * the code is not 4 characters or the telegram does not fit in cap. */
long lsv2_encode(const char *code, const uint8_t *payload, size_t len, uint8_t *out, size_t cap,
                 mdc_err *err);
long lsv2_encode_req(const lsv2_req *r, uint8_t *out, size_t cap, mdc_err *err);

/* Parses a header: the code must be 4 printable ASCII characters, the length at most
 * max_payload. */
int lsv2_decode_header(const uint8_t hdr[LSV2_HEADER_LEN], size_t max_payload, char code[5],
                       uint32_t *len, mdc_err *err);

/* Decodes one telegram at the start of buf. Returns the bytes it spans, 0 when buf holds only
 * part of it, -1 on a malformed header. */
long lsv2_decode(const uint8_t *buf, size_t n, size_t max_payload, lsv2_telegram *t, mdc_err *err);

bool lsv2_is_code(const lsv2_telegram *t, const char *code);

/* ---- requests ---- */

/* A_LG name\0[password\0]. password NULL or "" sends none. Fails when they do not fit. */
int lsv2_req_login(lsv2_req *r, const char *name, const char *password, mdc_err *err);
/* A_LO [name\0]: name NULL logs out of everything. */
int lsv2_req_logout(lsv2_req *r, const char *name, mdc_err *err);
/* R_VR, with a 1-byte selector when selector > 0. */
void lsv2_req_version(lsv2_req *r, int selector);
void lsv2_req_params(lsv2_req *r);
/* C_CC + u16 code. */
void lsv2_req_ccc(lsv2_req *r, uint16_t code);
/* R_RI + u16 selector. */
void lsv2_req_run_info(lsv2_req *r, uint16_t selector);
/* R_MB + u32 address + u8 count. */
void lsv2_req_plc(lsv2_req *r, uint32_t address, uint8_t count);

/* The C_CC code that sets a buffer of `size` bytes (512..4096), or -1. */
int lsv2_buffer_code(int size);
/* The largest negotiable buffer size <= min(max_block, limit); 256 when none fits. */
int lsv2_pick_buffer(unsigned max_block, int limit);

/* ---- errors ---- */

/* Decodes a T_ER/T_BD payload (any length). */
void lsv2_parse_error(const uint8_t *p, size_t len, lsv2_error *e);
/* "NO_PRIV" for 23; NULL when unknown. */
const char *lsv2_error_name(int code);
/* "no privilege for execution"; NULL when unknown. */
const char *lsv2_error_text(int code);
/* "T_ER 23 NO_PRIV (no privilege for execution)", "T_ER with no error code (0 bytes)". */
void lsv2_error_describe(const lsv2_error *e, char *buf, size_t n);

/* ---- byte helpers ---- */
uint16_t lsv2_be16(const uint8_t *p);
uint32_t lsv2_be32(const uint8_t *p);
void lsv2_put_be16(uint8_t *p, uint16_t v);
void lsv2_put_be32(uint8_t *p, uint32_t v);

#endif
