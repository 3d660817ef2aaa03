/* SPDX-License-Identifier: Apache-2.0 */
/* format.h — rendering records (core/record.h) as JSON, YAML or CSV text.
 *
 * A record renders as one flat object, keys in this order:
 *   timestamp, device (if set), machine_id (if set), status (if >= 0), every field in order,
 *   then, in MDC style only, "errors": {field: message, ...} when a field has an error,
 *   then "error": message when the record's device-level error is set.
 *
 * Two styles:
 *   MDC_STYLE_MDC   mdc's own records (the contract in shared/CONFIG.md "Records").
 *   MDC_STYLE_HEMS  byte-exact with the Python hems-data-collector (research/hems.md §4):
 *     JSON  json.dumps(record) + "\n";
 *     YAML  yaml.dump(record, default_flow_style=False) + "\n" (keys sorted, no "---", one
 *           blank line after each record — what print() of the dump gives);
 *     CSV   str() of each value joined by ",", a present null as "None" (str(None)), no
 *           header unless asked, no error column.
 *     The record has no device, machine_id or status. A value that could not be read (null
 *     with an error) is a key the hems tool never added: left out of JSON and YAML, an empty
 *     CSV field. The timestamp drops its fraction when the microseconds are zero, as Python's
 *     datetime.isoformat() does: "2023-10-27T10:00:00+00:00".
 *
 * Values: null → null (CSV: empty); bools true/false (HEMS CSV: True/False, Python str());
 * ints in decimal; doubles as Python's float repr (float_repr.h). Non-finite doubles (which
 * record setters never store) are null in MDC JSON/CSV, NaN/Infinity in HEMS JSON, .nan/.inf in
 * YAML and nan/inf in HEMS CSV. Strings are UTF-8; invalid bytes are rendered as U+FFFD.
 *
 * All functions are pure and thread-safe; they append to a caller-owned strbuf.
 */
#ifndef MDC_FORMAT_H
#define MDC_FORMAT_H

#include "core/record.h"
#include "core/strbuf.h"
#include "format/hems.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { MDC_FMT_JSON, MDC_FMT_YAML, MDC_FMT_CSV } mdc_format_kind;
typedef enum { MDC_STYLE_MDC, MDC_STYLE_HEMS } mdc_format_style;

/* "json" | "yaml" | "csv" (case-sensitive; "yml" is accepted for yaml). Returns 0, or -1 for an
 * unknown name (*out untouched). */
int mdc_format_parse(const char *name, mdc_format_kind *out);
/* "mdc" | "hems". Returns 0 or -1. */
int mdc_format_style_parse(const char *name, mdc_format_style *out);
const char *mdc_format_name(mdc_format_kind k);         /* "json" "yaml" "csv" */
const char *mdc_format_extension(mdc_format_kind k);    /* ".json" ".yaml" ".csv" */
const char *mdc_format_style_name(mdc_format_style st); /* "mdc" "hems" */

/* Appends one record, including its trailing newline(s):
 *   JSON: one line.  YAML MDC: a document "---\n...".  YAML HEMS: the dump plus an empty line.
 *   CSV: one row (no header; see mdc_format_csv_header). */
void mdc_format_record(mdc_format_kind k, mdc_format_style st, const mdc_record *r, strbuf *out);

/* CSV header line (with "\n") for this record's columns: its keys, plus a final "error"
 * column in MDC style. Two records share a header iff they render the same header line. */
void mdc_format_csv_header(mdc_format_style st, const mdc_record *r, strbuf *out);

/* CSV with a fixed column list instead of the record's keys (the hems tool's fixed header:
 * MDC_HEMS_CSV_COLUMNS). A column names a key (timestamp, device, machine_id, status, a field,
 * or "error" for the MDC error text); one the record lacks gives an empty field. */
void mdc_format_csv_header_cols(const char *const *cols, size_t ncols, strbuf *out);
void mdc_format_csv_row_cols(mdc_format_style st, const mdc_record *r, const char *const *cols,
                             size_t ncols, strbuf *out);

/* ---- shared by format_*.c (not for other callers) ---- */

/* One key and a borrowed value of the flat object. */
typedef struct mdc_fmt_kv {
    const char *key;
    mdc_value v;  /* strings borrowed from the record (or from the timestamp buffer) */
    bool missing; /* HEMS: a value that could not be read (null with an error): the hems tool
                   * leaves its key out (JSON, YAML) and writes an empty CSV field, where a
                   * present None is null / "None" */
} mdc_fmt_kv;

#define MDC_FMT_TS_MAX 48

/* Fills kv (xmalloc'ed array, caller frees) with timestamp, device, machine_id, status and the
 * fields — not errors/error; the array has room for one more entry. HEMS style has no device,
 * machine_id or status (the hems record has no identity) and marks missing values. ts is the
 * buffer the timestamp string lives in. Returns the count. */
size_t mdc_fmt_collect(mdc_format_style st, const mdc_record *r, char ts[MDC_FMT_TS_MAX],
                       mdc_fmt_kv **kv);
/* Decodes one UTF-8 code point from s (n > 0 bytes left); invalid sequences give U+FFFD and
 * consume their maximal valid prefix (at least one byte), like Python's errors="replace".
 * Returns the number of bytes consumed. */
size_t mdc_fmt_utf8_next(const unsigned char *s, size_t n, uint32_t *cp);
/* Appends s with every invalid UTF-8 sequence replaced by U+FFFD. */
void mdc_fmt_utf8_clean(strbuf *out, const char *s);

void mdc_fmt_json_record(mdc_format_style st, const mdc_record *r, strbuf *out);
void mdc_fmt_yaml_record(mdc_format_style st, const mdc_record *r, strbuf *out);
void mdc_fmt_csv_record(mdc_format_style st, const mdc_record *r, strbuf *out);

#endif
