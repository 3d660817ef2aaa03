/* SPDX-License-Identifier: Apache-2.0 */
/* runtime.h — assembles a configuration into running parts and runs them:
 *   devices (driver + derive rules) grouped into buses, one thread per bus — or, for buses a
 *   driver runs event-driven (Modbus TCP by default), a few event threads for all of them —
 *   polling on each device's schedule; every record derived, then committed to the spool; one
 *   delivery thread per sink reading the spool in order.
 * The runtime is the only layer that knows every other layer; it also does the logging.
 */
#ifndef MDC_RUNTIME_H
#define MDC_RUNTIME_H

#include "core/config.h"
#include "core/ratelimit.h"
#include "core/spool.h"
#include "core/record.h"
#include "core/strbuf.h"
#include "derive/derive.h"
#include "drivers/driver.h"
#include "sinks/sink.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

typedef struct mdc_runtime mdc_runtime;
typedef struct mdc_rt_bus mdc_rt_bus;
typedef struct mdc_rt_mux mdc_rt_mux;

/* Upper bounds (seconds) of the poll latency histogram buckets; one more bucket is +Inf. */
#define MDC_RT_LATENCY_BUCKETS 12
extern const double mdc_rt_latency_bounds_s[MDC_RT_LATENCY_BUCKETS];

/* A configured device (its driver, derive rules, state and counters) and a sink with its
 * delivery thread: opaque outside the runtime (runtime_internal.h), read through the functions
 * below. */
typedef struct mdc_rt_device mdc_rt_device;
typedef struct mdc_rt_sink mdc_rt_sink;

/* Rejections of one sink are counted by reason, up to this many reasons. */
#define MDC_RT_REJECT_REASONS 8

typedef struct mdc_run_opts {
    bool once;            /* poll every device once, deliver, and return */
    double drain_seconds; /* at stop, how long sinks may keep delivering (default 3) */
} mdc_run_opts;

/* Parses drivers, derive rules and sinks; no I/O. */
int mdc_runtime_build(const mdc_config *cfg, mdc_runtime **out, mdc_err *err);
void mdc_runtime_free(mdc_runtime *rt);

const mdc_config *mdc_runtime_config(const mdc_runtime *rt);
size_t mdc_runtime_device_count(const mdc_runtime *rt);
mdc_rt_device *mdc_runtime_device(mdc_runtime *rt, size_t i);
mdc_rt_device *mdc_runtime_find_device(mdc_runtime *rt, const char *id);
size_t mdc_runtime_sink_count(const mdc_runtime *rt);
mdc_rt_sink *mdc_runtime_sink(mdc_runtime *rt, size_t i);

/* The plan `mdc check` prints: devices, schedules, points, requests, rules, sinks. */
void mdc_runtime_describe(const mdc_runtime *rt, strbuf *out);

/* Opens the spool, starts every thread and returns; stop with mdc_runtime_stop(). */
int mdc_runtime_start(mdc_runtime *rt, const mdc_run_opts *opts, mdc_err *err);
/* Changes how long mdc_runtime_stop() lets sinks deliver (a reload: the next runtime will). */
void mdc_runtime_set_drain(mdc_runtime *rt, double seconds);
/* Asks every thread to stop (async-signal-safe). */
void mdc_runtime_request_stop(mdc_runtime *rt);
bool mdc_runtime_stopping(const mdc_runtime *rt);
/* Stops polling, lets sinks drain briefly, joins every thread, closes the spool. */
void mdc_runtime_stop(mdc_runtime *rt);
/* --once: how far the run is. */
typedef struct mdc_once_progress {
    size_t devices, polled; /* enabled devices; those polled so far */
    size_t failed;          /* polled devices whose record says unreachable */
    int64_t backlog;        /* spooled records some sink has not taken yet */
    uint64_t dead_lettered; /* records a sink refused for good (moved to the dead letters) */
    uint64_t lost;          /* records the spool could not take (disk full, spool error) */
} mdc_once_progress;
/* Fills p; true once every device has been polled and every sink has taken every record (or
 * dead-lettered it: check p). Thread-safe; only between mdc_runtime_start() and _stop(). */
bool mdc_runtime_once_progress(mdc_runtime *rt, mdc_once_progress *p);

/* Called by the bus threads with every record once it is in the spool (rec->seq set): the
 * live event stream. Must be quick and must not block. Set before mdc_runtime_start(). */
typedef void (*mdc_rt_observer)(void *ctx, const mdc_record *rec);
void mdc_runtime_set_observer(mdc_runtime *rt, mdc_rt_observer fn, void *ctx);
/* Copies the device's latest derived record into out (initialised by the caller); returns
 * false (out untouched) before its first poll. Thread-safe. */
bool mdc_runtime_device_live(mdc_rt_device *d, mdc_record *out);
/* Calls fn with the device's latest derived record (NULL before its first poll) while holding
 * the device's lock, without copying it: fn must be quick and must not block. */
void mdc_runtime_device_visit(mdc_rt_device *d, void (*fn)(void *ctx, const mdc_record *rec),
                              void *ctx);
