/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_opcua_cert.c — mdc opcua-cert: creates the OPC UA client certificate and key once (in
 * DATA_DIR/pki, or --dir) and prints what to give the server's administrator. */
#include "cmd_opcua_cert.h"
#include "cli.h"

#include "drivers/opcua/opcua_driver.h"

#include <stdio.h>
#include <string.h>

static void usage(void)
{
    printf("usage: mdc opcua-cert [-c FILE | --data-dir DIR | --dir PKI_DIR] [--app-uri URI]\n"
           "\n"
           "Creates the OPC UA client certificate and key once (PKI_DIR/own/, by default\n"
           "DATA_DIR/pki/own/ of the configuration) and prints what to give the server's\n"
           "administrator: the certificate's path, application URI and SHA-1 thumbprint.\n"
           "An existing certificate is kept.\n"
           "\n"
           "options:\n"
           "%s"
           "  --dir PKI_DIR            the PKI directory itself (own/, trusted/, rejected/)\n"
           "  --app-uri URI            the application URI of a new certificate (default:\n"
           "                           urn:HOSTNAME:mdc)\n"
           "  -h, --help               this help\n"
           "\n"
           "exit status: 0 created or kept; 1 it could not be written; 2 a usage error.\n",
           cli_common_help);
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

int cmd_opcua_cert(int argc, char **argv)
{
    cli_common c = cli_common_defaults();
    const char *dir = NULL, *uri = NULL;
    for (int i = 1; i < argc; i++) {
        int r = cli_common_option(&c, argc, argv, &i);
        if (r < 0) return 2;
        if (r) continue;
        bool missing;
        const char *v;
        if (cli_is_help(argv[i])) {
            usage();
            return 0;
        } else if ((v = cli_value("opcua-cert", argc, argv, &i, "--dir", &missing))) {
            dir = v;
        } else if (!missing &&
                   (v = cli_value("opcua-cert", argc, argv, &i, "--app-uri", &missing))) {
            uri = v;
        } else {
            return missing ? 2 : cli_bad_arg("opcua-cert", argv[i]);
        }
    }
    char pki[4096];
    if (pki_dir_from(&c, dir, pki, sizeof pki) < 0) return 2;
    mdc_err err = {0};
    mdc_opcua_cert_info info;
    const mdc_opcua_module *m = (const mdc_opcua_module *)mdc_module_entry("opcua", &err);
    if (!m || m->cert_ensure(pki, uri, &info, &err) < 0) {
        fprintf(stderr, "mdc opcua-cert: %s\n", err.msg);
        return 1;
    }
    printf("%s %s/own/cert.der\n"
           "  application URI %s\n"
           "  SHA-1 thumbprint %s\n"
           "Give %s/own/cert.der (or cert.pem) to the server to trust; server certificates\n"
           "go in %s/trusted/ (refused ones are saved in %s/rejected/).\n",
           info.created ? "created" : "kept", pki, info.app_uri, info.thumbprint, pki, pki, pki);
    return 0;
}
