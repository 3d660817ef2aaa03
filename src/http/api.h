/* SPDX-License-Identifier: Apache-2.0 */
/* api.h — the JSON bodies of /healthz, /api/devices and /api/devices/{id}, built from the
 * runtime's live state (counters and each device's latest record).
 *
 * A device object:
 *   {"id", "name", "machine_id" (or null), "driver",
 *    "power_point": the value plant totals and the dashboard's sparkline take as its power
 *                   (the status rule's power, else the first value measuring power) or null,
 *    "points": what each value means (catalog_json.h: unit, label, decimals, enum names),
 *    "state": "PENDING" (not polled yet) | "UNREACHABLE" | "OFF" | "ON" | "PRODUCTION" |
 *             "ONLINE" (reachable, no status rules),
 *    "status": 0|1|2|null, "reachable": bool, "error": text|null, "timestamp": text|null,
 *    "program": value|null, "part_count": value|null, "shift": value|null,
 *    "shift_energy_kwh": value|null, "values": {field: value, ...}, "errors": {field: text},
 *    "last_success": sample time of the latest record without an error, or null,
 *    "last_values": {field: value} of that record, only while the device is unreachable,
 *    "polls", "poll_errors", "missed_slots", "last_poll_seconds"}
 * "program" is the record's "program", "active_program" or "selected_program" field, the first
 * present.
 */
#ifndef MDC_HTTP_API_H
#define MDC_HTTP_API_H

#include "core/strbuf.h"
#include "runtime/runtime.h"

#include <stdbool.h>

/* The rendered live part of each device object, kept until the device's next record: a record
 * comes every few seconds, requests many times a second. One per attached runtime; an entry is
 * only touched under its device's lock (mdc_runtime_device_visit), so it needs no lock of its
 * own. NULL works too (no caching). */
typedef struct mdc_api_cache mdc_api_cache;
mdc_api_cache *mdc_api_cache_new(mdc_runtime *rt);
void mdc_api_cache_free(mdc_api_cache *c);

/* Which devices /api/devices lists: those whose id or name contains q (any case) and whose
 * state is `state` (NULL or "": any), from the offset-th on, at most limit (-1: all). */
typedef struct mdc_api_filter {
    const char *q, *state;
    int64_t offset, limit;
} mdc_api_filter;

/* {"timestamp": now, "devices": [device, ...], "total": matching devices, "offset": n};
 * f NULL: every device. */
void mdc_api_devices(mdc_runtime *rt, mdc_api_cache *cache, const mdc_api_filter *f, int64_t now_us,
                     strbuf *out);
/* One device object; false when there is no such device. */
bool mdc_api_device(mdc_runtime *rt, mdc_api_cache *cache, const char *id, strbuf *out);
/* {"status": "ok"|"unhealthy", "reasons": [...]}; returns 200 or 503. */
int mdc_api_health(mdc_runtime *rt, strbuf *out);
/* The value plant totals take as the device's power (the status rule's power value, else the
 * first value whose unit says power), or NULL; *to_kw its factor to kW (W: 0.001). A value
 * without a unit counts as kW when its name ends in "kw", as W when it ends in "_w". */
const char *mdc_api_power_point(const mdc_rt_device *d, const mdc_device_info *di, double *to_kw);
/* /api/plant (plant.c): totals over every device — see docs/configuration.md. energy_today_kwh
 * NULL when there is no store. */
void mdc_api_plant(mdc_runtime *rt, int64_t now_us, const double *energy_today_kwh, strbuf *out);
/* The start of the production day (the day's first shift) that `now` belongs to, for the store
 * query of "energy today". */
int64_t mdc_api_day_start(const mdc_shift_ctx *shifts, int64_t now_us);
/* The state name of a record (NULL: not polled yet). */
const char *mdc_api_state_name(const mdc_record *rec);

#endif
