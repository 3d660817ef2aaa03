/* SPDX-License-Identifier: Apache-2.0 */
/* opts.c — the command line of `mdc-sim broute`. */
#include "../common/util.h"
#include "bsim.h"
#include "drivers/broute/hex.h"
#include "drivers/broute/port.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: mdc-sim broute [OPTIONS]\n"
    "\n"
    "Simulates a Wi-SUN B-route module (SKSTACK-IP) with a low-voltage smart meter (ECHONET\n"
    "Lite 0x028801) on a new pseudo-terminal; prints exactly one line \"pty: /dev/pts/N\".\n"
    "\n"
    "Module and line:\n"
    "  --profile P         bp35a1 (default): hex ERXUDP, no SIDE fields;\n"
    "                      bp35c0, rl7023: binary ERXUDP with LQI and SIDE, SIDE in\n"
    "                      SKSENDTO/SKSCAN/EVENT/EINFO (RL7023 Stick-D/DSS)\n"
    "  --link PATH         also create the symlink PATH to the pty (removed on exit)\n"
    "  --baud N            line speed to emulate (default 115200): every answer reaches the\n"
    "                      pty when it would have crossed the line (10 bits per byte), after\n"
    "                      the command itself\n"
    "  --no-line-delay     answer at once\n"
    "  --rbid ID           the B-route ID the meter accepts (default 32 x '0')\n"
    "  --password PWD      the password it accepts (default 12 x '0')\n"
    "  --meter-delay MS    radio round trip of an ECHONET Lite request (default 300)\n"
    "  --join-delay MS     SKJOIN/SKREJOIN to EVENT 25, and a re-authentication (default 200)\n"
    "  --scan-scale F      fraction of a real module's active-scan time, 9.6 ms x (2^d + 1) x 28\n"
    "                      channels (default 0.01; 1 = real time)\n"
    "  --channel N         the meter's channel, 33..60 (default 33 = 0x21)\n"
    "  --panid HEX         its PAN ID (default 8888)\n"
    "  --mac HEX           its 16-digit MAC address (default 00112233445566AA)\n"
    "\n"
    "Meter:\n"
    "  --phase single|three  single-phase two-wire (T current 0x7FFE) or R/T (default three)\n"
    "  --power W           mean instantaneous power (default 500)\n"
    "  --energy KWH        cumulative energy at start (default 12345.6)\n"
    "  --unit CODE         E1 unit code: 0 (1 kWh), 1 (0.1, default), 2, 3, 4, 10 (10 kWh) .. 13\n"
    "  --coefficient N     D3 coefficient (default: the meter has no D3 and answers Get_SNA)\n"
    "  --digits N          D7 effective digits (default 6)\n"
    "  --timezone Z        the meter's local time zone (default Asia/Tokyo)\n"
    "  --clock T           the meter's local time at start, YYYY-MM-DDTHH:MM:SS (default now;\n"
    "                      with --frozen 2023-10-27T19:12:34)\n"
    "  --seed N            noise seed (default 1)\n"
    "  --frozen            no clock, no noise: exact values for tests\n"
    "\n"
    "Faults (N counts from 1; requests are SKSENDTOs):\n"
    "  --no-beacon N       the first N active scans find nothing\n"
    "  --reject-join N     the first N SKJOINs end with EVENT 24\n"
    "  --expire-after N    EVENT 29 right after the reply to request N; the module\n"
    "                      re-authenticates (EVENT 25) ...\n"
    "  --expire-fail       ... or fails to (EVENT 24), and needs SKREJOIN/SKJOIN\n"
    "  --drop-reply N      the meter never answers request N\n"
    "  --late-reply N      the reply to request N is held back and sent just before the\n"
    "                      reply to the next request (an old TID)\n"
    "  --fail-er04 CMD[:N] the N-th (default first) command CMD (e.g. SKSENDTO, SKSREG) is\n"
    "                      answered FAIL ER04\n"
    "  --garbage-before N  noise bytes on the line before the reply to request N\n"
    "  --mute              read everything, answer nothing\n"
    "  --verbose           print a line per command\n"
    "\n"
    "Control (stdin; each command is acknowledged \"ok ...\" or \"error ...\" on stdout):\n"
    "  no-beacon [N]  reject-join [N]  expire [reauth|fail]  drop [N]  late  dup\n"
    "  fail [CMD] [ERnn]  garbage [BYTES]  mute on|off  set power W  set phase single|three\n"
    "  clock YYYY-MM-DDTHH:MM:SS  show  help  quit\n"
    "\n"
    "SIGINT/SIGTERM end it cleanly.\n";

