/* SPDX-License-Identifier: Apache-2.0 */
/* control.c — the line-based control channel. Every command is answered with one line
 * "ok <command>" or "error <command>: <why>" on stdout, after any output it prints. */
#include "lsim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXTOK 16

typedef struct cmd {
    char *tok[MAXTOK];
    int n;
    int target; /* -1 = every control */
    char text[512];
    const char *rest; /* the original text after the verb (for alarm) */
} cmd;

static int tokenize(char *line, cmd *c)
{
    c->n = 0;
    for (char *save = NULL, *p = strtok_r(line, " \t\r", &save); p;
         p = strtok_r(NULL, " \t\r", &save)) {
        if (c->n == MAXTOK) return -1;
        c->tok[c->n++] = p;
    }
    c->text[0] = '\0';
    for (int i = 0; i < c->n; i++) {
        size_t l = strlen(c->text);
        snprintf(c->text + l, sizeof c->text - l, "%s%s", i ? " " : "", c->tok[i]);
    }
    return 0;
}

static int number(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !isfinite(v) || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static void show(lsim *s, int i)
{
    lsim_snapshot snap;
    lsim_machine_sample(&s->machines[i], lsim_now_us(), &snap);
    uint64_t conns, tel;
    int open;
    lsim_net_stats(s->net, i, &conns, &tel, &open);
    lsim_say("control %d state %s%s exec %d pgm %d line %u signal %d parts %u connections %llu "
             "open %d telegrams %llu",
             i, lsim_state_name(snap.state), s->machines[i].held ? " (held)" : "", snap.exec,
             snap.pgm, snap.line, snap.signal, snap.parts, (unsigned long long)conns, open,
             (unsigned long long)tel);
}

typedef int (*machine_fn)(lsim *s, lsim_machine *m, const cmd *c, int64_t now);

static int do_state(lsim *s, lsim_machine *m, const cmd *c, int64_t now)
{
    (void)s;
    lsim_state st;
    if (c->n != 2 || lsim_state_parse(c->tok[1], &st) < 0) return -1;
    lsim_machine_hold(m, st, now);
    return 0;
}

static int do_cycle(lsim *s, lsim_machine *m, const cmd *c, int64_t now)
{
    (void)s;
    if (c->n != 1) return -1;
    lsim_machine_cycle(m, now);
    return 0;
}

static int do_pulse(lsim *s, lsim_machine *m, const cmd *c, int64_t now)
{
    double ms = s->o.pulse_s * 1000.0;
    if (c->n > 2 || (c->n == 2 && number(c->tok[1], 1, 3600000, &ms) < 0)) return -1;
    lsim_machine_pulse(m, now, ms);
    return 0;
}

static int do_signal(lsim *s, lsim_machine *m, const cmd *c, int64_t now)
{
    (void)s;
    if (c->n != 2) return -1;
    int level = !strcmp(c->tok[1], "high") ? 1 : !strcmp(c->tok[1], "low") ? 0 : -2;
    if (!strcmp(c->tok[1], "auto")) level = -1;
    if (level == -2) return -1;
    lsim_machine_force(m, level, now);
    return 0;
}

static int do_alarm(lsim *s, lsim_machine *m, const cmd *c, int64_t now)
{
    (void)s;
    (void)now;
    if (c->n < 2) return -1;
    if (c->n == 2 && !strcmp(c->tok[1], "clear"))
        m->alarm[0] = '\0';
    else
        snprintf(m->alarm, sizeof m->alarm, "%s", c->rest);
    return 0;
}

static const struct {
    const char *verb;
    machine_fn fn;
} machine_cmds[] = {{"state", do_state},
                    {"cycle", do_cycle},
                    {"pulse", do_pulse},
                    {"signal", do_signal},
                    {"alarm", do_alarm}};

/* 1 when not a machine command. */
static int machine_command(lsim *s, const cmd *c)
{
    for (size_t k = 0; k < sizeof machine_cmds / sizeof machine_cmds[0]; k++) {
        if (strcmp(c->tok[0], machine_cmds[k].verb) != 0) continue;
        int64_t now = lsim_now_us();
        for (int i = 0; i < s->n; i++)
            if ((c->target < 0 || c->target == i) &&
                machine_cmds[k].fn(s, &s->machines[i], c, now) < 0)
                return -1;
        return 0;
    }
    return 1;
}

static int global_command(lsim *s, const cmd *c)
{
    const char *v = c->tok[0];
    double x;
    if (!strcmp(v, "drop") && c->n == 1) {
        lsim_net_drop(s->net, s, c->target);
    } else if (!strcmp(v, "stats") || !strcmp(v, "show")) {
        for (int i = 0; i < s->n; i++)
            if (c->target < 0 || c->target == i) show(s, i);
    } else if (c->target >= 0) {
        return -1; /* the rest apply to every control */
    } else if (!strcmp(v, "refuse") && c->n == 2) {
        bool none = !strcmp(c->tok[1], "none");
        if (!none && strcmp(c->tok[1], "dnc") && strcmp(c->tok[1], "plcdebug")) return -1;
        if (none) s->o.refuse_dnc = s->o.refuse_plc = false;
        if (!strcmp(c->tok[1], "dnc")) s->o.refuse_dnc = true;
        if (!strcmp(c->tok[1], "plcdebug")) s->o.refuse_plc = true;
    } else if (!strcmp(v, "slow") && c->n == 2 && number(c->tok[1], 0, 3600000, &x) == 0) {
        s->o.slow_ms = x;
    } else if (!strcmp(v, "quit") && c->n == 1) {
        s->quit = true;
    } else if (!strcmp(v, "help") && c->n == 1) {
        lsim_say("commands: [control N] state idle|started|stopped|finished|error | cycle | "
                 "pulse [MS] | signal high|low|auto | alarm TEXT[|TEXT] | alarm clear | drop | "
                 "stats; refuse dnc|plcdebug|none | slow MS | quit");
    } else {
        return -1;
    }
    return 0;
}

/* Strips a leading "control N"; records where the text after the verb starts. */
static int parse_target(lsim *s, cmd *c, const char *line)
{
    c->target = -1;
    if (c->n >= 2 && !strcmp(c->tok[0], "control")) {
        double v;
        if (number(c->tok[1], 0, s->n - 1, &v) < 0 || v != floor(v)) return -1;
        c->target = (int)v;
        memmove(c->tok, c->tok + 2, (size_t)(c->n - 2) * sizeof c->tok[0]);
        c->n -= 2;
    }
    c->rest = "";
    if (c->n >= 1) {
        const char *p = strstr(line, c->tok[0]);
        p = p ? p + strlen(c->tok[0]) : line + strlen(line);
        c->rest = p + strspn(p, " \t");
    }
    return 0;
}

void lsim_control_line(lsim *s, const char *line)
{
    char buf[1024], orig[1024];
    snprintf(buf, sizeof buf, "%s", line);
    size_t l = strlen(buf);
    while (l && (buf[l - 1] == '\r' || buf[l - 1] == ' '))
        buf[--l] = '\0';
    snprintf(orig, sizeof orig, "%s", buf);
    cmd c;
    if (tokenize(buf, &c) < 0) {
        lsim_say("error %s: too many words", line);
        return;
    }
    if (c.n == 0 || c.tok[0][0] == '#') return;
    if (parse_target(s, &c, orig) < 0) {
        lsim_say("error %s: no such control", c.text);
        return;
    }
    if (c.n == 0) {
        lsim_say("error %s: a command must follow control N", c.text);
        return;
    }
    int rc = machine_command(s, &c);
    if (rc == 1) rc = global_command(s, &c);
    if (rc < 0)
        lsim_say("error %s: unknown command or bad arguments (try: help)", c.text);
    else
        lsim_say("ok %s", c.text);
}

void lsim_control_feed(lsim *s, lsim_linebuf *lb, const char *data, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (data[i] == '\n') {
            lb->buf[lb->len] = '\0';
            lsim_control_line(s, lb->buf);
            lb->len = 0;
        } else if (lb->len + 1 < sizeof lb->buf) {
            lb->buf[lb->len++] = data[i];
        }
    }
}
