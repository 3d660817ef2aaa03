/* SPDX-License-Identifier: Apache-2.0 */
/* catalog_json.h — the catalog (core/catalog.h) as JSON for /api and the event stream.
 *
 * A device's points: {"status": P, "voltage_l1": P, ...} — "status" (the machine status) first,
 * then the fields in record order, each
 *   P = {"label": text|null, "unit": text|null, "decimals": n|null, "quantity": text|null,
 *        "total": bool[, "enum": {"0": "OFF", "1": "ON", ...}]}
 * "decimals" null: show the value as read. "total": a running total that only grows (an
 * energy register). "label" null: make one from the name.
 */
#ifndef MDC_HTTP_CATALOG_JSON_H
#define MDC_HTTP_CATALOG_JSON_H

#include "core/catalog.h"
#include "core/strbuf.h"

/* Appends the points object of d (NULL: only "status"). */
void mdc_catalog_points_json(const mdc_device_info *d, strbuf *out);
/* Appends {"id": ID, "points": {...}} */
void mdc_catalog_device_json(const mdc_device_info *d, strbuf *out);

#endif
