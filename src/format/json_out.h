/* SPDX-License-Identifier: Apache-2.0 */
/* json_out.h — small helpers to append JSON text to a strbuf (the status API and the history
 * queries). Strings are escaped per RFC 8259 and invalid UTF-8 becomes U+FFFD; doubles use the same
 * shortest round-trip form as records (non-finite values are null). */
#ifndef MDC_HTTP_JSON_OUT_H
#define MDC_HTTP_JSON_OUT_H

#include "core/record.h"
#include "core/strbuf.h"

#include <stdint.h>

/* "text" (NULL → null). */
void mdc_json_str(strbuf *out, const char *s);
/* "key": (with a leading ", " unless first). */
void mdc_json_key(strbuf *out, const char *key, int first);
void mdc_json_double(strbuf *out, double d);
void mdc_json_value(strbuf *out, const mdc_value *v);
/* An ISO 8601 UTC timestamp string ("2026-11-22T06:00:05.123456+00:00"). */
void mdc_json_time(strbuf *out, int64_t t_us);

#endif
