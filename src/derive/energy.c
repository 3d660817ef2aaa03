/* SPDX-License-Identifier: Apache-2.0 */
/* energy.c — energy deltas between samples of a cumulative meter reading.
 * A decrease is a meter reset (or rollover) and an increase above max_delta is a spike: both
 * are skipped (delta 0) and reported; the baseline always moves to the new reading, so one
 * glitch never adds phantom energy. The baseline is persisted, so the energy used while mdc was
 * stopped is counted once, at the first sample after the restart. */
#include "derive.h"
#include "derive_internal.h"

#include "core/round.h"

#include <math.h>

/* To 4 decimals as BELmc's round(x, 4) (core/round.h); a zero is +0 (no "-0.0" delta). */
static double round4(double x)
{
    return mdc_round_exact(x, 4) + 0.0;
}

void mdc_derive_energy(const mdc_derive_cfg *cfg, mdc_derive_state *st, mdc_record *rec,
                       strbuf *events)
{
    if (!cfg->energy_field) return;
    const mdc_field *f = mdc_derive_input(rec, cfg->energy_field);
    double e;
    if (!f || !mdc_value_as_double(&f->v, &e)) {
        mdc_record_add_null(rec, "energy_delta_kwh", NULL);
        return;
    }
    double delta = 0;
    if (st->has_energy_base) {
        double d = round4(e - st->energy_base);
        if (d < 0) {
            if (events)
                sb_printf(events,
                          "meter reset or rollover: %s went from %.4f to %.4f; delta skipped\n",
                          cfg->energy_field, st->energy_base, e);
        } else if (d > cfg->max_delta) {
            if (events)
                sb_printf(events,
                          "energy spike ignored: %s rose by %.4f (limit %g) from %.4f to %.4f\n",
                          cfg->energy_field, d, cfg->max_delta, st->energy_base, e);
        } else {
            delta = d;
        }
    }
    st->energy_base = e;
    st->has_energy_base = true;
    st->shift_energy = round4(st->shift_energy + delta);
    mdc_record_add_double(rec, "energy_delta_kwh", delta);
}
