/* SPDX-License-Identifier: Apache-2.0 */
/* field_info.c — what the lsv2 driver's fields mean (driver_internal.h). */
#include "driver_internal.h"
#include "reply.h"

#include <string.h>

/* The names `mdc read --raw` prints (reply.c), as enumerations. */
static const mdc_enum_name exec_names[] = {
    {LSV2_EXEC_MANUAL, "MANUAL"},
    {LSV2_EXEC_MDI, "MDI"},
    {LSV2_EXEC_PASS_REFERENCES, "PASS_REFERENCES"},
    {LSV2_EXEC_SINGLE_STEP, "SINGLE_STEP"},
    {LSV2_EXEC_AUTOMATIC, "AUTOMATIC"},
    {LSV2_EXEC_UNDEFINED, "UNDEFINED"},
};
static const mdc_enum_name pgm_names[] = {
    {LSV2_PGM_STARTED, "STARTED"},
    {LSV2_PGM_STOPPED, "STOPPED"},
    {LSV2_PGM_FINISHED, "FINISHED"},
    {LSV2_PGM_CANCELLED, "CANCELLED"},
    {LSV2_PGM_INTERRUPTED, "INTERRUPTED"},
    {LSV2_PGM_ERROR, "ERROR"},
    {LSV2_PGM_ERROR_CLEARED, "ERROR_CLEARED"},
    {LSV2_PGM_IDLE, "IDLE"},
    {LSV2_PGM_UNDEFINED, "UNDEFINED"},
};

static const mdc_field_info builtin[] = {
    {.name = "op_mode",
     .label = "Operating mode",
     .decimals = 0,
     .quantity = "enum",
     .enums = exec_names,
     .nenums = sizeof exec_names / sizeof exec_names[0]},
    {.name = "prog_status",
     .label = "Program status",
     .decimals = 0,
     .quantity = "enum",
     .enums = pgm_names,
     .nenums = sizeof pgm_names / sizeof pgm_names[0]},
    {.name = "selected_program", .label = "Selected program", .decimals = -1},
    {.name = "active_program", .label = "Active program", .decimals = -1},
    {.name = "line", .label = "Program line", .decimals = 0},
    {.name = "feed_override", .unit = "%", .label = "Feed override", .decimals = -1},
    {.name = "spindle_override", .unit = "%", .label = "Spindle override", .decimals = -1},
    {.name = "rapid_override", .unit = "%", .label = "Rapid override", .decimals = -1},
    {.name = "alarm", .label = "Alarm", .decimals = -1},
};

bool lsv2_drv_field_info(const void *cfg, const char *name, mdc_field_info *out)
{
    const lsv2_cfg *c = cfg;
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
        if (strcmp(builtin[i].name, name) == 0) {
            *out = builtin[i];
            return true;
        }
    for (size_t i = 0; i < c->nplc; i++)
        if (strcmp(c->plc[i].name, name) == 0) {
            *out = c->plc[i].info;
            return true;
        }
    return false;
}
