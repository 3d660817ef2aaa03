/* SPDX-License-Identifier: Apache-2.0 */
/* init_args.h — the devices `mdc init` is told about: connections and the meters behind them.
 *   modbus-tcp:HOST[:PORT]   modbus-rtu:DEVICE[@BAUD[FRAMING]]   modbus-ascii:DEVICE[@...]
 *   lsv2:HOST[:PORT]         opcua:URL                           broute:DEVICE
 * Words after a Modbus connection are meters on it: TEMPLATE[@UNIT] (sdm630@2). FRAMING is
 * [,][DATA_BITS]PARITY[STOP_BITS] after the baud rate: @19200E1, @9600,8N1, @9600,7E2. */
#ifndef MDC_CLI_INIT_ARGS_H
#define MDC_CLI_INIT_ARGS_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    INIT_MODBUS_TCP,
    INIT_MODBUS_RTU,
    INIT_MODBUS_ASCII,
    INIT_LSV2,
    INIT_OPCUA,
    INIT_BROUTE
} init_kind;

typedef struct init_dev {
    init_kind kind;
    char address[512]; /* host, host:port, device path or URL, as given */
    int line;          /* which connection (0, 1, ...): devices of one line share it */
    /* serial framing; 0 / '\0': not given */
    int baud, data_bits, stop_bits;
    char parity;
    /* Modbus meters */
    char template_name[64]; /* "" = none */
    int unit;               /* 0 = not given */
} init_dev;

typedef struct init_list {
    init_dev *devs; /* owned */
    size_t n;
} init_list;

/* Parses the words of the command line (argv[0..argc-1], options removed). Returns 0, or -1
 * with err naming the word and what is expected. */
int init_parse(int argc, char **argv, init_list *out, mdc_err *err);
void init_list_free(init_list *l);
const char *init_kind_name(init_kind k); /* "modbus-tcp" */
bool init_is_modbus(init_kind k);
bool init_is_serial(init_kind k);

#endif
