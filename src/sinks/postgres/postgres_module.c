/* SPDX-License-Identifier: Apache-2.0 */
/* postgres_module.c — the postgres module's entry (core/module.h): the PostgreSQL sink. */
#include "sink_postgres.h"

#include "core/keys.h"
#include "sinks/sink_config.h"

static const mdc_sink_type postgres_types[] = {
    {"postgres", mdc_sink_postgres_from_config, &mdc_postgres_keyset, NULL},
    {0},
};

const mdc_sink_module mdc_module_postgres = {{"postgres", MDC_VERSION}, postgres_types, NULL};
