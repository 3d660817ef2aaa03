/* SPDX-License-Identifier: Apache-2.0 */
/* derive.c — runs the rules in order on one record. */
#include "derive.h"
#include "derive_internal.h"

#include "core/xalloc.h"

#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static void drop_hidden_fields(mdc_record *rec)
{
    for (size_t i = rec->nfields; i-- > 0;)
        if (rec->fields[i].name[0] == '_') mdc_record_remove(rec, i);
}

static bool is_derived_name(const char *name)
{
    static const char *const names[] = {
        "energy_delta_kwh", "shift_energy_kwh", "part_count_delta", "part_count", "shift", NULL};
    for (size_t i = 0; names[i]; i++)
        if (strcmp(name, names[i]) == 0) return true;
    return false;
}

bool mdc_derive_produces(const mdc_derive_cfg *cfg, const mdc_shift_ctx *shifts, const char *name)
{
    if (!strcmp(name, "energy_delta_kwh")) return cfg->energy_field != NULL;
    if (!strcmp(name, "shift_energy_kwh")) return cfg->energy_field && shifts && shifts->n;
    if (!strcmp(name, "part_count_delta") || !strcmp(name, "part_count"))
        return cfg->parts_mode != MDC_PARTS_NONE;
    if (!strcmp(name, "shift")) return shifts && shifts->n;
    return false;
}

/* A device value named like a derived one (an OPC UA node called "part_count" when parts are
 * counted) is kept as "part_count_raw", so a record never has the same key twice. */
static void rename_colliding_fields(const mdc_derive_cfg *cfg, const mdc_shift_ctx *shifts,
                                    mdc_record *rec)
{
    for (size_t i = 0; i < rec->nfields; i++) {
        mdc_field *f = &rec->fields[i];
        if (!mdc_derive_produces(cfg, shifts, f->name)) continue;
        size_t n = strlen(f->name);
        char *raw = xmalloc(n + 5);
        memcpy(raw, f->name, n);
        memcpy(raw + n, "_raw", 5);
        free(f->name);
        f->name = raw;
    }
}

const mdc_field *mdc_derive_input(const mdc_record *rec, const char *name)
{
    const mdc_field *f = mdc_record_find(rec, name);
    if (f || !is_derived_name(name)) return f;
    char raw[64];
    snprintf(raw, sizeof raw, "%s_raw", name);
    return mdc_record_find(rec, raw);
}

static void enter_shift(const mdc_shift_ctx *shifts, mdc_derive_state *st, mdc_record *rec)
{
    int64_t start;
    int id = mdc_shift_of(shifts, rec->ts_us, &start);
    rec->shift_start_us = start;
    if (start != st->shift_start_us) { /* a new shift: its accumulators start at zero */
        st->shift_start_us = start;
        st->shift_id = id;
        st->shift_energy = 0;
        st->shift_parts = 0;
    }
}

void mdc_derive_apply(const mdc_derive_cfg *cfg, const mdc_shift_ctx *shifts, mdc_derive_state *st,
                      mdc_record *rec, strbuf *events)
{
    rename_colliding_fields(cfg, shifts, rec);
    enter_shift(shifts, st, rec);
    rec->status = mdc_derive_status(cfg, rec);
    if (rec->status != MDC_STATUS_NONE) st->last_status = rec->status;
    mdc_derive_energy(cfg, st, rec, events);
    mdc_derive_parts(cfg, st, rec, events);
    if (shifts && shifts->n) {
        mdc_record_add_int(rec, "shift", st->shift_id);
        if (cfg->energy_field) mdc_record_add_double(rec, "shift_energy_kwh", st->shift_energy);
    }
    drop_hidden_fields(rec);
}
