/* SPDX-License-Identifier: Apache-2.0 */
/* driver_internal.h — the lsv2 driver's parsed configuration and open bus, shared by
 * lsv2_driver.c (configuration, poll) and inspect.c (`mdc read --raw`). */
#ifndef MDC_LSV2_DRIVER_INTERNAL_H
#define MDC_LSV2_DRIVER_INTERNAL_H

#include "lsv2_driver.h"
#include "session.h"

#include "core/catalog.h"

#include <stdbool.h>
#include <stddef.h>

/* One PLC operand: M4170 is {LSV2_MEM_MARKER, 4170}. */
typedef struct lsv2_operand {
    const char *name; /* field name (NULL for the part signal); owned by the document */
    lsv2_mem mem;
    uint32_t number;
    mdc_field_info info; /* unit, label, decimals, enum of a "plc" entry (core/catalog.h) */
} lsv2_operand;

typedef struct lsv2_cfg {
    lsv2_session_cfg sess; /* strings owned by the document */
    bool overrides, alarms;
    lsv2_operand *plc;
    size_t nplc;
    bool has_signal;
    lsv2_operand signal;
    const char **fields; /* NULL-terminated */
} lsv2_cfg;

typedef struct lsv2_bus {
    lsv2_session *s; /* NULL after a failed reconnect */
    const lsv2_cfg *c;
    uint64_t polls; /* completed on this session */
} lsv2_bus;

/* Most NC error messages read per poll. */
#define LSV2_MAX_ALARMS 16

/* "M4170", "D10368" */
void lsv2_operand_format(const lsv2_operand *op, char *buf, size_t n);

/* The driver's field_info hook (field_info.c): names of op_mode and prog_status, units of the
 * overrides, the display keys of "plc" entries. */
bool lsv2_drv_field_info(const void *cfg, const char *name, mdc_field_info *out);

int lsv2_drv_inspect(void *bus, const void *cfg, int argc, char **argv, strbuf *out, mdc_err *err);

#endif
