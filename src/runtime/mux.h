/* SPDX-License-Identifier: Apache-2.0 */
/* mux.h — the event threads' state (private to src/runtime: mux.c runs the threads and the
 * loop, mux_poll.c starts and completes the polls). */
#ifndef MDC_RUNTIME_MUX_H
#define MDC_RUNTIME_MUX_H

#include "heap.h"
#include "record_flow.h"

typedef struct mux_bus {
    mdc_rt_mux *mux;
    mdc_rt_bus *bus;
    const mdc_async_ops *ops;
    void *handle; /* the driver's bus */
    int fd;       /* watched descriptor and its generation */
    uint64_t gen;
    int64_t armed; /* deadline with a live entry in the io heap, INT64_MAX for none */
    /* opening the bus failed: backoff as a bus thread does */
    unsigned failures;
    int64_t retry_at_us; /* wall clock */
    char *last_error;    /* owned */
} mux_bus;

typedef struct mux_dev {
    mdc_rt_device *d;
    mux_bus *mb;
    int64_t due;    /* the slot being polled */
    int64_t t0_us;  /* monotonic start of the poll in flight */
    bool in_batch;  /* its record waits in a batch: it must not poll into it again yet */
    bool in_flight; /* a poll (its slot's or a probe) is in flight */
    /* a failing device is probed between its slots too, as on a bus thread, and a slot that
     * could not be read may be held for such a probe (record_flow.h, mdc_rt_hold) */
    int64_t wake_at;   /* its live entry in the retries heap, INT64_MAX for none */
    bool slot_waiting; /* its slot came during a probe: started when the probe ends */
} mux_dev;

/* Records on their way to the spool: one batch fills while the other commits. */
typedef struct mux_batch {
    mdc_rt_batch b;
    mux_dev **owners;
    size_t nowners, capowners;
} mux_batch;

struct mdc_rt_mux {
    mdc_runtime *rt;
    pthread_t thread;
    bool started;
    int epfd, wakefd;
    mux_bus **buses;
    size_t nbuses, capbuses;
    mux_dev *devs; /* fixed once the thread runs (the heaps point into it) */
    size_t ndevs, capdevs;
    mdc_heap slots; /* mux_dev* by next slot (wall clock) */
    mdc_heap io;    /* mux_bus* by deadline (monotonic); entries with key != armed are stale */
    /* mux_dev* of failing devices by their next probe between slots, or the end of a held
     * slot (wall clock); entries with key != wake_at are stale */
    mdc_heap retries;
    mux_batch batch[2];
    int fill;         /* the batch that takes completed records */
    mux_dev **probes; /* slots started after the others of their turn */
    size_t nprobes, capprobes;
    size_t once_done; /* --once: devices polled */
};

/* mux.c: md's completed record (its scratch record) into the filling batch. */
void mdc_rt_mux_add_record(mdc_rt_mux *m, mux_dev *md);
/* mux.c: a copy of rec (md's held record) into the filling batch; rec is free again at once. */
void mdc_rt_mux_add_copy(mdc_rt_mux *m, mux_dev *md, const mdc_record *rec);
/* mux.c: every record committed and published (waits for the disk). */
void mdc_rt_mux_drain(mdc_rt_mux *m);
/* mux.c: after any call into the driver for mb: watch its descriptor, arm its deadline. */
void mdc_rt_mux_after_call(mdc_rt_mux *m, mux_bus *mb);

/* mux_poll.c: whether md's slot at now will be a probe (a retry of a failing device). */
bool mdc_rt_mux_is_probe(const mux_dev *md, int64_t now);
/* Polls device md for its slot now (wall clock); its record goes into the batch
 * when the poll completes (at once when the device or its bus is backing off). */
void mdc_rt_mux_start_poll(mdc_rt_mux *m, mux_dev *md, int64_t now);
/* md's entry in the retries heap is due (now, wall clock): delivers the held record when its
 * hold has ended, and probes the device when its retry has come. */
void mdc_rt_mux_retry_due(mdc_rt_mux *m, mux_dev *md, int64_t now);
/* Delivers md's held record, if any (the runtime stops). */
void mdc_rt_mux_release_held(mdc_rt_mux *m, mux_dev *md);

#endif
