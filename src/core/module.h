/* SPDX-License-Identifier: Apache-2.0 */
/* module.h — the parts of mdc a configuration may not use, loaded on first use.
 *
 * The PostgreSQL sink, the HTTP sinks (webhook, Pub/Sub), the MQTT sinks (MQTT, Sparkplug B),
 * the OPC UA driver and the HTTP server each live in a module: a shared object NAME.so that
 * pulls in the libraries only it needs (libpq, libcurl, libmosquitto, OpenSSL, ...). A site
 * that uses none of them maps none of those libraries.
 *
 * A module exports one symbol, mdc_module_NAME, a struct whose first member is an
 * mdc_module_head; the rest is the layer's own (sinks/sink_config.h, runtime/runtime.h, ...).
 * The module resolves the program's own functions (core, format, store, sinks) from the
 * program, which exports them (-rdynamic).
 *
 * Where mdc_module_entry() looks, in this order:
 *   1. the program itself: a program that links a module's code (tests, tools) uses it as is;
 *   2. $MDC_MODULE_DIR, when set (then only there);
 *   3. DIR/modules, DIR being the program's folder (the build tree);
 *   4. the install folder relative to the program's folder (a relocated install, DESTDIR);
 *   5. the install folder compiled in (${libdir}/mdc).
 * A module loaded stays loaded until the process ends. Thread-safe. */
#ifndef MDC_MODULE_H
#define MDC_MODULE_H

#include "err.h"

typedef struct mdc_module_head {
    const char *name;    /* "postgres": the file postgres.so, the symbol mdc_module_postgres */
    const char *version; /* MDC_VERSION of the build: a module of another build is refused */
} mdc_module_head;

/* The module's entry (its mdc_module_head first), or NULL with err saying which file was
 * looked for where, why it could not be loaded (dlerror) and what to do. */
const mdc_module_head *mdc_module_entry(const char *name, mdc_err *err);

/* The install folder compiled in (${libdir}/mdc), static. */
const char *mdc_module_install_dir(void);

#endif
