/* SPDX-License-Identifier: Apache-2.0 */
/* trace.h — a protocol trace: the lines a driver sends to and receives from a device.
 *
 * Libraries do not log (log.h); a driver that has a line-level conversation worth seeing when
 * commissioning (the B-route module's SKSTACK-IP lines) reports each line here, and the program
 * decides what happens with it: the CLI logs it at debug level. Nothing is formatted unless a
 * handler is installed and the log level is debug. Callers mask secrets before tracing (a
 * password argument is replaced, never searched for in the text).
 */
#ifndef MDC_TRACE_H
#define MDC_TRACE_H

#include <stdbool.h>
#include <stddef.h>

/* scope: the device or port; dir: "send" or "recv"; text: one line, NUL-terminated. */
typedef void (*mdc_trace_fn)(const char *scope, const char *dir, const char *text);

/* Installs the handler (NULL: tracing off). Set once, before threads start. */
void mdc_trace_set_handler(mdc_trace_fn fn);
/* True when a handler is installed and the log level is debug. */
bool mdc_trace_enabled(void);
/* Reports data[0, n) as one line: printable ASCII as is, CR/LF dropped, other bytes as \xNN. */
void mdc_trace_bytes(const char *scope, const char *dir, const void *data, size_t n);

#endif
