/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the .env parser. */
#include "core/dotenv.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mdc_err err;
    mdc_dotenv_parse(".env", (const char *)data, size, &err);
    return 0;
}
