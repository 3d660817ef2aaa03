/* SPDX-License-Identifier: Apache-2.0 */
/* serial.h — serial line helpers: baud rates, character timing, termios setup. */
#ifndef MDC_MODBUS_SERIAL_H
#define MDC_MODBUS_SERIAL_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

/* True for the rates Linux termios knows (50 … 4000000); libmodbus silently uses 9600 for
 * anything else, so callers must reject those. */
bool mdc_mb_baud_supported(int baud);
/* Validates a framing: supported baud, parity N/E/O, 5..8 data bits, 1..2 stop bits. */
int mdc_mb_serial_check(int baud, char parity, int data_bits, int stop_bits, mdc_err *err);
/* Bits one character takes on the wire: start + data + parity + stop. */
int mdc_mb_char_bits(char parity, int data_bits, int stop_bits);
/* Time on the wire of `chars` characters of `char_bits` bits at `baud`, rounded up. */
int64_t mdc_mb_wire_us(int baud, int char_bits, double chars);
/* The inter-frame silent period t3.5: 3.5 characters, fixed 1750 us above 19200 baud. */
int64_t mdc_mb_silent_us(int baud, int char_bits);

/* Thread-safe strerror (libmodbus's modbus_strerror and plain strerror are not). */
const char *mdc_mb_strerror(int e, char *buf, size_t n);

/* Opens a serial device non-blocking, locks it (flock), and puts it in raw mode with the
 * framing given. Returns the fd, or -1 with err set. The previous settings go to *saved. */
int mdc_mb_serial_open(const char *device, int baud, char parity, int data_bits, int stop_bits,
                       struct termios *saved, mdc_err *err);
/* Restores *saved (if not NULL) and closes. */
void mdc_mb_serial_close(int fd, const struct termios *saved);
/* Puts an open terminal (e.g. a pty) in raw mode with the framing given. */
int mdc_mb_serial_setup(int fd, int baud, char parity, int data_bits, int stop_bits, mdc_err *err);

#endif
