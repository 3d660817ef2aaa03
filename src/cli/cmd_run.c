/* cmd_run.c — mdc run: the daemon (service.c). */
#include "cli.h"

#include <stdio.h>
#include <string.h>

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
    cli_daemon d = {0};
    int rc = cli_daemon_load(&c, &d);
    if (rc == 0) rc = cli_daemon_run(&d, once);
    cli_daemon_free(&d);
    return rc;
}
