/* SPDX-License-Identifier: Apache-2.0 */
/* fields_json.h — a record's values as one compact JSON object: the `fields` and `errors`
 * columns of a `records` row in the embedded store and in PostgreSQL's mdc schema. */
#ifndef MDC_FORMAT_FIELDS_JSON_H
#define MDC_FORMAT_FIELDS_JSON_H

#include "core/record.h"
#include "core/strbuf.h"

#include <stddef.h>

/* Replaces out's text with r's fields as one JSON object ({"name":value,...}, in the record's
 * order; a non-finite double is null; text is valid UTF-8) followed by, from *errors_at, the
 * object of the fields' errors ({"name":"error",...}), or nothing after it when no field has
 * one. */
void mdc_fields_json(const mdc_record *r, strbuf *out, size_t *errors_at);

#endif