static int bad(const char *fmt, const char *arg)
{
    fprintf(stderr, "mdc-sim broute: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(mdc-sim broute --help lists the options)\n");
    return -1;
}

static int parse_clock(const char *s, mdc_civil *c)
{
    int y, mo, d, h, mi, se;
    char tail;
    memset(c, 0, sizeof *c);
    if (sscanf(s, "%d-%d-%dT%d:%d:%d%c", &y, &mo, &d, &h, &mi, &se, &tail) != 6) return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return -1;
    *c = (mdc_civil){.year = y, .month = mo, .day = d, .hour = h, .minute = mi, .second = se};
    return 0;
}

static int copy(char *dst, size_t cap, const char *src, const char *what)
{
    if (strlen(src) >= cap) return bad("%s: too long", what);
    snprintf(dst, cap, "%s", src);
    return 0;
}

static void defaults(bsim_opts *o)
{
    memset(o, 0, sizeof *o);
    o->baud = 115200;
    memset(o->rbid, '0', 32);
    memset(o->password, '0', 12);
    o->seed = 1;
    o->three_phase = true;
    o->meter_delay_us = 300000;
    o->join_delay_us = 200000;
    o->scan_scale = 0.01;
    snprintf(o->tz, sizeof o->tz, "Asia/Tokyo");
    o->channel = 33;
    o->panid = 0x8888;
    snprintf(o->mac, sizeof o->mac, "00112233445566AA");
    o->power_w = 500;
    o->energy_kwh = 12345.6;
    o->unit_code = 1;
    o->digits = 6;
}

enum {
    O_PROFILE = 256,
    O_LINK,
    O_BAUD,
    O_NODELAY,
    O_RBID,
    O_PASSWORD,
    O_MDELAY,
    O_JDELAY,
    O_SCAN,
    O_CHANNEL,
    O_PANID,
    O_MAC,
    O_PHASE,
    O_POWER,
    O_ENERGY,
    O_UNIT,
    O_COEFF,
    O_DIGITS,
    O_TZ,
    O_CLOCK,
    O_SEED,
    O_FROZEN,
    O_NOBEACON,
    O_REJECT,
    O_EXPIRE,
    O_EXPFAIL,
    O_DROP,
    O_LATE,
    O_FAIL,
    O_GARBAGE,
    O_MUTE,
    O_VERBOSE,
    O_HELP
};

static const struct option longopts[] = {
    {"profile", required_argument, 0, O_PROFILE},
    {"link", required_argument, 0, O_LINK},
    {"baud", required_argument, 0, O_BAUD},
    {"no-line-delay", no_argument, 0, O_NODELAY},
    {"rbid", required_argument, 0, O_RBID},
    {"password", required_argument, 0, O_PASSWORD},
    {"meter-delay", required_argument, 0, O_MDELAY},
    {"join-delay", required_argument, 0, O_JDELAY},
    {"scan-scale", required_argument, 0, O_SCAN},
    {"channel", required_argument, 0, O_CHANNEL},
    {"panid", required_argument, 0, O_PANID},
    {"mac", required_argument, 0, O_MAC},
    {"phase", required_argument, 0, O_PHASE},
    {"power", required_argument, 0, O_POWER},
    {"energy", required_argument, 0, O_ENERGY},
    {"unit", required_argument, 0, O_UNIT},
    {"coefficient", required_argument, 0, O_COEFF},
    {"digits", required_argument, 0, O_DIGITS},
    {"timezone", required_argument, 0, O_TZ},
    {"clock", required_argument, 0, O_CLOCK},
    {"seed", required_argument, 0, O_SEED},
    {"frozen", no_argument, 0, O_FROZEN},
    {"no-beacon", required_argument, 0, O_NOBEACON},
    {"reject-join", required_argument, 0, O_REJECT},
    {"expire-after", required_argument, 0, O_EXPIRE},
    {"expire-fail", no_argument, 0, O_EXPFAIL},
    {"drop-reply", required_argument, 0, O_DROP},
    {"late-reply", required_argument, 0, O_LATE},
    {"fail-er04", required_argument, 0, O_FAIL},
    {"garbage-before", required_argument, 0, O_GARBAGE},
    {"mute", no_argument, 0, O_MUTE},
    {"verbose", no_argument, 0, O_VERBOSE},
    {"help", no_argument, 0, O_HELP},
    {0, 0, 0, 0},
};

