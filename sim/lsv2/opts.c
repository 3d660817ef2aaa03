/* SPDX-License-Identifier: Apache-2.0 */
/* opts.c — the command line of `mdc-sim lsv2`. */
#include "lsim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[LSIM_NSTATES] = {"idle", "started", "stopped", "finished",
                                                      "error"};

const char *lsim_state_name(lsim_state s)
{
    return (unsigned)s < LSIM_NSTATES ? state_names[s] : "?";
}

int lsim_state_parse(const char *s, lsim_state *out)
{
    for (int i = 0; i < LSIM_NSTATES; i++)
        if (strcmp(s, state_names[i]) == 0) {
            *out = (lsim_state)i;
            return 0;
        }
    return -1;
}

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: mdc-sim lsv2 [OPTIONS]\n"
        "Heidenhain TNC controls answering LSV2 over TCP (one listening port per control).\n\n"
        "  --listen HOST:PORT     first control's address (default 127.0.0.1:19000; port 0:\n"
        "                         any free port for each control)\n"
        "  --controls N           N controls on consecutive ports (default 1)\n"
        "  --profile P            itnc530 (124-byte S_PR, NC errors), tnc640 (5-field version),\n"
        "                         old (TNC 426: 3-field version, 256-byte buffer)\n"
        "  --cycle SPEC           idle=S,run=S,finished=S,pulse=S (default "
        "idle=5,run=10,finished=2,pulse=2):\n"
        "                         idle -> program started -> finished (part pulse) -> ...\n"
        "  --state STATE          hold idle|started|stopped|finished|error instead of cycling\n"
        "  --marker N             part signal marker M<N> (default 4170)\n"
        "  --dword N              part signal dword D<N> = VALUE while high (default 10368)\n"
        "  --dword-value V        (default 255)\n"
        "  --counter N            part counter dword D<N> (default 3504)\n"
        "faults:\n"
        "  --drop-after N         close a connection instead of answering its request N+1\n"
        "  --split                write every reply in three pieces, 2 ms apart\n"
        "  --ter-len N            T_ER payloads of N bytes (normal: 2)\n"
        "  --refuse dnc|plcdebug  refuse that login with T_ER 49 (repeatable)\n"
        "  --slow MS              delay every reply\n"
        "  --mcc                  an unsolicited M_CC before every S_RI\n"
        "  --plc-password PW      PLCDEBUG needs this password (T_ER 30 otherwise)\n"
        "control:\n"
        "  --control FIFO         also read control commands from this FIFO (created)\n"
        "  --verbose              log every request on stderr\n\n"
        "Prints \"listening HOST:PORT\" per control when ready. Commands on stdin, each\n"
        "answered \"ok ...\" or \"error ...\": [control N] state idle|started|stopped|\n"
        "finished|error | cycle | pulse [MS] | signal high|low|auto | alarm TEXT[|TEXT] |\n"
        "alarm clear | refuse dnc|plcdebug|none | slow MS | drop | stats | show | quit\n");
}

static int number(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !isfinite(v) || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static int parse_cycle(const char *spec, lsim_opts *o)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        double v;
        if (!eq || number(eq + 1, 0, 86400, &v) < 0) return -1;
        *eq = '\0';
        if (strcmp(t, "idle") == 0)
            o->idle_s = v;
        else if (strcmp(t, "run") == 0)
            o->run_s = v;
        else if (strcmp(t, "finished") == 0)
            o->finished_s = v;
        else if (strcmp(t, "pulse") == 0)
            o->pulse_s = v;
        else
            return -1;
    }
    return o->idle_s + o->run_s + o->finished_s > 0 ? 0 : -1;
}

static int parse_listen(const char *s, lsim_opts *o)
{
    const char *colon = strrchr(s, ':');
    double port;
    if (!colon || colon == s || number(colon + 1, 0, 65535, &port) < 0) return -1;
    size_t hl = (size_t)(colon - s);
    if (s[0] == '[' && hl >= 2 && s[hl - 1] == ']') s++, hl -= 2;
    if (hl >= sizeof o->host) return -1;
    memcpy(o->host, s, hl);
    o->host[hl] = '\0';
    o->port = (int)port;
    return 0;
}

