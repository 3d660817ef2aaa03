/* SPDX-License-Identifier: Apache-2.0 */
/* main.c — mdc: machine data collector. */
#include "cli.h"
#include "cmd_extra.h"
#include "cmd_hems.h"
#include "cmd_import_belmc.h"
#include "cmd_opcua_cert.h"

#include "core/log.h"
#include "core/trace.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: mdc COMMAND [OPTIONS]      (mdc COMMAND --help: its options)\n"
            "\n"
            "commands:\n"
            "  run -c FILE              collect from every configured device into every sink\n"
            "  check -c FILE            validate a configuration and print what would run\n"
            "  read -c FILE DEVICE      poll one device once and print the record\n"
            "                           (--raw, --browse, --plc: what the device sent)\n"
            "  demo                     start simulated meters and collect from them\n"
            "  hems [OPTIONS]           the smart-meter collector, a drop-in for\n"
            "                           hems-data-collector\n"
            "  import-belmc DIR [-o FILE]  BELmc's collector settings -> a configuration\n"
            "  opcua-cert               create (once) the OPC UA client certificate\n"
            "  spool status|list|retry|drop [-c FILE | --data-dir DIR]\n"
            "                           the spool's backlog and dead letters\n"
            "  keys [NAME]              every configuration key: type, default, meaning\n"
            "\n"
            "options of run, check, read, demo:\n"
            "%s"
            "\n"
            "  -h, --help               this help\n"
            "  -V, --version            print the version\n"
            "\n"
            "%s",
            cli_common_help, cli_exit_help);
}

/* Protocol traces (the B-route module's lines) are debug log lines. */
static void trace_to_log(const char *scope, const char *dir, const char *text)
{
    LOG_DEBUG(scope, "%s: %s", dir, text);
}

int main(int argc, char **argv)
{
    mdc_trace_set_handler(trace_to_log);
    const char *base = argc > 0 && argv[0] ? strrchr(argv[0], '/') : NULL;
    base = base ? base + 1 : (argc > 0 && argv[0] ? argv[0] : "mdc");
    if (strcmp(base, "hems-data-collector") == 0) return cmd_hems_as(argc, argv, base, base);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("mdc %s\n", MDC_VERSION);
        return 0;
    }
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {{"run", cmd_run},
                {"check", cmd_check},
                {"read", cmd_read},
                {"demo", cmd_demo},
                {"init", cmd_init},
                {"scan", cmd_scan},
                {"templates", cmd_templates},
                {"hems", cmd_hems},
                {"import-belmc", cmd_import_belmc},
                {"opcua-cert", cmd_opcua_cert},
                {"spool", cmd_spool},
                {"keys", cmd_keys}};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(cmd, cmds[i].name)) return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "mdc: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
