/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_init.c — mdc init: a starter configuration for the devices named on the command line
 * (init_args.h), with a "_comment" beside every part saying what it does and what to edit. */
#include "cli.h"
#include "cmd_extra.h"
#include "init_args.h"

#include "drivers/modbus/template.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void usage(void)
{
    printf(
        "usage: mdc init [-o FILE] [--force] [--timezone NAME] CONNECTION [METER[@UNIT]]...\n"
        "\n"
        "Writes a starter configuration for the devices you name, with notes (\"_comment\")\n"
        "beside the settings; then edit it and run mdc check -c FILE. CONNECTION is\n"
        "  modbus-tcp:HOST[:PORT]             a Modbus TCP meter or gateway\n"
        "  modbus-rtu:DEVICE[@BAUD[FRAMING]]  an RS-485 line: @9600, @19200E1, @9600,8N1\n"
        "  modbus-ascii:DEVICE[@BAUD[FRAMING]]\n"
        "  lsv2:HOST[:PORT]                   a Heidenhain TNC control\n"
        "  opcua:URL                          an OPC UA server (opc.tcp://HOST:4840)\n"
        "  broute:DEVICE                      a Wi-SUN B-route module (Japanese smart meter)\n"
        "and the words after a Modbus connection are its meters by template, each with its\n"
        "unit id: sdm630, em340@2 (mdc templates lists the templates).\n"
        "\n"
        "options:\n"
        "  -o, --output FILE        where to write (default mdc.json; - for standard output)\n"
        "  --force                  overwrite FILE if it exists\n"
        "  --timezone NAME          the site's IANA time zone (default: this host's)\n"
        "  -h, --help               this help\n"
        "\n"
        "example: mdc init modbus-tcp:192.168.1.10 sdm630 modbus-rtu:/dev/ttyUSB0@9600 sdm120@1\n"
        "           em340@2\n");
}

/* The host's zone from /etc/localtime (a link into zoneinfo), else UTC. */
static void host_timezone(char *out, size_t n)
{
    char link[512];
    ssize_t len = readlink("/etc/localtime", link, sizeof link - 1);
    const char *z = NULL;
    if (len > 0) {
        link[len] = '\0';
        z = strstr(link, "zoneinfo/");
    }
    snprintf(out, n, "%s", z ? z + 9 : "UTC");
}

static json_t *comment(const char *text)
{
    return json_string(text);
}

static void set(json_t *o, const char *key, json_t *v)
{
    json_object_set_new(o, key, v);
}

/* ---- Modbus ---- */

typedef struct line_settings {
    int baud, data_bits, stop_bits;
    char parity;
} line_settings;

/* The framing of line `line`: what the command line gave, else the first meter's factory
 * settings (its template's "line"), else 9600 8N1 (RTU) or 9600 7E1 (ASCII). */
static line_settings line_of(const init_list *l, int line)
{
    const init_dev *first = NULL;
    for (size_t i = 0; i < l->n && !first; i++)
        if (l->devs[i].line == line) first = &l->devs[i];
    bool ascii = first->kind == INIT_MODBUS_ASCII;
    line_settings s = {9600, ascii ? 7 : 8, 1, ascii ? 'E' : 'N'};
    json_t *t = NULL;
    mdc_err e;
    if (first->template_name[0] && mdc_mb_template_get(first->template_name, &t, &e) == 0) {
        json_t *ln = json_object_get(t, "line");
        if (json_is_integer(json_object_get(ln, "baud")))
            s.baud = (int)json_integer_value(json_object_get(ln, "baud"));
        const char *p = json_string_value(json_object_get(ln, "parity"));
        if (p) s.parity = p[0];
        if (json_is_integer(json_object_get(ln, "stop_bits")))
            s.stop_bits = (int)json_integer_value(json_object_get(ln, "stop_bits"));
    }
    json_decref(t);
    if (first->baud) s.baud = first->baud;
    if (first->parity) s.parity = first->parity;
    if (first->data_bits) s.data_bits = first->data_bits;
    if (first->stop_bits) s.stop_bits = first->stop_bits;
    return s;
}

