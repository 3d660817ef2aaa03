/* SPDX-License-Identifier: Apache-2.0 */
/* display.h — a value as people read it, with what the catalog (core/catalog.h) says about
 * it: "6.000 kW" (decimals 3), "1234.5161 kWh" (as read: the shortest exact form),
 * "4 AUTOMATIC" (an enumeration), "yes", "O1234.H". Used by `mdc read`. */
#ifndef MDC_FORMAT_DISPLAY_H
#define MDC_FORMAT_DISPLAY_H

#include "core/catalog.h"
#include "core/record.h"
#include "core/strbuf.h"

/* Appends v as text, with f's decimals, unit and enumeration name (f may be NULL). A null
 * value is "-". */
void mdc_display_value(const mdc_value *v, const mdc_field_info *f, strbuf *out);

#endif
