/* SPDX-License-Identifier: Apache-2.0 */
/* sparkplug_codec.h — Sparkplug B payloads (protobuf, the specification's sparkplug_b.proto via
 * protobuf-c): encoding births, data and deaths; decoding what a host application sends an edge
 * node (NCMD: Node Control/Rebirth) and its STATE (JSON). Pure: no I/O.
 */
#ifndef MDC_SPARKPLUG_CODEC_H
#define MDC_SPARKPLUG_CODEC_H

#include "core/err.h"
#include "core/record.h"
#include "core/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sparkplug data types used by mdc (the specification's DataType enum). */
enum {
    MDC_SP_INT32 = 3,
    MDC_SP_INT64 = 4,
    MDC_SP_DOUBLE = 10,
    MDC_SP_BOOLEAN = 11,
    MDC_SP_STRING = 12,
};

#define MDC_SP_REBIRTH "Node Control/Rebirth"

typedef struct mdc_sp_metric {
    const char *name; /* NULL: by alias only (DATA messages) */
    bool has_alias;
    uint64_t alias;
    uint64_t ts_ms;     /* 0: none */
    uint32_t datatype;  /* MDC_SP_* */
    const mdc_value *v; /* NULL or MDC_NULL: is_null */
    const char *unit;   /* the "engUnit" property (births), or NULL */
} mdc_sp_metric;

/* The data type a value gets (a null value: Double). */
uint32_t mdc_sp_datatype(const mdc_value *v);
/* True when v can be sent as datatype (null always can). */
bool mdc_sp_fits(const mdc_value *v, uint32_t datatype);

/* Appends the encoded payload {timestamp, metrics, seq (when seq >= 0)} to out. */
void mdc_sp_encode(uint64_t ts_ms, int seq, const mdc_sp_metric *m, size_t n, strbuf *out);

/* An NCMD payload: *rebirth true when it carries Node Control/Rebirth (by name, or by
 * rebirth_alias when nonzero) with the value true. -1 on a payload that is not Sparkplug B. */
int mdc_sp_decode_ncmd(const void *buf, size_t len, uint64_t rebirth_alias, bool *rebirth,
                       mdc_err *err);
/* A Sparkplug 3.0 STATE payload {"online": BOOL, "timestamp": MS}. -1 when it is not one. */
int mdc_sp_parse_state(const void *buf, size_t len, bool *online, int64_t *ts_ms, mdc_err *err);

#endif
