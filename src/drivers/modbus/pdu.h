/* SPDX-License-Identifier: Apache-2.0 */
/* pdu.h — Modbus PDU pieces shared by every transport (and the simulator): read requests,
 * read replies, exception texts, CRC-16 and LRC. Pure functions. */
#ifndef MDC_MODBUS_PDU_H
#define MDC_MODBUS_PDU_H

#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

#define MDC_MB_PDU_MAX 253 /* function code + data */

/* "illegal data address" for 2; "unknown exception" for codes without a name. */
const char *mdc_mb_exception_name(int code);
/* Sets err to MDC_EDEVICE "exception 02 illegal data address". Returns -1. */
int mdc_mb_exception_error(int code, mdc_err *err);

/* Number of data bytes a read reply carries: 2 per register (FC 3/4), 1 per 8 bits (FC 1/2). */
size_t mdc_mb_reply_bytes(int fc, uint16_t count);

/* Writes the 5-byte PDU of a read request (fc 1..4). Returns 5. */
size_t mdc_mb_pdu_read_request(int fc, uint16_t addr, uint16_t count, uint8_t pdu[5]);

/* Checks a read reply PDU against the request and unpacks it: registers (big-endian on the
 * wire) or bits (0/1, least significant bit first) into out[count]. An exception reply gives
 * MDC_EDEVICE; a wrong function code, byte count or length gives MDC_EPROTO. */
int mdc_mb_pdu_parse_read_reply(const uint8_t *pdu, size_t n, int fc, uint16_t count, uint16_t *out,
                                mdc_err *err);

/* CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF); sent low byte first. */
uint16_t mdc_mb_crc16(const uint8_t *p, size_t n);
/* Modbus ASCII LRC: two's complement of the 8-bit sum of the bytes. */
uint8_t mdc_mb_lrc(const uint8_t *p, size_t n);

#endif
