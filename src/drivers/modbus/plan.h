/* SPDX-License-Identifier: Apache-2.0 */
/* plan.h — turn a device's points into as few Modbus read requests as allowed.
 *
 * Points are grouped by function code (1 coils, 2 discrete inputs, 3 holding, 4 input),
 * sorted by address and merged with their neighbour while the hole between them is at most
 * max_gap registers (bits for FC 1/2) and the merged request stays within the size limit.
 * Overlapping points share a request. The output is deterministic: requests ordered by
 * function, then address.
 */
#ifndef MDC_MODBUS_PLAN_H
#define MDC_MODBUS_PLAN_H

#include "core/err.h"
#include "core/strbuf.h"

#include <stddef.h>
#include <stdint.h>

#define MDC_MB_MAX_READ_REGISTERS 125
#define MDC_MB_MAX_READ_BITS      2000

/* What one point occupies. `name` is borrowed (used in errors and descriptions). */
typedef struct mdc_mb_span {
    const char *name;
    int function; /* 1..4 */
    uint16_t address;
    uint16_t count; /* registers (FC 3/4) or bits (FC 1/2), >= 1 */
} mdc_mb_span;

typedef struct mdc_mb_plan_opts {
    int max_gap; /* largest hole merged over; 0 = only adjacent/overlapping; -1 = never merge */
    int max_registers; /* per FC 3/4 request, 1..125 (default 125) */
    int max_bits;      /* per FC 1/2 request, 1..2000 (default 2000) */
} mdc_mb_plan_opts;

typedef struct mdc_mb_request {
    int function;
    uint16_t address;
    uint16_t count;
} mdc_mb_request;

/* Where a point's data sits: request index, offset (registers or bits) inside that request. */
typedef struct mdc_mb_slot {
    size_t request;
    uint16_t offset;
} mdc_mb_slot;

typedef struct mdc_mb_plan {
    mdc_mb_request *requests; /* owned */
    size_t nrequests;
    mdc_mb_slot *slots; /* owned; one per input span, in input order */
    size_t nslots;
    size_t *order; /* owned; span indices sorted by (function, address), for descriptions */
} mdc_mb_plan;

/* max_gap 10, max_registers 125, max_bits 2000. */
void mdc_mb_plan_opts_init(mdc_mb_plan_opts *o);

/* Builds the plan. Fails (MDC_EINVAL, naming the point) on a bad function code, a zero count,
 * a span past address 65535, or a point larger than the limit. `out` is untouched on failure. */
int mdc_mb_plan_build(const mdc_mb_span *spans, size_t n, const mdc_mb_plan_opts *opts,
                      mdc_mb_plan *out, mdc_err *err);
void mdc_mb_plan_free(mdc_mb_plan *p);

/* One line per request, for `mdc check`:
 * "FC4 0-5 (6 regs): voltage_l1, voltage_l2, voltage_l3\n" ("bit"/"bits" for FC 1/2).
 * `spans` must be the array the plan was built from. */
void mdc_mb_plan_describe(const mdc_mb_plan *p, const mdc_mb_span *spans, strbuf *out);

#endif
