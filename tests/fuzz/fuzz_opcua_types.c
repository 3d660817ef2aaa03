/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: every OPC UA built-in type decoder (the first byte picks the type id, the second
 * whether an array is read). Whatever decodes must re-encode canonically: decoding that
 * encoding and encoding again gives the same bytes. Values are also rendered as JSON. */
#include "drivers/opcua/ua_text.h"
#include "drivers/opcua/ua_types.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void encode(const ua_type *t, bool array, void *v, int32_t n, strbuf *out)
{
    if (array)
        ua_put_array(out, t, v, n);
    else
        t->put(out, v);
}

static int decode(const ua_type *t, bool array, const void *p, size_t len, void **v, int32_t *n)
{
    ua_r r;
    ua_r_init(&r, p, len);
    if (array) return ua_get_array(&r, t, v, n);
    *v = calloc(1, t->size);
    *n = 1;
    return t->get(&r, *v);
}

static void release(const ua_type *t, void *v, int32_t n)
{
    if (v) ua_array_free(t, v, n > 0 ? n : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    const ua_type *t = ua_type_of(data[0] % 32);
    bool array = data[1] & 1;
    if (!t) return 0;
    void *v;
    int32_t n;
    int rc = decode(t, array, data + 2, size - 2, &v, &n);
    if (rc < 0) {
        release(t, v, n);
        return 0;
    }
    strbuf enc = STRBUF_INIT, again = STRBUF_INIT, json = STRBUF_INIT;
    encode(t, array, v, n, &enc);
    for (int32_t i = 0; i < n; i++)
        ua_value_json(data[0] % 32, (char *)v + (size_t)i * t->size, &json);
    void *back;
    int32_t bn;
    if (decode(t, array, enc.buf, enc.len, &back, &bn) < 0) abort();
    encode(t, array, back, bn, &again);
    if (again.len != enc.len || memcmp(again.buf, enc.buf, enc.len) != 0) abort();
    release(t, v, n);
    release(t, back, bn);
    sb_free(&enc);
    sb_free(&again);
    sb_free(&json);
    return 0;
}
