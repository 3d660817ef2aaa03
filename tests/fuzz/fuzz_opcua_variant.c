/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the Variant, DataValue, DiagnosticInfo and ExtensionObject decoders (the first
 * byte picks one), with nesting, and the conversion of a DataValue to a record field. */
#include "drivers/opcua/opcua_internal.h"
#include "drivers/opcua/ua_text.h"
#include "drivers/opcua/ua_types.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_roundtrip(int type, const void *v)
{
    const ua_type *t = ua_type_of(type);
    strbuf enc = STRBUF_INIT, again = STRBUF_INIT;
    t->put(&enc, v);
    void *back = calloc(1, t->size);
    ua_r r;
    ua_r_init(&r, enc.buf, enc.len);
    if (t->get(&r, back) < 0 || ua_r_left(&r) != 0) abort();
    t->put(&again, back);
    if (again.len != enc.len || memcmp(again.buf, enc.buf, enc.len) != 0) abort();
    t->clear(back);
    free(back);
    sb_free(&enc);
    sb_free(&again);
}

static void as_field(const ua_datavalue *dv)
{
    mdc_record rec;
    mdc_record_init(&rec);
    opcua_set_field(mdc_record_add(&rec, "v"), dv);
    opcua_set_time_field(mdc_record_add(&rec, "t"), dv);
    mdc_record_free(&rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int types[] = {UA_VARIANT, UA_DATAVALUE, UA_DIAGNOSTICINFO, UA_EXTENSIONOBJECT};
    if (size < 1) return 0;
    int type = types[data[0] % 4];
    const ua_type *t = ua_type_of(type);
    void *v = calloc(1, t->size);
    ua_r r;
    ua_r_init(&r, data + 1, size - 1);
    if (t->get(&r, v) == 0) {
        check_roundtrip(type, v);
        strbuf json = STRBUF_INIT;
        ua_value_json(type, v, &json);
        sb_free(&json);
        if (type == UA_DATAVALUE) as_field(v);
        if (type == UA_VARIANT) {
            ua_datavalue dv = {.mask = UA_DV_VALUE, .value = *(ua_variant *)v};
            as_field(&dv);
        }
    }
    t->clear(v);
    free(v);
    return 0;
}
