/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_keys.c — mdc keys: every configuration key mdc knows, from the tables that also check
 * and read them (core/keys.h): the top level's, the spool's, the devices', each driver's, each
 * sink type's and the HTTP server's. */
#include "cli.h"
#include "http_module.h"

#include "core/keys.h"
#include "http/http.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: mdc keys [NAME]\n"
               "  lists the configuration keys (type, default, limits, meaning) of the top\n"
               "  level, the spool, every device, every driver, every sink type and the HTTP\n"
               "  server; NAME shows only the sets whose name has it (e.g. mdc keys webhook)\n");
}

/* The i-th declared key set: the runtime's (below the HTTP server), then the server's (http:
 * NULL when its module is missing). */
static const mdc_keyset *keyset(size_t i, const mdc_keyset *const *http)
{
    const mdc_keyset *ks = mdc_keysets(i);
    if (ks) return ks;
    size_t n = 0;
    while (mdc_keysets(n))
        n++;
    for (size_t k = 0; http && http[k]; k++)
        if (n + k == i) return http[k];
    return NULL;
}

int cmd_keys(int argc, char **argv)
{
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        }
        if (argv[i][0] == '-' || only) {
            fprintf(stderr, "mdc keys: unknown option '%s' (see mdc keys --help)\n", argv[i]);
            return 2;
        }
        only = argv[i];
    }
    mdc_err err = {0};
    if (mdc_modules_load(&err) < 0) /* the keys of what it has are still listed */
        fprintf(stderr, "mdc keys: %s\n", err.msg);
    const mdc_keyset *const *http = cli_http_keysets(&err);
    if (!http) fprintf(stderr, "mdc keys: %s\n", err.msg);
    strbuf out = STRBUF_INIT;
    for (size_t i = 0;; i++) {
        const mdc_keyset *ks = keyset(i, http);
        if (!ks) break;
        if (only && !strstr(ks->name, only)) continue;
        if (out.len) sb_putc(&out, '\n');
        mdc_keys_describe(ks, &out);
    }
    if (!out.len) {
        fprintf(stderr, "mdc keys: no key set is called like '%s'\n", only);
        sb_free(&out);
        return 2;
    }
    fputs(sb_str(&out), stdout);
    sb_free(&out);
    return 0;
}
