/* SPDX-License-Identifier: Apache-2.0 */
/* trace.c — see trace.h. */
#include "trace.h"

#include "log.h"
#include "strbuf.h"

#include <stdatomic.h>
#include <stdint.h>

static _Atomic(mdc_trace_fn) handler;

void mdc_trace_set_handler(mdc_trace_fn fn)
{
    atomic_store(&handler, fn);
}

bool mdc_trace_enabled(void)
{
    return atomic_load(&handler) != NULL && mdc_log_get_level() <= MDC_LOG_DEBUG;
}

void mdc_trace_bytes(const char *scope, const char *dir, const void *data, size_t n)
{
    mdc_trace_fn fn = atomic_load(&handler);
    if (!fn || !mdc_trace_enabled()) return;
    strbuf line = STRBUF_INIT;
    const uint8_t *p = data;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\r' || p[i] == '\n') continue;
        if (p[i] >= 0x20 && p[i] < 0x7F)
            sb_putc(&line, (char)p[i]);
        else
            sb_printf(&line, "\\x%02X", p[i]);
    }
    fn(scope, dir, sb_str(&line));
    sb_free(&line);
}