static int parse_profile(const char *arg, bsim_opts *o)
{
    static const char *const names[] = {"bp35a1", "bp35c0", "rl7023"};
    for (int i = 0; i < 3; i++)
        if (strcmp(arg, names[i]) == 0) {
            o->profile = (bsim_profile)i;
            return 0;
        }
    return bad("--profile: expected bp35a1, bp35c0 or rl7023, got '%s'", arg);
}

static int parse_fail(const char *arg, bsim_opts *o)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", arg);
    char *colon = strchr(buf, ':');
    long nth = 1;
    if (colon) {
        *colon = '\0';
        if (sim_parse_long(colon + 1, 1, 1000000, &nth) < 0)
            return bad("--fail-er04: expected CMD or CMD:N, got '%s'", arg);
    }
    if (!buf[0] || strlen(buf) >= sizeof o->fail_cmd)
        return bad("--fail-er04: expected CMD or CMD:N, got '%s'", arg);
    memcpy(o->fail_cmd, buf, strlen(buf) + 1); /* fits: checked above */
    o->fail_cmd_nth = (int)nth;
    return 0;
}

static int *count_opt(int c, bsim_opts *o)
{
    switch (c) {
    case O_NOBEACON:
        return &o->no_beacon;
    case O_REJECT:
        return &o->reject_join;
    case O_EXPIRE:
        return &o->expire_after;
    case O_DROP:
        return &o->drop_reply;
    case O_LATE:
        return &o->late_reply;
    case O_GARBAGE:
        return &o->garbage_reply;
    }
    return NULL;
}

static int parse_meter(int c, const char *arg, bsim_opts *o)
{
    long v;
    double d;
    switch (c) {
    case O_PHASE:
        if (strcmp(arg, "single") && strcmp(arg, "three"))
            return bad("--phase: expected single or three, got '%s'", arg);
        o->three_phase = strcmp(arg, "three") == 0;
        return 0;
    case O_POWER:
    case O_ENERGY:
        if (sim_parse_double(arg, &d) < 0 || d < 0 || d > 1e7)
            return bad("expected a number, got '%s'", arg);
        *(c == O_POWER ? &o->power_w : &o->energy_kwh) = d;
        return 0;
    case O_UNIT:
        if (sim_parse_long(arg, 0, 13, &v) < 0 || (v > 4 && v < 10))
            return bad("--unit: expected 0..4 or 10..13, got '%s'", arg);
        o->unit_code = (int)v;
        return 0;
    case O_COEFF:
        if (sim_parse_long(arg, 1, 999999, &v) < 0)
            return bad("--coefficient: expected 1..999999, got '%s'", arg);
        o->coeff = (uint32_t)v;
        return 0;
    case O_DIGITS:
        if (sim_parse_long(arg, 1, 8, &v) < 0) return bad("--digits: expected 1..8, got '%s'", arg);
        o->digits = (int)v;
        return 0;
    case O_TZ:
        return copy(o->tz, sizeof o->tz, arg, "--timezone");
    case O_CLOCK:
        if (parse_clock(arg, &o->clock) < 0)
            return bad("--clock: expected YYYY-MM-DDTHH:MM:SS, got '%s'", arg);
        o->have_clock = true;
        return 0;
    case O_SEED:
        if (sim_parse_long(arg, 0, 0x7FFFFFFFL, &v) < 0)
            return bad("--seed: expected an integer, got '%s'", arg);
        o->seed = (uint64_t)v;
        return 0;
    case O_FROZEN:
        o->frozen = true;
        return 0;
    }
    return 1;
}

