/* SPDX-License-Identifier: Apache-2.0 */
/* hems.h — the hems-data-collector's record layout (research/hems.md §4), known once. */
#ifndef MDC_FORMAT_HEMS_H
#define MDC_FORMAT_HEMS_H

/* The record's fields after "timestamp", in the order the hems program inserts them
 * (NULL-terminated; the B-route driver's own records list the last two the other way round,
 * as CONFIG.md does). */
#define MDC_HEMS_NFIELDS 9
extern const char *const MDC_HEMS_FIELDS[MDC_HEMS_NFIELDS + 1];

/* The CSV header (config.CSV_HEADERS): "timestamp" and the fields, in the header's own order. */
#define MDC_HEMS_CSV_NCOLUMNS 10
extern const char *const MDC_HEMS_CSV_COLUMNS[MDC_HEMS_CSV_NCOLUMNS];

#endif
