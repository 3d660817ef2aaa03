/* SPDX-License-Identifier: Apache-2.0 */
/* derive_internal.h — the rule steps mdc_derive_apply() runs, in order. */
#ifndef MDC_DERIVE_INTERNAL_H
#define MDC_DERIVE_INTERNAL_H

#include "derive.h"

/* The input field `name`: a device value that shares its name with a derived value has been
 * renamed NAME_raw, and is found under either name. */
const mdc_field *mdc_derive_input(const mdc_record *rec, const char *name);

void mdc_derive_energy(const mdc_derive_cfg *cfg, mdc_derive_state *st, mdc_record *rec,
                       strbuf *events);
void mdc_derive_parts(const mdc_derive_cfg *cfg, mdc_derive_state *st, mdc_record *rec,
                      strbuf *events);

#endif
