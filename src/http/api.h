/* api.h — the JSON bodies of /healthz, /api/devices and /api/devices/{id}, built from the
 * runtime's live state (counters and each device's latest record).
 *
 * A device object:
 *   {"id", "name", "machine_id" (or null), "driver",
 *    "points": what each value means (catalog_json.h: unit, label, decimals, enum names),
 *    "state": "PENDING" (not polled yet) | "UNREACHABLE" | "OFF" | "ON" | "PRODUCTION" |
 *             "ONLINE" (reachable, no status rules),
 *    "status": 0|1|2|null, "reachable": bool, "error": text|null, "timestamp": text|null,
 *    "program": value|null, "part_count": value|null, "shift": value|null,
 *    "shift_energy_kwh": value|null, "values": {field: value, ...}, "errors": {field: text},
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

/* {"timestamp": now, "devices": [device, ...]} */
void mdc_api_devices(mdc_runtime *rt, mdc_api_cache *cache, int64_t now_us, strbuf *out);
/* One device object; false when there is no such device. */
bool mdc_api_device(mdc_runtime *rt, mdc_api_cache *cache, const char *id, strbuf *out);
/* {"status": "ok"|"unhealthy", "reasons": [...]}; returns 200 or 503. */
int mdc_api_health(mdc_runtime *rt, strbuf *out);
/* The state name of a record (NULL: not polled yet). */
const char *mdc_api_state_name(const mdc_record *rec);

#endif
