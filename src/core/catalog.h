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

#endif
