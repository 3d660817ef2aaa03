/* cmd_run.c — mdc run: the daemon (service.c). */
#include "cli.h"

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
           "  --once                   poll every device once, deliver, exit\n"
           "  -h, --help               this help\n"
           "\n"
           "%s",
           cli_common_help, cli_exit_help);
}

int cmd_run(int argc, char **argv)
{
    cli_common c = cli_common_defaults();
    bool once = false;
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
        return cli_bad_arg("run", argv[i]);
    }
    cli_daemon d = {0};
    int rc = cli_daemon_load(&c, &d);
    if (rc == 0) rc = cli_daemon_run(&d, once);
    cli_daemon_free(&d);
    return rc;
}
