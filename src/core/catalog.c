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
