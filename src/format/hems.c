/* SPDX-License-Identifier: Apache-2.0 */
/* hems.c — see hems.h. */
#include "format/hems.h"

#include <stddef.h>

const char *const MDC_HEMS_FIELDS[MDC_HEMS_NFIELDS + 1] = {
    "cumulative_power_kwh",
    "instant_power_w",
    "current_a",
    "current_r_a",
    "current_t_a",
    "historical_timestamp",
    "historical_cumulative_power_kwh",
    "recent_30min_consumption_kwh", /* the program's insertion order (its README lists them */
    "recent_30min_timestamp",       /* the other way round): research/hems.md §4 */
    NULL,
};

const char *const MDC_HEMS_CSV_COLUMNS[MDC_HEMS_CSV_NCOLUMNS] = {
    "timestamp",
    "cumulative_power_kwh",
    "instant_power_w",
    "current_a",
    "current_r_a",
    "current_t_a",
    "historical_timestamp",
    "historical_cumulative_power_kwh",
    "recent_30min_timestamp",
    "recent_30min_consumption_kwh",
};
