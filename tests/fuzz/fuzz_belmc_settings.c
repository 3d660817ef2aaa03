/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: mdc import-belmc's readers — the input as each of BELmc's settings files and as
 * its .env, alone and together. */
#include "cli/belmc_import.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const mdc_belmc_files *in)
{
    strbuf config = STRBUF_INIT, notes = STRBUF_INIT;
    mdc_err err;
    mdc_belmc_import(in, &config, &notes, &err);
    sb_free(&config);
    sb_free(&notes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *t = (const char *)data;
    mdc_belmc_input x = {"fuzz", t, size}, none = {"none", NULL, 0};
    mdc_belmc_files ems = {x, none, none, x}, lsv2 = {none, x, none, none},
                    opcua = {none, none, x, none}, all = {x, x, x, x};
    run(&ems);
    run(&lsv2);
    run(&opcua);
    run(&all);
    return 0;
}
