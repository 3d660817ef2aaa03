/* SPDX-License-Identifier: Apache-2.0 */
/* net.h — socket helpers shared by the simulators. */
#ifndef MDC_SIM_NET_H
#define MDC_SIM_NET_H

/* Raises the soft open-file limit to the hard one when fewer than `need` are allowed. */
void sim_raise_nofile(int need);
/* A non-blocking listening TCP socket on host:port (port 0: any free port); *bound receives
 * the port. On failure prints "WHO: ..." to stderr and returns -1. */
int sim_listen_tcp(const char *who, const char *host, int port, int *bound);

#endif
