/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the hems-data-collector command line (arguments separated by NUL bytes). */
#include "../../src/cli/hems_args.c"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *argv[64] = {"hems-data-collector"};
    int argc = 1;
    for (size_t i = 0; i <= size && argc < 63;) {
        argv[argc++] = buf + i;
        i += strlen(buf + i) + 1;
    }
    FILE *null = fopen("/dev/null", "w");
    hems_args a;
    if (hems_args_defaults(&a, "hems-data-collector", null) < 0)
        hems_args_parse(&a, argc, argv, "hems-data-collector", null, null);
    fclose(null);
    free(buf);
    return 0;
}
