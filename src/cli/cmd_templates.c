/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_templates.c — mdc templates [NAME]: the built-in Modbus register maps ("template" in a
 * modbus device): their names, meters and source documents, or one map in full. */
#include "cli.h"
#include "cmd_extra.h"

#include "drivers/modbus/template.h"

#include <stdio.h>
#include <string.h>

static void usage(void)
{
    printf("usage: mdc templates [NAME]\n"
           "\n"
           "Without NAME: every built-in Modbus register map, with the meter it is for and the\n"
           "document it was taken from. With NAME: that map (JSON), the points a modbus device\n"
           "with \"template\": \"NAME\" reads (its \"points\" add to them or change them by name;\n"
           "\"template_points\": [...] picks some).\n"
           "\n"
           "options:\n"
           "  -h, --help               this help\n");
}

static int list(void)
{
    for (const mdc_mb_template_text *t = mdc_mb_template_texts; t->name; t++) {
        json_t *j;
        mdc_err err;
        if (mdc_mb_template_get(t->name, &j, &err) < 0) {
            fprintf(stderr, "mdc templates: %s\n", err.msg);
            return 1;
        }
        printf("%-10s %s, %zu points\n           source: %s\n", t->name,
               json_string_value(json_object_get(j, "title")),
               json_array_size(json_object_get(j, "points")),
               json_string_value(json_object_get(j, "source")));
        json_decref(j);
    }
    return 0;
}

static int show(const char *name)
{
    json_t *j;
    mdc_err err;
    if (mdc_mb_template_get(name, &j, &err) < 0) {
        fprintf(stderr, "mdc templates: %s\n", err.msg);
        return 2;
    }
    json_decref(j);
    for (const mdc_mb_template_text *t = mdc_mb_template_texts; t->name; t++)
        if (strcmp(t->name, name) == 0) fwrite(t->json, 1, t->len, stdout);
    return 0;
}

int cmd_templates(int argc, char **argv)
{
    const char *name = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            usage();
            return 0;
        }
        if ((argv[i][0] == '-' && argv[i][1]) || name) return cli_bad_arg("templates", argv[i]);
        name = argv[i];
    }
    return name ? show(name) : list();
}
