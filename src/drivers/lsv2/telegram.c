/* SPDX-License-Identifier: Apache-2.0 */
/* telegram.c — LSV2 framing, request builders and the T_ER error table. */
#include "telegram.h"

#include <stdio.h>
#include <string.h>

uint16_t lsv2_be16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

uint32_t lsv2_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void lsv2_put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

void lsv2_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* ---- framing ---- */

static bool code_ok(const char *code, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (code[i] < 0x21 || code[i] > 0x7e) return false;
    return true;
}

long lsv2_encode(const char *code, const uint8_t *payload, size_t len, uint8_t *out, size_t cap,
                 mdc_err *err)
{
    if (strlen(code) != 4 || !code_ok(code, 4))
        return mdc_err_set(err, MDC_EINVAL, "LSV2 code \"%s\" is not 4 ASCII characters", code);
    if (len > LSV2_MAX_PAYLOAD || LSV2_HEADER_LEN + len > cap)
        return mdc_err_set(err, MDC_EINVAL, "%s telegram of %zu bytes does not fit in %zu", code,
                           LSV2_HEADER_LEN + len, cap);
    lsv2_put_be32(out, (uint32_t)len);
    memcpy(out + 4, code, 4);
    if (len) memcpy(out + LSV2_HEADER_LEN, payload, len);
    return (long)(LSV2_HEADER_LEN + len);
}

long lsv2_encode_req(const lsv2_req *r, uint8_t *out, size_t cap, mdc_err *err)
{
    return lsv2_encode(r->code, r->payload, r->len, out, cap, err);
}

static void hex_bytes(const uint8_t *p, size_t n, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && o + 4 < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%02x", i ? " " : "", p[i]);
}

int lsv2_decode_header(const uint8_t hdr[LSV2_HEADER_LEN], size_t max_payload, char code[5],
                       uint32_t *len, mdc_err *err)
{
    char hex[32];
    if (!code_ok((const char *)hdr + 4, 4)) {
        hex_bytes(hdr, LSV2_HEADER_LEN, hex, sizeof hex);
        return mdc_err_set(err, MDC_EPROTO, "malformed header %s (the code is not ASCII)", hex);
    }
    uint32_t l = lsv2_be32(hdr);
    if (l > max_payload) {
        hex_bytes(hdr, LSV2_HEADER_LEN, hex, sizeof hex);
        return mdc_err_set(err, MDC_EPROTO,
                           "malformed header %s (payload of %lu bytes, at most %zu)", hex,
                           (unsigned long)l, max_payload);
    }
    memcpy(code, hdr + 4, 4);
    code[4] = '\0';
    *len = l;
    return 0;
}

long lsv2_decode(const uint8_t *buf, size_t n, size_t max_payload, lsv2_telegram *t, mdc_err *err)
{
    if (n < LSV2_HEADER_LEN) return 0;
    uint32_t len;
    if (lsv2_decode_header(buf, max_payload, t->code, &len, err) < 0) return -1;
    if (n - LSV2_HEADER_LEN < len) return 0;
    t->payload = buf + LSV2_HEADER_LEN;
    t->len = len;
    return (long)(LSV2_HEADER_LEN + len);
}

bool lsv2_is_code(const lsv2_telegram *t, const char *code)
{
    return memcmp(t->code, code, 4) == 0;
}

/* ---- requests ---- */

static void req_init(lsv2_req *r, const char *code)
{
    memcpy(r->code, code, 5);
    r->len = 0;
    snprintf(r->what, sizeof r->what, "%s", code);
}

static int put_string(lsv2_req *r, const char *s, mdc_err *err)
{
    size_t n = strlen(s) + 1;
    if (r->len + n > sizeof r->payload)
        return mdc_err_set(err, MDC_EINVAL, "%s: text of %zu bytes is too long", r->what, n - 1);
    memcpy(r->payload + r->len, s, n);
    r->len += n;
    return 0;
}

