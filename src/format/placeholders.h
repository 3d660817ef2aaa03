/* SPDX-License-Identifier: Apache-2.0 */
/* placeholders.h — {name} placeholders in a template: file paths, MQTT topics.
 * `names` is NULL-terminated; a placeholder's id is its index there. Text outside known
 * placeholders (an unknown "{x}" included) is copied as written. */
#ifndef MDC_FORMAT_PLACEHOLDERS_H
#define MDC_FORMAT_PLACEHOLDERS_H

#include "core/strbuf.h"

#include <stddef.h>

/* The id of the placeholder name s[0, n), or -1. */
int mdc_placeholder_id(const char *const *names, const char *s, size_t n);
/* The first "{...}" in tmpl that is not one of names (*len its length, braces included), or
 * NULL when every placeholder is known. */
const char *mdc_placeholder_unknown(const char *const *names, const char *tmpl, size_t *len);
/* Appends tmpl with each known placeholder replaced by what put(out, id, ctx) appends. */
void mdc_placeholders_expand(const char *tmpl, const char *const *names,
                             void (*put)(strbuf *out, int id, void *ctx), void *ctx, strbuf *out);

#endif
