/* SPDX-License-Identifier: Apache-2.0 */
/* format_module.h — YAML lives in a module (core/module.h): yaml.so links libyaml, which a site
 * that writes no YAML then never maps. The other formats are in the program. */
#ifndef MDC_FORMAT_MODULE_H
#define MDC_FORMAT_MODULE_H

#include "core/err.h"
#include "core/module.h"
#include "format/format.h"

/* The yaml module's entry, mdc_module_yaml. */
typedef struct mdc_format_module {
    mdc_module_head head;
    /* One record as YAML, as mdc_format_record() promises (format.h). */
    void (*yaml_record)(mdc_format_style st, const mdc_record *r, strbuf *out);
} mdc_format_module;

/* Makes format k usable: loads the yaml module for MDC_FMT_YAML (once; thread-safe), nothing for
 * the others. Returns 0, or -1 with err naming the module, where it was looked for and why it
 * could not be loaded. Configuration calls it for every sink that writes YAML, so that a missing
 * module stops `mdc check` and the start, not the delivery. */
int mdc_format_load(mdc_format_kind k, mdc_err *err);

/* The record as YAML's flow style, i.e. its JSON after "--- " (MDC style): valid YAML that any
 * YAML parser reads back. What mdc_format_record() writes for YAML when libyaml runs out of
 * memory, or when the module cannot be loaded for a caller that did not ask mdc_format_load()
 * first (never a configured sink: its configuration was refused). */
void mdc_fmt_yaml_as_json(mdc_format_style st, const mdc_record *r, strbuf *out);

#endif
