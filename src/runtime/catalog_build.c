/* catalog_build.c — the runtime's catalog (core/catalog.h) from its devices: each device's
 * fields in record order, described by what its driver knows about them. */
#include "runtime_internal.h"

#include "core/xalloc.h"

#include <stdlib.h>

static void describe_device(const mdc_rt_device *d, mdc_device_info *di)
{
    di->id = d->cfg->id;
    di->driver = d->driver->name;
    di->has_machine_id = d->cfg->has_machine_id;
    di->machine_id = d->cfg->machine_id;
    size_t n = 0;
    while (d->fields[n])
        n++;
    di->fields = xcalloc(n ? n : 1, sizeof *di->fields);
    for (size_t i = 0; i < n; i++) {
        const char *name = d->fields[i];
        if (name[0] == '_') continue; /* hidden: for derive rules only */
        mdc_field_info *f = &di->fields[di->nfields++];
        *f = mdc_field_info_none(name);
        if (d->driver->field_info && d->driver->field_info(d->dcfg, name, f)) f->name = name;
    }
}

void mdc_rt_build_catalog(mdc_runtime *rt)
{
    rt->catalog.devices = xcalloc(rt->ndevs ? rt->ndevs : 1, sizeof *rt->catalog.devices);
    for (size_t i = 0; i < rt->ndevs; i++)
        describe_device(&rt->devs[i], &rt->catalog.devices[rt->catalog.ndevices++]);
}

void mdc_rt_free_catalog(mdc_runtime *rt)
{
    for (size_t i = 0; i < rt->catalog.ndevices; i++)
        free(rt->catalog.devices[i].fields);
    free(rt->catalog.devices);
    rt->catalog = (mdc_catalog){0};
}

const mdc_catalog *mdc_runtime_catalog(const mdc_runtime *rt)
{
    return &rt->catalog;
}
