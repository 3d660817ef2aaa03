/* SPDX-License-Identifier: Apache-2.0 */
/* sd_notify.h — the systemd notification protocol, without libsystemd: datagrams of
 * "KEY=VALUE\n" lines sent to the AF_UNIX socket named by $NOTIFY_SOCKET ("@" = abstract). */
#ifndef MDC_SD_NOTIFY_H
#define MDC_SD_NOTIFY_H

#include <stdint.h>

/* Sends `state` ("READY=1", "WATCHDOG=1", "RELOADING=1", "STOPPING=1", "STATUS=..."). Returns
 * 1 when sent, 0 when not running under systemd ($NOTIFY_SOCKET unset), -1 on error. */
int mdc_sd_notify(const char *state);
/* printf-style variant. */
int mdc_sd_notifyf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The watchdog period from $WATCHDOG_USEC (honouring $WATCHDOG_PID), 0 when disabled. */
int64_t mdc_sd_watchdog_us(void);

#endif
