/* SPDX-License-Identifier: Apache-2.0 */
/* opts.c — the command line of `mdc-sim modbus`. */
#include "../common/util.h"
#include "msim.h"
#include "drivers/modbus/link.h"
#include "drivers/modbus/serial.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: mdc-sim modbus (--tcp HOST:PORT [--ports N] | --rtu | --ascii) [OPTIONS]\n"
    "\n"
    "Simulates energy meters behind Modbus TCP, or Modbus RTU/ASCII on a pseudo-terminal.\n"
    "\n"
    "Transport:\n"
    "  --tcp HOST:PORT     serve Modbus TCP; port 0 picks a free port. Prints\n"
    "                      \"tcp: HOST:PORT\" (or HOST:FIRST-LAST) once listening\n"
    "  --ports N           also listen on the next N-1 ports (one process, many devices;\n"
    "                      raises the open-file limit)\n"
    "  --rtu, --ascii      serve RTU or ASCII on a new pseudo-terminal; prints exactly one line\n"
    "                      \"pty: /dev/pts/N\"\n"
    "  --link PATH         with --rtu/--ascii: also create the symlink PATH to the pty\n"
    "                      (removed on exit)\n"
    "  --baud N            line speed to emulate (default 9600). A pty has no speed, so each\n"
    "                      reply is delayed by the time the request, a 3.5-character gap and\n"
    "                      the reply take on the wire (start + data + parity + stop bits)\n"
    "  --parity N|E|O      (default N for RTU, E for ASCII)\n"
    "  --data-bits 7|8     (default 8 for RTU, 7 for ASCII)\n"
    "  --stop-bits 1|2     (default 1)\n"
    "  --no-line-delay     answer serial requests at once (benchmarks)\n"
    "  --check-framing     answer only a reader whose baud rate and stop bits on the pty are\n"
    "                      the simulator's, as a real line would (a pty keeps no parity)\n"
    "\n"
    "Devices:\n"
    "  --units LIST        unit ids that answer, e.g. 1,2,3 or 1-4 (default 1); requests to\n"
    "                      other units get no reply, as on a real bus\n"
    "  --profile NAME      sdm630 (default): Eastron SDM630, float32 ABCD, input registers\n"
    "                        (FC4) mirrored as holding registers (FC3), coil/discrete input 0\n"
    "                        = running. Addresses: V L1-L3 0x00/02/04, I L1-L3 0x06/08/0A,\n"
    "                        W L1-L3 0x0C/0E/10, PF L1-L3 0x1E/20/22, V avg 0x2A,\n"
    "                        I avg 0x2E, I sum 0x30, W total 0x34, PF total 0x3E, Hz 0x46,\n"
    "                        import kWh 0x48, export kWh 0x4A (0), V L1-L2/L2-L3/L3-L1\n"
    "                        0xC8/CA/CC, V L-L avg 0xCE, total kWh 0x156. Addresses up to\n"
    "                        0x1FF read as 0; above: exception 02\n"
    "                      delta: BELmc's Delta PLC: holding registers (FC3), one byte per\n"
    "                        register, CDAB; 14 meters at 4200, 4315, 4430, 4540, 4650, 4760,\n"
    "                        4870, 4980, 6100, 6210, 6320, 6430, 6540, 6665; 16 parameters of\n"
    "                        4 registers each; number N at PDU address N-1; kW, kWh as int32\n"
    "                        Wh; registers up to 9999\n"
    "  --map FILE          delta: lay registers out as a BELmc ems_settings.json\n"
    "  --template NAME     serve the register map of mdc's built-in template NAME (mdc\n"
    "                      templates): each point follows the meter where its name says what\n"
    "                      it is (voltage_l1, current_l2, power_kw, power_l3_kw, frequency,\n"
    "                      power_factor, energy_kwh, ...), others hold a value derived from\n"
    "                      the name; other addresses up to the highest mapped read 0. Command\n"
    "                      \"points\" prints every point's value as a reader should decode it\n"
    "  --cycle SPEC        load cycle, repeated (default off=10,idle=15,production=35 s);\n"
    "                      every meter runs it with its own phase\n"
    "  --idle-kw X         power when idle (default 0.8)\n"
    "  --production-kw X   power in production (default 6.0)\n"
    "  --energy KWH        initial energy counter (default 1234.5)\n"
    "  --state S           start in state off|idle|production and hold it\n"
    "  --seed N            noise seed (default 1)\n"
    "  --frozen            constant values, no noise, no time: exact tests. Defaults: state\n"
    "                      production, V 230.1/231.2/229.3, 50 Hz, PF 0.92 (idle 0.55, off 1),\n"
    "                      I = P / (3 V PF) per phase, energy --energy\n"
    "\n"
    "Control (stdin, and --control FIFO; each command is acknowledged on stdout \"ok ...\"):\n"
    "  --control FIFO      also read commands from FIFO (created if missing)\n"
    "  --verbose           print a line per served request\n"
    "  commands: state off|idle|production|cycle   cycle   set NAME VALUE   unset NAME|all\n"
    "            reset-energy   spike KWH   slow MS   exception CODE (0 = off)\n"
    "            late MS [EVERY]: every EVERY-th reply (default 1) comes MS later (a\n"
    "            reply after the client's timeout: 0 = off)\n"
    "            cut BYTES: TCP: send only BYTES of each reply, then close (0 = off)\n"
    "            silence SECONDS   show   points (--template)   help   quit\n"
    "            once NAME VALUE: only the next read that carries NAME returns VALUE\n"
    "            (then \"served once: ...\" on stdout)\n"
    "            prefix \"meter N\" and/or \"unit U\" to address one meter, e.g.\n"
    "            \"meter 3 set power_kw 5.2\"\n"
    "  NAMEs: voltage_l1 voltage_l2 voltage_l3 current_l1 current_l2 current_l3 power_kw\n"
    "         power_factor frequency energy_kwh\n"
    "\n"
    "SIGINT/SIGTERM end it cleanly.\n";

