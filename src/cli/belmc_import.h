/* SPDX-License-Identifier: Apache-2.0 */
/* belmc_import.h — BELmc's collector settings → an mdc configuration (`mdc import-belmc`).
 *
 * Reads config/ems_settings.json (meter → {PARAMETER: [number, 4]}), lsv2_settings.json,
 * opcua_settings.json and the names in .env, and writes one mdc configuration in which the
 * facts BELmc's collectors hard-code are explicit (research/belmc.md §3–§6):
 *   - the Delta PLC: Modbus ASCII on /dev/ttyUSB0, 9600 baud 7E2, slave 1, 1 s timeout; each
 *     parameter at holding register number − 1, one byte per register, CDAB, float32 (energy:
 *     int32 / 1000), 4 decimals; named like BELmc's ems columns;
 *   - status: PRODUCTION when |power| > the machine's threshold (BELmc's table, 5.0 for
 *     others), ON when frequency > 0, else OFF; energy spikes above 10 kWh skipped;
 *   - shifts 06:00/14:00/22:00 (ids 1, 2, 3) in Asia/Kolkata;
 *   - LSV2 controls on TCP 19000 every second; part signal M4170 on iTNC 530s, PR_FINISHED
 *     (D10368 == 255, BELmc's dword 2592) on TNC 640s;
 *   - the OPC UA machine: BELmc's five hard-coded nodes, security None, its user, the password
 *     as ${OPCUA_PASSWORD} (a secret is never copied), PRODUCTION iff progStatus == 3, parts
 *     from actParts' increases, downtimes closed on PRODUCTION;
 *   - one owner per machine for the production tables: OPC UA, else LSV2, else the meter;
 *   - a postgres "belmc" sink whose connection settings are ${DB_*} references.
 * Pure: no file or network access; the caller reads the files.
 */
#ifndef MDC_BELMC_IMPORT_H
#define MDC_BELMC_IMPORT_H

#include "core/err.h"
#include "core/strbuf.h"

#include <stddef.h>

typedef struct mdc_belmc_input {
    const char *name; /* used in messages, e.g. "config/ems_settings.json" */
    const char *text; /* NULL: the file does not exist */
    size_t len;
} mdc_belmc_input;

typedef struct mdc_belmc_files {
    mdc_belmc_input ems, lsv2, opcua, env;
} mdc_belmc_files;

/* Appends the configuration (JSON) to config and one line per thing the user should know or do
 * to notes. Fails on malformed settings with "NAME:LINE:COL: ..." or "NAME: where: what". */
int mdc_belmc_import(const mdc_belmc_files *in, strbuf *config, strbuf *notes, mdc_err *err);

#endif
