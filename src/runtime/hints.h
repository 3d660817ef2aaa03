/* SPDX-License-Identifier: Apache-2.0 */
/* hints.h — advice for the person reading a failure, where the error alone does not say what
 * to check: a serial Modbus meter that does not answer (timeout) or answers garbled frames
 * (protocol error) is nearly always a unit id, framing or wiring mistake. Shown where errors are
 * shown (the daemon's log, mdc read), never inside the protocol libraries. */
#ifndef MDC_RUNTIME_HINTS_H
#define MDC_RUNTIME_HINTS_H

#include "runtime.h"

/* The advice for a failed poll of d with error code `code` (MDC_ETIMEOUT, MDC_EPROTO, ...),
 * starting with "; " so that it can follow the message; "" when there is none. Static text. */
const char *mdc_rt_hint(const mdc_rt_device *d, int code);
/* The same from an error message whose code is gone (a record's error text). */
const char *mdc_rt_hint_for_text(const mdc_rt_device *d, const char *msg);

#endif
