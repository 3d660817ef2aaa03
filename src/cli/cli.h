/* SPDX-License-Identifier: Apache-2.0 */
/* cli.h — the subcommands of the mdc program. Each returns the process exit code:
 * 0 success, 1 runtime failure, 2 usage or configuration error. */
#ifndef MDC_CLI_H
#define MDC_CLI_H

#include "core/config.h"
#include "core/dirlock.h"
#include "http/http.h"
#include "runtime/runtime.h"

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_read(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_spool(int argc, char **argv);
int cmd_keys(int argc, char **argv);

/* Options shared by the commands that load a configuration. */
typedef struct cli_common {
    const char *config;
    mdc_config_overrides ov;
    const char *log_level;
} cli_common;

/* Options before parsing: under systemd an unreadable .env is left to LoadCredential= or
 * EnvironmentFile= (config.h's skip_unreadable_dotenv). */
cli_common cli_common_defaults(void);
/* Parses -c/--config, --data-dir, --timezone, --log-level at argv[*i] (also --opt=VALUE);
 * returns 1 if consumed, 0 if not a common option, -1 on a usage error (printed). */
int cli_common_option(cli_common *c, int argc, char **argv, int *i);
/* The help lines of those options, for each command's --help. */
extern const char cli_common_help[];
/* "-h" or "--help". */
bool cli_is_help(const char *arg);
/* An argument `mdc CMD` does not take: prints "mdc CMD: unknown option '--x' (mdc CMD --help
 * lists the options)" (or "unexpected argument") and returns 2. */
int cli_bad_arg(const char *cmd, const char *arg);
/* The value of option argv[*i] ("--opt VALUE" or "--opt=VALUE" when argv[*i] starts with
 * `opt`); NULL when argv[*i] is another option. A missing value is printed and *missing set. */
const char *cli_value(const char *cmd, int argc, char **argv, int *i, const char *opt,
                      bool *missing);
/* Exit codes (cli.h's header): for --help texts and the man pages. */
extern const char cli_exit_help[];
/* Takes systemd's credentials into the environment (credentials.h), loads the configuration
 * and builds the runtime (rt NULL: not); prints errors. Returns 0 or an exit code. */
int cli_load(const cli_common *c, mdc_config **cfg, mdc_runtime **rt);
/* Runs the daemon until SIGINT/SIGTERM (or, with once, one poll of each device); no HTTP
 * server and no reload. lock: the data directory's lock the caller already holds (and keeps
 * owning), or NULL to take it here for the run. */
int cli_run_daemon(mdc_runtime *rt, bool once, mdc_dirlock *lock);

/* The daemon of `mdc run` and `mdc demo`: its configuration and runtime (owned; a reload
 * replaces them) and its HTTP settings. */
typedef struct cli_daemon {
    const cli_common *common; /* where SIGHUP reloads from; NULL: it cannot */
    mdc_config *cfg;
    mdc_runtime *rt;
    bool has_http;
    mdc_http_cfg http;
    mdc_dirlock *lock;     /* the data directory's (core/dirlock.h); taken by cli_daemon_run */
    double once_timeout_s; /* --once: give up after this long (0: CLI_ONCE_TIMEOUT_S) */
} cli_daemon;

/* `mdc run --once` exit statuses besides 0 (every device read, every record delivered), 1 (could
 * not start) and 2 (usage or configuration): */
#define CLI_ONCE_DEVICE_FAILED 3 /* a device could not be read (or was not polled in time) */
#define CLI_ONCE_UNDELIVERED   4 /* a record is not delivered: still spooled, refused or lost */
#define CLI_ONCE_BOTH          5 /* both */
/* and 128 + N when signal N (SIGINT 130, SIGTERM 143) stopped it first. */
#define CLI_ONCE_TIMEOUT_S 600.0

/* Loads the configuration file, builds the runtime and reads the HTTP settings; prints errors.
 * Returns 0 or an exit code. */
int cli_daemon_load(const cli_common *c, cli_daemon *d);
/* Reads the HTTP settings of an already built d->cfg and frees its JSON tree. */
int cli_daemon_prepare(cli_daemon *d, mdc_err *err);
/* Runs until SIGINT/SIGTERM: locks the data directory (unless d->lock is set), serves HTTP when
 * configured, tells systemd (sd_notify: READY, WATCHDOG, RELOADING, STOPPING), reloads on
 * SIGHUP. Returns the exit code (1 when the data directory is another process's). */
int cli_daemon_run(cli_daemon *d, bool once);
void cli_daemon_free(cli_daemon *d); /* also releases the lock */
/* Locks dir for this process, or logs why not (with `hint` appended when not NULL). */
int cli_lock_data_dir(const char *dir, const char *hint, mdc_dirlock **out);
/* The demo's configuration, embedded at build time from examples/demo.json. */
extern const char mdc_demo_config[];

#endif
