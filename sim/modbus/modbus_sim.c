#include "../sim.h"

#include <stdio.h>

int sim_modbus_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "mdc-sim modbus: not implemented yet\n");
    return 1;
}
