/* SPDX-License-Identifier: Apache-2.0 */
/* derive_state.c — per-device derive state and its JSON form (persisted by the runtime). */
#include "derive.h"

#include <jansson.h>
#include <string.h>

void mdc_derive_state_init(mdc_derive_state *st)
{
    memset(st, 0, sizeof *st);
    st->last_status = MDC_STATUS_NONE;
}

void mdc_derive_state_to_json(const mdc_derive_state *st, strbuf *out)
{
    json_t *o = json_object();
    if (st->has_energy_base) json_object_set_new(o, "energy_base", json_real(st->energy_base));
    json_object_set_new(o, "shift_start_us", json_integer(st->shift_start_us));
    json_object_set_new(o, "shift_id", json_integer(st->shift_id));
    json_object_set_new(o, "shift_energy", json_real(st->shift_energy));
    json_object_set_new(o, "shift_parts", json_integer(st->shift_parts));
    if (st->has_level) {
        json_object_set_new(o, "level", json_boolean(st->level));
        json_object_set_new(o, "high_since_us", json_integer(st->high_since_us));
        json_object_set_new(o, "counted", json_boolean(st->counted));
    }
    if (st->has_counter) json_object_set_new(o, "counter_last", json_integer(st->counter_last));
    json_object_set_new(o, "parts_total", json_integer(st->parts_total));
    json_object_set_new(o, "last_status", json_integer(st->last_status));
    char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(17));
    sb_puts(out, s ? s : "{}");
    free(s);
    json_decref(o);
}

static int64_t get_int(json_t *o, const char *k, int64_t def)
{
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? json_integer_value(v) : def;
}

int mdc_derive_state_from_json(const char *text, mdc_derive_state *st, mdc_err *err)
{
    mdc_derive_state_init(st);
    json_error_t je;
    json_t *o = json_loads(text, 0, &je);
    if (!json_is_object(o)) {
        json_decref(o);
        return mdc_err_set(err, MDC_EINVAL, "bad derive state: %s", je.text);
    }
    json_t *v;
    if ((v = json_object_get(o, "energy_base")) && json_is_number(v)) {
        st->has_energy_base = true;
        st->energy_base = json_number_value(v);
    }
    st->shift_start_us = get_int(o, "shift_start_us", 0);
    st->shift_id = (int)get_int(o, "shift_id", 0);
    v = json_object_get(o, "shift_energy");
    st->shift_energy = json_is_number(v) ? json_number_value(v) : 0;
    st->shift_parts = get_int(o, "shift_parts", 0);
    if ((v = json_object_get(o, "level")) && json_is_boolean(v)) {
        st->has_level = true;
        st->level = json_is_true(v);
        st->high_since_us = get_int(o, "high_since_us", 0);
        st->counted = json_is_true(json_object_get(o, "counted"));
    }
    if ((v = json_object_get(o, "counter_last")) && json_is_integer(v)) {
        st->has_counter = true;
        st->counter_last = json_integer_value(v);
    }
    st->parts_total = get_int(o, "parts_total", 0);
    st->last_status = (int)get_int(o, "last_status", MDC_STATUS_NONE);
    json_decref(o);
    return 0;
}
