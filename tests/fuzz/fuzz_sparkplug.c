/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: what a Sparkplug host application (or anyone on the broker) sends the edge node:
 * NCMD payloads (protobuf, Node Control/Rebirth by name or alias) and STATE payloads (JSON). */
#include "sinks/mqtt/sparkplug_codec.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mdc_err err;
    bool rebirth, online;
    int64_t ts;
    mdc_sp_decode_ncmd(data, size, 0, &rebirth, &err);
    mdc_sp_decode_ncmd(data, size, 1, &rebirth, &err);
    mdc_sp_parse_state(data, size, &online, &ts, &err);
    return 0;
}
