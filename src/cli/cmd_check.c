/* cmd_check.c — mdc check: validate a configuration and print the plan. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cmd_check(int argc, char **argv)
{
    cli_common c = {0};
    for (int i = 1; i < argc; i++) {
        int r = cli_common_option(&c, argc, argv, &i);
        if (r < 0) return 2;
        if (r == 0) {
            fprintf(stderr, "mdc check: unknown option '%s'\n", argv[i]);
            return 2;
        }
    }
    cli_daemon d = {0}; /* everything `mdc run` would read, the "http" object too */
    int rc = cli_daemon_load(&c, &d);
    if (rc) return rc;
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
