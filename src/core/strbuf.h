/* SPDX-License-Identifier: Apache-2.0 */
/* strbuf.h — growable, always NUL-terminated byte buffer. The owner frees with sb_free(). */
#ifndef MDC_STRBUF_H
#define MDC_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct strbuf {
    char *buf; /* NUL-terminated; NULL until the first append */
    size_t len;
    size_t cap;
} strbuf;

#define STRBUF_INIT                                                                                \
    {                                                                                              \
        0                                                                                          \
    }

void sb_init(strbuf *sb);
void sb_free(strbuf *sb);
void sb_reset(strbuf *sb); /* len = 0, keeps memory */
void sb_reserve(strbuf *sb, size_t extra);
void sb_append(strbuf *sb, const char *s, size_t n);
void sb_puts(strbuf *sb, const char *s);
void sb_putc(strbuf *sb, char c);
void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(strbuf *sb, const char *fmt, va_list ap);
/* Returns the string ("" if empty); valid until the next append. */
const char *sb_str(const strbuf *sb);
/* Hands ownership of the buffer to the caller (never NULL) and resets sb. */
char *sb_detach(strbuf *sb);

#endif
