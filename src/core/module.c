/* SPDX-License-Identifier: Apache-2.0 */
/* module.c — finds, loads and keeps the modules (module.h). */
#include "module.h"
#include "strbuf.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef MDC_MODULE_INSTALL_DIR /* set by the build: ${libdir}/mdc, absolute */
#define MDC_MODULE_INSTALL_DIR "/usr/local/lib/mdc"
#endif
#ifndef MDC_MODULE_REL_DIR /* set by the build: ${libdir}/mdc relative to ${bindir} */
#define MDC_MODULE_REL_DIR "../lib/mdc"
#endif

#define MAX_MODULES 16

typedef struct loaded {
    char name[32];
    const mdc_module_head *entry;
} loaded;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static loaded modules[MAX_MODULES];
static size_t nmodules;

static int check_entry(const mdc_module_head *h, const char *name, const char *where, mdc_err *err)
{
    if (!h->name || strcmp(h->name, name) != 0)
        return mdc_err_set(err, MDC_ESTATE,
                           "the %s module %s calls itself \"%s\": install the modules of this "
                           "build (or set MDC_MODULE_DIR to them)",
                           name, where, h->name ? h->name : "");
    if (!h->version || strcmp(h->version, MDC_VERSION) != 0)
        return mdc_err_set(err, MDC_ESTATE,
                           "the %s module %s is of mdc %s, this program is mdc %s: install the "
                           "modules of the same build (or set MDC_MODULE_DIR to them)",
                           name, where, h->version ? h->version : "(unknown)", MDC_VERSION);
    return 0;
}

/* The program's folder, "" when unknown. */
static void exe_dir(char *out, size_t n)
{
    char path[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", path, sizeof path - 1);
    out[0] = 0;
    if (len <= 0) return;
    path[len] = 0;
    char *slash = strrchr(path, '/');
    if (!slash) return;
    *slash = 0;
    snprintf(out, n, "%s", path);
}

/* dir/rel into out, each leading "../" of rel taking the last folder off dir. */
static void join_up(const char *dir, const char *rel, char *out, size_t n)
{
    char base[PATH_MAX];
    snprintf(base, sizeof base, "%s", dir);
    while (strncmp(rel, "../", 3) == 0) {
        char *slash = strrchr(base, '/');
        if (!slash || slash == base) break;
        *slash = 0;
        rel += 3;
    }
    snprintf(out, n, "%.*s/%s", PATH_MAX / 2, base, rel);
}

/* The folders to look in, in order, into dirs (each PATH_MAX); returns how many. */
static size_t search_dirs(char dirs[][PATH_MAX])
{
    const char *env = getenv("MDC_MODULE_DIR");
    if (env && *env) {
        snprintf(dirs[0], PATH_MAX, "%s", env);
        return 1;
    }
    char exe[PATH_MAX];
    size_t n = 0;
    exe_dir(exe, sizeof exe);
    if (*exe) {
        snprintf(dirs[n++], PATH_MAX, "%.*s/modules", PATH_MAX - 16, exe);
        join_up(exe, MDC_MODULE_REL_DIR, dirs[n], PATH_MAX);
        if (strcmp(dirs[n], MDC_MODULE_INSTALL_DIR) != 0) n++; /* installed where built for */
    }
    snprintf(dirs[n++], PATH_MAX, "%s", MDC_MODULE_INSTALL_DIR);
    return n;
}

/* Appends "PATH (why)" to the list of what was tried. */
static void tried(strbuf *why, const char *path, const char *reason)
{
    size_t n = strlen(path); /* dlerror() starts with the path: not twice */
    if (strncmp(reason, path, n) == 0 && strncmp(reason + n, ": ", 2) == 0) reason += n + 2;
    sb_printf(why, "%s%s (%s)", why->len ? ", " : "", path, reason);
}

/* dlopen()s DIR/NAME.so; returns the entry, or NULL with why in `why` (appended), or NULL
 * with err set when the file is a module of another build. */
static const mdc_module_head *open_in(const char *dir, const char *name, const char *symbol,
                                      strbuf *why, mdc_err *err)
{
    char path[PATH_MAX + 64];
    if (snprintf(path, sizeof path, "%s/%s.so", dir, name) >= (int)sizeof path) {
        tried(why, dir, "path too long");
        return NULL;
    }
    if (access(path, F_OK) < 0) {
        tried(why, path, strerror(errno));
        return NULL;
    }
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    const mdc_module_head *e = h ? dlsym(h, symbol) : NULL;
    if (!e) {
        const char *d = dlerror();
        tried(why, path, d ? d : "not a module of mdc");
        if (h) dlclose(h);
        return NULL;
    }
    if (check_entry(e, name, path, err) < 0) { /* a module of another build: not used */
        dlclose(h);
        return NULL;
    }
    return e;
}

/* The error when no folder had a usable NAME.so. */
static void not_found(const char *name, bool from_env, const strbuf *why, mdc_err *err)
{
    if (from_env)
        mdc_err_set(err, MDC_EIO,
                    "cannot load the %s module: tried %s; MDC_MODULE_DIR must name the folder "
                    "that holds mdc's modules (unset, mdc uses the installed ones in %s)",
                    name, sb_str(why), MDC_MODULE_INSTALL_DIR);
    else
        mdc_err_set(err, MDC_EIO,
                    "cannot load the %s module: tried %s; install mdc with its modules (make "
                    "install and the mdc package put them in %s), or set MDC_MODULE_DIR to the "
                    "folder that holds %s.so",
                    name, sb_str(why), MDC_MODULE_INSTALL_DIR, name);
}

static const mdc_module_head *find(const char *name, mdc_err *err)
{
    char symbol[64];
    snprintf(symbol, sizeof symbol, "mdc_module_%s", name);
    mdc_err_clear(err);
    const mdc_module_head *e = dlsym(RTLD_DEFAULT, symbol); /* linked in */
    if (e) return check_entry(e, name, "linked in", err) < 0 ? NULL : e;
    char dirs[4][PATH_MAX];
    const char *env = getenv("MDC_MODULE_DIR");
    size_t n = search_dirs(dirs);
    strbuf why = STRBUF_INIT;
    for (size_t i = 0; i < n && !e; i++) {
        e = open_in(dirs[i], name, symbol, &why, err);
        if (!e && err && err->code) break; /* found, but of another build */
    }
    if (!e && !(err && err->code)) not_found(name, env && *env, &why, err);
    sb_free(&why);
    return e;
}

const mdc_module_head *mdc_module_entry(const char *name, mdc_err *err)
{
    if (strlen(name) >= sizeof modules[0].name)
        return mdc_err_set(err, MDC_EINVAL, "module name too long: %s", name), NULL;
    pthread_mutex_lock(&lock);
    const mdc_module_head *e = NULL;
    for (size_t i = 0; i < nmodules && !e; i++)
        if (strcmp(modules[i].name, name) == 0) e = modules[i].entry;
    if (!e && (e = find(name, err)) && nmodules < MAX_MODULES) {
        snprintf(modules[nmodules].name, sizeof modules[0].name, "%s", name);
        modules[nmodules++].entry = e;
    }
    pthread_mutex_unlock(&lock);
    return e;
}

const char *mdc_module_install_dir(void)
{
    return MDC_MODULE_INSTALL_DIR;
}
