/* history.h — /api/devices/{id}/history and /shifts, read from the embedded SQLite store
 * (sink_sqlite.h) over a read-only connection opened per request.
 *
 * history: {"device", "from", "to", "records": [{"timestamp", field: value, ...,
 *           "errors": {...} when any}], "truncated": bool, "next": timestamp (when truncated),
 *           "status_changes": [{"timestamp", "status", "previous", "error"}]}
 *   records are rebuilt from the long-format `samples` rows, oldest first, at most `limit`.
 * shifts:  {"device", "from", "to", "shifts": [{"shift_start", "shift", "energy_kwh", "parts",
 *           "closed"}]} — shifts that started in [from, to), oldest first.
 */
#ifndef MDC_HTTP_HISTORY_H
#define MDC_HTTP_HISTORY_H

#include "core/err.h"
#include "core/strbuf.h"

#include <stdint.h>

/* Each returns 0 with the body in out, or -1 with err (the store cannot be read: 503). */
int mdc_history_records(const char *db_path, const char *device, int64_t from_us, int64_t to_us,
                        int64_t limit, strbuf *out, mdc_err *err);
int mdc_history_shifts(const char *db_path, const char *device, int64_t from_us, int64_t to_us,
                       strbuf *out, mdc_err *err);

#endif