static const char *const state_names[] = {"off", "idle", "production"};

const char *msim_state_name(msim_state s)
{
    return (unsigned)s < MSIM_NSTATES ? state_names[s] : "?";
}

int msim_state_parse(const char *s, msim_state *out)
{
    for (int i = 0; i < MSIM_NSTATES; i++)
        if (strcmp(s, state_names[i]) == 0) {
            *out = (msim_state)i;
            return 0;
        }
    return -1;
}

static int bad(const char *fmt, const char *arg)
{
    fprintf(stderr, "mdc-sim modbus: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(mdc-sim modbus --help lists the options)\n");
    return -1;
}

static int add_unit(msim_opts *o, long u)
{
    for (int i = 0; i < o->nunits; i++)
        if (o->units[i] == u) return 0;
    if (o->nunits >= MSIM_MAX_UNITS) return -1;
    o->units[o->nunits++] = (int)u;
    return 0;
}

static int parse_units(const char *s, msim_opts *o)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", s);
    o->nunits = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        long a, b;
        char *dash = strchr(tok, '-');
        if (dash) *dash = '\0';
        if (sim_parse_long(tok, 1, 247, &a) < 0 ||
            (dash ? sim_parse_long(dash + 1, a, 247, &b) : (b = a, 0)) < 0)
            return -1;
        for (long u = a; u <= b; u++)
            if (add_unit(o, u) < 0) return -1;
    }
    return o->nunits > 0 ? 0 : -1;
}

static int parse_cycle(const char *s, msim_opts *o)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", s);
    o->ncycle = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        msim_state st;
        double secs;
        if (!eq || o->ncycle >= MSIM_MAX_CYCLE) return -1;
        *eq = '\0';
        if (msim_state_parse(tok, &st) < 0 || sim_parse_double(eq + 1, &secs) < 0 || secs <= 0)
            return -1;
        o->cycle[o->ncycle++] = (msim_cycle_step){st, secs};
    }
    return o->ncycle > 0 ? 0 : -1;
}

