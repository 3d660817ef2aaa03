/* runtime_internal.h — shared between the runtime's files. */
#ifndef MDC_RUNTIME_INTERNAL_H
#define MDC_RUNTIME_INTERNAL_H

#include "runtime.h"

#include "core/spool.h"

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