static void defaults(lsim_opts *o)
{
    memset(o, 0, sizeof *o);
    snprintf(o->host, sizeof o->host, "127.0.0.1");
    o->port = 19000;
    o->controls = 1;
    o->profile = LSIM_ITNC530;
    o->idle_s = 5, o->run_s = 10, o->finished_s = 2, o->pulse_s = 2;
    o->start_state = -1;
    o->marker = 4170, o->dword = 10368, o->counter = 3504, o->dword_value = 255;
    o->ter_len = 2;
}

static int check(const lsim_opts *o)
{
    const char *why = NULL;
    if (o->marker >= 10000)
        why = "--marker must be below 10000";
    else if (o->dword % 4 || o->dword >= 32768 || o->counter % 4 || o->counter >= 32768)
        why = "--dword and --counter must be multiples of 4 below 32768";
    else if (o->dword == o->counter)
        why = "--dword and --counter must differ";
    if (!why) return 0;
    fprintf(stderr, "mdc-sim lsv2: %s\n", why);
    return -1;
}

/* Options with an argument. Returns 0, or -1 when the value is bad. */
static int with_arg(lsim_opts *o, const char *opt, const char *v)
{
    double x;
    lsim_state st;
    if (!strcmp(opt, "--listen")) return parse_listen(v, o);
    if (!strcmp(opt, "--profile")) return lsim_profile_parse(v, &o->profile);
    if (!strcmp(opt, "--cycle")) return parse_cycle(v, o);
    if (!strcmp(opt, "--state"))
        return lsim_state_parse(v, &st) < 0 ? -1 : (o->start_state = (int)st, 0);
    if (!strcmp(opt, "--refuse")) {
        if (!strcmp(v, "dnc")) return o->refuse_dnc = true, 0;
        if (!strcmp(v, "plcdebug")) return o->refuse_plc = true, 0;
        return -1;
    }
    if (!strcmp(opt, "--plc-password")) {
        snprintf(o->plc_password, sizeof o->plc_password, "%s", v);
        return 0;
    }
    if (!strcmp(opt, "--control")) {
        snprintf(o->control, sizeof o->control, "%s", v);
        return 0;
    }
    if (!strcmp(opt, "--slow")) return number(v, 0, 3600000, &o->slow_ms);
    if (number(v, 0, 4294967295.0, &x) < 0 || x != floor(x)) return -1;
    if (!strcmp(opt, "--controls") && x >= 1 && x <= LSIM_MAX_CONTROLS)
        o->controls = (int)x;
    else if (!strcmp(opt, "--marker"))
        o->marker = (uint32_t)x;
    else if (!strcmp(opt, "--dword"))
        o->dword = (uint32_t)x;
    else if (!strcmp(opt, "--dword-value") && x <= 2147483647.0)
        o->dword_value = (int)x;
    else if (!strcmp(opt, "--counter"))
        o->counter = (uint32_t)x;
    else if (!strcmp(opt, "--drop-after"))
        o->drop_after = (long)x;
    else if (!strcmp(opt, "--ter-len") && x <= 16)
        o->ter_len = (int)x;
    else
        return -1;
    return 0;
}

int lsim_parse_opts(int argc, char **argv, lsim_opts *o)
{
    static const char *const flags[] = {"--split", "--mcc", "--verbose", NULL};
    static const char *const args[] = {"--listen",  "--controls",     "--profile", "--cycle",
                                       "--state",   "--marker",       "--dword",   "--dword-value",
                                       "--counter", "--drop-after",   "--ter-len", "--refuse",
                                       "--slow",    "--plc-password", "--control", NULL};
    defaults(o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 1;
        }
        if (!strcmp(a, flags[0]) || !strcmp(a, flags[1]) || !strcmp(a, flags[2])) {
            *(a[2] == 's' ? &o->split : a[2] == 'm' ? &o->mcc : &o->verbose) = true;
            continue;
        }
        bool known = false;
        for (int k = 0; args[k]; k++)
            known = known || !strcmp(a, args[k]);
        if (!known || i + 1 >= argc) {
            fprintf(stderr, "mdc-sim lsv2: %s '%s' (try --help)\n",
                    known ? "missing value for" : "unknown option", a);
            return -1;
        }
        if (with_arg(o, a, argv[i + 1]) < 0) {
            fprintf(stderr, "mdc-sim lsv2: bad value for %s: '%s' (try --help)\n", a, argv[i + 1]);
            return -1;
        }
        i++;
    }
    return check(o);
}
