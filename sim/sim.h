/* SPDX-License-Identifier: Apache-2.0 */
/* sim.h — entry points of the simulators (argv[0] is the simulator's name). */
#ifndef MDC_SIM_H
#define MDC_SIM_H

int sim_modbus_main(int argc, char **argv);
int sim_lsv2_main(int argc, char **argv);
int sim_broute_main(int argc, char **argv);

#endif
