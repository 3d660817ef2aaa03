/* SPDX-License-Identifier: Apache-2.0 */
/* catalog_build.c — the runtime's catalog (core/catalog.h) from its devices: each device's
 * fields in record order, described by what its driver knows about them, then the fields its
 * derive rules add. A device value named like a derived one is NAME_raw in the record (derive.h)
 * and so in the catalog; the catalog owns those names. */
#include "runtime_internal.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *raw_name(mdc_runtime *rt, const char *name)
{
    size_t n = strlen(name);
    char *raw = xmalloc(n + 5);
    memcpy(raw, name, n);
    memcpy(raw + n, "_raw", 5);
    rt->catalog_names = xrealloc(rt->catalog_names, (rt->ncatalog_names + 1) * sizeof(char *));
    rt->catalog_names[rt->ncatalog_names++] = raw;
    return raw;
}

static void describe_driver_field(mdc_runtime *rt, const mdc_rt_device *d, const char *name,
                                  mdc_field_info *f)
{
    *f = mdc_field_info_none(name);
    if (d->driver->field_info) d->driver->field_info(d->dcfg, name, f);
    f->name = mdc_derive_produces(&d->derive, &rt->shifts, name) ? raw_name(rt, name) : name;
    mdc_field_info_infer(f);
}

static void describe_device(mdc_runtime *rt, const mdc_rt_device *d, mdc_device_info *di)
{
    const mdc_shift_ctx *shifts = &rt->shifts;
    di->id = d->cfg->id;
    di->driver = d->driver->name;
    di->has_machine_id = d->cfg->has_machine_id;
    di->machine_id = d->cfg->machine_id;
    const char *derived[5];
    size_t nderived = mdc_derive_outputs(&d->derive, shifts, derived);
    size_t n = 0;
    while (d->fields[n])
        n++;
    di->fields = xcalloc(n + nderived + 1, sizeof *di->fields);
    for (size_t i = 0; i < n; i++) {
        if (d->fields[i][0] == '_') continue; /* hidden: for derive rules only */
        describe_driver_field(rt, d, d->fields[i], &di->fields[di->nfields++]);
    }
    for (size_t i = 0; i < nderived; i++) {
        mdc_field_info *f = &di->fields[di->nfields++];
        *f = mdc_field_info_none(derived[i]);
        mdc_derive_field_info(derived[i], f);
        mdc_field_info_infer(f);
    }
}

void mdc_rt_build_catalog(mdc_runtime *rt)
{
    rt->catalog.devices = xcalloc(rt->ndevs ? rt->ndevs : 1, sizeof *rt->catalog.devices);
    for (size_t i = 0; i < rt->ndevs; i++)
        describe_device(rt, &rt->devs[i], &rt->catalog.devices[rt->catalog.ndevices++]);
}

void mdc_rt_free_catalog(mdc_runtime *rt)
{
    for (size_t i = 0; i < rt->catalog.ndevices; i++)
        free(rt->catalog.devices[i].fields);
    for (size_t i = 0; i < rt->ncatalog_names; i++)
        free(rt->catalog_names[i]);
    free(rt->catalog_names);
    rt->catalog_names = NULL;
    rt->ncatalog_names = 0;
    free(rt->catalog.devices);
    rt->catalog = (mdc_catalog){0};
}

const mdc_catalog *mdc_runtime_catalog(const mdc_runtime *rt)
{
    return &rt->catalog;
}
