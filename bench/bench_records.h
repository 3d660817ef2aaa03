/* SPDX-License-Identifier: Apache-2.0 */
/* bench_records.h — the record the database and spool benchmarks write: a meter of `devices`
 * with 8 readings and the derived energy delta, shift and shift energy (11 values). */
#ifndef MDC_BENCH_RECORDS_H
#define MDC_BENCH_RECORDS_H

#include "core/clock.h"
#include "core/record.h"
#include "format/fields_json.h"

#include <stdio.h>

static inline void bench_record(mdc_record *r, int64_t i, int devices, int64_t ts_us)
{
    static const char *const names[] = {"voltage_l1", "voltage_l2", "voltage_l3", "current_l1",
                                        "current_l2", "current_l3", "power_kw",   "energy_kwh"};
    char dev[32];
    mdc_record_init(r);
    snprintf(dev, sizeof dev, "meter-%lld", (long long)(i % devices));
    r->ts_us = ts_us;
    mdc_record_set_device(r, dev);
    r->has_machine_id = true;
    r->machine_id = i % devices + 1;
    r->status = (int)(i / devices / 60 % 3);
    for (int k = 0; k < 8; k++)
        mdc_record_add_double(r, names[k], 230.0 + (double)((i * 7 + k * 13) % 1000) / 100.0);
    mdc_record_add_double(r, "energy_delta_kwh", 0.0125);
    mdc_record_add_int(r, "shift", 1);
    mdc_record_add_double(r, "shift_energy_kwh", (double)(i / devices) * 0.0125);
}

/* r's row in `records` (the embedded store's and PostgreSQL's mdc schema: device, ts, fields as
 * one JSON object, errors) as TSV for the references: PostgreSQL COPY text (pg: errors \N) or
 * the sqlite3 CLI's .import (errors empty). The JSON is the sinks' own (format/fields_json.h);
 * the bench's values need no COPY escaping. */
static inline void bench_tsv(FILE *f, const mdc_record *r, bool pg)
{
    char ts[40];
    mdc_format_utc_us(r->ts_us, ts, sizeof ts);
    strbuf json = STRBUF_INIT;
    size_t errors_at;
    mdc_fields_json(r, &json, &errors_at);
    fprintf(f, "%s\t%s\t%.*s\t%s\n", r->device, ts, (int)errors_at, json.buf, pg ? "\\N" : "");
    sb_free(&json);
}

#endif