static int parse_module(int c, const char *arg, bsim_opts *o)
{
    long v;
    double d;
    uint32_t u;
    switch (c) {
    case O_PROFILE:
        return parse_profile(arg, o);
    case O_LINK:
        return copy(o->link, sizeof o->link, arg, "--link");
    case O_BAUD:
        if (sim_parse_long(arg, 1, 4000000, &v) < 0 || !mdc_brt_baud_supported((int)v))
            return bad("--baud: '%s' is not a supported rate", arg);
        o->baud = (int)v;
        return 0;
    case O_NODELAY:
        o->no_line_delay = true;
        return 0;
    case O_RBID:
        return copy(o->rbid, sizeof o->rbid, arg, "--rbid");
    case O_PASSWORD:
        return copy(o->password, sizeof o->password, arg, "--password");
    case O_MDELAY:
    case O_JDELAY:
        if (sim_parse_double(arg, &d) < 0 || d < 0 || d > 3600000)
            return bad("expected milliseconds, got '%s'", arg);
        *(c == O_MDELAY ? &o->meter_delay_us : &o->join_delay_us) = (int64_t)(d * 1000);
        return 0;
    case O_SCAN:
        if (sim_parse_double(arg, &d) < 0 || d < 0 || d > 100)
            return bad("--scan-scale: expected 0..100, got '%s'", arg);
        o->scan_scale = d;
        return 0;
    case O_CHANNEL:
        if (sim_parse_long(arg, 33, 60, &v) < 0)
            return bad("--channel: expected 33..60, got '%s'", arg);
        o->channel = (int)v;
        return 0;
    case O_PANID:
        if (strlen(arg) != 4 || mdc_brt_hex_u32(arg, 4, &u) < 0 || u == 0xFFFF)
            return bad("--panid: expected 4 hex digits, got '%s'", arg);
        o->panid = (int)u;
        return 0;
    case O_MAC:
        if (strlen(arg) != 16 || !mdc_brt_is_hex(arg, 16))
            return bad("--mac: expected 16 hex digits, got '%s'", arg);
        for (int i = 0; i < 16; i++)
            o->mac[i] = (char)(arg[i] >= 'a' ? arg[i] - 32 : arg[i]);
        o->mac[16] = '\0';
        return 0;
    }
    return parse_meter(c, arg, o);
}

static int parse_fault(int c, const char *arg, bsim_opts *o)
{
    long v;
    int *n = count_opt(c, o);
    if (n) {
        if (sim_parse_long(arg, 0, 1000000, &v) < 0) return bad("expected a count, got '%s'", arg);
        *n = (int)v;
        return 0;
    }
    switch (c) {
    case O_EXPFAIL:
        o->expire_fail = true;
        return 0;
    case O_FAIL:
        return parse_fail(arg, o);
    case O_MUTE:
        o->mute = true;
        return 0;
    case O_VERBOSE:
        o->verbose = true;
        return 0;
    }
    return parse_module(c, arg, o);
}

int bsim_parse_opts(int argc, char **argv, bsim_opts *o)
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
        int rc = parse_fault(c, optarg, o);
        if (rc == 1) return bad("unknown option '%s'", argv[optind - 1]);
        if (rc < 0) return -1;
    }
    if (optind < argc) return bad("unexpected argument '%s'", argv[optind]);
    if (o->frozen && !o->have_clock) {
        parse_clock("2023-10-27T19:12:34", &o->clock);
        o->have_clock = true;
    }
    return 0;
}

bool bsim_has_side(const bsim_opts *o)
{
    return o->profile != BSIM_BP35A1;
}
