/* SPDX-License-Identifier: Apache-2.0 */
/* metrics.h — the Prometheus text exposition (format 0.0.4) of /metrics.
 *
 * Rendering is a pure function of a snapshot, so that it can be tested byte for byte; the
 * snapshot is taken from the runtime (atomics, the spool) and from /proc/self.
 *
 * Metrics (labels in braces):
 *   mdc_build_info{version}                          1
 *   mdc_device_up{device}                            1 reachable at the last poll, else 0
 *   mdc_device_status{device}                        0 OFF, 1 ON, 2 PRODUCTION, -1 unknown
 *   mdc_device_polls_total{device}                   polls made (failed ones too)
 *   mdc_device_poll_errors_total{device}             failed polls
 *   mdc_device_missed_slots_total{device}            schedule slots skipped by overruns
 *   mdc_device_records_total{device}                 records spooled
 *   mdc_device_poll_duration_seconds{device}         histogram of poll latency
 *   mdc_sink_up{sink,type}                           1 delivering, 0 failing
 *   mdc_sink_delivered_records_total{sink,type}
 *   mdc_sink_failures_total{sink,type}               failed opens and writes
 *   mdc_sink_backlog_records{sink,type}              spooled records not yet delivered
 *   mdc_sink_rejected_records_total{sink,type,reason}  records the sink refused for good
 *   mdc_sink_dead_letters{sink,type}                 records in the dead-letter table
 *   mdc_records_lost_total{device,reason}            records the spool could not take
 *                                                    (reason disk_full or spool_error)
 *   mdc_spool_records                                records in the spool
 *   mdc_spool_dropped_records_total                  records dropped because it was full
 *   mdc_http_event_clients                           open /api/events streams
 *   mdc_http_connections                             open HTTP connections
 *   mdc_http_header_timeouts_total                   closed: no request head in time
 *   mdc_config_reloads_total{result}                 SIGHUP reloads, "success"/"failure"
 * With "metrics": {"values": true} also, at most max_series series of them together:
 *   mdc_device_last_success_timestamp_seconds{device} sample time of the latest good record
 *   mdc_machine_state{device,state}                  1 for the current of OFF, ON, PRODUCTION,
 *                                                    UNREACHABLE, 0 for the others
 *   mdc_point_value{device,point,unit}               numeric values of the latest record
 *   mdc_point_total{device,point,unit}               running totals (energy registers): counter
 *   mdc_metrics_dropped_series                       value series left out by max_series
 *   process_resident_memory_bytes, process_virtual_memory_bytes, process_cpu_seconds_total,
 *   process_start_time_seconds, process_open_fds
 */
#ifndef MDC_HTTP_METRICS_H
#define MDC_HTTP_METRICS_H

#include "core/strbuf.h"
#include "runtime/runtime.h"

#include <stdbool.h>
#include <stdint.h>

/* A device value in /metrics (opt-in: "http": {"metrics": {"values": true}}). */
typedef struct mdc_metrics_point {
    const char *name, *unit; /* borrowed from the catalog; unit "" when it has none */
    double value;
    bool total; /* a running total: a counter */
} mdc_metrics_point;

typedef struct mdc_metrics_device {
    const char *id;
    bool up;
    int status;
    uint64_t polls, errors, missed, records;
    uint64_t lost_disk_full, lost_spool_error; /* records the spool could not take */
    uint64_t discarded; /* replies discarded: late, another unit, out of step */
    uint64_t hist[MDC_RT_LATENCY_BUCKETS + 1]; /* per bucket, not cumulative; last = +Inf */
    double latency_sum_s;
    /* values (only when mdc_metrics.values) */
    const char *state; /* "OFF", "ON", "PRODUCTION", "UNREACHABLE"; NULL: no machine state */
    bool has_last_ok;
    double last_ok_s;          /* sample time of the latest record without an error */
    mdc_metrics_point *points; /* numeric values of the latest record; allocated */
    size_t npoints;
} mdc_metrics_device;

typedef struct mdc_metrics_sink {
    const char *id, *type;
    bool up;
    uint64_t delivered, failures;
    int64_t backlog;      /* -1: unknown (spool closed) */
    int64_t dead_letters; /* in the dead-letter table now; -1: unknown */
    uint64_t dead_lettered;
    const char *reasons[MDC_RT_REJECT_REASONS]; /* rejections by reason */
    uint64_t rejected[MDC_RT_REJECT_REASONS];
    size_t nreasons;
} mdc_metrics_sink;

typedef struct mdc_metrics_process {
    bool valid;
    int64_t rss_bytes, vm_bytes, open_fds;
    double cpu_seconds, start_time_seconds;
} mdc_metrics_process;

typedef struct mdc_metrics {
    const char *version;
    bool values;    /* render device values (set before collecting) */
    int max_series; /* at most this many series of device values */
    mdc_metrics_device *devices;
    size_t ndevices;
    mdc_metrics_sink *sinks;
    size_t nsinks;
    bool has_spool;
    int64_t spool_records, spool_dropped;
    int64_t event_clients;
    int64_t http_connections;      /* open HTTP connections */
    uint64_t http_header_timeouts; /* closed for not sending a request head in time */
    uint64_t reloads_ok, reloads_failed;
    mdc_metrics_process process;
} mdc_metrics;

void mdc_metrics_render(const mdc_metrics *m, strbuf *out);
/* The device-value families (metrics_values.c); part of mdc_metrics_render. */
void mdc_metrics_render_values(const mdc_metrics *m, strbuf *out);
/* Fills md's values from the device's latest records and its catalog entry (may be NULL). */
void mdc_metrics_collect_values(mdc_rt_device *d, const mdc_device_info *di,
                                mdc_metrics_device *md);
/* A sample value as the text format writes it (shortest exact form, NaN, +Inf, -Inf). */
void mdc_metrics_number(strbuf *out, double d);

/* Fills the runtime part of m (devices, sinks, spool); the arrays are allocated (free them
 * with mdc_metrics_free). Strings are borrowed from the runtime. */
void mdc_metrics_collect(mdc_runtime *rt, mdc_metrics *m);
void mdc_metrics_free(mdc_metrics *m);
/* Reads /proc/self (Linux); valid=false when unavailable. */
void mdc_metrics_process_read(mdc_metrics_process *p);

/* Appends a label value escaped for the text format (\\, \", \n). */
void mdc_metrics_label(strbuf *out, const char *v);

#endif
