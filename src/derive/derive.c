/* derive.c — runs the rules in order on one record. */
#include "derive.h"
#include "derive_internal.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static void drop_hidden_fields(mdc_record *rec)
{
    size_t w = 0;
    for (size_t i = 0; i < rec->nfields; i++) {
        mdc_field *f = &rec->fields[i];
        if (f->name[0] == '_') {
            free(f->name);
            free(f->error);
            mdc_value_free(&f->v);
            continue;
        }
        rec->fields[w++] = *f;
    }
    rec->nfields = w;
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
