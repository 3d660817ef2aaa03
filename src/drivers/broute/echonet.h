/* SPDX-License-Identifier: Apache-2.0 */
/* echonet.h — ECHONET Lite frames (specified message format, "format 1").
 *
 *   EHD1 0x10, EHD2 0x81, TID (2 bytes, big-endian), SEOJ (3), DEOJ (3), ESV, OPC,
 *   then OPC times: EPC, PDC, EDT (PDC bytes).
 *
 * Decoded properties point into the caller's buffer (no copies): a frame is valid as long as
 * the bytes it was decoded from. Only the services a controller needs for one object are
 * handled (Get, SetC, SetI, INF_REQ, their responses and SNA forms, INF, INFC, INFC_Res);
 * SetGet (0x6E/0x7E/0x5E), which carries two property blocks, is rejected as unsupported.
 */
#ifndef MDC_BRT_ECHONET_H
#define MDC_BRT_ECHONET_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MDC_EL_EHD1      0x10
#define MDC_EL_EHD2      0x81
#define MDC_EL_HEADER    12 /* EHD1 .. OPC */
#define MDC_EL_MAX_PROPS 32
#define MDC_EL_FRAME_MAX 1232 /* SKSENDTO/ERXUDP data limit (0x4D0) */

enum {
    MDC_EL_SETI = 0x60,
    MDC_EL_SETC = 0x61,
    MDC_EL_GET = 0x62,
    MDC_EL_INF_REQ = 0x63,
    MDC_EL_SETGET = 0x6E,
    MDC_EL_SET_RES = 0x71,
    MDC_EL_GET_RES = 0x72,
    MDC_EL_INF = 0x73,
    MDC_EL_INFC = 0x74,
    MDC_EL_INFC_RES = 0x7A,
    MDC_EL_SETGET_RES = 0x7E,
    MDC_EL_SETI_SNA = 0x50,
    MDC_EL_SETC_SNA = 0x51,
    MDC_EL_GET_SNA = 0x52,
    MDC_EL_INF_SNA = 0x53,
    MDC_EL_SETGET_SNA = 0x5E,
};

/* Objects (class group, class, instance). */
#define MDC_EL_EOJ_CONTROLLER  0x05FF01u /* the requesting side */
#define MDC_EL_EOJ_SMART_METER 0x028801u /* low-voltage smart electric energy meter */
#define MDC_EL_EOJ_NODE        0x0EF001u /* node profile */

typedef struct mdc_el_prop {
    uint8_t epc;
    uint8_t pdc;
    const uint8_t *edt; /* pdc bytes; NULL when pdc is 0 */
} mdc_el_prop;

typedef struct mdc_el_frame {
    uint16_t tid;
    uint32_t seoj, deoj; /* 24-bit objects */
    uint8_t esv;
    uint8_t opc;
    mdc_el_prop props[MDC_EL_MAX_PROPS];
} mdc_el_frame;

/* Encodes a frame. Returns its length, or 0 when it does not fit in cap (or opc is 0 or above
 * MDC_EL_MAX_PROPS). */
size_t mdc_el_encode(const mdc_el_frame *f, uint8_t *out, size_t cap);

/* Decodes a whole frame; every byte must belong to it. Errors (MDC_EPROTO) say what is wrong
 * and where ("property 2 (EPC 0xE8): PDC 4 but only 2 bytes left"). */
int mdc_el_decode(const uint8_t *p, size_t n, mdc_el_frame *f, mdc_err *err);

/* The first property with that EPC, or NULL. */
const mdc_el_prop *mdc_el_find(const mdc_el_frame *f, uint8_t epc);

/* True for the "service not available" responses (0x50..0x5F). */
bool mdc_el_is_sna(uint8_t esv);

/* The response ESVs a request ESV can get: *ok (e.g. Get_Res) and *sna (Get_SNA). Returns -1
 * for a service that has no response. */
int mdc_el_response_esv(uint8_t request_esv, uint8_t *ok, uint8_t *sna);

/* Short name: "Get", "Get_Res", "Get_SNA", ... or "ESV 0x??" (buf holds at least 12 bytes). */
const char *mdc_el_esv_name(uint8_t esv, char *buf, size_t n);

/* Checks that `res` answers `req`: same TID, from the object asked (instance 0 in the request
 * matches any instance), to the asking object, the matching response or SNA service, and the
 * same properties in the same order. Returns 0, or -1 with the reason (MDC_EPROTO). */
int mdc_el_match(const mdc_el_frame *req, const mdc_el_frame *res, mdc_err *err);

#endif
