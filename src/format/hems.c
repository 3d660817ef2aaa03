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
    "recent_30min_timestamp", /* the seed README's order (its code inserts them the other way) */
    "recent_30min_consumption_kwh",
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