int lsv2_req_login(lsv2_req *r, const char *name, const char *password, mdc_err *err)
{
    req_init(r, "A_LG");
    snprintf(r->what, sizeof r->what, "A_LG %.32s", name);
    if (put_string(r, name, err) < 0) return -1;
    if (password && *password && put_string(r, password, err) < 0)
        return mdc_err_set(err, MDC_EINVAL, "A_LG %.32s: the password is too long", name);
    return 0;
}

int lsv2_req_logout(lsv2_req *r, const char *name, mdc_err *err)
{
    req_init(r, "A_LO");
    if (!name) return 0;
    snprintf(r->what, sizeof r->what, "A_LO %.32s", name);
    return put_string(r, name, err);
}

void lsv2_req_version(lsv2_req *r, int selector)
{
    req_init(r, "R_VR");
    if (selector > 0) {
        r->payload[r->len++] = (uint8_t)selector;
        snprintf(r->what, sizeof r->what, "R_VR %d", selector & 0xff);
    }
}

void lsv2_req_params(lsv2_req *r)
{
    req_init(r, "R_PR");
}

void lsv2_req_ccc(lsv2_req *r, uint16_t code)
{
    req_init(r, "C_CC");
    lsv2_put_be16(r->payload, code);
    r->len = 2;
    snprintf(r->what, sizeof r->what, "C_CC %u", code);
}

void lsv2_req_run_info(lsv2_req *r, uint16_t selector)
{
    req_init(r, "R_RI");
    lsv2_put_be16(r->payload, selector);
    r->len = 2;
    snprintf(r->what, sizeof r->what, "R_RI %u", selector);
}

void lsv2_req_plc(lsv2_req *r, uint32_t address, uint8_t count)
{
    req_init(r, "R_MB");
    lsv2_put_be32(r->payload, address);
    r->payload[4] = count;
    r->len = 5;
    snprintf(r->what, sizeof r->what, "R_MB 0x%lx+%u", (unsigned long)address, count);
}

static const struct {
    int size, code;
} buffers[] = {
    {4096, LSV2_CC_SET_BUF4096}, {3072, LSV2_CC_SET_BUF3072}, {2048, LSV2_CC_SET_BUF2048},
    {1024, LSV2_CC_SET_BUF1024}, {512, LSV2_CC_SET_BUF512},
};

int lsv2_buffer_code(int size)
{
    for (size_t i = 0; i < sizeof buffers / sizeof buffers[0]; i++)
        if (buffers[i].size == size) return buffers[i].code;
    return -1;
}

int lsv2_pick_buffer(unsigned max_block, int limit)
{
    for (size_t i = 0; i < sizeof buffers / sizeof buffers[0]; i++)
        if ((unsigned)buffers[i].size <= max_block && buffers[i].size <= limit)
            return buffers[i].size;
    return LSV2_BUFFER_DEFAULT;
}

/* ---- errors ---- */

void lsv2_parse_error(const uint8_t *p, size_t len, lsv2_error *e)
{
    e->len = len;
    e->type = len >= 1 ? p[0] : 1;
    e->code = len >= 2 ? p[1] : -1;
}