static void defaults(msim_opts *o)
{
    memset(o, 0, sizeof *o);
    o->ports = 1;
    o->baud = 9600;
    o->stop_bits = 1;
    o->units[0] = 1;
    o->nunits = 1;
    o->ncycle = 3;
    o->cycle[0] = (msim_cycle_step){MSIM_OFF, 10};
    o->cycle[1] = (msim_cycle_step){MSIM_IDLE, 15};
    o->cycle[2] = (msim_cycle_step){MSIM_PRODUCTION, 35};
    o->idle_kw = 0.8;
    o->production_kw = 6.0;
    o->energy_kwh = 1234.5;
    o->start_state = -1;
    o->seed = 1;
}

enum {
    O_TCP = 256,
    O_PORTS,
    O_RTU,
    O_ASCII,
    O_LINK,
    O_BAUD,
    O_PARITY,
    O_DATA,
    O_STOP,
    O_NODELAY,
    O_FRAMING,
    O_UNITS,
    O_PROFILE,
    O_MAP,
    O_TEMPLATE,
    O_CYCLE,
    O_IDLE,
    O_PROD,
    O_ENERGY,
    O_STATE,
    O_SEED,
    O_FROZEN,
    O_CONTROL,
    O_VERBOSE,
    O_HELP
};

static const struct option longopts[] = {
    {"tcp", required_argument, 0, O_TCP},
    {"ports", required_argument, 0, O_PORTS},
    {"rtu", no_argument, 0, O_RTU},
    {"ascii", no_argument, 0, O_ASCII},
    {"link", required_argument, 0, O_LINK},
    {"baud", required_argument, 0, O_BAUD},
    {"parity", required_argument, 0, O_PARITY},
    {"data-bits", required_argument, 0, O_DATA},
    {"stop-bits", required_argument, 0, O_STOP},
    {"no-line-delay", no_argument, 0, O_NODELAY},
    {"check-framing", no_argument, 0, O_FRAMING},
    {"units", required_argument, 0, O_UNITS},
    {"profile", required_argument, 0, O_PROFILE},
    {"map", required_argument, 0, O_MAP},
    {"template", required_argument, 0, O_TEMPLATE},
    {"cycle", required_argument, 0, O_CYCLE},
    {"idle-kw", required_argument, 0, O_IDLE},
    {"production-kw", required_argument, 0, O_PROD},
    {"energy", required_argument, 0, O_ENERGY},
    {"state", required_argument, 0, O_STATE},
    {"seed", required_argument, 0, O_SEED},
    {"frozen", no_argument, 0, O_FROZEN},
    {"control", required_argument, 0, O_CONTROL},
    {"verbose", no_argument, 0, O_VERBOSE},
    {"help", no_argument, 0, O_HELP},
    {0, 0, 0, 0},
};

static int copy_path(char *dst, size_t cap, const char *src, const char *what)
{
    if (strlen(src) >= cap) return bad("%s: path too long", what);
    snprintf(dst, cap, "%s", src);
    return 0;
}

static int parse_transport(int c, const char *arg, msim_opts *o)
{
    long v;
    mdc_err e;
    switch (c) {
    case O_TCP:
        if (mdc_mb_parse_hostport(arg, o->host, sizeof o->host, &o->port, &e) < 0)
            return bad("--tcp %s", e.msg);
        o->tcp = true;
        return 0;
    case O_PORTS:
        if (sim_parse_long(arg, 1, MSIM_MAX_PORTS, &v) < 0)
            return bad("--ports: expected 1..20000, got '%s'", arg);
        o->ports = (int)v;
        return 0;
    case O_RTU:
        o->rtu = true;
        return 0;
    case O_ASCII:
        o->ascii = true;
        return 0;
    case O_LINK:
        return copy_path(o->link, sizeof o->link, arg, "--link");
    case O_BAUD:
        if (sim_parse_long(arg, 1, 4000000, &v) < 0 || !mdc_mb_baud_supported((int)v))
            return bad("--baud: '%s' is not a standard baud rate", arg);
        o->baud = (int)v;
        return 0;
    case O_PARITY:
        if (strlen(arg) != 1 || !strchr("NEO", arg[0]))
            return bad("--parity: expected N, E or O, got '%s'", arg);
        o->parity = arg[0];
        return 0;
    case O_DATA:
        if (sim_parse_long(arg, 7, 8, &v) < 0)
            return bad("--data-bits: expected 7 or 8, got '%s'", arg);
        o->data_bits = (int)v;
        return 0;
    case O_STOP:
        if (sim_parse_long(arg, 1, 2, &v) < 0)
            return bad("--stop-bits: expected 1 or 2, got '%s'", arg);
        o->stop_bits = (int)v;
        return 0;
    case O_NODELAY:
        o->no_line_delay = true;
        return 0;
    case O_FRAMING:
        o->check_framing = true;
        return 0;
    }
    return 1; /* not a transport option */
}

