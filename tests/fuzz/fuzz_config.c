/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the configuration loader end to end — JSON, key positions, every typed getter,
 * drivers', derive rules' and sinks' parsers (runtime build does no I/O). */
#include "core/config.h"
#include "runtime/runtime.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int once;
    if (!once) {
        setenv("MDC_FUZZ_VAR", "1502", 1);
        once = 1;
    }
    mdc_config *cfg;
    mdc_err err;
    if (mdc_config_load_string("fuzz.json", (const char *)data, size, NULL, &cfg, &err) < 0)
        return 0;
    mdc_runtime *rt;
    if (mdc_runtime_build(cfg, &rt, &err) == 0) {
        strbuf out = STRBUF_INIT;
        mdc_runtime_describe(rt, &out);
        sb_free(&out);
        mdc_runtime_free(rt);
    }
    mdc_config_free(cfg);
    return 0;
}
