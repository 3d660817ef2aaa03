/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_demo.c — mdc demo: starts simulated energy meters (mdc-sim, demo_sims.c) and collects
 * from them into the embedded store, printing live records; what `./run demo` ends in. It also
 * writes DATA_DIR/mdc.json, a configuration for the running simulators, so that the README's
 * `mdc check/read/run -c data/mdc.json` work beside it. */
#include "cli.h"
#include "demo_sims.h"

#include "core/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage_text[] =
    "usage: mdc demo [OPTIONS]\n"
    "\n"
    "Starts two simulated energy meters (mdc-sim modbus: one on Modbus TCP, one on Modbus RTU\n"
    "over a pseudo-terminal) and collects from them: records on stdout and in DATA_DIR/mdc.db,\n"
    "the dashboard on http://127.0.0.1:8080/ ($MDC_HTTP_LISTEN moves it). Ctrl-C stops it.\n"
    "Change a meter's state with: echo 'state off' > DATA_DIR/sim-meter-1.ctl (also state idle,\n"
    "state production, cycle, silence SECONDS; mdc-sim modbus --help lists every command).\n"
    "DATA_DIR/mdc.json is written for the running simulators: mdc check|read|run -c it.\n"
    "\n"
    "options:\n"
    "  -c, --config FILE        collect with this configuration instead of the built-in one\n"
    "                           (${MDC_DEMO_TCP_PORT} and ${MDC_DEMO_PTY} name the simulators)\n"
    "  --data-dir DIR           where the store, spool and simulator files go (default: data)\n"
    "  --timezone NAME          override the timezone (IANA name)\n"
    "  --log-level LEVEL        debug, info, warn, error\n"
    "  -h, --help               this help\n";

/* Replaces the first `from` in *text by `to`; false when it is not there. */
static bool replace(strbuf *text, const char *from, const char *to)
{
    const char *hit = strstr(sb_str(text), from);
    if (!hit) return false;
    strbuf out = STRBUF_INIT;
    sb_append(&out, text->buf, (size_t)(hit - text->buf));
    sb_puts(&out, to);
    sb_puts(&out, hit + strlen(from));
    sb_free(text);
    *text = out;
    return true;
}

/* The built-in configuration with the simulators' addresses filled in, its own data_dir (the
 * demo's store stays the demo's) and no HTTP server (the demo's holds the port). */
static int demo_json(const char *data_dir, const demo_sims *d, strbuf *out)
{
    char port[16];
    snprintf(port, sizeof port, "%d", d->tcp_port);
    strbuf run_dir = STRBUF_INIT, comment = STRBUF_INIT;
    sb_printf(&run_dir, "\"data_dir\": \"%s/run\"", data_dir);
    sb_printf(&comment,
              "{\n  \"_comment\": \"Written by mdc demo for its running simulators (Modbus TCP "
              "127.0.0.1:%d, RTU %s). The demo's own store is %s/mdc.db; mdc run -c this file "
              "stores in %s/run. meter-2's serial line is the demo's while it runs. See "
              "docs/configuration.md.\",",
              d->tcp_port, d->pty, data_dir, data_dir);
    sb_puts(out, mdc_demo_config);
    bool ok =
        replace(out, "{", sb_str(&comment)) &&
        replace(out, "\"data_dir\": \"data\"", sb_str(&run_dir)) &&
        replace(out, "${MDC_DEMO_TCP_PORT:-15020}", port) &&
        replace(out, "${MDC_DEMO_PTY:-data/tty-meter-2}", d->pty) &&
        replace(out, "\"id\": \"meter-2\",",
                "\"id\": \"meter-2\", \"enabled\": false, \"_comment\": \"Disabled: a serial "
                "line has one master, and while the demo runs that is the demo.\",") &&
        replace(out, "  \"http\": { \"listen\": \"${MDC_HTTP_LISTEN:-127.0.0.1:8080}\" },\n", "");
    sb_free(&run_dir);
    sb_free(&comment);
    return ok ? 0 : -1;
}

static void write_demo_json(const char *data_dir, const demo_sims *d)
{
    strbuf pathb = STRBUF_INIT, text = STRBUF_INIT;
    sb_printf(&pathb, "%s/mdc.json", data_dir);
    const char *path = sb_str(&pathb);
    FILE *f = NULL;
    if (demo_json(data_dir, d, &text) < 0)
        LOG_WARN("demo", "%s not written: examples/demo.json lacks an expected setting", path);
    else if (!(f = fopen(path, "w")) || fputs(sb_str(&text), f) == EOF || fclose(f) != 0)
        LOG_WARN("demo", "cannot write %s: %s", path, strerror(errno));
    else
        LOG_INFO("demo", "wrote %s for the running simulators (mdc check|read|run -c %s)", path,
                 path);
    sb_free(&text);
    sb_free(&pathb);
}

static int load_builtin(cli_common *c, cli_daemon *dm)
{
    mdc_err err = {0};
    if (mdc_config_load_string("examples/demo.json", mdc_demo_config, strlen(mdc_demo_config),
                               &c->ov, &dm->cfg, &err) < 0 ||
        mdc_runtime_build(dm->cfg, &dm->rt, &err) < 0 || cli_daemon_prepare(dm, &err) < 0) {
        fprintf(stderr, "mdc demo: %s\n", err.msg);
        return 2;
    }
    return 0;
}

static int parse_args(int argc, char **argv, cli_common *c)
{
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(usage_text, stdout);
            return 0;
        }
        int r = cli_common_option(c, argc, argv, &i);
        if (r < 0) return 2;
        if (r == 0) return cli_bad_arg("demo", argv[i]);
    }
    return -1;
}

int cmd_demo(int argc, char **argv)
{
    cli_common c = cli_common_defaults();
    int rc = parse_args(argc, argv, &c);
    if (rc >= 0) return rc;
    const char *dir = c.ov.data_dir ? c.ov.data_dir : "data";
    char data_dir[PATH_MAX];
    if ((mkdir(dir, 0755) < 0 && errno != EEXIST) || !realpath(dir, data_dir)) {
        fprintf(stderr, "mdc demo: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    mdc_dirlock *lock = NULL; /* before the simulators start */
    if (cli_lock_data_dir(data_dir, "(another mdc demo or mdc run? --data-dir DIR)", &lock) < 0)
        return 1;
    demo_sims d;
    if (demo_sims_start(&d, data_dir) < 0) {
        demo_sims_stop(&d);
        mdc_dirlock_release(lock);
        return 1;
    }
    char port[16];
    snprintf(port, sizeof port, "%d", d.tcp_port);
    setenv("MDC_DEMO_TCP_PORT", port, 1);
    setenv("MDC_DEMO_PTY", d.pty, 1);
    fprintf(stderr,
            "mdc demo: simulated meters running (Modbus TCP on 127.0.0.1:%d, RTU on %s);"
            " records go to stdout and %s/mdc.db. Ctrl-C stops.\n"
            "mdc demo: change a meter's state: echo 'state off' > %s (also state idle, state"
            " production, cycle, silence 10; meter-2: %s)\n",
            d.tcp_port, d.pty, dir, d.ctl[0], d.ctl[1]);
    if (!c.config) write_demo_json(data_dir, &d);
    cli_daemon dm = {.lock = lock}; /* released by cli_daemon_free */
    c.ov.data_dir = dir;
    rc = c.config ? cli_daemon_load(&c, &dm) : load_builtin(&c, &dm);
    if (rc == 0) rc = cli_daemon_run(&dm, false);
    cli_daemon_free(&dm);
    demo_sims_stop(&d);
    return rc;
}
