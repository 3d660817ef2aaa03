/* SPDX-License-Identifier: Apache-2.0 */
#include "log.h"
#include "clock.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static atomic_int g_level = MDC_LOG_INFO;
static atomic_int g_fd = 2;

void mdc_log_set_level(int level)
{
    atomic_store(&g_level, level);
}

int mdc_log_get_level(void)
{
    return atomic_load(&g_level);
}

void mdc_log_set_fd(int fd)
{
    atomic_store(&g_fd, fd);
}

int mdc_log_level_parse(const char *s)
{
    static const struct {
        const char *name;
        int level;
    } names[] = {{"debug", MDC_LOG_DEBUG},  {"info", MDC_LOG_INFO},   {"warn", MDC_LOG_WARN},
                 {"warning", MDC_LOG_WARN}, {"error", MDC_LOG_ERROR}, {"off", MDC_LOG_OFF}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(s, names[i].name) == 0) return names[i].level;
    return -1;
}

static const char *level_name(int level)
{
    switch (level) {
    case MDC_LOG_DEBUG:
        return "DEBUG";
    case MDC_LOG_INFO:
        return "INFO ";
    case MDC_LOG_WARN:
        return "WARN ";
    default:
        return "ERROR";
    }
}

void mdc_log(int level, const char *scope, const char *fmt, ...)
{
    if (level < atomic_load(&g_level)) return;
    char line[2048];
    char ts[40];
    mdc_format_utc_ms(mdc_now_us(), ts, sizeof ts);
    int n = snprintf(line, sizeof line, "%s %s ", ts, level_name(level));
    if (scope && *scope && n > 0 && (size_t)n < sizeof line)
        n += snprintf(line + n, sizeof line - (size_t)n, "[%s] ", scope);
    if (n > 0 && (size_t)n < sizeof line) {
        va_list ap;
        va_start(ap, fmt);
        int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
        va_end(ap);
        if (m > 0) n += m;
    }
    if (n < 0) return;
    if ((size_t)n >= sizeof line - 1) n = (int)sizeof line - 2;
    line[n++] = '\n';
    ssize_t w = write(atomic_load(&g_fd), line, (size_t)n);
    (void)w;
}
