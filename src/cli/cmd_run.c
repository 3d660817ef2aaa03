/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_run.c — mdc run: the daemon (service.c). */
#include "cli.h"

#include "core/clock.h"
#include "core/confread.h"

#include <stdio.h>
#include <string.h>

static void usage(void)
{
    printf("usage: mdc run -c FILE [OPTIONS]\n"
           "\n"
           "Collects from every configured device into every sink until SIGINT or SIGTERM\n"
           "(then delivers what is waiting for a few seconds and exits 0); SIGHUP reloads the\n"
           "configuration. Under systemd it reports readiness, watchdog and reloads.\n"
           "\n"
           "options:\n"
           "%s"
           "  --once                   poll every device once, deliver, exit: 0 all read and\n"
           "                           delivered, 3 a device failed, 4 a record not delivered,\n"
           "                           5 both, 128+N stopped by signal N (man mdc: EXIT STATUS)\n"
           "  --timeout DURATION       (--once) give up after this long (default 10m)\n"
           "  -h, --help               this help\n"
           "\n"
           "%s",
           cli_common_help, cli_exit_help);
}

/* --timeout's value (NULL: not given) → seconds in *out (0: the default); prints errors. */
static int parse_timeout(const char *timeout, bool once, double *out)
{
    int64_t us = 0;
    *out = 0;
    if (!timeout) return 0;
    if (!once) {
        fprintf(stderr, "mdc run: --timeout needs --once\n");
        return -1;
    }
    if (mdc_parse_duration_us(timeout, &us) < 0) {
        fprintf(stderr,
                "mdc run: --timeout: bad duration '%s'; use seconds (30) or \"500ms\", \"30s\", "
                "\"5m\"\n",
                timeout);
        return -1;
    }
    *out = (double)us / 1e6;
    return 0;
}

int cmd_run(int argc, char **argv)
{
    cli_common c = cli_common_defaults();
    bool once = false, missing = false;
    const char *timeout = NULL, *v;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            usage();
            return 0;
        }
        int r = cli_common_option(&c, argc, argv, &i);
        if (r < 0) return 2;
        if (r) continue;
        if (!strcmp(argv[i], "--once")) {
            once = true;
            continue;
        }
        if ((v = cli_value("run", argc, argv, &i, "--timeout", &missing))) {
            timeout = v;
            continue;
        }
        if (missing) return 2;
        return cli_bad_arg("run", argv[i]);
    }
    cli_daemon d = {0};
    if (parse_timeout(timeout, once, &d.once_timeout_s) < 0) return 2;
    int rc = cli_daemon_load(&c, &d);
    if (rc == 0) rc = cli_daemon_run(&d, once);
    cli_daemon_free(&d);
    return rc;
}
