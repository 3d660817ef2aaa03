/* SPDX-License-Identifier: Apache-2.0 */
/* util.h — plumbing shared by the simulators: signals, the control FIFO, number options. */
#ifndef MDC_SIM_UTIL_H
#define MDC_SIM_UTIL_H

#include <stdbool.h>

/* Blocks SIGINT/SIGTERM, ignores SIGPIPE, and returns a non-blocking signalfd for them. */
int sim_signalfd(void);
/* Creates the FIFO `path` if missing (*created tells) and opens it for reading without ever
 * seeing end-of-file; prints "WHO: --control PATH: ..." and returns -1 on failure. */
int sim_open_fifo(const char *who, const char *path, bool *created);
/* Whole-string numbers: 0, or -1 if not a number in [lo, hi] (NaN rejected). */
int sim_parse_long(const char *s, long lo, long hi, long *out);
int sim_parse_double(const char *s, double *out);

#endif
