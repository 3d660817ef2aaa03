/* SPDX-License-Identifier: Apache-2.0 */
/* record_codec.h — compact, versioned binary form of a record (the spool's storage format).
 * The decoder validates every length and count: it reads bytes from disk and is fuzzed. */
#ifndef MDC_RECORD_CODEC_H
#define MDC_RECORD_CODEC_H

#include "err.h"
#include "record.h"
#include "strbuf.h"

#include <stddef.h>
#include <stdint.h>

void mdc_record_encode(const mdc_record *r, strbuf *out);
/* Fills r (initialised by the call; the caller frees it with mdc_record_free). */
int mdc_record_decode(const unsigned char *buf, size_t len, mdc_record *r, mdc_err *err);

#endif
