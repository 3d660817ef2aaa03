/* SPDX-License-Identifier: Apache-2.0 */
/* sparkplug_codec.c — see sparkplug_codec.h. */
#include "sparkplug_codec.h"
#include "sparkplug_b.pb-c.h"

#include "core/xalloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

typedef Org__Eclipse__Tahu__Protobuf__Payload Payload;
typedef Org__Eclipse__Tahu__Protobuf__Payload__Metric Metric;
typedef Org__Eclipse__Tahu__Protobuf__Payload__PropertySet PropertySet;
typedef Org__Eclipse__Tahu__Protobuf__Payload__PropertyValue PropertyValue;

uint32_t mdc_sp_datatype(const mdc_value *v)
{
    switch (v ? v->type : MDC_NULL) {
    case MDC_BOOL:
        return MDC_SP_BOOLEAN;
    case MDC_INT:
        return MDC_SP_INT64;
    case MDC_STRING:
        return MDC_SP_STRING;
    default:
        return MDC_SP_DOUBLE;
    }
}

bool mdc_sp_fits(const mdc_value *v, uint32_t datatype)
{
    if (!v || v->type == MDC_NULL) return true;
    if (v->type == MDC_INT && datatype == MDC_SP_INT32)
        return v->u.i >= INT32_MIN && v->u.i <= INT32_MAX;
    return mdc_sp_datatype(v) == datatype;
}

static void set_value(Metric *m, const mdc_value *v, uint32_t datatype)
{
    if (!v || v->type == MDC_NULL) {
        m->has_is_null = m->is_null = 1;
        return;
    }
    switch (v->type) {
    case MDC_BOOL:
        m->value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE;
        m->boolean_value = v->u.b;
        break;
    case MDC_INT: /* Int32 in int_value (two's complement), Int64 in long_value */
        if (datatype == MDC_SP_INT32) {
            m->value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_INT_VALUE;
            m->int_value = (uint32_t)(int32_t)v->u.i;
        } else {
            m->value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_LONG_VALUE;
            m->long_value = (uint64_t)v->u.i;
        }
        break;
    case MDC_DOUBLE:
        m->value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE;
        m->double_value = v->u.d;
        break;
    default:
        m->value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_STRING_VALUE;
        m->string_value = v->u.s;
    }
}

/* The "engUnit" property: a PropertySet with one String value. */
typedef struct unit_prop {
    PropertySet set;
    PropertyValue value, *values[1];
    char *keys[1];
} unit_prop;

static void set_unit(Metric *m, unit_prop *p, const char *unit)
{
    org__eclipse__tahu__protobuf__payload__property_set__init(&p->set);
    org__eclipse__tahu__protobuf__payload__property_value__init(&p->value);
    p->value.has_type = 1;
    p->value.type = MDC_SP_STRING;
    p->value.value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__PROPERTY_VALUE__VALUE_STRING_VALUE;
    p->value.string_value = (char *)unit;
    p->keys[0] = "engUnit";
    p->values[0] = &p->value;
    p->set.n_keys = p->set.n_values = 1;
    p->set.keys = p->keys;
    p->set.values = p->values;
    m->properties = &p->set;
}

static void fill_metric(Metric *m, unit_prop *p, const mdc_sp_metric *in)
{
    org__eclipse__tahu__protobuf__payload__metric__init(m);
    m->name = (char *)in->name;
    m->has_alias = in->has_alias;
    m->alias = in->alias;
    m->has_timestamp = in->ts_ms != 0;
    m->timestamp = in->ts_ms;
    m->has_datatype = 1;
    m->datatype = in->datatype;
    if (in->unit) set_unit(m, p, in->unit);
    set_value(m, in->v, in->datatype);
}

void mdc_sp_encode(uint64_t ts_ms, int seq, const mdc_sp_metric *in, size_t n, strbuf *out)
{
    Payload pl = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__INIT;
    Metric *ms = xcalloc(n ? n : 1, sizeof *ms);
    Metric **ptrs = xcalloc(n ? n : 1, sizeof *ptrs);
    unit_prop *props = xcalloc(n ? n : 1, sizeof *props);
    for (size_t i = 0; i < n; i++) {
        fill_metric(&ms[i], &props[i], &in[i]);
        ptrs[i] = &ms[i];
    }
    pl.has_timestamp = 1;
    pl.timestamp = ts_ms;
    pl.n_metrics = n;
    pl.metrics = ptrs;
    pl.has_seq = seq >= 0;
    pl.seq = seq >= 0 ? (uint64_t)seq : 0;
    size_t len = org__eclipse__tahu__protobuf__payload__get_packed_size(&pl);
    sb_reserve(out, len + 1);
    org__eclipse__tahu__protobuf__payload__pack(&pl, (uint8_t *)out->buf + out->len);
    out->len += len;
    out->buf[out->len] = '\0';
    free(ms);
    free(ptrs);
    free(props);
}

static bool is_rebirth(const Metric *m, uint64_t alias)
{
    bool named =
        m->name ? !strcmp(m->name, MDC_SP_REBIRTH) : alias && m->has_alias && m->alias == alias;
    return named &&
           m->value_case == ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE &&
           m->boolean_value;
}

int mdc_sp_decode_ncmd(const void *buf, size_t len, uint64_t rebirth_alias, bool *rebirth,
                       mdc_err *err)
{
    *rebirth = false;
    Payload *pl = org__eclipse__tahu__protobuf__payload__unpack(NULL, len, buf);
    if (!pl)
        return mdc_err_set(err, MDC_EPROTO,
                           "sparkplug: NCMD: not a Sparkplug B payload (%zu bytes)", len);
    for (size_t i = 0; i < pl->n_metrics; i++)
        if (is_rebirth(pl->metrics[i], rebirth_alias)) *rebirth = true;
    org__eclipse__tahu__protobuf__payload__free_unpacked(pl, NULL);
    return 0;
}

int mdc_sp_parse_state(const void *buf, size_t len, bool *online, int64_t *ts_ms, mdc_err *err)
{
    json_error_t je;
    json_t *o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    json_t *on = json_object_get(o, "online"), *ts = json_object_get(o, "timestamp");
    int rc = 0;
    if (!json_is_boolean(on) || (ts && !json_is_integer(ts)))
        rc = mdc_err_set(err, MDC_EPROTO,
                         "sparkplug: STATE: expected {\"online\": true|false, \"timestamp\": MS}");
    else {
        *online = json_is_true(on);
        *ts_ms = ts ? (int64_t)json_integer_value(ts) : 0;
    }
    json_decref(o);
    return rc;
}