/* Unit ids: as given, else 1, 2, ... on each line, skipping those given. */
static int unit_of(const init_list *l, size_t k)
{
    if (l->devs[k].unit) return l->devs[k].unit;
    int next = 1;
    for (size_t i = 0; i <= k; i++) {
        if (l->devs[i].line != l->devs[k].line || l->devs[i].unit) continue;
        for (bool used = true; used; next += used) {
            used = false;
            for (size_t j = 0; j < l->n; j++)
                used |= l->devs[j].line == l->devs[k].line && l->devs[j].unit == next;
        }
        if (i == k) return next;
        next++;
    }
    return 1;
}

static json_t *modbus_connection(const init_list *l, const init_dev *d)
{
    json_t *c = json_object();
    if (d->kind == INIT_MODBUS_TCP) {
        char hp[600];
        snprintf(hp, sizeof hp, strchr(d->address, ':') ? "%s" : "%s:502", d->address);
        set(c, "tcp", json_string(hp));
        return c;
    }
    line_settings s = line_of(l, d->line);
    char par[2] = {s.parity, '\0'};
    set(c, d->kind == INIT_MODBUS_RTU ? "rtu" : "ascii", json_string(d->address));
    set(c, "baud", json_integer(s.baud));
    set(c, "parity", json_string(par));
    set(c, "data_bits", json_integer(s.data_bits));
    set(c, "stop_bits", json_integer(s.stop_bits));
    return c;
}

static void derived(json_t *dev)
{
    set(dev, "status",
        json_pack("{s:s, s:s, s:f, s:{s:s, s:f}}", "_comment",
                  "Machine status from the power: 2 PRODUCTION above production_above kW, 1 ON "
                  "above on_when.above, else 0 OFF. Example thresholds: set your machine's.",
                  "power", "power_kw", "production_above", 4.5, "on_when", "point", "power_kw",
                  "above", 0.1));
    set(dev, "energy",
        json_pack("{s:s, s:s, s:i}", "_comment",
                  "Energy per shift from this counter (kWh); a jump above max_delta kWh "
                  "between two polls is treated as a meter fault, not as consumption.",
                  "point", "energy_kwh", "max_delta", 10));
}

static json_t *example_point(void)
{
    return json_pack("[{s:s, s:s, s:i, s:i, s:s}]", "_comment",
                     "An example: replace with the meter's registers from its manual's Modbus "
                     "table (mdc read -c FILE DEVICE --raw shows each in every word order)",
                     "name", "value_1", "function", 3, "address", 0, "type", "uint16");
}

static json_t *modbus_device(const init_list *l, size_t k, int number)
{
    const init_dev *d = &l->devs[k];
    json_t *t = NULL, *dev = json_object();
    mdc_err e;
    char id[32], text[1400];
    if (d->template_name[0]) mdc_mb_template_get(d->template_name, &t, &e);
    const char *title = t ? json_string_value(json_object_get(t, "title")) : "Modbus meter";
    int n = snprintf(text, sizeof text,
                     "%s on %s %s, unit %d; interval and timeout are yours "
                     "to set.",
                     title, init_kind_name(d->kind), d->address, unit_of(l, k));
    if (t && n > 0 && (size_t)n < sizeof text)
        snprintf(text + n, sizeof text - (size_t)n,
                 " Its points come from the template \"%s\" (mdc templates %s lists them; "
                 "\"points\" adds to them or changes them by name). Source: %s",
                 d->template_name, d->template_name,
                 json_string_value(json_object_get(t, "source")));
    snprintf(id, sizeof id, "meter-%d", number);
    set(dev, "_comment", comment(text));
    set(dev, "id", json_string(id));
    set(dev, "machine_id", json_integer(number));
    set(dev, "name", json_string(title));
    set(dev, "driver", json_string("modbus"));
    set(dev, "connection", modbus_connection(l, d));
    set(dev, "unit_id", json_integer(unit_of(l, k)));
    set(dev, "interval", json_string("5s"));
    set(dev, "timeout", json_string("1s"));
    if (t) {
        set(dev, "template", json_string(d->template_name));
        derived(dev);
    } else {
        set(dev, "points", example_point());
    }
    json_decref(t);
    return dev;
}

