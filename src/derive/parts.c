/* SPDX-License-Identifier: Apache-2.0 */
/* parts.c — part counting: rising edges of a signal (with an optional minimum pulse), or the
 * increases of an absolute counter (a decrease is a counter reset: the new value counts).
 * The first observation only sets the baseline, and the signal level is persisted, so a
 * restart with the signal high never counts a phantom part. */
#include "derive.h"
#include "derive_internal.h"

#include <math.h>

static bool signal_level(const mdc_derive_cfg *cfg, const mdc_value *v, bool *level)
{
    double x;
    if (!mdc_value_as_double(v, &x)) return false;
    *level = cfg->signal_has_equals ? x == cfg->signal_equals : x != 0;
    return true;
}

static int64_t count_signal(const mdc_derive_cfg *cfg, mdc_derive_state *st, bool level,
                            int64_t now_us)
{
    if (!st->has_level) { /* baseline: a part already "high" at first sight is not counted */
        st->has_level = true;
        st->level = level;
        st->counted = level;
        st->high_since_us = level ? now_us : 0;
        return 0;
    }
    int64_t n = 0;
    if (level && !st->level) {
        st->high_since_us = now_us;
        st->counted = false;
    }
    if (level && !st->counted && now_us - st->high_since_us >= cfg->min_pulse_us) {
        st->counted = true;
        n = 1;
    }
    st->level = level;
    return n;
}

static int64_t count_counter(mdc_derive_state *st, int64_t value, const char *name, strbuf *events)
{
    if (!st->has_counter) {
        st->has_counter = true;
        st->counter_last = value;
        return 0;
    }
    int64_t n = value - st->counter_last;
    if (n < 0) {
        if (events)
            sb_printf(events, "part counter reset: %s went from %lld to %lld\n", name,
                      (long long)st->counter_last, (long long)value);
        n = value > 0 ? value : 0;
    }
    st->counter_last = value;
    return n;
}

void mdc_derive_parts(const mdc_derive_cfg *cfg, mdc_derive_state *st, mdc_record *rec,
                      strbuf *events)
{
    if (cfg->parts_mode == MDC_PARTS_NONE) return;
    const mdc_field *f = mdc_derive_input(rec, cfg->parts_field);
    int64_t n = -1;
    if (f && cfg->parts_mode == MDC_PARTS_SIGNAL) {
        bool level;
        if (signal_level(cfg, &f->v, &level)) n = count_signal(cfg, st, level, rec->ts_us);
    } else if (f) {
        double x;
        if (mdc_value_as_double(&f->v, &x) && x >= -9e15 && x <= 9e15)
            n = count_counter(st, (int64_t)llround(x), cfg->parts_field, events);
    }
    if (n < 0) { /* keep the reason: a hidden signal's own error would vanish with it */
        mdc_record_add_null(rec, "part_count_delta", f ? f->error : NULL);
    } else {
        st->shift_parts += n;
        st->parts_total += n;
        mdc_record_add_int(rec, "part_count_delta", n);
    }
    mdc_record_add_int(rec, "part_count", st->shift_parts);
}
