/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_import_belmc.c — mdc import-belmc DIR [-o FILE]: reads BELmc's ems_settings.json,
 * lsv2_settings.json, opcua_settings.json (DIR, or DIR/config) and the names in its .env (DIR,
 * or its parent), writes the configuration to FILE or stdout, and what the user must know or do
 * to stderr. Secrets are never copied. */
#include "cmd_import_belmc.h"
#include "cli.h"

#include "cli/belmc_import.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_SETTINGS (16 << 20)

static const char usage_text[] =
    "usage: mdc import-belmc DIR [-o FILE]\n"
    "\n"
    "Turns BELmc's collector settings into an mdc configuration: DIR is BELmc's config directory\n"
    "(ems_settings.json, lsv2_settings.json, opcua_settings.json) or the repository holding it;\n"
    "the database settings become ${DB_*} references to its .env. The configuration goes to\n"
    "FILE (default: standard output); notes on what to check go to standard error.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE        write the configuration to FILE\n"
    "  -h, --help               this help\n"
    "\n"
    "exit status: 0 written; 1 FILE could not be written; 2 a settings file is missing or\n"
    "invalid, or a usage error.\n";

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Reads a whole file; *text = NULL when it does not exist. */
static int slurp(const char *path, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return errno == ENOENT ? 0 : -1;
    char *buf = malloc(MAX_SETTINGS + 1);
    size_t n = buf ? fread(buf, 1, MAX_SETTINGS + 1, f) : 0;
    int bad = !buf || ferror(f) || n > MAX_SETTINGS;
    fclose(f);
    if (bad) {
        free(buf);
        errno = buf ? EFBIG : ENOMEM;
        return -1;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

typedef struct file {
    char path[4400];
    char *text;
    size_t len;
} file;

static int read_one(file *f, const char *dir, const char *name)
{
    snprintf(f->path, sizeof f->path, "%s/%s", dir, name);
    if (slurp(f->path, &f->text, &f->len) == 0) return 0;
    fprintf(stderr, "mdc import-belmc: cannot read %s: %s\n", f->path, strerror(errno));
    return -1;
}

static int write_out(const char *path, const strbuf *config)
{
    if (!path) return fputs(sb_str(config), stdout) == EOF ? 1 : 0;
    FILE *f = fopen(path, "w");
    if (!f || fputs(sb_str(config), f) == EOF || fclose(f) != 0) {
        fprintf(stderr, "mdc import-belmc: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

static int import(const char *dir, const char *out)
{
    char cfgdir[4096], parent[4200];
    snprintf(cfgdir, sizeof cfgdir, "%s/config/ems_settings.json", dir);
    bool repo = exists(cfgdir);
    snprintf(cfgdir, sizeof cfgdir, repo ? "%s/config" : "%s", dir);
    snprintf(parent, sizeof parent, repo ? "%s" : "%s/..", repo ? dir : cfgdir);
    file fs[4] = {0};
    const char *names[] = {"ems_settings.json", "lsv2_settings.json", "opcua_settings.json"};
    int rc = 2;
    for (int i = 0; i < 3; i++)
        if (read_one(&fs[i], cfgdir, names[i]) < 0) goto done;
    if (read_one(&fs[3], cfgdir, ".env") < 0 ||
        (!fs[3].text && read_one(&fs[3], parent, ".env") < 0))
        goto done;
    if (!fs[3].text) snprintf(fs[3].path, sizeof fs[3].path, "%s/.env", parent);
    mdc_belmc_files in = {
        .ems = {fs[0].path, fs[0].text, fs[0].len},
        .lsv2 = {fs[1].path, fs[1].text, fs[1].len},
        .opcua = {fs[2].path, fs[2].text, fs[2].len},
        .env = {fs[3].path, fs[3].text, fs[3].len},
    };
    strbuf config = STRBUF_INIT, notes = STRBUF_INIT;
    mdc_err err = {0};
    if (mdc_belmc_import(&in, &config, &notes, &err) < 0) {
        fprintf(stderr, "mdc import-belmc: %s\n", err.msg);
    } else {
        for (char *line = notes.buf, *nl; line && *line; line = nl + 1) {
            nl = strchr(line, '\n');
            fprintf(stderr, "mdc import-belmc: note: %.*s\n", (int)(nl - line), line);
        }
        rc = write_out(out, &config);
        if (rc == 0 && out)
            fprintf(stderr, "mdc import-belmc: wrote %s; check it with: mdc check -c %s\n", out,
                    out);
    }
    sb_free(&config);
    sb_free(&notes);
done:
    for (int i = 0; i < 4; i++)
        free(fs[i].text);
    return rc;
}

int cmd_import_belmc(int argc, char **argv)
{
    const char *dir = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        bool missing;
        const char *v;
        if (cli_is_help(argv[i])) {
            fputs(usage_text, stdout);
            return 0;
        }
        if ((v = cli_value("import-belmc", argc, argv, &i, "-o", &missing)) ||
            (!missing && (v = cli_value("import-belmc", argc, argv, &i, "--output", &missing))))
            out = v;
        else if (missing)
            return 2;
        else if ((argv[i][0] != '-' || !argv[i][1]) && !dir)
            dir = argv[i];
        else
            return cli_bad_arg("import-belmc", argv[i]);
    }
    if (!dir) {
        fprintf(stderr, "mdc import-belmc: which directory? (mdc import-belmc --help)\n");
        return 2;
    }
    return import(dir, out);
}
