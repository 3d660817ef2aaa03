/* SPDX-License-Identifier: Apache-2.0 */
/* port.h — the serial line to the Wi-SUN module: 8N1, no flow control, raw, non-blocking,
 * locked against other processes. Reads and writes wait with poll() up to a deadline on the
 * monotonic clock (core/clock.h mdc_mono_us), never with fixed sleeps.
 */
#ifndef MDC_BRT_PORT_H
#define MDC_BRT_PORT_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct mdc_brt_port mdc_brt_port;

bool mdc_brt_baud_supported(int baud);
/* Time `bytes` take on the line at `baud` (10 bits per byte: start, 8 data, stop). */
int64_t mdc_brt_wire_us(int baud, size_t bytes);

/* Opens and configures a serial device (a tty or pseudo-terminal). */
int mdc_brt_port_open(const char *path, int baud, mdc_brt_port **out, mdc_err *err);
/* Wraps a connected descriptor (a socket pair in tests); the port closes it. */
mdc_brt_port *mdc_brt_port_from_fd(int fd);
void mdc_brt_port_close(mdc_brt_port *p);

/* Writes everything or fails (MDC_EIO, or MDC_ETIMEOUT at the deadline). */
int mdc_brt_port_write(mdc_brt_port *p, const void *data, size_t n, int64_t deadline_us,
                       mdc_err *err);
/* Reads what is available, waiting until the deadline for the first byte. Returns the count,
 * 0 at the deadline, -1 on an error (MDC_EIO: the device went away). */
ssize_t mdc_brt_port_read(mdc_brt_port *p, void *buf, size_t cap, int64_t deadline_us,
                          mdc_err *err);

#endif
