/* common.c — option parsing and configuration loading shared by the commands. */
#include "cli.h"

#include "core/log.h"

#include <stdio.h>
#include <string.h>

static const char *value_of(int argc, char **argv, int *i, const char *opt)
{
    size_t n = strlen(opt);
    if (!strncmp(argv[*i], opt, n) && argv[*i][n] == '=') return argv[*i] + n + 1;
    if (strcmp(argv[*i], opt) != 0) return NULL;
    if (*i + 1 >= argc) {
        fprintf(stderr, "mdc: %s needs a value\n", opt);
        return "";
    }
    return argv[++*i];
}

int cli_common_option(cli_common *c, int argc, char **argv, int *i)
{
    static const struct {
        const char *shrt, *lng;
    } opts[] = {
        {"-c", "--config"}, {NULL, "--data-dir"}, {NULL, "--timezone"}, {NULL, "--log-level"}};
    for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
        const char *v = NULL;
        if (opts[k].shrt && !strcmp(argv[*i], opts[k].shrt)) {
            if (*i + 1 >= argc) {
                fprintf(stderr, "mdc: %s needs a value\n", opts[k].shrt);
                return -1;
            }
            v = argv[++*i];
        } else {
            v = value_of(argc, argv, i, opts[k].lng);
        }
        if (!v) continue;
        if (!*v) return -1;
        switch (k) {
        case 0:
            c->config = v;
            break;
        case 1:
            c->ov.data_dir = v;
            break;
        case 2:
            c->ov.timezone = v;
            break;
        case 3:
            if (mdc_log_level_parse(v) < 0) {
                fprintf(stderr, "mdc: unknown log level '%s' (debug, info, warn, error)\n", v);
                return -1;
            }
            c->log_level = v;
            break;
        }
        return 1;
    }
    return 0;
}

int cli_load(const cli_common *c, mdc_config **cfg, mdc_runtime **rt)
{
    if (!c->config) {
        fprintf(stderr, "mdc: no configuration given (use -c FILE)\n");
        return 2;
    }
    mdc_err err = {0};
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
