/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: what the Pub/Sub sink parses from outside — the token endpoint's response, the
 * publish response, and a service-account key file — selected by the first byte. */
#include "sinks/http/sink_pubsub_auth.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const char *text = (const char *)data + 1;
    size_t n = size - 1;
    mdc_err err;
    strbuf tok = STRBUF_INIT;
    int64_t exp;
    mdc_gsa_key *k = NULL;
    switch (data[0] % 3) {
    case 0:
        mdc_oauth_token_parse(data[0] & 0x80 ? 200 : 400, text, n, &tok, &exp, &err);
        break;
    case 1:
        mdc_pubsub_check_response(text, n, data[0] >> 4, &err);
        break;
    default:
        if (mdc_gsa_key_parse("key.json", text, n, &k, &err) == 0) mdc_gsa_key_free(k);
        break;
    }
    sb_free(&tok);
    return 0;
}
