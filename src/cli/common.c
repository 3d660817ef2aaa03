/* SPDX-License-Identifier: Apache-2.0 */
/* common.c — option parsing and configuration loading shared by the commands. */
#include "cli.h"
#include "credentials.h"

#include "core/log.h"

#include <stdio.h>
#include <string.h>

const char cli_common_help[] = "  -c, --config FILE        configuration file (JSON)\n"
                               "  --data-dir DIR           override data_dir\n"
                               "  --timezone NAME          override timezone (IANA name)\n"
                               "  --log-level LEVEL        debug, info, warn, error\n";

const char cli_exit_help[] =
    "exit status: 0 success; 1 a runtime failure (a device, sink or server failed); 2 a usage\n"
    "or configuration error (systemd does not restart mdc for it: fix, then start again).\n";

bool cli_is_help(const char *arg)
{
    return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

int cli_bad_arg(const char *cmd, const char *arg)
{
    if (arg[0] == '-' && arg[1])
        fprintf(stderr, "mdc %s: unknown option '%s' (mdc %s --help lists the options)\n", cmd, arg,
                cmd);
    else
        fprintf(stderr, "mdc %s: unexpected argument '%s' (mdc %s --help)\n", cmd, arg, cmd);
    return 2;
}

const char *cli_value(const char *cmd, int argc, char **argv, int *i, const char *opt,
                      bool *missing)
{
    size_t n = strlen(opt);
    *missing = false;
    if (!strncmp(argv[*i], opt, n) && argv[*i][n] == '=' && opt[1] == '-') return argv[*i] + n + 1;
    if (strcmp(argv[*i], opt) != 0) return NULL;
    if (*i + 1 >= argc) {
        if (*cmd)
            fprintf(stderr, "mdc %s: %s needs a value (mdc %s --help)\n", cmd, opt, cmd);
        else
            fprintf(stderr, "mdc: %s needs a value\n", opt);
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

int cli_common_option(cli_common *c, int argc, char **argv, int *i)
{
    static const char *const opts[][2] = {
        {"-c", "--config"}, {NULL, "--data-dir"}, {NULL, "--timezone"}, {NULL, "--log-level"}};
    for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
        bool missing = false;
        const char *v = NULL;
        for (int form = 0; form < 2 && !v && !missing; form++)
            if (opts[k][form]) v = cli_value("", argc, argv, i, opts[k][form], &missing);
        if (missing) return -1;
        if (!v) continue;
        if (k == 0) c->config = v;
        if (k == 1) c->ov.data_dir = v;
        if (k == 2) c->ov.timezone = v;
        if (k == 3 && mdc_log_level_parse(v) < 0) {
            fprintf(stderr, "mdc: unknown log level '%s' (debug, info, warn, error)\n", v);
            return -1;
        }
        if (k == 3) c->log_level = v;
        return 1;
    }
    return 0;
}

cli_common cli_common_defaults(void)
{
    cli_common c = {0};
    c.ov.skip_unreadable_dotenv = cli_under_systemd();
    return c;
}

int cli_load(const cli_common *c, mdc_config **cfg, mdc_runtime **rt)
{
    if (!c->config) {
        fprintf(stderr, "mdc: no configuration given (use -c FILE)\n");
        return 2;
    }
    mdc_err err = {0};
    if (cli_credentials_load(&err) < 0) {
        fprintf(stderr, "mdc: %s\n", err.msg);
        return 2;
    }
    if (mdc_config_load(c->config, &c->ov, cfg, &err) < 0) {
        fprintf(stderr, "mdc: %s\n", err.msg);
        return 2;
    }
    const char *level = c->log_level ? c->log_level : (*cfg)->log_level;
    if (level) {
        int l = mdc_log_level_parse(level);
        if (l < 0) {
            fprintf(stderr, "mdc: %s: log_level: unknown level \"%s\" (debug, info, warn, error)\n",
                    c->config, level);
            mdc_config_free(*cfg);
            return 2;
        }
        mdc_log_set_level(l);
    }
    if (rt && mdc_runtime_build(*cfg, rt, &err) < 0) {
        mdc_config_explain(*cfg, &err);
        strbuf msg = STRBUF_INIT;
        sb_puts(&msg, err.msg);
        mdc_cfgdoc_mask((*cfg)->doc, &msg);
        fprintf(stderr, "mdc: %s\n", sb_str(&msg));
        sb_free(&msg);
        mdc_config_free(*cfg);
        return 2;
    }
    return 0;
}
