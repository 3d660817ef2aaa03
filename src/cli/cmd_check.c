/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_check.c — mdc check: validate a configuration and print the plan. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static void usage(void)
{
    printf("usage: mdc check -c FILE [OPTIONS]\n"
           "\n"
           "Validates a configuration (every key, value and reference, the \"http\" object too)\n"
           "and prints what would run: devices, points, merged requests, rules and sinks, with\n"
           "secrets masked. Opens no connection.\n"
           "\n"
           "options:\n"
           "%s"
           "  -h, --help               this help\n"
           "\n"
           "exit status: 0 valid; 2 invalid (the message names file:line:column and key).\n",
           cli_common_help);
}

int cmd_check(int argc, char **argv)
{
    cli_common c = cli_common_defaults();
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            usage();
            return 0;
        }
        int r = cli_common_option(&c, argc, argv, &i);
        if (r < 0) return 2;
        if (r == 0) return cli_bad_arg("check", argv[i]);
    }
    cli_daemon d = {0}; /* everything `mdc run` would read, the "http" object too */
    int rc = cli_daemon_load(&c, &d);
    if (rc) {
        cli_daemon_free(&d); /* an invalid "http" leaves the configuration and runtime built */
        return rc;
    }
    strbuf out = STRBUF_INIT;
    mdc_runtime_describe(d.rt, &out);
    if (d.has_http)
        sb_printf(&out, "http: %s%s%s:%d%s\n", strchr(d.http.host, ':') ? "[" : "",
                  d.http.host[0] ? d.http.host : "*", strchr(d.http.host, ':') ? "]" : "",
                  d.http.port, d.http.token ? ", bearer token required" : "");
    fputs(sb_str(&out), stdout);
    sb_free(&out);
    cli_daemon_free(&d);
    return 0;
}
