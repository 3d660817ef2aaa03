/* SPDX-License-Identifier: Apache-2.0 */
/* opcua_values.c — OPC UA values to record fields: Boolean → bool; integers → int (UInt64
 * above Int64 → double); Float/Double → double; String, LocalizedText, NodeId, Guid,
 * QualifiedName → string; DateTime → ISO 8601 string; ByteString → base64 string;
 * StatusCode → its name; arrays and structures → JSON text. A Bad status → null + error. */
#include "opcua_internal.h"
#include "ua_text.h"

#include "core/clock.h"

#include <string.h>

static bool set_int(mdc_field *f, int type, const void *e)
{
    int64_t v;
    switch (type) {
    case UA_SBYTE:
        v = *(const int8_t *)e;
        break;
    case UA_BYTE:
        v = *(const uint8_t *)e;
        break;
    case UA_INT16:
        v = *(const int16_t *)e;
        break;
    case UA_UINT16:
        v = *(const uint16_t *)e;
        break;
    case UA_INT32:
        v = *(const int32_t *)e;
        break;
    case UA_UINT32:
        v = *(const uint32_t *)e;
        break;
    case UA_INT64:
        v = *(const int64_t *)e;
        break;
    case UA_UINT64: {
        uint64_t u = *(const uint64_t *)e;
        if (u > (uint64_t)INT64_MAX) {
            mdc_field_set_double(f, (double)u);
            return true;
        }
        v = (int64_t)u;
        break;
    }
    default:
        return false;
    }
    mdc_field_set_int(f, v);
    return true;
}

static void set_text(mdc_field *f, int type, const void *e)
{
    strbuf t = STRBUF_INIT;
    const ua_string *s = e;
    switch (type) {
    case UA_STRING:
    case UA_XMLELEMENT:
        sb_append(&t, s->data ? s->data : "", s->data ? (size_t)s->len : 0);
        break;
    case UA_LOCALIZEDTEXT: {
        const ua_string *text = &((const ua_ltext *)e)->text;
        sb_append(&t, text->data ? text->data : "", text->data ? (size_t)text->len : 0);
        break;
    }
    case UA_DATETIME: {
        int64_t dt = *(const int64_t *)e;
        char buf[40];
        if (dt <= 0) break;
        mdc_format_utc_us(ua_datetime_to_unix_us(dt), buf, sizeof buf);
        sb_puts(&t, buf);
        break;
    }
    case UA_NODEID:
        ua_nodeid_format(e, &t);
        break;
    case UA_GUID:
        ua_guid_format(e, &t);
        break;
    case UA_STATUSCODE: {
        char buf[96];
        sb_puts(&t, ua_status_text(*(const uint32_t *)e, buf, sizeof buf));
        break;
    }
    case UA_QUALIFIEDNAME:
    case UA_EXPANDEDNODEID: {
        strbuf j = STRBUF_INIT; /* JSON string without its quotes is the text */
        ua_value_json(type, e, &j);
        if (j.len >= 2) sb_append(&t, j.buf + 1, j.len - 2);
        sb_free(&j);
        break;
    }
    default: /* ByteString and the ids read as ByteString */
        if (s->data) ua_base64_encode(s->data, (size_t)s->len, &t);
    }
    mdc_field_set_string(f, t.buf ? t.buf : "");
    sb_free(&t);
}

static void set_json(mdc_field *f, const ua_variant *v)
{
    strbuf t = STRBUF_INIT;
    ua_variant_json(v, &t);
    mdc_field_set_string(f, sb_str(&t));
    sb_free(&t);
}

void opcua_set_field(mdc_field *f, const ua_datavalue *dv)
{
    const ua_variant *v = &dv->value;
    char buf[96];
    if (ua_status_is_bad(dv->status)) {
        mdc_field_set_error(f, ua_status_text(dv->status, buf, sizeof buf));
        return;
    }
    if (!(dv->mask & UA_DV_VALUE) || v->type == 0 || !ua_type_of(v->type)) {
        mdc_field_set_error(f, "no value (null)");
        return;
    }
    if (v->is_array || v->type == UA_EXTENSIONOBJECT || v->type == UA_DIAGNOSTICINFO ||
        v->type == UA_DATAVALUE || v->type == UA_VARIANT) {
        set_json(f, v);
        return;
    }
    switch (v->type) {
    case UA_BOOLEAN:
        mdc_field_set_bool(f, *(const bool *)v->data);
        return;
    case UA_FLOAT:
        mdc_field_set_double(f, *(const float *)v->data);
        return;
    case UA_DOUBLE:
        mdc_field_set_double(f, *(const double *)v->data);
        return;
    default:
        if (!set_int(f, v->type, v->data)) set_text(f, v->type, v->data);
    }
}

void opcua_set_time_field(mdc_field *f, const ua_datavalue *dv)
{
    char buf[40];
    int64_t dt = (dv->mask & UA_DV_SRC_TS)   ? dv->src_ts
                 : (dv->mask & UA_DV_SRV_TS) ? dv->srv_ts
                                             : 0;
    if (dt <= 0) {
        mdc_field_set_error(f, "no timestamp");
        return;
    }
    mdc_format_utc_us(ua_datetime_to_unix_us(dt), buf, sizeof buf);
    mdc_field_set_string(f, buf);
}
