/* SPDX-License-Identifier: Apache-2.0 */
/* catalog.h — what the values of each device mean: unit, label, decimals, the quantity they
 * measure, names of enumerated values. Built by the runtime from the configuration and from
 * what drivers and derive rules know about their fields; read by sinks (MQTT metadata,
 * Sparkplug births, Home Assistant discovery), the HTTP API, /metrics and the dashboard.
 * Records stay lean: they carry names and values only.
 *
 * The runtime owns the catalog; it is immutable while the runtime runs (a reload builds a new
 * runtime, new sinks and a new catalog), so readers need no lock.
 */
#ifndef MDC_CATALOG_H
#define MDC_CATALOG_H

#include "confread.h"
#include "err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One named value of an enumeration (op_mode 4 = "AUTOMATIC", status 2 = "PRODUCTION"). */
typedef struct mdc_enum_name {
    int64_t value;
    const char *name;
} mdc_enum_name;

typedef struct mdc_field_info {
    const char *name;
    const char *unit;           /* "kWh", "W", "kW", "V", "A", "Hz", "%", "s"; NULL: none */
    const char *label;          /* for people ("Active power"); NULL: made from the name */
    int decimals;               /* digits after the point to show; -1: as read */
    const char *quantity;       /* "power", "energy", "voltage", "current", "frequency",
                                 * "power_factor", "duration", "count", "enum"; NULL: unknown */
    bool total;                 /* a running total that only grows (an energy register, a part
                                 * counter), as opposed to a measurement */
    const mdc_enum_name *enums; /* names of values, or NULL */
    size_t nenums;
} mdc_field_info;

typedef struct mdc_device_info {
    const char *id;
    const char *driver;
    bool has_machine_id;
    int64_t machine_id;
    mdc_field_info *fields; /* in record order */
    size_t nfields;
} mdc_device_info;

typedef struct mdc_catalog {
    mdc_device_info *devices; /* in configuration order */
    size_t ndevices;
} mdc_catalog;

/* NULL when unknown. */
const mdc_device_info *mdc_catalog_device(const mdc_catalog *c, const char *id);
const mdc_field_info *mdc_device_info_field(const mdc_device_info *d, const char *name);
/* The name of value v in f's enumeration, or NULL. */
const char *mdc_field_info_enum(const mdc_field_info *f, int64_t v);
/* An empty description of a field: decimals -1, everything else unknown. */
mdc_field_info mdc_field_info_none(const char *name);
/* Fills what the unit tells when it is not set: quantity ("kWh" -> energy, a total; "kW" ->
 * power; "V", "A", "Hz", "%", "s", "°C" ...) and "enum" when f has names of values. */
void mdc_field_info_infer(mdc_field_info *f);
/* The record's machine status (the "status" key of mdc's record JSON; rec->status): names
 * 0 OFF, 1 ON, 2 PRODUCTION. Not among a device's fields: every device has it. */
const mdc_field_info *mdc_catalog_status_field(void);

/* ---- from the configuration (catalog_cfg.c) ----
 * Reads the display keys of one value's configuration object n into out (name untouched):
 *   "unit": "kW", "label": "Active power", "decimals": 0..15,
 *   "enum": {"0": "STOPPED", "1": "RUNNING", ...}   (keys whole numbers, values non-empty)
 * Keys that are absent leave out as it was. The caller checks which keys n may have
 * (mdc_field_info_keyset declares these; a value's keyset shares it). Strings are owned by the
 * configuration document; the enumeration is allocated: free it with mdc_field_info_release(). */
struct mdc_keyset;
extern const struct mdc_keyset mdc_field_info_keyset;
int mdc_field_info_parse(const mdc_cfgnode *n, mdc_field_info *out, mdc_err *err);
/* Frees an enumeration allocated by mdc_field_info_parse (NULL-safe; f->enums reset). */
void mdc_field_info_release(mdc_field_info *f);

#endif