/* Calls fn with the latest record (NULL before the first poll) and the latest record without
 * an error (live itself when it has none; NULL when there was none yet), under the device's
 * lock like mdc_runtime_device_visit. */
void mdc_runtime_device_visit_ok(mdc_rt_device *d,
                                 void (*fn)(void *ctx, const mdc_record *live,
                                            const mdc_record *last_ok),
                                 void *ctx);
/* What a device is: its configuration and its derive rules (live as long as rt). */
const mdc_device_cfg *mdc_runtime_device_cfg(const mdc_rt_device *d);
const mdc_derive_cfg *mdc_runtime_device_derive(const mdc_rt_device *d);
/* A device's counters, each read atomically (not all at one instant). */
typedef struct mdc_rt_device_stats {
    uint64_t polls, poll_errors, missed, records;
    uint64_t lost_disk_full, lost_spool_error; /* records the spool could not take */
    int64_t last_loss_us;                      /* when a record was last lost (0: never) */
    uint64_t discarded;                        /* replies discarded: late, another unit, ... */
    int64_t last_latency_us;
    int status; /* of the latest record (MDC_STATUS_NONE before the first) */
    /* poll latency histogram: polls per bucket (not cumulative; the last is +Inf) */
    uint64_t latency_hist[MDC_RT_LATENCY_BUCKETS + 1];
    uint64_t latency_sum_us;
} mdc_rt_device_stats;
void mdc_runtime_device_stats(const mdc_rt_device *d, mdc_rt_device_stats *out);
/* Opens the device's bus now, before mdc_runtime_start() (which then uses it): a driver whose
 * opening takes long and may fail for good (joining a smart meter) fails early. */
int mdc_runtime_device_open_bus(mdc_rt_device *d, mdc_err *err);

/* A sink's id ("sqlite:data/mdc.db") and type ("sqlite"); live as long as rt. */
const char *mdc_runtime_sink_id(const mdc_rt_sink *s);
const char *mdc_runtime_sink_type(const mdc_rt_sink *s);
/* A sink's delivery counters, each read atomically. */
typedef struct mdc_rt_sink_stats {
    bool healthy; /* its last write succeeded */
    uint64_t delivered, failures;
    uint64_t dead_lettered; /* records moved to the dead-letter table */
    size_t nreasons;        /* rejections by reason (static strings) */
    const char *reasons[MDC_RT_REJECT_REASONS];
    uint64_t rejected[MDC_RT_REJECT_REASONS];
} mdc_rt_sink_stats;
void mdc_runtime_sink_stats(const mdc_rt_sink *s, mdc_rt_sink_stats *out);
/* Spool figures and a sink's backlog; only between mdc_runtime_start() and _stop(). Return -1
 * when the spool is not open. */
int mdc_runtime_spool_stats(mdc_runtime *rt, mdc_spool_stats *st);
int64_t mdc_runtime_sink_backlog(mdc_runtime *rt, const mdc_rt_sink *s);
/* Records of the sink in the spool's dead-letter table; -1 when the spool is not open. */
int64_t mdc_runtime_sink_dead_letters(mdc_runtime *rt, const mdc_rt_sink *s);
/* Why the sink last failed ("" while it delivers). Thread-safe. */
void mdc_runtime_sink_error(mdc_rt_sink *s, char *buf, size_t n);

/* One poll of one device, derived with fresh state (nothing persisted): `mdc read`. */
int mdc_runtime_read_once(mdc_runtime *rt, mdc_rt_device *dev, mdc_record *rec, strbuf *inspect,
                          int argc, char **argv, mdc_err *err);

/* What each device's values mean (units, labels, enumerations); lives as long as rt. */
const mdc_catalog *mdc_runtime_catalog(const mdc_runtime *rt);

/* The embedded store's file when a store sink ("sqlite") is configured, else NULL. */
const char *mdc_runtime_store_path(const mdc_runtime *rt);

/* The shift context derived from the configuration. */
const mdc_shift_ctx *mdc_runtime_shifts(const mdc_runtime *rt);

/* Registry: the built-in drivers by name (NULL-terminated names), and drivers added before a
 * runtime is built (tests, embedders; not thread-safe). Registering returns -1 when the name is
 * taken or the table is full. */
const mdc_driver *mdc_driver_find(const char *name);
/* The same, loading the driver's module on first use (core/module.h): NULL with err filled
 * when the module cannot be loaded, NULL with err cleared when no driver has the name. */
const mdc_driver *mdc_driver_load(const char *name, mdc_err *err);
const char *const *mdc_driver_names(void);
int mdc_driver_register(const mdc_driver *d);
/* Every declared set of configuration keys (core/keys.h) below the HTTP server's
 * (mdc_http_keysets): the top level's, the spool's, "runtime", the devices' common keys and
 * derive rules, the drivers', the sink types'; the i-th, or NULL past the last. */
const struct mdc_keyset *mdc_keysets(size_t i);
/* The keys of the "runtime" object. */
extern const struct mdc_keyset mdc_runtime_keyset;
/* Loads every module of a driver or sink type (for `mdc keys`): 0, or -1 with the first
 * failure in err. */
int mdc_modules_load(mdc_err *err);

#endif
