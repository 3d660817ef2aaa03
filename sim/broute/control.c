/* SPDX-License-Identifier: Apache-2.0 */
/* control.c — commands on stdin that change the meter or inject faults; every command is
 * answered "ok <command>" or "error <command>: <why>" on stdout. */
#include "bsim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXTOK 6

static int count_arg(int n, char **t, int def)
{
    if (n < 2) return def;
    char *end;
    long v = strtol(t[1], &end, 10);
    return *t[1] && !*end && v >= 0 && v <= 1000000 ? (int)v : -1;
}

static int parse_clock(const char *s, mdc_civil *c)
{
    int y, mo, d, h, mi, se;
    char tail;
    if (sscanf(s, "%d-%d-%dT%d:%d:%d%c", &y, &mo, &d, &h, &mi, &se, &tail) != 6) return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return -1;
    *c = (mdc_civil){.year = y, .month = mo, .day = d, .hour = h, .minute = mi, .second = se};
    return 0;
}

static const char *set_command(bsim *s, int n, char **t)
{
    if (n != 3) return "usage: set power W | set phase single|three";
    if (strcmp(t[1], "power") == 0) {
        char *end;
        double w = strtod(t[2], &end);
        if (!*t[2] || *end || w < -1e6 || w > 1e6) return "expected watts";
        s->meter.power_w = w;
        s->meter.pinned = true;
        return NULL;
    }
    if (strcmp(t[1], "phase") == 0 && (!strcmp(t[2], "single") || !strcmp(t[2], "three"))) {
        s->meter.three_phase = strcmp(t[2], "three") == 0;
        return NULL;
    }
    return "usage: set power W | set phase single|three";
}

static const char *fail_command(bsim *s, int n, char **t)
{
    const char *cmd = "SKSENDTO";
    int code = 4;
    for (int i = 1; i < n; i++) {
        if (strncmp(t[i], "ER", 2) == 0 && strlen(t[i]) == 4)
            code = atoi(t[i] + 2);
        else
            cmd = t[i];
    }
    if (strlen(cmd) >= sizeof s->ctl_fail_cmd) return "command name too long";
    snprintf(s->ctl_fail_cmd, sizeof s->ctl_fail_cmd, "%s", cmd);
    s->ctl_fail_code = code;
    return NULL;
}

static void show(bsim *s)
{
    char m[256];
    bsim_meter_describe(&s->meter, m, sizeof m);
    bsim_say("session %s, %d scan(s), %d join(s), %d request(s); %s", bsim_sess_name(s->sess),
             s->scans, s->joins, s->sendtos, m);
}

static const char *fault_command(bsim *s, int n, char **t)
{
    int *counter = NULL;
    if (!strcmp(t[0], "no-beacon")) counter = &s->ctl_no_beacon;
    if (!strcmp(t[0], "reject-join")) counter = &s->ctl_reject;
    if (!strcmp(t[0], "drop")) counter = &s->ctl_drop;
    if (!strcmp(t[0], "late")) counter = &s->ctl_late;
    if (!strcmp(t[0], "dup")) counter = &s->ctl_dup;
    if (counter) {
        int v = count_arg(n, t, 1);
        if (v < 0 || n > 2) return "expected an optional count";
        *counter = v;
        return NULL;
    }
    if (!strcmp(t[0], "expire")) {
        if (n > 2 || (n == 2 && strcmp(t[1], "reauth") && strcmp(t[1], "fail")))
            return "usage: expire [reauth|fail]";
        if (s->sess != BSIM_SESS_UP) return "no PANA session";
        bsim_module_expire(s, n == 2 && !strcmp(t[1], "fail"), bsim_now_us());
        return NULL;
    }
    if (!strcmp(t[0], "garbage")) {
        int v = count_arg(n, t, 32);
        if (v < 1 || v > 512 || n > 2) return "expected 1..512 bytes";
        bsim_module_garbage(s, (size_t)v, bsim_now_us());
        return NULL;
    }
    if (!strcmp(t[0], "fail")) return fail_command(s, n, t);
    return "unknown command (try: help)";
}

static const char *run(bsim *s, int n, char **t)
{
    mdc_civil c;
    if (!strcmp(t[0], "mute") && n == 2 && (!strcmp(t[1], "on") || !strcmp(t[1], "off"))) {
        s->mute = !strcmp(t[1], "on");
        return NULL;
    }
    if (!strcmp(t[0], "set")) return set_command(s, n, t);
    if (!strcmp(t[0], "clock")) {
        if (n != 2 || parse_clock(t[1], &c) < 0) return "usage: clock YYYY-MM-DDTHH:MM:SS";
        bsim_meter_set_clock(&s->meter, &c);
        return NULL;
    }
    if (!strcmp(t[0], "show") && n == 1) {
        show(s);
        return NULL;
    }
    if (!strcmp(t[0], "quit") && n == 1) {
        s->quit = true;
        return NULL;
    }
    if (!strcmp(t[0], "help") && n == 1) {
        bsim_say("commands: no-beacon [N] | reject-join [N] | expire [reauth|fail] | drop [N] | "
                 "late | dup | fail [CMD] [ERnn] | garbage [BYTES] | mute on|off | set power W | "
                 "set phase single|three | clock YYYY-MM-DDTHH:MM:SS | show | quit");
        return NULL;
    }
    return fault_command(s, n, t);
}

void bsim_control_line(bsim *s, const char *line)
{
    char buf[1024], text[1024] = "";
    snprintf(buf, sizeof buf, "%s", line);
    char *t[MAXTOK];
    int n = 0;
    for (char *save = NULL, *p = strtok_r(buf, " \t\r", &save); p;
         p = strtok_r(NULL, " \t\r", &save)) {
        if (n == MAXTOK) {
            bsim_say("error %s: too many words", line);
            return;
        }
        t[n++] = p;
        size_t l = strlen(text);
        snprintf(text + l, sizeof text - l, "%s%s", n > 1 ? " " : "", p);
    }
    if (n == 0 || t[0][0] == '#') return;
    const char *why = run(s, n, t);
    if (why)
        bsim_say("error %s: %s", text, why);
    else
        bsim_say("ok %s", text);
}

void bsim_control_feed(bsim *s, const char *data, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (data[i] == '\n') {
            s->ctl[s->ctl_len] = '\0';
            bsim_control_line(s, s->ctl);
            s->ctl_len = 0;
        } else if (s->ctl_len + 1 < sizeof s->ctl) {
            s->ctl[s->ctl_len++] = data[i];
        }
    }
}
