/* libFuzzer: masking credentials by field (core/redact.h) in text from elsewhere — library
 * messages, URLs, peers' answers. The result must never be longer than the text plus three
 * bytes per masked value, nor contain a NUL. */
#include "core/redact.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    strbuf s = STRBUF_INIT;
    sb_append(&s, (const char *)data, size);
    size_t before = strlen(sb_str(&s)); /* the text ends at its first NUL */
    mdc_redact(&s);
    if (strlen(sb_str(&s)) != s.len && s.len) abort();
    if (s.len > 4 * before + 4) abort();
    sb_free(&s);
    return 0;
}
