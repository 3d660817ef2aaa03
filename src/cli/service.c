/* SPDX-License-Identifier: Apache-2.0 */
/* service.c — the daemon's life: start, the signal loop, reload on SIGHUP, drain on SIGTERM,
 * systemd notifications and the HTTP server. */
#include "cli.h"
#include "http_module.h"
#include "sd_notify.h"

#include "core/clock.h"
#include "core/log.h"

#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define TICK_US (1 * MDC_US_PER_SEC)
#define TRIM_US (60 * MDC_US_PER_SEC)

/* Many threads, few allocations each: a couple of malloc arenas keep the footprint small. */
static void tune_process(void)
{
    mallopt(M_ARENA_MAX, 2);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    signal(SIGPIPE, SIG_IGN);
}

static void block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, set, NULL); /* threads inherit the mask; main waits for them */
}

/* err.msg with the configuration's secrets masked. */
static void log_masked(const mdc_config *cfg, const char *prefix, const char *msg)
{
    strbuf m = STRBUF_INIT;
    sb_puts(&m, msg);
    if (cfg) mdc_cfgdoc_mask(cfg->doc, &m);
    LOG_ERROR(NULL, "%s%s", prefix, sb_str(&m));
    sb_free(&m);
}

int cli_daemon_prepare(cli_daemon *d, mdc_err *err)
{
    d->has_http = d->cfg->has_http;
    if (d->has_http && cli_http_cfg_parse(&d->cfg->http, &d->http, err) < 0) {
        d->has_http = false;
        return -1;
    }
    /* Everything is parsed: the JSON tree is no longer needed (large sites: megabytes). */
    mdc_cfgdoc_drop_tree(d->cfg->doc);
    malloc_trim(0);
    return 0;
}

int cli_daemon_load(const cli_common *c, cli_daemon *d)
{
    int rc = cli_load(c, &d->cfg, &d->rt);
    if (rc) { /* cli_load has freed what it built */
        d->cfg = NULL;
        d->rt = NULL;
        return rc;
    }
    d->common = c;
    mdc_err err = {0};
    if (cli_daemon_prepare(d, &err) < 0) {
        strbuf m = STRBUF_INIT;
        sb_puts(&m, err.msg);
        mdc_cfgdoc_mask(d->cfg->doc, &m);
        fprintf(stderr, "mdc: %s\n", sb_str(&m));
        sb_free(&m);
        return 2;
    }
    return 0;
}

void cli_daemon_free(cli_daemon *d)
{
    mdc_runtime_free(d->rt);
    mdc_config_free(d->cfg);
    if (d->has_http) cli_http_cfg_free(&d->http);
    mdc_dirlock_release(d->lock);
    d->rt = NULL;
    d->cfg = NULL;
    d->has_http = false;
    d->lock = NULL;
}

int cli_lock_data_dir(const char *dir, const char *hint, mdc_dirlock **out)
{
    mdc_err err = {0};
    if (mdc_dirlock_acquire(dir, out, &err) == 0) return 0;
    LOG_ERROR(NULL, "cannot start: %s%s%s", err.msg, hint ? " " : "", hint ? hint : "");
    return -1;
}

/* The new configuration's data directory: the same lock, or the new directory's. */
static int lock_for_reload(cli_daemon *d, cli_daemon *nd, mdc_err *err)
{
    const char *dir = mdc_runtime_config(nd->rt)->data_dir;
    if (d->lock && strcmp(mdc_dirlock_dir(d->lock), dir) == 0) {
        nd->lock = d->lock;
        d->lock = NULL;
        return 0;
    }
    return mdc_dirlock_acquire(dir, &nd->lock, err);
}

/* ---- HTTP ---- */

static int start_http(const mdc_http_cfg *cfg, mdc_http **out)
{
    mdc_err err = {0};
    if (cli_http_start(cfg, out, &err) < 0) {
        LOG_ERROR("http", "%s", err.msg);
        return -1;
    }
    const char *host = cfg->host[0] ? cfg->host : "0.0.0.0";
    bool v6 = strchr(host, ':') != NULL;
    LOG_INFO("http", "serving the dashboard, API and metrics on http://%s%s%s:%d/%s", v6 ? "[" : "",
             host, v6 ? "]" : "", cli_http_port(*out),
             cfg->token ? " (bearer token required)" : "");
    return 0;
}