static const struct {
    int code;
    const char *name, *text;
} errors[] = {
    {1, "T_TIMEOUT", "timeout on the serial link"},
    {2, "T_DATA_LOST", "data lost"},
    {3, "T_CHECKSUM", "checksum error"},
    {4, "T_FRAME", "framing error"},
    {5, "T_PARITY", "parity error"},
    {6, "T_OVERRUN", "overrun"},
    {10, "T_BUFFER_OVERFLOW", "buffer overflow"},
    {16, "T_NO_MESSAGE", "no message"},
    {20, "BAD_FORMAT", "telegram format not accepted"},
    {21, "UNEXPECTED_TELE", "telegram not expected now"},
    {22, "UNKNOWN_TELE", "unknown telegram"},
    {23, "NO_PRIV", "no privilege for execution"},
    {24, "WRONG_PARA", "wrong or unsupported parameter"},
    {25, "BREAK", "aborted"},
    {30, "BAD_KEY", "wrong password"},
    {31, "BAD_FNAME", "bad file name"},
    {32, "NO_FILE", "file not found"},
    {33, "OPEN_FILE", "file is open"},
    {34, "FILE_EXISTS", "file exists"},
    {35, "BAD_FILE", "bad file"},
    {36, "NO_DELETE", "cannot delete"},
    {37, "NO_NEW_FILE", "cannot create file"},
    {38, "NO_CHANGE_ATT", "cannot change attributes"},
    {39, "BAD_EMULATEKEY", "bad emulated key"},
    {40, "NO_MP", "machine parameter not available"},
    {41, "NO_WIN", "no window"},
    {42, "WIN_NOT_AKTIV", "window not active"},
    {43, "ANZ", "display error"},
    {44, "FONT_NOT_DEFINED", "font not defined"},
    {45, "FILE_ACCESS", "file access error"},
    {46, "WRONG_DNC_STATUS", "wrong DNC status"},
    {47, "CHANGE_PATH", "cannot change path"},
    {48, "NO_RENAME", "cannot rename"},
    {49, "NO_LOGIN", "login not possible, e.g. held by another interface or option missing"},
    {50, "BAD_PARAMETER", "bad parameter"},
    {51, "BAD_NUMBER_FORMAT", "bad number format"},
    {52, "BAD_MEMADR", "bad memory address"},
    {53, "NO_FREE_SPACE", "no free space"},
    {54, "DEL_DIR", "cannot delete directory"},
    {55, "NO_DIR", "no such directory"},
    {56, "OPERATING_MODE", "not possible in this operating mode"},
    {57, "NO_NEXT_ERROR", "no (more) error messages"},
    {58, "ACCESS_TIMEOUT", "access timeout"},
    {59, "NO_WRITE_ACCESS", "no write access"},
    {60, "STIB", "control busy"},
    {61, "REF_NECESSARY", "reference run necessary"},
    {62, "PLC_BUF_FULL", "PLC buffer full"},
    {63, "NOT_FOUND", "not found"},
    {64, "WRONG_FILE", "wrong file"},
    {65, "NO_MATCH", "no match"},
    {66, "TOO_MANY_TPTS", "too many touch points"},
    {67, "NOT_ACTIVATED", "not activated"},
    {80, "TO_MANY_OPEN_TCP", "too many open TCP connections"},
    {81, "NO_FREE_HANDLE", "no free handle"},
    {82, "PLCMEMREMA_CLEAR", "PLC memory remanence cleared"},
    {83, "OSZI_CHSEL", "oscilloscope channel selection"},
    {200, "T_BD_FD", "block transfer finished"},
    {255, "T_USER_ERROR", "user (plain-text) error"},
};

static int error_index(int code)
{
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        if (errors[i].code == code) return (int)i;
    return -1;
}

const char *lsv2_error_name(int code)
{
    int i = error_index(code);
    return i < 0 ? NULL : errors[i].name;
}

const char *lsv2_error_text(int code)
{
    int i = error_index(code);
    return i < 0 ? NULL : errors[i].text;
}

void lsv2_error_describe(const lsv2_error *e, char *buf, size_t n)
{
    if (e->code < 0) {
        snprintf(buf, n, "T_ER with no error code (%zu byte%s)", e->len, e->len == 1 ? "" : "s");
        return;
    }
    const char *name = lsv2_error_name(e->code), *text = lsv2_error_text(e->code);
    int l = name ? snprintf(buf, n, "T_ER %d %s (%s)", e->code, name, text)
                 : snprintf(buf, n, "T_ER %d (unknown error code)", e->code);
    if (l < 0 || (size_t)l >= n) return;
    if (e->type != 1) l += snprintf(buf + l, n - (size_t)l, ", error type %d", e->type);
    if (l > 0 && (size_t)l < n && e->len != 2)
        snprintf(buf + l, n - (size_t)l, ", %zu-byte payload", e->len);
}
