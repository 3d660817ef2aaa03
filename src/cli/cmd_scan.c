/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_scan.c — mdc scan: which Modbus unit ids answer on a TCP host, or on a serial line with
 * which baud rate and parity. One read request per unit id and line setting; any answer counts,
 * a Modbus exception too (a device is there). The number of requests and the longest possible
 * duration are printed first; SIGINT/SIGTERM end the scan after the request in flight. */
#include "cli.h"
#include "cmd_extra.h"

#include "core/clock.h"
#include "core/confread.h"
#include "drivers/modbus/link.h"
#include "drivers/modbus/serial.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BAUDS 16

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static void usage(void)
{
    printf("usage: mdc scan (--tcp HOST[:PORT] | --serial DEVICE [--rtu | --ascii]) [OPTIONS]\n"
           "\n"
           "Sends one read request to every unit id (and, on a serial line, with every baud rate\n"
           "and parity) and prints what answers: the registers, or the Modbus exception, which\n"
           "also shows that a device is there. SIGINT (Ctrl-C) or SIGTERM stops it with what\n"
           "was found so far.\n"
           "\n"
           "options:\n"
           "  --tcp HOST[:PORT]        a Modbus TCP device or gateway (port 502 by default)\n"
           "  --serial DEVICE          a serial line (/dev/ttyUSB0)\n"
           "  --rtu, --ascii           the serial protocol (default RTU: 8 data bits; ASCII: 7)\n"
           "  --units LIST             unit ids: 1-247 (default), 1,2,5-9\n"
           "  --baud LIST              serial baud rates (default 9600,19200,38400,4800,2400,\n"
           "                           115200)\n"
           "  --parity LIST            serial parities (default N,E,O)\n"
           "  --stop-bits N            1 (default) or 2\n"
           "  --function FC            the read request's function: 3 (default) or 4\n"
           "  --address A              its register address (default 0)\n"
           "  --timeout DURATION       per request (default 300ms; also 0.5, 1s)\n"
           "  --first                  stop at the first line setting that answers\n"
           "  -h, --help               this help\n"
           "\n"
           "exit status: 0 something answered; 1 nothing did, or the host or line failed;\n"
           "2 a usage error; 130 interrupted.\n");
}

typedef struct scan_opts {
    mdc_mb_link_cfg link; /* its host and device share memory: tcp/serial say which */
    bool serial, tcp;
    bool units[256];
    int nunits;
    int bauds[MAX_BAUDS], nbauds;
    char parities[4];
    int fc, address;
    bool first;
} scan_opts;

static int bad(const char *opt, const char *value, const char *want)
{
    fprintf(stderr, "mdc scan: %s '%s': expected %s (mdc scan --help)\n", opt, value, want);
    return 2;
}

static bool range_number(const char *s, char **end, long lo, long hi, long *out)
{
    *out = strtol(s, end, 10);
    return *end != s && *out >= lo && *out <= hi;
}

static int parse_units(const char *v, scan_opts *o)
{
    memset(o->units, 0, sizeof o->units);
    o->nunits = 0;
    for (const char *p = v; *p;) {
        char *end;
        long a, b;
        if (!range_number(p, &end, 0, 255, &a))
            return bad("--units", v, "ids 0..255: 1-247, 1,2,5-9");
        b = a;
        if (*end == '-' && !range_number(end + 1, &end, a, 255, &b))
            return bad("--units", v, "ids 0..255: 1-247, 1,2,5-9");
        for (long u = a; u <= b; u++) {
            if (!o->units[u]) o->nunits++;
            o->units[u] = true;
        }
        if (*end && *end != ',') return bad("--units", v, "ids 0..255: 1-247, 1,2,5-9");
        p = *end ? end + 1 : end;
    }
    return o->nunits ? 0 : bad("--units", v, "at least one id");
}

static int parse_bauds(const char *v, scan_opts *o)
{
    o->nbauds = 0;
    for (const char *p = v; *p;) {
        char *end;
        long b;
        if (!range_number(p, &end, 50, 4000000, &b) || !mdc_mb_baud_supported((int)b) ||
            o->nbauds == MAX_BAUDS || (*end && *end != ','))
            return bad("--baud", v, "standard rates separated by commas: 9600,19200");
        o->bauds[o->nbauds++] = (int)b;
        p = *end ? end + 1 : end;
    }
    return o->nbauds ? 0 : bad("--baud", v, "at least one rate");
}

