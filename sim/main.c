/* SPDX-License-Identifier: Apache-2.0 */
/* mdc-sim — device simulators for commissioning, demos and tests.
 * Each simulator lives in its own folder and exposes one entry point. */
#include "sim.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int (*main)(int argc, char **argv);
    const char *what;
} sims[] = {
    {"modbus", sim_modbus_main, "Modbus energy meters over TCP, or RTU/ASCII on a pseudo-terminal"},
    {"lsv2", sim_lsv2_main, "Heidenhain TNC controls speaking LSV2 over TCP"},
    {"broute", sim_broute_main, "a Wi-SUN B-route module + smart meter on a pseudo-terminal"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: mdc-sim SIMULATOR [OPTIONS]   (mdc-sim SIMULATOR --help for its options)\n\n"
               "simulators:\n");
    for (size_t i = 0; i < sizeof sims / sizeof sims[0]; i++)
        fprintf(f, "  %-8s %s\n", sims[i].name, sims[i].what);
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("mdc-sim %s\n", MDC_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof sims / sizeof sims[0]; i++)
        if (strcmp(argv[1], sims[i].name) == 0)
            return sims[i].main(argc - 1, argv + 1);
    fprintf(stderr, "mdc-sim: unknown simulator '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
