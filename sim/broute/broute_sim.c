#include "../sim.h"

#include <stdio.h>

int sim_broute_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "mdc-sim broute: not implemented yet\n");
    return 1;
}
