/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: masking credentials by field (core/redact.h) in text from elsewhere — library
 * messages, URLs, peers' answers: no crash, no read past the text, and a masked value ("***")
 * never much longer than what it replaced. */
#include "core/redact.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    strbuf s = STRBUF_INIT;
    sb_append(&s, (const char *)data, size);
    mdc_redact(&s);
    if (s.len > 4 * size + 4) abort();
    sb_free(&s);
    return 0;
}
