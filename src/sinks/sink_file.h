/* SPDX-License-Identifier: Apache-2.0 */
/* sink_file.h — the "file" sink: records appended to files named by a path template.
 *
 * Template placeholders, expanded per record:
 *   {device}      the record's device id, sanitised: bytes other than A-Z a-z 0-9 . _ - become
 *                 "_", and a leading "." becomes "_", so it can never leave the directory
 *                 (no "/", no ".."); "unknown" when the record has no device.
 *   {machine_id}  the machine number, "unknown" when not set.
 *   {date}        the record's UTC date, YYYY-MM-DD (one file per day).
 * Any other {name} is an error (reported by open()). Missing parent directories are created.
 *
 * Files are opened O_APPEND|O_CLOEXEC (mode 0644 before umask) and kept in a small LRU cache of
 * descriptors; a file renamed or deleted behind our back (log rotation) is reopened. Each file
 * gets one write(2) per batch; if that write fails part-way the file is truncated back, so a
 * batch lands in a file whole or not at all. With fsync, each file written is fdatasync()ed
 * per batch (and a newly created file's directory is fsync()ed). A CSV file gets a header line
 * when it is new (missing or empty) — the header of its first record (or the fixed columns).
 * Records carrying a spool sequence number at or below the highest one already appended to the
 * same file by this sink are skipped, so a batch retried after a partial failure does not
 * duplicate lines. id "file:" + template.
 */
#ifndef MDC_SINK_FILE_H
#define MDC_SINK_FILE_H

#include "core/err.h"
#include "core/record.h"
#include "core/strbuf.h"
#include "format/format.h"
#include "sinks/sink.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct mdc_file_sink_cfg {
    char *path_template;
    mdc_format_kind format;
    mdc_format_style style;
    bool fsync; /* the configuration's default is true */
    /* Optional fixed CSV columns (e.g. MDC_HEMS_CSV_COLUMNS); NULL: each record's own keys. */
    const char *const *csv_columns;
    size_t ncsv_columns;
} mdc_file_sink_cfg;

/* The config is copied. Never returns NULL; a bad template is reported by open(). */
mdc_sink *mdc_sink_file_new(const mdc_file_sink_cfg *cfg);

/* Checks a path template: non-empty, only known placeholders. Returns 0 or -1 (err filled). */
int mdc_file_template_check(const char *tmpl, mdc_err *err);
/* Appends the template expanded for r to out. */
void mdc_file_path_expand(const char *tmpl, const mdc_record *r, strbuf *out);

#endif