/* ---- the others ---- */

static json_t *lsv2_device(const init_dev *d, int number)
{
    char host[520], id[32];
    const char *colon = strrchr(d->address, ':');
    int port = colon ? atoi(colon + 1) : 19000;
    snprintf(host, sizeof host, "%.*s", colon ? (int)(colon - d->address) : (int)strlen(d->address),
             d->address);
    snprintf(id, sizeof id, "cnc-%d", number);
    return json_pack(
        "{s:s, s:s, s:i, s:s, s:s, s:s, s:i, s:s, s:s}", "_comment",
        "A Heidenhain TNC control over LSV2: execution and program state, program stack; "
        "status 2 PRODUCTION while a program runs. For part counts add \"parts\": {\"signal\": "
        "{\"memory\": \"marker\", \"address\": NNNN}} (the PLC marker that pulses per part) or "
        "{\"counter\": ...}; mdc read -c FILE DEVICE --raw --plc marker:4170:8 shows PLC memory.",
        "id", id, "machine_id", number, "name", "TNC control (edit me)", "driver", "lsv2", "host",
        host, "port", port, "interval", "1s", "timeout", "3s");
}

static json_t *opcua_device(const init_dev *d, int number)
{
    char id[32];
    snprintf(id, sizeof id, "machine-%d", number);
    return json_pack(
        "{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:s}", "_comment",
        "An OPC UA server, anonymous and without security to start with. The two nodes exist on "
        "every server; replace them with your machine's (mdc read -c FILE DEVICE --browse lists "
        "them) and add \"status\"/\"parts\" rules (docs/configuration.md, Driver opcua). For "
        "Basic256Sha256 add \"security\" and create the client certificate: mdc opcua-cert -c "
        "FILE. \"first-use\" pins the server certificate seen first.",
        "id", id, "machine_id", number, "name", "OPC UA machine (edit me)", "driver", "opcua",
        "endpoint", d->address, "trust", "first-use", "nodes", "server_time", "i=2258",
        "server_state", "i=2259", "mode", "read", "interval", "5s");
}

static json_t *broute_device(const init_dev *d)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s}", "_comment",
                     "A Japanese smart meter over a Wi-SUN B-route module. B_ROUTE_ID and "
                     "B_ROUTE_PASSWORD (from the power company) go into a .env file beside this "
                     "one (never into this file); the meter is read every 5 minutes.",
                     "id", "smart-meter", "driver", "broute", "port", d->address, "baud",
                     d->baud ? d->baud : 115200, "rbid", "${B_ROUTE_ID}", "password",
                     "${B_ROUTE_PASSWORD}", "module", "auto", "schedule", "*/5 * * * *");
}

static json_t *devices(const init_list *l)
{
    json_t *a = json_array();
    for (size_t k = 0; k < l->n; k++) {
        const init_dev *d = &l->devs[k];
        int number = (int)k + 1;
        if (init_is_modbus(d->kind))
            json_array_append_new(a, modbus_device(l, k, number));
        else if (d->kind == INIT_LSV2)
            json_array_append_new(a, lsv2_device(d, number));
        else if (d->kind == INIT_OPCUA)
            json_array_append_new(a, opcua_device(d, number));
        else
            json_array_append_new(a, broute_device(d));
    }
    return a;
}

