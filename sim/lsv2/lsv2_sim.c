#include "../sim.h"

#include <stdio.h>

int sim_lsv2_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "mdc-sim lsv2: not implemented yet\n");
    return 1;
}
