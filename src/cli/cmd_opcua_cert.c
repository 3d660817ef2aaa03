/* cmd_opcua_cert.c — mdc opcua-cert: creates the OPC UA client certificate and key once (in
 * DATA_DIR/pki, or --dir) and prints what to give the server's administrator. */
#include "cmd_opcua_cert.h"
#include "cli.h"

#include "drivers/opcua/ua_pki.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: mdc opcua-cert [-c FILE | --data-dir DIR | --dir PKI_DIR] [--app-uri URI]\n"
               "  creates the OPC UA client certificate and key once (DATA_DIR/pki/own/)\n");
}

static int pki_dir_from(const cli_common *c, const char *dir, char *out, size_t n)
{
    if (dir) return snprintf(out, n, "%s", dir) < (int)n ? 0 : -1;
    const char *data_dir = c->ov.data_dir ? c->ov.data_dir : "data";
    mdc_config *cfg = NULL;
    if (c->config) {
        mdc_err err = {0};
        if (mdc_config_load(c->config, &c->ov, &cfg, &err) < 0) {
            fprintf(stderr, "mdc: %s\n", err.msg);
            return -1;
        }
        data_dir = cfg->data_dir;
    }
    int rc = snprintf(out, n, "%s/pki", data_dir) < (int)n ? 0 : -1;
    mdc_config_free(cfg);
    return rc;
}

/* Declared here until cli.h lists it (registered in main.c as "opcua-cert"). */

int cmd_opcua_cert(int argc, char **argv)
{
    cli_common c = {0};
    const char *dir = NULL, *uri = NULL;
    for (int i = 1; i < argc; i++) {
        int r = cli_common_option(&c, argc, argv, &i);
        if (r < 0) return 2;
        if (r) continue;
        if (!strcmp(argv[i], "--dir") && i + 1 < argc) {
            dir = argv[++i];
        } else if (!strcmp(argv[i], "--app-uri") && i + 1 < argc) {
            uri = argv[++i];
        } else {
            usage(strcmp(argv[i], "-h") && strcmp(argv[i], "--help") ? stderr : stdout);
            return strcmp(argv[i], "-h") && strcmp(argv[i], "--help") ? 2 : 0;
        }
    }
    char pki[4096];
    if (pki_dir_from(&c, dir, pki, sizeof pki) < 0) return 2;
    mdc_err err = {0};
    bool created;
    ua_own_cert own;
    if (mdc_opcua_cert_ensure(pki, uri, &created, &err) < 0 ||
        ua_own_cert_load(pki, &own, &err) < 0) {
        fprintf(stderr, "mdc opcua-cert: %s\n", err.msg);
        return 1;
    }
    printf("%s %s/own/cert.der\n"
           "  application URI %s\n"
           "  SHA-1 thumbprint %s\n"
           "Give %s/own/cert.der (or cert.pem) to the server to trust; server certificates\n"
           "go in %s/trusted/ (refused ones are saved in %s/rejected/).\n",
           created ? "created" : "kept", pki, own.app_uri, own.thumbprint, pki, pki, pki);
    ua_own_cert_free(&own);
    return 0;
}
