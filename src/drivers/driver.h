/* SPDX-License-Identifier: Apache-2.0 */
/* driver.h — the contract every device driver implements.
 *
 * A driver talks one protocol. It parses its own configuration keys, opens a "bus" (a TCP
 * connection, a serial line, a session) and turns one poll into record fields. It knows
 * nothing about derive rules, the spool or sinks.
 *
 * Threading: the runtime runs one thread per bus. Devices whose bus_key() is equal (e.g. the
 * units on one RS-485 line) share that thread and bus; a NULL key gives a device its own.
 * All calls for one bus come from its thread. Buses of a driver with `async` ops may instead be
 * served by the runtime's event threads (below).
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
#include "core/module.h"
#include "core/record.h"
#include "core/strbuf.h"

#include <stdbool.h>
#include <stdint.h>

struct mdc_keyset;
/* ---- Event-driven buses (optional) ----
 * A driver that can serve many buses without a thread each implements mdc_async_ops. For a
 * device whose enabled() says so, the runtime gives its bus no thread: a few event threads
 * (runtime/mux.c) serve all such buses. The runtime keeps the schedules, the backoff and the
 * records; the driver keeps its sockets. All calls for one bus come from one thread. */

/* Results of an asynchronous poll. */
enum {
    MDC_ASYNC_OK = 0,             /* rec filled exactly as poll() fills it */
    MDC_ASYNC_FAILED = -1,        /* the device could not be read at all (poll() returning -1) */
    MDC_ASYNC_NO_CONNECTION = -2, /* the bus could not be opened (bus_open() failing) */
};

/* Called exactly once per submit(), from within submit() or run(), never after bus_free();
 * err is NULL for MDC_ASYNC_OK. */
typedef void (*mdc_async_done)(void *ctx, int rc, const mdc_err *err);

typedef struct mdc_async_ops {
    /* Whether this device's bus is event-driven (e.g. a TCP engine setting). */
    bool (*enabled)(const void *cfg);
    /* A closed bus for the devices whose bus_key() equals cfg's; no I/O yet. */
    int (*bus_new)(const void *cfg, void **bus, mdc_err *err);
    /* Closes the bus; polls in progress are dropped without their done(). */
    void (*bus_free)(void *bus);
    /* Starts a poll of device cfg into rec (opening the bus when it is closed). A probe — a
     * retry of a failing device — waits behind every other poll on the bus. now: monotonic. */
    void (*submit)(void *bus, const void *cfg, mdc_record *rec, bool probe, mdc_async_done done,
                   void *ctx, int64_t now);
    /* The descriptor to watch, -1 for none, and in *generation a number that changes whenever
     * the bus opens a new descriptor (the number itself may be reused). The runtime watches it
     * edge-triggered for input and output, and asks again after every call. */
    int (*fd)(void *bus, uint64_t *generation);
    /* The earliest monotonic time at which run() must be called without an event, INT64_MAX
     * for none. */
    int64_t (*deadline)(void *bus);
    /* Does what the events (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP bits; 0 for a deadline) and
     * the time allow, reading until the descriptor would block; completes polls. */
    void (*run)(void *bus, uint32_t events, int64_t now);
    /* Replies discarded since the last call (optional; see take_discarded below). */
    uint64_t (*take_discarded)(void *bus);
} mdc_async_ops;

typedef struct mdc_driver {
    const char *name;
    /* The device keys it reads besides the common ones (core/keys.h; the set shares
     * mdc_device_keyset); NULL: not declared. */
    const struct mdc_keyset *keys;
    /* The keys of the objects within them (a Modbus point, an OPC UA "security"), for
     * listings; NULL-terminated, NULL: none. */
    const struct mdc_keyset *const *nested_keys;
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
    /* Replies the bus discarded since the last call because they could not answer the request
     * waiting (late, another unit, a transaction id out of step) (optional). */
    uint64_t (*take_discarded)(void *bus);
    /* Event-driven buses (optional, see above). */
    const mdc_async_ops *async;
} mdc_driver;

/* What a driver module exports as mdc_module_NAME (core/module.h). */
typedef struct mdc_driver_module {
    mdc_module_head head;
    const mdc_driver *const *drivers; /* NULL-terminated */
} mdc_driver_module;

#endif
