/* SPDX-License-Identifier: Apache-2.0 */
/* control.c — the line-based control channel: state, set, faults. Every command is answered
 * with one line "ok <command>" or "error <why>" on stdout. */
#include "msim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXTOK 8

typedef struct target {
    long meter, unit; /* -1 = all */
} target;

typedef struct cmd {
    char *tok[MAXTOK];
    int n;
    target t;
    char text[512]; /* normalized command, echoed in the acknowledgement */
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

static int number(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

/* Strips leading "meter N" / "unit U" pairs. */
static int parse_target(cmd *c)
{
    c->t.meter = c->t.unit = -1;
    while (c->n >= 2 && (strcmp(c->tok[0], "meter") == 0 || strcmp(c->tok[0], "unit") == 0)) {
        double v;
        if (number(c->tok[1], &v) < 0 || v < 0 || v != floor(v)) return -1;
        *(c->tok[0][0] == 'm' ? &c->t.meter : &c->t.unit) = (long)v;
        memmove(c->tok, c->tok + 2, (size_t)(c->n - 2) * sizeof c->tok[0]);
        c->n -= 2;
    }
    return 0;
}

static bool matches(const msim_meter *mt, const target *t)
{
    return (t->meter < 0 || mt->id == t->meter) && (t->unit < 0 || mt->unit == t->unit);
}

static bool any_meter(const msim *s, const target *t)
{
    for (size_t k = 0; k < s->model.nmeters; k++)
        if (matches(&s->model.meters[k], t)) return true;
    return false;
}

typedef void (*meter_fn)(msim_meter *mt, const msim_opts *o, const void *arg);

/* Applies fn to every targeted meter; false when none matched. */
static bool for_meters(msim *s, const target *t, meter_fn fn, const void *arg)
{
    bool any = false;
    for (size_t k = 0; k < s->model.nmeters; k++) {
        msim_meter *mt = &s->model.meters[k];
        if (!matches(mt, t)) continue;
        fn(mt, &s->o, arg);
        msim_meter_settle(mt, &s->o);
        any = true;
    }
    s->image_dirty = true;
    return any;
}

static void do_state(msim_meter *mt, const msim_opts *o, const void *arg)
{
    (void)o;
    mt->held = true;
    mt->held_state = mt->state = *(const msim_state *)arg;
}

static void do_cycle(msim_meter *mt, const msim_opts *o, const void *arg)
{
    (void)o;
    (void)arg;
    mt->held = false;
}

typedef struct set_arg {
    msim_qty q;
    double v;
    int mode; /* 0 set, 1 unset, 2 unset all, 3 add */
} set_arg;

static void do_set(msim_meter *mt, const msim_opts *o, const void *arg)
{
    (void)o;
    const set_arg *a = arg;
    switch (a->mode) {
    case 0:
        mt->q[a->q] = a->v;
        mt->pinned[a->q] = a->q != MSIM_E_KWH; /* the energy counter keeps counting */
        break;
    case 1:
        mt->pinned[a->q] = false;
        break;
    case 2:
        memset(mt->pinned, 0, sizeof mt->pinned);
        break;
    case 3:
        mt->q[a->q] += a->v;
        break;
    }
}

static void show(msim *s, const target *t)
{
    for (size_t k = 0; k < s->model.nmeters; k++) {
        const msim_meter *mt = &s->model.meters[k];
        if (!matches(mt, t)) continue;
        char line[1024];
        int l = snprintf(line, sizeof line, "meter %d unit %d state %s%s", mt->id, mt->unit,
                         msim_state_name(mt->state), mt->held ? " (held)" : "");
        for (int q = 0; q < MSIM_NQ && l > 0 && (size_t)l < sizeof line; q++)
            l += snprintf(line + l, sizeof line - (size_t)l, " %s %.10g%s",
                          msim_qty_name((msim_qty)q), mt->q[q], mt->pinned[q] ? "*" : "");
        msim_say("%s", line);
    }
}

static int meter_command(msim *s, cmd *c, const char **why)
{
    const char *verb = c->tok[0];
    msim_state st;
    set_arg a = {MSIM_E_KWH, 0, 0};
    meter_fn fn = NULL;
    const void *arg = &a;
    if (strcmp(verb, "state") == 0 && c->n == 2 && msim_state_parse(c->tok[1], &st) == 0) {
        fn = do_state;
        arg = &st;
    } else if ((strcmp(verb, "cycle") == 0 && c->n == 1) ||
               (strcmp(verb, "state") == 0 && c->n == 2 && strcmp(c->tok[1], "cycle") == 0)) {
        fn = do_cycle;
    } else if (strcmp(verb, "set") == 0 && c->n == 3 && msim_qty_parse(c->tok[1], &a.q) == 0 &&
               number(c->tok[2], &a.v) == 0) {
        fn = do_set;
    } else if (strcmp(verb, "once") == 0 && c->n == 3 && msim_qty_parse(c->tok[1], &a.q) == 0 &&
               number(c->tok[2], &a.v) == 0) {
        if (!any_meter(s, &c->t)) {
            *why = "no such meter";
            return -1;
        }
        msim_once_arm(s, c->t.meter, c->t.unit, a.q, a.v);
        return 0;
    } else if (strcmp(verb, "unset") == 0 && c->n == 2 &&
               (strcmp(c->tok[1], "all") == 0 || msim_qty_parse(c->tok[1], &a.q) == 0)) {
        a.mode = strcmp(c->tok[1], "all") == 0 ? 2 : 1;
        fn = do_set;
    } else if (strcmp(verb, "reset-energy") == 0 && c->n == 1) {
        a.mode = 0;
        fn = do_set;
    } else if (strcmp(verb, "spike") == 0 && c->n == 2 && number(c->tok[1], &a.v) == 0) {
        a.mode = 3;
        fn = do_set;
    } else if (strcmp(verb, "points") == 0 && c->n == 1 && s->profile.tpl) {
        msim_model_advance(&s->model, msim_now_us());
        msim_tpl_say_points(&s->profile, s->model.meters, s->model.nmeters);
        return 0;
    } else if (strcmp(verb, "show") == 0 && c->n == 1) {
        msim_model_advance(&s->model, msim_now_us());
        s->image_dirty = true;
        show(s, &c->t);
        return 0;
    } else {
        return 1; /* not a meter command */
    }
    msim_model_advance(&s->model, msim_now_us()); /* values up to now before changing them */
    if (!for_meters(s, &c->t, fn, arg)) {
        *why = "no such meter";
        return -1;
    }
    return 0;
}

/* "late MS [EVERY]": every EVERY-th reply (default 1) comes MS later than the others. */
static bool late_args(const cmd *c, msim *s)
{
    double ms, every = 1;
    if (c->n < 2 || c->n > 3 || number(c->tok[1], &ms) < 0 || ms < 0 || ms > 3600000) return false;
    if (c->n == 3 &&
        (number(c->tok[2], &every) < 0 || every < 1 || every > 1000000 || every != floor(every)))
        return false;
    s->late_us = (int64_t)(ms * 1000.0);
    s->late_every = (unsigned)every;
    s->replies = 0;
    return true;
}

static int global_command(msim *s, cmd *c, const char **why)
{
    const char *verb = c->tok[0];
    double v = 0;
    bool one = c->n == 2 && number(c->tok[1], &v) == 0;
    if (strcmp(verb, "slow") == 0 && one && v >= 0 && v <= 3600000) {
        s->slow_us = (int64_t)(v * 1000.0);
    } else if (strcmp(verb, "late") == 0 && late_args(c, s)) {
        /* set by late_args */
    } else if (strcmp(verb, "cut") == 0 && one && v >= 0 && v <= 260 && v == floor(v)) {
        s->cut_bytes = (size_t)v;
    } else if (strcmp(verb, "exception") == 0 && one && v >= 0 && v <= 255 && v == floor(v)) {
        s->exception = (int)v;
    } else if (strcmp(verb, "silence") == 0 && one && v >= 0 && v <= 86400) {
        s->silence_until_us = msim_now_us() + (int64_t)(v * 1e6);
    } else if (strcmp(verb, "quit") == 0 && c->n == 1) {
        s->quit = true;
    } else if (strcmp(verb, "help") == 0 && c->n == 1) {
        msim_say("commands: [meter N] [unit U] state off|idle|production|cycle | cycle | set NAME "
                 "VALUE | once NAME VALUE | unset NAME|all | reset-energy | spike KWH | show; "
                 "slow MS | late MS [EVERY] | cut BYTES | exception CODE | silence SECONDS | "
                 "quit");
    } else {
        *why = "unknown command or bad arguments (try: help)";
        return -1;
    }
    return 0;
}

void msim_control_line(msim *s, const char *line)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", line);
    cmd c;
    const char *why = "too many words";
    if (tokenize(buf, &c) < 0 || parse_target(&c) < 0) {
        msim_say("error %s: %s", line, why);
        return;
    }
    if (c.n == 0 || c.tok[0][0] == '#') {
        if (c.t.meter >= 0 || c.t.unit >= 0)
            msim_say("error %s: a command must follow meter/unit", c.text);
        return;
    }
    int rc = meter_command(s, &c, &why);
    if (rc == 1)
        rc = (c.t.meter >= 0 || c.t.unit >= 0) ? (why = "this command applies to all meters", -1)
                                               : global_command(s, &c, &why);
    if (rc < 0)
        msim_say("error %s: %s", c.text, why);
    else
        msim_say("ok %s", c.text);
}

void msim_control_feed(msim *s, msim_linebuf *lb, const char *data, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (data[i] == '\n') {
            lb->buf[lb->len] = '\0';
            msim_control_line(s, lb->buf);
            lb->len = 0;
        } else if (lb->len + 1 < sizeof lb->buf) {
            lb->buf[lb->len++] = data[i];
        }
    }
}
