/* SPDX-License-Identifier: Apache-2.0 */
/* derive_catalog.c — what the derived fields mean (derive.h, core/catalog.h). */
#include "derive.h"

#include <string.h>

/* In the order mdc_derive_apply() appends them. */
static const char *const outputs[] = {"energy_delta_kwh", "part_count_delta", "part_count", "shift",
                                      "shift_energy_kwh"};
#define NOUTPUTS (sizeof outputs / sizeof outputs[0])

size_t mdc_derive_outputs(const mdc_derive_cfg *cfg, const mdc_shift_ctx *shifts,
                          const char *names[5])
{
    size_t n = 0;
    for (size_t i = 0; i < NOUTPUTS; i++)
        if (mdc_derive_produces(cfg, shifts, outputs[i])) names[n++] = outputs[i];
    return n;
}

bool mdc_derive_field_info(const char *name, mdc_field_info *out)
{
    static const mdc_field_info infos[] = {
        {.name = "energy_delta_kwh",
         .unit = "kWh",
         .label = "Energy since the last sample",
         .decimals = -1,
         .quantity = "energy"},
        {.name = "part_count_delta",
         .label = "Parts since the last sample",
         .decimals = 0,
         .quantity = "count"},
        {.name = "part_count", .label = "Parts this shift", .decimals = 0, .quantity = "count"},
        {.name = "shift", .label = "Shift", .decimals = 0},
        {.name = "shift_energy_kwh",
         .unit = "kWh",
         .label = "Energy this shift",
         .decimals = 3,
         .quantity = "energy"},
    };
    for (size_t i = 0; i < sizeof infos / sizeof infos[0]; i++)
        if (strcmp(infos[i].name, name) == 0) {
            *out = infos[i];
            return true;
        }
    return false;
}