static int parse_parities(const char *v, scan_opts *o)
{
    size_t n = 0;
    o->parities[0] = '\0';
    for (const char *p = v; *p; p++) {
        if (*p == ',') continue;
        if (!strchr("NEO", *p) || n == 3 || strchr(o->parities, *p))
            return bad("--parity", v, "N, E, O separated by commas");
        o->parities[n++] = *p;
        o->parities[n] = '\0';
    }
    return n ? 0 : bad("--parity", v, "N, E or O");
}

/* One option with a value at argv[*i]: 1 taken, 0 not this kind, 2 error. */
static int take_value(scan_opts *o, int argc, char **argv, int *i)
{
    static const char *const names[] = {"--tcp",       "--serial",  "--units",    "--baud",
                                        "--parity",    "--timeout", "--function", "--address",
                                        "--stop-bits", NULL};
    for (int k = 0; names[k]; k++) {
        bool missing;
        const char *v = cli_value("scan", argc, argv, i, names[k], &missing);
        if (missing) return 2;
        if (!v) continue;
        mdc_err e;
        long n;
        char *end;
        switch (k) {
        case 0:
            if (o->serial) return bad("--tcp", v, "either --tcp or --serial");
            o->link.kind = MDC_MB_TCP;
            if (mdc_mb_parse_hostport(v, o->link.host, sizeof o->link.host, &o->link.port, &e) < 0)
                return bad("--tcp", v, "HOST[:PORT]");
            o->tcp = true;
            return 1;
        case 1:
            if (o->tcp) return bad("--serial", v, "either --tcp or --serial");
            if (strlen(v) >= sizeof o->link.device) return bad("--serial", v, "a shorter path");
            snprintf(o->link.device, sizeof o->link.device, "%s", v);
            o->serial = true;
            return 1;
        case 2:
            return parse_units(v, o) ? 2 : 1;
        case 3:
            return parse_bauds(v, o) ? 2 : 1;
        case 4:
            return parse_parities(v, o) ? 2 : 1;
        case 5:
            return mdc_parse_duration_us(v, &o->link.timeout_us) < 0
                       ? bad("--timeout", v, "a duration: 300ms, 1s, 0.5")
                       : 1;
        case 6:
            if (!range_number(v, &end, 3, 4, &n) || *end) return bad("--function", v, "3 or 4");
            o->fc = (int)n;
            return 1;
        case 7:
            if (!range_number(v, &end, 0, 65535, &n) || *end)
                return bad("--address", v, "0..65535");
            o->address = (int)n;
            return 1;
        default:
            if (!range_number(v, &end, 1, 2, &n) || *end) return bad("--stop-bits", v, "1 or 2");
            o->link.stop_bits = (int)n;
            return 1;
        }
    }
    return 0;
}

static void defaults(scan_opts *o)
{
    memset(o, 0, sizeof *o);
    mdc_mb_link_cfg_init(&o->link);
    o->link.kind = MDC_MB_RTU;
    o->link.timeout_us = 300000;
    o->link.stop_bits = 1;
    for (int u = 1; u <= 247; u++)
        o->units[u] = true;
    o->nunits = 247;
    static const int bauds[] = {9600, 19200, 38400, 4800, 2400, 115200};
    memcpy(o->bauds, bauds, sizeof bauds);
    o->nbauds = 6;
    snprintf(o->parities, sizeof o->parities, "NEO");
    o->fc = 3;
}

static int parse_args(int argc, char **argv, scan_opts *o, bool *ascii)
{
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            usage();
            return 0;
        }
        int r = take_value(o, argc, argv, &i);
        if (r == 2) return 2;
        if (r == 1) continue;
        if (!strcmp(argv[i], "--rtu") || !strcmp(argv[i], "--ascii"))
            *ascii = argv[i][2] == 'a';
        else if (!strcmp(argv[i], "--first"))
            o->first = true;
        else
            return cli_bad_arg("scan", argv[i]);
    }
    if (o->serial == o->tcp) {
        fprintf(stderr, "mdc scan: give one of --tcp HOST or --serial DEVICE (mdc scan --help)\n");
        return 2;
    }
    if (o->serial) o->link.kind = *ascii ? MDC_MB_ASCII : MDC_MB_RTU;
    o->link.data_bits = *ascii ? 7 : 8;
    return -1;
}

/* ---- the scan ---- */

