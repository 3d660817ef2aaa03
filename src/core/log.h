/* SPDX-License-Identifier: Apache-2.0 */
/* log.h — leveled log lines on stderr: "2026-11-22T06:00:05.123Z WARN  [meter-1] message".
 * Thread-safe (one write(2) per line). Libraries do not log; the runtime and CLI do. */
#ifndef MDC_LOG_H
#define MDC_LOG_H

enum mdc_log_level { MDC_LOG_DEBUG = 0, MDC_LOG_INFO, MDC_LOG_WARN, MDC_LOG_ERROR, MDC_LOG_OFF };

void mdc_log_set_level(int level);
int mdc_log_get_level(void);
/* Parses "debug|info|warn|warning|error|off"; returns -1 if unknown. */
int mdc_log_level_parse(const char *s);
/* Redirect output to a file descriptor (default 2). */
void mdc_log_set_fd(int fd);

void mdc_log(int level, const char *scope, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define LOG_DEBUG(scope, ...) mdc_log(MDC_LOG_DEBUG, scope, __VA_ARGS__)
#define LOG_INFO(scope, ...)  mdc_log(MDC_LOG_INFO, scope, __VA_ARGS__)
#define LOG_WARN(scope, ...)  mdc_log(MDC_LOG_WARN, scope, __VA_ARGS__)
#define LOG_ERROR(scope, ...) mdc_log(MDC_LOG_ERROR, scope, __VA_ARGS__)

#endif
