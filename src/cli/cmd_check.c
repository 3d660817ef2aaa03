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
    mdc_config *cfg;
    mdc_runtime *rt;
    int rc = cli_load(&c, &cfg, &rt);
    if (rc) return rc;
    strbuf out = STRBUF_INIT;
    mdc_runtime_describe(rt, &out);
    fputs(sb_str(&out), stdout);
    sb_free(&out);
    mdc_runtime_free(rt);
    mdc_config_free(cfg);
    return 0;
}