typedef struct scan_result {
    int answered, asked;
} scan_result;

/* Asks every unit on an open link. Returns -1 when the link failed. */
static int ask_units(const scan_opts *o, mdc_mb_link *link, const char *label, scan_result *r)
{
    for (int u = 0; u < 256 && !stop_signal; u++) {
        if (!o->units[u]) continue;
        uint16_t reg = 0;
        mdc_err e = {0};
        r->asked++;
        int rc = mdc_mb_read(link, u, o->fc, (uint16_t)o->address, 1, &reg, &e);
        if (rc == 0)
            printf("%sunit %d answers: FC%d address %d = 0x%04X (%u)\n", label, u, o->fc,
                   o->address, reg, reg);
        else if (e.code == MDC_EDEVICE)
            printf("%sunit %d answers with an exception (a device is there): %s\n", label, u,
                   e.msg);
        else if (e.code == MDC_EPROTO)
            printf("%sunit %d: a garbled answer (another baud rate or parity?): %s\n", label, u,
                   e.msg);
        r->answered += rc == 0 || e.code == MDC_EDEVICE;
        fflush(stdout);
        if (e.code == MDC_EIO || mdc_mb_link_needs_reopen(link)) {
            fprintf(stderr, "mdc scan: %s%s\n", label, e.msg);
            return -1;
        }
    }
    return 0;
}

static int scan_one(const scan_opts *o, const mdc_mb_link_cfg *cfg, scan_result *r)
{
    char label[64] = "";
    if (cfg->kind != MDC_MB_TCP)
        snprintf(label, sizeof label, "%d %d%c%d: ", cfg->baud, cfg->data_bits, cfg->parity,
                 cfg->stop_bits);
    mdc_mb_link *link;
    mdc_err e;
    if (mdc_mb_link_open(cfg, &link, &e) < 0) {
        fprintf(stderr, "mdc scan: %s\n", e.msg);
        return -1;
    }
    int rc = ask_units(o, link, label, r);
    mdc_mb_link_close(link);
    return rc;
}

static void announce(const scan_opts *o, int settings)
{
    char what[400];
    mdc_mb_link_cfg_describe(&o->link, what, sizeof what);
    long requests = (long)o->nunits * settings;
    double longest = (double)requests * (double)o->link.timeout_us / 1e6;
    if (o->serial)
        printf("mdc scan: %s %s: %d unit ids x %d baud rates x %zu parities, FC%d address %d: "
               "at most %ld requests, %.0f s at the longest (Ctrl-C stops)\n",
               o->link.kind == MDC_MB_RTU ? "rtu" : "ascii", o->link.device, o->nunits, o->nbauds,
               strlen(o->parities), o->fc, o->address, requests, longest);
    else
        printf("mdc scan: %s: %d unit ids, FC%d address %d: at most %ld requests, %.0f s at the "
               "longest (Ctrl-C stops)\n",
               what, o->nunits, o->fc, o->address, requests, longest);
    fflush(stdout);
}

static int run_scan(const scan_opts *o, scan_result *r)
{
    if (!o->serial) return scan_one(o, &o->link, r);
    for (int b = 0; b < o->nbauds && !stop_signal; b++)
        for (const char *p = o->parities; *p && !stop_signal; p++) {
            mdc_mb_link_cfg cfg = o->link;
            cfg.baud = o->bauds[b];
            cfg.parity = *p;
            int before = r->answered;
            if (scan_one(o, &cfg, r) < 0) return -1;
            if (o->first && r->answered > before) return 0;
        }
    return 0;
}

int cmd_scan(int argc, char **argv)
{
    scan_opts o;
    bool ascii = false;
    defaults(&o);
    int rc = parse_args(argc, argv, &o, &ascii);
    if (rc >= 0) return rc;
    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: a wait ends at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    announce(&o, o.serial ? o.nbauds * (int)strlen(o.parities) : 1);
    scan_result r = {0};
    int64_t t0 = mdc_mono_us();
    rc = run_scan(&o, &r);
    printf("mdc scan: %d of %d requests answered in %.1f s%s\n", r.answered, r.asked,
           (double)(mdc_mono_us() - t0) / 1e6,
           stop_signal ? (stop_signal == SIGINT ? "; stopped by SIGINT" : "; stopped by SIGTERM")
                       : "");
    if (stop_signal) return 130;
    return rc < 0 || r.answered == 0 ? 1 : 0;
}
