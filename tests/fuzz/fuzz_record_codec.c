/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the spool's record decoder; anything it accepts must re-encode identically. */
#include "core/record_codec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mdc_record r;
    mdc_err err;
    if (mdc_record_decode(data, size, &r, &err) < 0)
        return 0;
    strbuf enc = STRBUF_INIT;
    mdc_record_encode(&r, &enc);
    mdc_record back;
    if (mdc_record_decode((const unsigned char *)enc.buf, enc.len, &back, &err) < 0)
        abort();
    strbuf again = STRBUF_INIT;
    mdc_record_encode(&back, &again);
    if (again.len != enc.len || memcmp(again.buf, enc.buf, enc.len) != 0)
        abort();
    sb_free(&enc);
    sb_free(&again);
    mdc_record_free(&r);
    mdc_record_free(&back);
    return 0;
}
