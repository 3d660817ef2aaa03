/* driver.h — the contract every device driver implements.
 *
 * A driver talks one protocol. It parses its own configuration keys, opens a "bus" (a TCP
 * connection, a serial line, a session) and turns one poll into record fields. It knows
 * nothing about derive rules, the spool or sinks.
 *
 * Threading: the runtime runs one thread per bus. Devices whose bus_key() is equal (e.g. the
 * units on one RS-485 line) share that thread and bus; a NULL key gives a device its own.
 * All calls for one bus come from its thread.
 *
 * poll(): appends exactly one field per name in fields(), in that order — a value, or null
 * with an error message when that value could not be read. Returns -1 (err filled) when the
 * device could not be reached at all; the runtime then fills null fields itself. It may set
 * rec->status when the protocol itself defines the machine status (e.g. a CNC's program
 * state), and add hidden fields (names beginning with '_') for derive rules.
 */
#ifndef MDC_DRIVER_H
#define MDC_DRIVER_H

#include "core/catalog.h"
#include "core/config.h"
#include "core/err.h"
#include "core/record.h"
#include "core/strbuf.h"

#include <stdbool.h>
#include <stdint.h>

struct mdc_keyset;

typedef struct mdc_driver {
    const char *name;
    /* The device keys it reads besides the common ones (core/keys.h); NULL: not declared. */
    const struct mdc_keyset *keys;
    int (*parse)(const mdc_device_cfg *dev, void **cfg, mdc_err *err);
    void (*free_config)(void *cfg);
    const char *const *(*fields)(const void *cfg);
    void (*describe)(const void *cfg, strbuf *out);
    const char *(*bus_key)(const void *cfg); /* may be NULL */
    /* Devices sharing a bus must agree on its settings (optional). */
    int (*bus_check)(const void *first, const void *other, mdc_err *err);
    int (*bus_open)(const void *cfg, void **bus, mdc_err *err);
    void (*bus_close)(void *bus);
    bool (*bus_broken)(void *bus); /* after an error: close and reopen before the next poll */
    int (*poll)(void *bus, const void *cfg, mdc_record *rec, mdc_err *err);
    /* Commissioning output for `mdc read` (optional): argv holds the extra options. */
    int (*inspect)(void *bus, const void *cfg, int argc, char **argv, strbuf *out, mdc_err *err);
    /* Called instead of sleeping until `until_mono_us` (optional; e.g. subscriptions). */
    void (*idle)(void *bus, int64_t until_mono_us);
    /* The field (in fields(), usually hidden) in which the driver reports the part signal it
     * reads itself when the device's parts.signal is an operand object (optional; NULL: it
     * reads none). Derive counts that field's rising edges. */
    const char *(*part_signal_field)(const void *cfg);
    /* What the driver knows about one of its fields (optional): fills *out (strings owned by
     * cfg or static) and returns true, or false when it knows nothing (catalog.h). */
    bool (*field_info)(const void *cfg, const char *name, mdc_field_info *out);
} mdc_driver;

#endif
