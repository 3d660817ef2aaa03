/* cmd_run.c — mdc run: the daemon. */
#include "cli.h"

#include "core/log.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

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

int cli_run_daemon(mdc_runtime *rt, bool once)
{
    tune_process();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* threads inherit the mask; main waits below */
    mdc_run_opts opts = {.once = once};
    mdc_err err = {0};
    const mdc_config *cfg = mdc_runtime_config(rt);
    if (mdc_runtime_start(rt, &opts, &err) < 0) {
        LOG_ERROR(NULL, "cannot start: %s", err.msg);
        mdc_runtime_stop(rt);
        return 1;
    }
    LOG_INFO(NULL, "mdc %s collecting from %zu device%s into %zu sink%s (%s)", MDC_VERSION,
             mdc_runtime_device_count(rt), mdc_runtime_device_count(rt) == 1 ? "" : "s",
             mdc_runtime_sink_count(rt), mdc_runtime_sink_count(rt) == 1 ? "" : "s",
             mdc_cfgdoc_name(cfg->doc));
    int rc = 0;
    if (once) {
        rc = mdc_runtime_wait_once(rt, 600) < 0 ? 1 : 0;
    } else {
        for (;;) {
            struct timespec ts = {.tv_sec = 1};
            int sig = sigtimedwait(&set, NULL, &ts);
            if (sig == SIGINT || sig == SIGTERM) {
                LOG_INFO(NULL, "%s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
                break;
            }
            if (sig == SIGHUP)
                LOG_WARN(NULL, "SIGHUP: configuration reload is not supported yet; restart mdc "
                               "to apply changes");
        }
    }
    mdc_runtime_stop(rt);
    LOG_INFO(NULL, "stopped");
    return rc;
}

int cmd_run(int argc, char **argv)
{
    cli_common c = {0};
    bool once = false;
    for (int i = 1; i < argc; i++) {
        int r = cli_common_option(&c, argc, argv, &i);
        if (r < 0) return 2;
        if (r) continue;
        if (!strcmp(argv[i], "--once")) {
            once = true;
            continue;
        }
        fprintf(stderr, "mdc run: unknown option '%s'\n", argv[i]);
        return 2;
    }
    mdc_config *cfg;
    mdc_runtime *rt;
    int rc = cli_load(&c, &cfg, &rt);
    if (rc) return rc;
    /* Everything is parsed: the JSON tree is no longer needed (large sites: megabytes). */
    mdc_cfgdoc_drop_tree(cfg->doc);
    malloc_trim(0);
    rc = cli_run_daemon(rt, once);
    mdc_runtime_free(rt);
    mdc_config_free(cfg);
    return rc;
}