static json_t *configuration(const init_list *l, const char *tz, const char *cmdline)
{
    char head[2048];
    snprintf(head, sizeof head,
             "Written by `mdc init %s`. Edit it, then check it with `mdc check -c FILE` and try a "
             "device with `mdc read -c FILE DEVICE`. Every key is described in "
             "docs/configuration.md (installed: /usr/share/doc/mdc/configuration.md); "
             "\"_comment\" keys are notes that mdc ignores. Secrets go into a .env file beside "
             "this one as NAME=value and are referenced here as \"${NAME}\".",
             cmdline);
    json_t *root = json_object();
    set(root, "_comment", comment(head));
    set(root, "timezone", json_string(tz));
    set(root, "data_dir", json_string("data"));
    set(root, "shifts",
        json_pack("[{s:s, s:i, s:s}, {s:i, s:s}, {s:i, s:s}]", "_comment",
                  "Shift starts in the local time of \"timezone\"; energy and "
                  "parts are summed per shift.",
                  "id", 1, "start", "06:00", "id", 2, "start", "14:00", "id", 3, "start", "22:00"));
    set(root, "http",
        json_pack("{s:s, s:s}", "_comment",
                  "The dashboard, /api, /healthz and /metrics. On another "
                  "address than 127.0.0.1 add \"token\": \"${MDC_HTTP_TOKEN}\".",
                  "listen", "127.0.0.1:8080"));
    set(root, "sinks",
        json_pack("[{s:s, s:s}]", "_comment",
                  "Records go to the embedded store (data_dir/mdc.db), which the "
                  "dashboard shows; add postgres, mqtt, webhook, file, stdout.",
                  "type", "sqlite"));
    set(root, "devices", devices(l));
    return root;
}

static int write_config(const char *path, bool force, json_t *cfg)
{
    int flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12);
    if (!strcmp(path, "-")) return json_dumpf(cfg, stdout, flags) == 0 && puts("") >= 0 ? 0 : 1;
    struct stat st;
    if (!force && stat(path, &st) == 0) {
        fprintf(stderr, "mdc init: %s exists; --force overwrites it, -o writes elsewhere\n", path);
        return 2;
    }
    FILE *f = fopen(path, "w");
    if (!f || json_dumpf(cfg, f, flags) != 0 || fputc('\n', f) == EOF || fclose(f) != 0) {
        fprintf(stderr, "mdc init: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

typedef struct init_opts {
    const char *out, *tz;
    bool force;
    char *words[256];
    int nwords;
} init_opts;

static int parse_opts(int argc, char **argv, init_opts *o)
{
    for (int i = 1; i < argc; i++) {
        bool missing;
        const char *v;
        if (cli_is_help(argv[i])) {
            usage();
            return 0;
        }
        if ((v = cli_value("init", argc, argv, &i, "-o", &missing)) ||
            (!missing && (v = cli_value("init", argc, argv, &i, "--output", &missing))))
            o->out = v;
        else if (!missing && (v = cli_value("init", argc, argv, &i, "--timezone", &missing)))
            o->tz = v;
        else if (missing)
            return 2;
        else if (!strcmp(argv[i], "--force"))
            o->force = true;
        else if (argv[i][0] == '-' || o->nwords == 256)
            return cli_bad_arg("init", argv[i]);
        else
            o->words[o->nwords++] = argv[i];
    }
    return -1;
}

int cmd_init(int argc, char **argv)
{
    init_opts o = {.out = "mdc.json"};
    int rc = parse_opts(argc, argv, &o);
    if (rc >= 0) return rc;
    init_list l;
    mdc_err err;
    if (init_parse(o.nwords, o.words, &l, &err) < 0) {
        fprintf(stderr, "mdc init: %s (mdc init --help)\n", err.msg);
        return 2;
    }
    char tz[128], cmdline[1024] = "";
    host_timezone(tz, sizeof tz);
    for (int i = 0; i < o.nwords; i++)
        snprintf(cmdline + strlen(cmdline), sizeof cmdline - strlen(cmdline), "%s%s", i ? " " : "",
                 o.words[i]);
    json_t *cfg = configuration(&l, o.tz ? o.tz : tz, cmdline);
    rc = write_config(o.out, o.force, cfg);
    if (rc == 0 && strcmp(o.out, "-") != 0)
        fprintf(stderr, "mdc init: wrote %s (%zu device%s); next: edit it, then mdc check -c %s\n",
                o.out, l.n, l.n == 1 ? "" : "s", o.out);
    json_decref(cfg);
    init_list_free(&l);
    return rc;
}
