/* SPDX-License-Identifier: Apache-2.0 */
/* demo_sims.h — the simulated meters of `mdc demo`: two `mdc-sim modbus` processes (Modbus TCP
 * on a port the simulator picks, Modbus RTU on a pseudo-terminal), each with a control FIFO.
 * Their answers to control commands ("ok state off", "error ...: unknown command") are logged
 * by a relay thread, so a command the simulator does not understand is never silently lost. */
#ifndef MDC_CLI_DEMO_SIMS_H
#define MDC_CLI_DEMO_SIMS_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#define DEMO_SIMS 2

typedef struct demo_sims {
    char sim[PATH_MAX];            /* the mdc-sim binary */
    pid_t pids[DEMO_SIMS];         /* 0: not running */
    int out[DEMO_SIMS];            /* read end of each simulator's stdout; -1: closed */
    char ctl[DEMO_SIMS][PATH_MAX]; /* control FIFOs: DATA_DIR/sim-meter-N.ctl */
    char pty[PATH_MAX];            /* meter-2's line: DATA_DIR/tty-meter-2 (a symlink) */
    int tcp_port;                  /* meter-1's Modbus TCP port on 127.0.0.1 */
    pthread_t relay;
    bool relaying;
} demo_sims;

/* Starts both simulators with their files in data_dir (an absolute path) and waits until they
 * serve. Returns 0, or -1 with the reason printed. demo_sims_stop() in both cases. */
int demo_sims_start(demo_sims *d, const char *data_dir);
/* Stops the simulators (SIGTERM, wait), the relay, and removes the FIFOs and the pty link. */
void demo_sims_stop(demo_sims *d);

#endif