/* After a reload: restarts the server when its settings changed (or it is new or gone). */
static void apply_http(cli_daemon *d, const cli_daemon *old, mdc_http **http)
{
    if (old->has_http && d->has_http && *http && cli_http_cfg_equal(&old->http, &d->http)) return;
    if (*http) {
        cli_http_stop(*http);
        *http = NULL;
        if (!d->has_http) LOG_INFO("http", "stopped (no \"http\" in the new configuration)");
    }
    if (d->has_http) start_http(&d->http, http);
}

/* ---- runtime ---- */

static int start_runtime(cli_daemon *d, mdc_http *http, bool once)
{
    mdc_run_opts opts = {.once = once};
    mdc_err err = {0};
    if (http) cli_http_attach(http, d->rt);
    if (mdc_runtime_start(d->rt, &opts, &err) < 0) {
        log_masked(mdc_runtime_config(d->rt), "cannot start: ", err.msg);
        return -1;
    }
    return 0;
}

static void stop_runtime(cli_daemon *d, mdc_http *http)
{
    if (http) cli_http_attach(http, NULL); /* requests no longer touch it */
    mdc_runtime_stop(d->rt);
}

static void announce(const cli_daemon *d, const char *verb)
{
    size_t nd = mdc_runtime_device_count(d->rt), ns = mdc_runtime_sink_count(d->rt);
    LOG_INFO(NULL, "mdc %s %s from %zu device%s into %zu sink%s (%s)", MDC_VERSION, verb, nd,
             nd == 1 ? "" : "s", ns, ns == 1 ? "" : "s",
             mdc_cfgdoc_name(mdc_runtime_config(d->rt)->doc));
    mdc_sd_notifyf("READY=1\nSTATUS=collecting from %zu device%s into %zu sink%s", nd,
                   nd == 1 ? "" : "s", ns, ns == 1 ? "" : "s");
}

/* ---- reload ---- */

/* Builds the new configuration without touching the running one. */
static int load_new(const cli_common *c, cli_daemon *nd, int *level, mdc_err *err)
{
    if (mdc_config_load(c->config, &c->ov, &nd->cfg, err) < 0) return -1;
    const char *lv = c->log_level ? c->log_level : nd->cfg->log_level;
    *level = lv ? mdc_log_level_parse(lv) : mdc_log_get_level();
    if (*level < 0)
        return mdc_err_set(err, MDC_EINVAL, "%s: log_level: unknown level \"%s\"", c->config, lv);
    if (mdc_runtime_build(nd->cfg, &nd->rt, err) < 0) return -1;
    return cli_daemon_prepare(nd, err);
}

