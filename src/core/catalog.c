/* SPDX-License-Identifier: Apache-2.0 */
/* catalog.c — see catalog.h. */
#include "catalog.h"

#include <string.h>

const mdc_device_info *mdc_catalog_device(const mdc_catalog *c, const char *id)
{
    for (size_t i = 0; c && id && i < c->ndevices; i++)
        if (strcmp(c->devices[i].id, id) == 0) return &c->devices[i];
    return NULL;
}

const mdc_field_info *mdc_device_info_field(const mdc_device_info *d, const char *name)
{
    for (size_t i = 0; d && name && i < d->nfields; i++)
        if (strcmp(d->fields[i].name, name) == 0) return &d->fields[i];
    return NULL;
}

const char *mdc_field_info_enum(const mdc_field_info *f, int64_t v)
{
    for (size_t i = 0; f && i < f->nenums; i++)
        if (f->enums[i].value == v) return f->enums[i].name;
    return NULL;
}

mdc_field_info mdc_field_info_none(const char *name)
{
    return (mdc_field_info){.name = name, .decimals = -1};
}

typedef struct unit_rule {
    const char *unit, *quantity;
    bool total;
} unit_rule;

static const unit_rule unit_rules[] = {
    {"Wh", "energy", true},
    {"kWh", "energy", true},
    {"MWh", "energy", true},
    {"varh", "reactive_energy", true},
    {"kvarh", "reactive_energy", true},
    {"W", "power", false},
    {"kW", "power", false},
    {"MW", "power", false},
    {"var", "reactive_power", false},
    {"kvar", "reactive_power", false},
    {"VA", "apparent_power", false},
    {"kVA", "apparent_power", false},
    {"V", "voltage", false},
    {"kV", "voltage", false},
    {"A", "current", false},
    {"mA", "current", false},
    {"Hz", "frequency", false},
    {"s", "duration", false},
    {"h", "duration", false},
    {"min", "duration", false},
    {"°C", "temperature", false},
    {"K", "temperature", false},
    {"bar", "pressure", false},
    {"Pa", "pressure", false},
    {"rpm", "speed", false},
    {"m³", "volume", true},
    {"%", "percent", false},
};

void mdc_field_info_infer(mdc_field_info *f)
{
    if (f->quantity) return;
    if (f->nenums) {
        f->quantity = "enum";
        return;
    }
    for (size_t i = 0; f->unit && i < sizeof unit_rules / sizeof unit_rules[0]; i++)
        if (strcmp(f->unit, unit_rules[i].unit) == 0) {
            f->quantity = unit_rules[i].quantity;
            f->total = f->total || unit_rules[i].total;
            return;
        }
}

const mdc_field_info *mdc_catalog_status_field(void)
{
    static const mdc_enum_name names[] = {{0, "OFF"}, {1, "ON"}, {2, "PRODUCTION"}};
    static const mdc_field_info status = {.name = "status",
                                          .label = "Machine status",
                                          .decimals = 0,
                                          .quantity = "enum",
                                          .enums = names,
                                          .nenums = 3};
    return &status;
}
