/* SPDX-License-Identifier: Apache-2.0 */
/* registry.c — the drivers this build knows: one table, by name, plus drivers registered at run
 * time (tests, embedders) before a runtime is built. A driver in a module (core/module.h) is
 * loaded when it is first looked up. */
#include "runtime.h"

#include "drivers/broute/broute_driver.h"
#include "drivers/lsv2/lsv2_driver.h"
#include "drivers/modbus/modbus_driver.h"

#include "core/catalog.h"
#include "core/keys.h"
#include "core/module.h"
#include "derive/derive.h"
#include "sinks/sink_config.h"

#include <pthread.h>
#include <string.h>

#define MAX_DRIVERS 16

/* names[i] is drivers[i]'s, or, while drivers[i] is NULL, that of a driver in modules[i]. */
static const mdc_driver *drivers[MAX_DRIVERS + 1] = {&mdc_modbus_driver, &mdc_lsv2_driver, NULL,
                                                     &mdc_broute_driver};
static const char *names[MAX_DRIVERS + 1] = {"modbus", "lsv2", "opcua", "broute", NULL};
static const char *modules[MAX_DRIVERS + 1] = {NULL, NULL, "opcua", NULL};
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

/* drivers[i], loading its module on first use. */
static const mdc_driver *resolved(size_t i, mdc_err *err)
{
    pthread_mutex_lock(&load_lock);
    const mdc_driver *d = drivers[i];
    if (!d) {
        const mdc_driver_module *m = (const mdc_driver_module *)mdc_module_entry(modules[i], err);
        for (size_t k = 0; m && m->drivers[k] && !d; k++)
            if (strcmp(m->drivers[k]->name, names[i]) == 0) d = drivers[i] = m->drivers[k];
        if (m && !d)
            mdc_err_set(err, MDC_ESTATE, "the %s module has no driver \"%s\"", modules[i],
                        names[i]);
    }
    pthread_mutex_unlock(&load_lock);
    return d;
}

const mdc_driver *mdc_driver_load(const char *name, mdc_err *err)
{
    mdc_err_clear(err);
    for (size_t i = 0; names[i]; i++)
        if (strcmp(names[i], name) == 0) return resolved(i, err);
    return NULL;
}

const mdc_driver *mdc_driver_find(const char *name)
{
    mdc_err err;
    return mdc_driver_load(name, &err);
}

const char *const *mdc_driver_names(void)
{
    return names;
}

int mdc_driver_register(const mdc_driver *d)
{
    size_t n = 0;
    while (names[n])
        n++;
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], d->name) == 0) return -1;
    if (n == MAX_DRIVERS) return -1;
    drivers[n] = d;
    names[n] = d->name;
    return 0;
}

int mdc_modules_load(mdc_err *err)
{
    int rc = mdc_sink_modules_load(err);
    mdc_err e;
    for (size_t i = 0; names[i]; i++)
        if (!resolved(i, &e) && rc == 0) {
            rc = -1;
            if (err) *err = e;
        }
    return rc;
}

/* The i-th set of a NULL-terminated list, counting i down past the list. */
static const mdc_keyset *nth(const mdc_keyset *const *list, size_t *i)
{
    for (; list && *list; list++)
        if ((*i)-- == 0) return *list;
    return NULL;
}

const mdc_keyset *mdc_keysets(size_t i)
{
    static const mdc_keyset *const core[] = {&mdc_top_keyset,
                                             &mdc_shift_keyset,
                                             &mdc_spool_keyset,
                                             &mdc_runtime_keyset,
                                             &mdc_device_keyset,
                                             &mdc_field_info_keyset,
                                             NULL};
    const mdc_keyset *ks = nth(core, &i);
    if (!ks) ks = nth(mdc_derive_keysets, &i);
    for (size_t k = 0; !ks && names[k]; k++) {
        mdc_err e;
        const mdc_driver *d = resolved(k, &e);
        if (!d) continue; /* a module missing: mdc_modules_load() says which */
        const mdc_keyset *const own[] = {d->keys, NULL};
        if (d->keys) ks = nth(own, &i);
        if (!ks) ks = nth(d->nested_keys, &i);
    }
    return ks ? ks : mdc_sink_type_keys(i);
}