static int parse_device(int c, const char *arg, msim_opts *o)
{
    long v;
    msim_state st;
    switch (c) {
    case O_UNITS:
        if (parse_units(arg, o) < 0)
            return bad("--units: expected ids 1..247 like 1,2,3 or 1-4, got '%s'", arg);
        return 0;
    case O_PROFILE:
        if (strcmp(arg, "sdm630") && strcmp(arg, "delta"))
            return bad("--profile: expected sdm630 or delta, got '%s'", arg);
        o->delta = strcmp(arg, "delta") == 0;
        return 0;
    case O_MAP:
        o->delta = true;
        return copy_path(o->map, sizeof o->map, arg, "--map");
    case O_TEMPLATE:
        return copy_path(o->template_name, sizeof o->template_name, arg, "--template");
    case O_CYCLE:
        if (parse_cycle(arg, o) < 0)
            return bad("--cycle: expected STATE=SECONDS,... with states off, idle, production; "
                       "got '%s'",
                       arg);
        return 0;
    case O_IDLE:
    case O_PROD:
    case O_ENERGY: {
        double d;
        if (sim_parse_double(arg, &d) < 0) return bad("expected a number, got '%s'", arg);
        *(c == O_IDLE ? &o->idle_kw : c == O_PROD ? &o->production_kw : &o->energy_kwh) = d;
        return 0;
    }
    case O_STATE:
        if (msim_state_parse(arg, &st) < 0)
            return bad("--state: expected off, idle or production, got '%s'", arg);
        o->start_state = (int)st;
        return 0;
    case O_SEED:
        if (sim_parse_long(arg, 0, 0x7FFFFFFFL, &v) < 0)
            return bad("--seed: expected a non-negative integer, got '%s'", arg);
        o->seed = (uint64_t)v;
        return 0;
    case O_FROZEN:
        o->frozen = true;
        return 0;
    case O_CONTROL:
        return copy_path(o->control, sizeof o->control, arg, "--control");
    case O_VERBOSE:
        o->verbose = true;
        return 0;
    }
    return bad("unknown option%s", "");
}

static int finish(msim_opts *o)
{
    if ((int)o->tcp + (int)o->rtu + (int)o->ascii != 1)
        return bad("choose exactly one of --tcp HOST:PORT, --rtu, --ascii%s", "");
    if (o->tcp && o->port == 0 && o->ports > 1)
        return bad("--ports needs a fixed first port, not 0%s", "");
    if (o->tcp && o->port + o->ports - 1 > 65535)
        return bad("--ports: the ports run past 65535%s", "");
    if (o->link[0] && o->tcp) return bad("--link is for --rtu/--ascii%s", "");
    if (!o->parity) o->parity = o->ascii ? 'E' : 'N';
    if (!o->data_bits) o->data_bits = o->ascii ? 7 : 8;
    if (o->rtu && o->data_bits != 8) return bad("--rtu needs 8 data bits%s", "");
    if (o->frozen && o->start_state < 0) o->start_state = MSIM_PRODUCTION;
    if (o->template_name[0] && o->delta)
        return bad("--template or the delta profile, not both%s", "");
    return 0;
}

int msim_parse_opts(int argc, char **argv, msim_opts *o)
{
    defaults(o);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == O_HELP || c == 'h') {
            fputs(usage_text, stdout);
            return 1;
        }
        if (c == '?') return bad("unknown option or missing value: '%s'", argv[optind - 1]);
        int rc = parse_transport(c, optarg, o);
        if (rc == 1) rc = parse_device(c, optarg, o);
        if (rc < 0) return -1;
    }
    if (optind < argc) return bad("unexpected argument '%s'", argv[optind]);
    return finish(o);
}
