/* SPDX-License-Identifier: Apache-2.0 */
/* pubsub_name.h — the check of a Pub/Sub project id or topic name, shared by the pubsub sink
 * (a module: core/module.h) and `mdc hems`, which checks its arguments without loading it. */
#ifndef MDC_PUBSUB_NAME_H
#define MDC_PUBSUB_NAME_H

#include "core/err.h"

/* Checks a project id or topic name for use in the URL path: 1..255 characters of
 * A-Z a-z 0-9 - _ . ~ + % : (no "/", "?", "#", spaces). Returns 0 or -1 (err filled). */
int mdc_pubsub_name_check(const char *what, const char *name, mdc_err *err);

#endif
