/* SPDX-License-Identifier: Apache-2.0 */
/* runtime_view.c — what the HTTP server and the command line read of a device or a sink
 * (runtime.h), so that neither depends on the runtime's structures (runtime_internal.h). */
#include "runtime_internal.h"

const mdc_device_cfg *mdc_runtime_device_cfg(const mdc_rt_device *d)
{
    return d->cfg;
}

const mdc_derive_cfg *mdc_runtime_device_derive(const mdc_rt_device *d)
{
    return &d->derive;
}

void mdc_runtime_device_stats(const mdc_rt_device *d, mdc_rt_device_stats *out)
{
    out->polls = atomic_load(&d->polls);
    out->poll_errors = atomic_load(&d->poll_errors);
    out->missed = atomic_load(&d->missed);
    out->records = atomic_load(&d->records);
    out->lost_disk_full = atomic_load(&d->lost_disk_full);
    out->lost_spool_error = atomic_load(&d->lost_spool_error);
    out->last_loss_us = atomic_load(&d->last_loss_us);
    out->discarded = atomic_load(&d->discarded);
    out->last_latency_us = atomic_load(&d->last_latency_us);
    out->status = atomic_load(&d->status);
    for (size_t b = 0; b <= MDC_RT_LATENCY_BUCKETS; b++)
        out->latency_hist[b] = atomic_load(&d->latency_hist[b]);
    out->latency_sum_us = atomic_load(&d->latency_sum_us);
}

int mdc_runtime_device_open_bus(mdc_rt_device *d, mdc_err *err)
{
    if (d->bus->handle) return 0;
    if (d->driver->bus_open(d->dcfg, &d->bus->handle, err) == 0) return 0;
    d->bus->handle = NULL;
    return -1;
}

const char *mdc_runtime_sink_id(const mdc_rt_sink *s)
{
    return s->sink->id;
}

const char *mdc_runtime_sink_type(const mdc_rt_sink *s)
{
    return s->sink->ops->type;
}

void mdc_runtime_sink_stats(const mdc_rt_sink *s, mdc_rt_sink_stats *out)
{
    out->healthy = atomic_load(&s->healthy);
    out->delivered = atomic_load(&s->delivered);
    out->failures = atomic_load(&s->failures);
    out->dead_lettered = atomic_load(&s->dead_lettered);
    size_t n = atomic_load(&s->nreasons);
    out->nreasons = n < MDC_RT_REJECT_REASONS ? n : MDC_RT_REJECT_REASONS;
    for (size_t r = 0; r < out->nreasons; r++) {
        out->reasons[r] = s->rejected[r].reason;
        out->rejected[r] = atomic_load(&s->rejected[r].n);
    }
}