static void notify_reloading(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    mdc_sd_notifyf("RELOADING=1\nMONOTONIC_USEC=%lld",
                   (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000);
}

/* Returns 0 (reloaded, or kept the old configuration) or -1 (the new one could not start). */
static int reload(cli_daemon *d, mdc_http **http)
{
    if (!d->common || !d->common->config) {
        LOG_WARN(NULL, "SIGHUP: the configuration is built in; nothing to reload");
        return 0;
    }
    LOG_INFO(NULL, "SIGHUP: reloading %s", d->common->config);
    notify_reloading();
    cli_daemon nd = {.common = d->common};
    int level;
    mdc_err err = {0};
    if (load_new(d->common, &nd, &level, &err) < 0 || lock_for_reload(d, &nd, &err) < 0) {
        log_masked(nd.cfg, "reload failed; still running the previous configuration: ", err.msg);
        cli_daemon_free(&nd);
        cli_http_note_reload(*http, false);
        mdc_sd_notify("READY=1");
        return 0;
    }
    mdc_runtime_set_drain(d->rt, 0.2); /* spooled records stay on disk for the new runtime */
    stop_runtime(d, *http);
    cli_daemon old = *d;
    *d = nd;
    mdc_log_set_level(level);
    apply_http(d, &old, http);
    cli_daemon_free(&old);
    if (start_runtime(d, *http, false) < 0) return -1;
    cli_http_note_reload(*http, true);
    announce(d, "reloaded: collecting");
    return 0;
}

/* ---- the loop ---- */

/* Heap pages freed since the last minute go back to the system: a catch-up burst or a reload
 * leaves free memory in the malloc arenas that would stay resident otherwise. */
static void trim_heap(int64_t *last_trim)
{
    int64_t now = mdc_mono_us();
    if (now - *last_trim < TRIM_US) return;
    *last_trim = now;
    malloc_trim(0);
}

static int wait_signals(cli_daemon *d, const sigset_t *set, mdc_http **http)
{
    int64_t wd = mdc_sd_watchdog_us(), tick = TICK_US, last_ping = 0, last_trim = mdc_mono_us();
    if (wd > 0 && wd / 2 < tick) tick = wd / 2;
    for (;;) {
        struct timespec ts = {.tv_sec = tick / MDC_US_PER_SEC,
                              .tv_nsec = (tick % MDC_US_PER_SEC) * 1000};
        int sig = sigtimedwait(set, NULL, &ts);
        if (wd > 0 && mdc_mono_us() - last_ping >= wd / 2) {
            mdc_sd_notify("WATCHDOG=1");
            last_ping = mdc_mono_us();
        }
        if (sig == SIGINT || sig == SIGTERM) {
            LOG_INFO(NULL, "%s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
            return 0;
        }
        if (sig == SIGHUP && reload(d, http) < 0) return 1;
        trim_heap(&last_trim);
    }
}

/* ---- --once ---- */

/* The exit status of a finished (or abandoned) --once run: cli.h. */
static int once_status(const mdc_once_progress *p)
{
    bool device = p->failed > 0 || p->polled < p->devices;
    bool delivery = p->backlog > 0 || p->dead_lettered > 0 || p->lost > 0;
    return device && delivery ? CLI_ONCE_BOTH
           : device           ? CLI_ONCE_DEVICE_FAILED
           : delivery         ? CLI_ONCE_UNDELIVERED
                              : 0;
}

static void once_summary(const mdc_once_progress *p, int rc)
{
    int level = rc ? MDC_LOG_WARN : MDC_LOG_INFO;
    mdc_log(level, NULL,
            "--once: %zu of %zu device%s polled, %zu unreachable; %lld record%s not delivered "
            "(kept in the spool), %llu refused (dead letters), %llu lost; exit status %d",
            p->polled, p->devices, p->devices == 1 ? "" : "s", p->failed, (long long)p->backlog,
            p->backlog == 1 ? "" : "s", (unsigned long long)p->dead_lettered,
            (unsigned long long)p->lost, rc);
}

/* Waits until every device has been polled and every record delivered, the timeout, or
 * SIGINT/SIGTERM (checked every 100 ms; exit status 128 + the signal). */
static int wait_once(cli_daemon *d, const sigset_t *set)
{
    double timeout_s = d->once_timeout_s > 0 ? d->once_timeout_s : CLI_ONCE_TIMEOUT_S;
    int64_t deadline = mdc_mono_us() + (int64_t)(timeout_s * 1e6);
    mdc_once_progress p;
    while (!mdc_runtime_once_progress(d->rt, &p)) {
        if (mdc_mono_us() >= deadline) {
            LOG_WARN(NULL, "--once: gave up after %g s (--timeout)", timeout_s);
            mdc_runtime_set_drain(d->rt, 0); /* waited long enough: the spool keeps the rest */
            break;
        }
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};
        int sig = sigtimedwait(set, NULL, &ts);
        if (sig == SIGINT || sig == SIGTERM) {
            LOG_INFO(NULL,
                     "%s: stopping before every device was polled and every record "
                     "delivered; what is spooled stays for the next run",
                     sig == SIGINT ? "SIGINT" : "SIGTERM");
            mdc_runtime_set_drain(d->rt, 0.2);
            return 128 + sig;
        }
    }
    int rc = once_status(&p);
    once_summary(&p, rc);
    return rc;
}

int cli_daemon_run(cli_daemon *d, bool once)
{
    if (!d->lock && cli_lock_data_dir(mdc_runtime_config(d->rt)->data_dir, NULL, &d->lock) < 0)
        return 1;
    tune_process();
    sigset_t set;
    block_signals(&set);
    mdc_http *http = NULL;
    if (!once && d->has_http && start_http(&d->http, &http) < 0) return 1;
    if (start_runtime(d, http, once) < 0) {
        stop_runtime(d, http);
        cli_http_stop(http);
        return 1;
    }
    announce(d, "collecting");
    int rc = once ? wait_once(d, &set) : wait_signals(d, &set, &http);
    mdc_sd_notify("STOPPING=1");
    stop_runtime(d, http);
    cli_http_stop(http);
    LOG_INFO(NULL, "stopped");
    return rc;
}

int cli_run_daemon(mdc_runtime *rt, bool once, mdc_dirlock *lock)
{
    cli_daemon d = {.rt = rt, .lock = lock};
    int rc = cli_daemon_run(&d, once);
    if (!lock) mdc_dirlock_release(d.lock); /* taken here */
    return rc;
}
