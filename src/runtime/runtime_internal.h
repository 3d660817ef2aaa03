/* SPDX-License-Identifier: Apache-2.0 */
/* runtime_internal.h — shared between the runtime's files. */
#ifndef MDC_RUNTIME_INTERNAL_H
#define MDC_RUNTIME_INTERNAL_H

#include "runtime.h"

#include "core/spool.h"

typedef struct mdc_rt_device {
    const mdc_device_cfg *cfg;
    const mdc_driver *driver;
    void *dcfg;
    const char *const *fields;
    mdc_derive_cfg derive;
    mdc_rt_bus *bus;
    /* state owned by the bus thread */
    mdc_derive_state st;
    int64_t next_due_us;
    int64_t retry_at_us;    /* a failing device is probed again from then on ... */
    int64_t probe_after_us; /* ... but not before this (a healthy neighbour's poll) */
    unsigned failures;      /* failed attempts in a row: polls, probes and reconnects of its bus */
    char *last_error;       /* owned; NULL while it has not failed (mdc_rt_err_text) */
    /* a slot that could not be read waits here (until held_until_us) for a probe that reads
     * the device within the slot: the probe's record is then the slot's (record_flow.h) */
    mdc_record held;
    bool has_held;
    int64_t held_until_us;
    /* buffers the bus thread reuses from poll to poll (no allocation churn per sample) */
    mdc_record scratch;
    strbuf events, state, enc;
    mdc_ratelimit loss_log; /* "record lost" lines: one per cause per minute */
    /* counters (read by other threads) */
    atomic_uint_fast64_t polls, poll_errors, missed, records;
    /* records the spool could not take: the disk (or its reserve) was full, or another error */
    atomic_uint_fast64_t lost_disk_full, lost_spool_error;
    atomic_int_fast64_t last_loss_us; /* when a record was last lost (0: never) */
    atomic_uint_fast64_t discarded;   /* replies discarded: late, another unit, out of step */
    atomic_int_fast64_t last_latency_us;
    atomic_int status;
    /* poll latency histogram: polls per bucket (not cumulative; the last is +Inf), total us */
    atomic_uint_fast64_t latency_hist[MDC_RT_LATENCY_BUCKETS + 1];
    atomic_uint_fast64_t latency_sum_us;
    /* the latest derived record, written by the bus thread; read with mdc_runtime_device_live */
    pthread_mutex_t live_mu;
    mdc_record live;
    bool has_live;
    /* the latest record without an error, kept while the device is unreachable (the
     * dashboard greys the last values; /metrics' last-success time); under live_mu */
    mdc_record last_ok;
    bool has_last_ok;
} mdc_rt_device;

struct mdc_rt_bus {
    char *key; /* NULL: a bus of its own */
    const mdc_driver *driver;
    mdc_rt_device **devs;
    size_t ndevs, capdevs;
    void *handle; /* the driver's open bus, NULL when closed */
    int64_t retry_at_us;
    unsigned failures;
    char *last_error; /* owned; NULL while it has not failed */
    pthread_t thread;
    bool started;
    mdc_runtime *rt;
};

/* Rejections of one reason (a sink's static string), counted for /metrics. */
typedef struct mdc_rt_reject_count {
    const char *reason;
    atomic_uint_fast64_t n;
} mdc_rt_reject_count;

typedef struct mdc_rt_sink {
    mdc_sink *sink;
    pthread_t thread;
    bool started;
    mdc_runtime *rt;
    atomic_uint_fast64_t delivered, failures;
    atomic_uint_fast64_t dead_lettered; /* records moved to the dead-letter table */
    /* rejections by reason; slots are filled in order by the sink's thread */
    mdc_rt_reject_count rejected[MDC_RT_REJECT_REASONS];
    atomic_size_t nreasons;
    atomic_bool healthy;
    pthread_mutex_t err_mu; /* guards last_error: why it is not healthy ("" when it is) */
    char last_error[MDC_ERR_MSG_MAX + 64];
} mdc_rt_sink;

struct mdc_runtime {
    const mdc_config *cfg;
    mdc_rt_device *devs;
    size_t ndevs;
    mdc_rt_bus **buses;
    size_t nbuses, capbuses;
    mdc_rt_sink *sinks;
    size_t nsinks;
    mdc_shift_ctx shifts;
    int *shift_starts, *shift_ids;
    mdc_spool *spool;
    mdc_run_opts opts;
    atomic_bool stop_polling;
    atomic_bool stop_sinks;
    pthread_mutex_t mu; /* guards cv for interruptible waits */
    pthread_cond_t cv;
    atomic_uint_fast64_t devices_polled_once;
    mdc_rt_observer observer;
    void *observer_ctx;
    mdc_catalog catalog;
    char **catalog_names; /* names the catalog owns (NAME_raw), catalog_build.c */
    size_t ncatalog_names;
    /* event threads (mux.c) for the event-driven buses */
    int event_threads; /* configured number ("runtime": {"event_threads": N}) */
    mdc_rt_mux **muxes;
    size_t nmuxes;
};

/* The catalog of the devices (catalog_build.c). */
void mdc_rt_build_catalog(mdc_runtime *rt);
void mdc_rt_free_catalog(mdc_runtime *rt);

/* Sleeps until the wall-clock deadline or until `flag` is set. Returns false if the flag is
 * set. */
bool mdc_rt_wait_until(mdc_runtime *rt, int64_t deadline_us, const atomic_bool *flag);
void mdc_rt_wake_all(mdc_runtime *rt);

void *mdc_rt_bus_thread(void *arg);
void *mdc_rt_sink_thread(void *arg);
/* Polls one device now (the bus thread's body; also used by read_once): fills rec. */
void mdc_rt_poll_device(mdc_rt_bus *bus, mdc_rt_device *d, mdc_record *rec, bool log_changes);

/* Debug builds: assert that a driver's poll (rc, rec, err as poll() left them) or an
 * asynchronous poll's done() kept the contract of driver.h (contracts.c; no-ops with NDEBUG). */
void mdc_rt_assert_poll(const mdc_rt_device *d, int rc, const mdc_record *rec, const mdc_err *err);
void mdc_rt_assert_async_done(const mdc_rt_device *d, int rc, const mdc_record *rec,
                              const mdc_err *err);

/* Event threads (mux.c). */
bool mdc_rt_bus_is_async(const mdc_rt_bus *b);
size_t mdc_rt_async_bus_count(const mdc_runtime *rt);
/* Starts the event threads (none when no bus is event-driven), each with `stack` bytes. */
int mdc_rt_mux_start(mdc_runtime *rt, size_t stack, mdc_err *err);
void mdc_rt_mux_wake(mdc_runtime *rt);
/* Joins the event threads (after stop_polling is set) and frees them. */
void mdc_rt_mux_stop(mdc_runtime *rt);

/* Builds the sinks of the configuration (default: sqlite in data_dir). */
int mdc_rt_build_sinks(mdc_runtime *rt, mdc_err *err);

#endif
