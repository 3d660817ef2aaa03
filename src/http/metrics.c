/* SPDX-License-Identifier: Apache-2.0 */
/* metrics.c — see metrics.h. */
#include "metrics.h"

#include "core/xalloc.h"
#include "format/float_repr.h"

#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void mdc_metrics_label(strbuf *out, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\')
            sb_puts(out, "\\\\");
        else if (*v == '"')
            sb_puts(out, "\\\"");
        else if (*v == '\n')
            sb_puts(out, "\\n");
        else
            sb_putc(out, *v);
    }
}

void mdc_metrics_number(strbuf *out, double d)
{
    if (isnan(d)) {
        sb_puts(out, "NaN");
        return;
    }
    if (isinf(d)) {
        sb_puts(out, d > 0 ? "+Inf" : "-Inf");
        return;
    }
    char buf[MDC_FLOAT_REPR_MAX];
    mdc_float_repr(d, buf, sizeof buf);
    sb_puts(out, buf);
}

static void family(strbuf *out, const char *name, const char *type, const char *help)
{
    sb_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{device="id"} value */
static void dev_line(strbuf *out, const char *name, const mdc_metrics_device *d, uint64_t v)
{
    sb_printf(out, "%s{device=\"", name);
    mdc_metrics_label(out, d->id);
    sb_printf(out, "\"} %" PRIu64 "\n", v);
}

typedef uint64_t (*dev_getter)(const mdc_metrics_device *d);

static uint64_t get_up(const mdc_metrics_device *d)
{
    return d->up;
}
static uint64_t get_polls(const mdc_metrics_device *d)
{
    return d->polls;
}
static uint64_t get_errors(const mdc_metrics_device *d)
{
    return d->errors;
}
static uint64_t get_missed(const mdc_metrics_device *d)
{
    return d->missed;
}
static uint64_t get_records(const mdc_metrics_device *d)
{
    return d->records;
}
static uint64_t get_discarded(const mdc_metrics_device *d)
{
    return d->discarded;
}

static void dev_family(strbuf *out, const mdc_metrics *m, const char *name, const char *type,
                       const char *help, dev_getter get)
{
    family(out, name, type, help);
    for (size_t i = 0; i < m->ndevices; i++)
        dev_line(out, name, &m->devices[i], get(&m->devices[i]));
}

static void render_status(strbuf *out, const mdc_metrics *m)
{
    family(out, "mdc_device_status", "gauge",
           "Machine status of the last record: 0 OFF, 1 ON, 2 PRODUCTION, -1 unknown.");
    for (size_t i = 0; i < m->ndevices; i++) {
        sb_puts(out, "mdc_device_status{device=\"");
        mdc_metrics_label(out, m->devices[i].id);
        sb_printf(out, "\"} %d\n", m->devices[i].status);
    }
}

static void render_histogram(strbuf *out, const mdc_metrics *m)
{
    const char *name = "mdc_device_poll_duration_seconds";
    family(out, name, "histogram", "Time a poll of the device took.");
    for (size_t i = 0; i < m->ndevices; i++) {
        const mdc_metrics_device *d = &m->devices[i];
        uint64_t cum = 0;
        for (size_t b = 0; b <= MDC_RT_LATENCY_BUCKETS; b++) {
            cum += d->hist[b];
            sb_printf(out, "%s_bucket{device=\"", name);
            mdc_metrics_label(out, d->id);
            sb_puts(out, "\",le=\"");
            mdc_metrics_number(out,
                               b < MDC_RT_LATENCY_BUCKETS ? mdc_rt_latency_bounds_s[b] : INFINITY);
            sb_printf(out, "\"} %" PRIu64 "\n", cum);
        }
        sb_printf(out, "%s_sum{device=\"", name);
        mdc_metrics_label(out, d->id);
        sb_puts(out, "\"} ");
        mdc_metrics_number(out, d->latency_sum_s);
        sb_printf(out, "\n%s_count{device=\"", name);
        mdc_metrics_label(out, d->id);
        sb_printf(out, "\"} %" PRIu64 "\n", cum);
    }
}

static void sink_labels(strbuf *out, const char *name, const mdc_metrics_sink *s)
{
    sb_printf(out, "%s{sink=\"", name);
    mdc_metrics_label(out, s->id);
    sb_puts(out, "\",type=\"");
    mdc_metrics_label(out, s->type);
    sb_puts(out, "\"} ");
}

static void render_sinks(strbuf *out, const mdc_metrics *m)
{
    family(out, "mdc_sink_up", "gauge", "1 while the sink delivers, 0 while it fails.");
    for (size_t i = 0; i < m->nsinks; i++) {
        sink_labels(out, "mdc_sink_up", &m->sinks[i]);
        sb_printf(out, "%d\n", m->sinks[i].up);
    }
    family(out, "mdc_sink_delivered_records_total", "counter", "Records the sink has taken.");
    for (size_t i = 0; i < m->nsinks; i++) {
        sink_labels(out, "mdc_sink_delivered_records_total", &m->sinks[i]);
        sb_printf(out, "%" PRIu64 "\n", m->sinks[i].delivered);
    }
    family(out, "mdc_sink_failures_total", "counter", "Failed opens and writes of the sink.");
    for (size_t i = 0; i < m->nsinks; i++) {
        sink_labels(out, "mdc_sink_failures_total", &m->sinks[i]);
        sb_printf(out, "%" PRIu64 "\n", m->sinks[i].failures);
    }
    family(out, "mdc_sink_backlog_records", "gauge", "Spooled records the sink has not taken yet.");
    for (size_t i = 0; i < m->nsinks; i++)
        if (m->sinks[i].backlog >= 0) {
            sink_labels(out, "mdc_sink_backlog_records", &m->sinks[i]);
            sb_printf(out, "%" PRId64 "\n", m->sinks[i].backlog);
        }
}

static void render_rejections(strbuf *out, const mdc_metrics *m)
{
    family(out, "mdc_sink_rejected_records_total", "counter",
           "Records the sink refused for good, by reason (each refusal counts).");
    for (size_t i = 0; i < m->nsinks; i++)
        for (size_t r = 0; r < m->sinks[i].nreasons; r++) {
            sb_puts(out, "mdc_sink_rejected_records_total{sink=\"");
            mdc_metrics_label(out, m->sinks[i].id);
            sb_puts(out, "\",type=\"");
            mdc_metrics_label(out, m->sinks[i].type);
            sb_puts(out, "\",reason=\"");
            mdc_metrics_label(out, m->sinks[i].reasons[r]);
            sb_printf(out, "\"} %" PRIu64 "\n", m->sinks[i].rejected[r]);
        }
    family(out, "mdc_sink_dead_letters", "gauge",
           "Records in the dead-letter table (mdc spool list).");
    for (size_t i = 0; i < m->nsinks; i++)
        if (m->sinks[i].dead_letters >= 0) {
            sink_labels(out, "mdc_sink_dead_letters", &m->sinks[i]);
            sb_printf(out, "%" PRId64 "\n", m->sinks[i].dead_letters);
        }
}

static void render_losses(strbuf *out, const mdc_metrics *m)
{
    family(out, "mdc_records_lost_total", "counter",
           "Records the spool could not take (the disk or its reserve was full, or an error).");
    for (size_t i = 0; i < m->ndevices; i++) {
        const char *reasons[] = {"disk_full", "spool_error"};
        uint64_t v[] = {m->devices[i].lost_disk_full, m->devices[i].lost_spool_error};
        for (size_t r = 0; r < 2; r++) {
            sb_puts(out, "mdc_records_lost_total{device=\"");
            mdc_metrics_label(out, m->devices[i].id);
            sb_printf(out, "\",reason=\"%s\"} %" PRIu64 "\n", reasons[r], v[r]);
        }
    }
}

static void render_spool(strbuf *out, const mdc_metrics *m)
{
    if (!m->has_spool) return;
    family(out, "mdc_spool_records", "gauge", "Records in the spool.");
    sb_printf(out, "mdc_spool_records %" PRId64 "\n", m->spool_records);
    family(out, "mdc_spool_dropped_records_total", "counter",
           "Undelivered records dropped because the spool was full.");
    sb_printf(out, "mdc_spool_dropped_records_total %" PRId64 "\n", m->spool_dropped);
}

static void render_misc(strbuf *out, const mdc_metrics *m)
{
    family(out, "mdc_http_event_clients", "gauge", "Open /api/events streams.");
    sb_printf(out, "mdc_http_event_clients %" PRId64 "\n", m->event_clients);
    family(out, "mdc_http_connections", "gauge", "Open HTTP connections.");
    sb_printf(out, "mdc_http_connections %" PRId64 "\n", m->http_connections);
    family(out, "mdc_http_header_timeouts_total", "counter",
           "HTTP connections closed for not sending a complete request head in time.");
    sb_printf(out, "mdc_http_header_timeouts_total %" PRIu64 "\n", m->http_header_timeouts);
    family(out, "mdc_config_reloads_total", "counter", "Configuration reloads (SIGHUP).");
    sb_printf(out, "mdc_config_reloads_total{result=\"success\"} %" PRIu64 "\n", m->reloads_ok);
    sb_printf(out, "mdc_config_reloads_total{result=\"failure\"} %" PRIu64 "\n", m->reloads_failed);
}

static void render_process(strbuf *out, const mdc_metrics_process *p)
{
    if (!p->valid) return;
    family(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    sb_printf(out, "process_resident_memory_bytes %" PRId64 "\n", p->rss_bytes);
    family(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
    sb_printf(out, "process_virtual_memory_bytes %" PRId64 "\n", p->vm_bytes);
    family(out, "process_cpu_seconds_total", "counter", "User and system CPU time in seconds.");
    sb_puts(out, "process_cpu_seconds_total ");
    mdc_metrics_number(out, p->cpu_seconds);
    sb_putc(out, '\n');
    family(out, "process_start_time_seconds", "gauge",
           "Start time of the process since the Unix epoch in seconds.");
    sb_puts(out, "process_start_time_seconds ");
    mdc_metrics_number(out, p->start_time_seconds);
    sb_putc(out, '\n');
    family(out, "process_open_fds", "gauge", "Open file descriptors.");
    sb_printf(out, "process_open_fds %" PRId64 "\n", p->open_fds);
}

void mdc_metrics_render(const mdc_metrics *m, strbuf *out)
{
    family(out, "mdc_build_info", "gauge", "The mdc version; always 1.");
    sb_puts(out, "mdc_build_info{version=\"");
    mdc_metrics_label(out, m->version);
    sb_puts(out, "\"} 1\n");
    dev_family(out, m, "mdc_device_up", "gauge", "1 if the device answered its last poll.", get_up);
    render_status(out, m);
    dev_family(out, m, "mdc_device_polls_total", "counter", "Polls made, failed ones included.",
               get_polls);
    dev_family(out, m, "mdc_device_poll_errors_total", "counter", "Failed polls.", get_errors);
    dev_family(out, m, "mdc_device_missed_slots_total", "counter",
               "Schedule slots skipped because a poll overran.", get_missed);
    dev_family(out, m, "mdc_device_records_total", "counter", "Records spooled.", get_records);
    dev_family(out, m, "mdc_device_discarded_replies_total", "counter",
               "Replies discarded because they could not answer the request waiting (late, "
               "another unit, out of step).",
               get_discarded);
    render_histogram(out, m);
    render_losses(out, m);
    render_sinks(out, m);
    render_rejections(out, m);
    render_spool(out, m);
    render_misc(out, m);
    if (m->values) mdc_metrics_render_values(m, out);
    render_process(out, &m->process);
}

/* ---- collection ---- */

static void up_visit(void *ctx, const mdc_record *rec)
{
    *(bool *)ctx = rec && !rec->error;
}

static void collect_device(mdc_rt_device *d, mdc_metrics_device *md)
{
    mdc_rt_device_stats st;
    mdc_runtime_device_stats(d, &st);
    md->id = mdc_runtime_device_cfg(d)->id;
    md->polls = st.polls;
    md->errors = st.poll_errors;
    md->missed = st.missed;
    md->records = st.records;
    md->lost_disk_full = st.lost_disk_full;
    md->lost_spool_error = st.lost_spool_error;
    md->discarded = st.discarded;
    md->status = st.status;
    if (md->status < MDC_STATUS_NONE) md->status = MDC_STATUS_NONE;
    for (size_t b = 0; b <= MDC_RT_LATENCY_BUCKETS; b++)
        md->hist[b] = st.latency_hist[b];
    md->latency_sum_s = (double)st.latency_sum_us / 1e6;
    mdc_runtime_device_visit(d, up_visit, &md->up);
}

void mdc_metrics_collect(mdc_runtime *rt, mdc_metrics *m)
{
    m->ndevices = mdc_runtime_device_count(rt);
    m->devices = xcalloc(m->ndevices ? m->ndevices : 1, sizeof *m->devices);
    const mdc_catalog *cat = mdc_runtime_catalog(rt);
    for (size_t i = 0; i < m->ndevices; i++) {
        collect_device(mdc_runtime_device(rt, i), &m->devices[i]);
        if (m->values)
            mdc_metrics_collect_values(mdc_runtime_device(rt, i),
                                       i < cat->ndevices ? &cat->devices[i] : NULL, &m->devices[i]);
    }
    m->nsinks = mdc_runtime_sink_count(rt);
    m->sinks = xcalloc(m->nsinks ? m->nsinks : 1, sizeof *m->sinks);
    for (size_t i = 0; i < m->nsinks; i++) {
        mdc_rt_sink *s = mdc_runtime_sink(rt, i);
        mdc_metrics_sink *ms = &m->sinks[i];
        mdc_rt_sink_stats st;
        mdc_runtime_sink_stats(s, &st);
        ms->id = mdc_runtime_sink_id(s);
        ms->type = mdc_runtime_sink_type(s);
        ms->up = st.healthy;
        ms->delivered = st.delivered;
        ms->failures = st.failures;
        ms->backlog = mdc_runtime_sink_backlog(rt, s);
        ms->dead_letters = mdc_runtime_sink_dead_letters(rt, s);
        ms->dead_lettered = st.dead_lettered;
        ms->nreasons = st.nreasons;
        for (size_t r = 0; r < ms->nreasons; r++) {
            ms->reasons[r] = st.reasons[r];
            ms->rejected[r] = st.rejected[r];
        }
    }
    mdc_spool_stats st;
    m->has_spool = mdc_runtime_spool_stats(rt, &st) == 0;
    if (m->has_spool) {
        m->spool_records = st.records;
        m->spool_dropped = st.dropped;
    }
}

void mdc_metrics_free(mdc_metrics *m)
{
    for (size_t i = 0; m->devices && i < m->ndevices; i++)
        free(m->devices[i].points);
    free(m->devices);
    free(m->sinks);
    m->devices = NULL;
    m->sinks = NULL;
}

static int64_t count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    int64_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n - 1; /* the directory stream's own descriptor */
}

static double boot_time(void)
{
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return 0;
    char line[256];
    double bt = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "btime %lf", &bt) == 1) break;
    fclose(f);
    return bt;
}

void mdc_metrics_process_read(mdc_metrics_process *p)
{
    memset(p, 0, sizeof *p);
    FILE *f = fopen("/proc/self/stat", "r");
    if (!f) return;
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *rp = strrchr(buf, ')'); /* the command name may contain spaces */
    unsigned long utime, stime, vsize;
    unsigned long long start;
    long rss;
    if (!rp || sscanf(rp + 2,
                      "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d %*d "
                      "%*d %llu %lu %ld",
                      &utime, &stime, &start, &vsize, &rss) != 5)
        return;
    double tck = (double)sysconf(_SC_CLK_TCK);
    p->cpu_seconds = (double)(utime + stime) / tck;
    p->start_time_seconds = boot_time() + (double)start / tck;
    p->vm_bytes = (int64_t)vsize;
    p->rss_bytes = (int64_t)rss * sysconf(_SC_PAGESIZE);
    p->open_fds = count_fds();
    p->valid = true;
}
