/* SPDX-License-Identifier: Apache-2.0 */
/* sink_stdout.h — the "stdout" sink: records rendered as JSON, YAML or CSV on standard output.
 *
 * One write(2) per batch (retried on EINTR and partial writes). With csv_header, a CSV header
 * line goes before the first record and again whenever the column set changes (mdc's own
 * stdout CSV); the hems tool never prints one on stdout (csv_header false). The header state
 * survives close()/open(), so a retried batch does not repeat it. id "stdout".
 */
#ifndef MDC_SINK_STDOUT_H
#define MDC_SINK_STDOUT_H

#include "format/format.h"
#include "sinks/sink.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct mdc_stdout_sink_cfg {
    mdc_format_kind format;
    mdc_format_style style;
    bool csv_header;
    /* Optional fixed CSV columns (e.g. MDC_HEMS_CSV_COLUMNS); NULL: each record's own keys. */
    const char *const *csv_columns;
    size_t ncsv_columns;
} mdc_stdout_sink_cfg;

/* The config is copied. Never returns NULL. */
mdc_sink *mdc_sink_stdout_new(const mdc_stdout_sink_cfg *cfg);
/* The same sink writing to another descriptor (not closed by the sink); id "fd:N". */
mdc_sink *mdc_sink_fd_new(const mdc_stdout_sink_cfg *cfg, int fd);

/* Writes all n bytes to fd, retrying on EINTR, EAGAIN (waits with poll) and short writes.
 * Returns 0, or -1 with errno set. Shared with the file sink. */
int mdc_fd_write_all(int fd, const void *buf, size_t n);

#endif
