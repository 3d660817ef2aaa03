/* SPDX-License-Identifier: Apache-2.0 */
/* machine.c — one control's machine: a scripted cycle (idle → program started → finished,
 * a part pulse at each finish), or a state held from the control channel; manual pulses; the
 * PLC image the client reads with R_MB. */
#include "lsim.h"

#include "core/xalloc.h"

#include <math.h>
#include <string.h>

#define HELD_LINE     12
#define DEFAULT_ERROR "010 Machine guard is open !"

void lsim_machine_init(lsim_machine *m, const lsim_opts *o, const lsim_profile *p, int64_t now)
{
    memset(m, 0, sizeof *m);
    m->o = o;
    m->p = p;
    lsim_layout_of(p, &m->layout);
    m->image = xcalloc(m->layout.end - p->base, 1);
    m->cycle_start_us = now;
    m->forced = -1;
    if (o->start_state >= 0) {
        m->held = true;
        m->held_state = (lsim_state)o->start_state;
    }
}

void lsim_machine_free(lsim_machine *m)
{
    free(m->image);
    m->image = NULL;
}

static void state_codes(lsim_state st, int *exec, int *pgm)
{
    static const int codes[LSIM_NSTATES][2] = {
        [LSIM_IDLE] = {0, 7},     /* MANUAL, IDLE */
        [LSIM_STARTED] = {4, 0},  /* AUTOMATIC, STARTED */
        [LSIM_STOPPED] = {4, 1},  /* AUTOMATIC, STOPPED */
        [LSIM_FINISHED] = {4, 2}, /* AUTOMATIC, FINISHED */
        [LSIM_ERROR] = {4, 5},    /* AUTOMATIC, ERROR */
    };
    *exec = codes[st][0];
    *pgm = codes[st][1];
}

static uint32_t last_line(const lsim_opts *o)
{
    return 1 + (uint32_t)(o->run_s * 2);
}

/* The scripted cycle at `now`. */
static void scripted(const lsim_machine *m, int64_t now, lsim_snapshot *s)
{
    const lsim_opts *o = m->o;
    double period = o->idle_s + o->run_s + o->finished_s;
    double e = (double)(now - m->cycle_start_us) / 1e6;
    double k = floor(e / period), ph = e - k * period;
    s->parts = m->parts_before + (uint32_t)k;
    if (ph < o->idle_s) {
        s->state = LSIM_IDLE;
    } else if (ph < o->idle_s + o->run_s) {
        s->state = LSIM_STARTED;
        double in_run = ph - o->idle_s;
        s->line = 1 + (uint32_t)(in_run * 2);
        if (in_run >= o->run_s / 2) s->current = m->p->sub_program;
    } else {
        s->state = LSIM_FINISHED;
        s->parts++;
        s->line = last_line(o);
        s->signal = ph < o->idle_s + o->run_s + o->pulse_s;
    }
}

static void held(const lsim_machine *m, lsim_snapshot *s)
{
    s->state = m->held_state;
    s->parts = m->parts_before;
    switch (s->state) {
    case LSIM_STARTED:
        s->current = m->p->sub_program;
        s->line = HELD_LINE;
        break;
    case LSIM_STOPPED:
    case LSIM_ERROR:
        s->line = HELD_LINE;
        break;
    case LSIM_FINISHED:
        s->line = last_line(m->o);
        break;
    default:
        break;
    }
}

void lsim_machine_sample(const lsim_machine *m, int64_t now, lsim_snapshot *s)
{
    memset(s, 0, sizeof *s);
    s->main = s->current = m->p->main_program;
    if (m->held)
        held(m, s);
    else
        scripted(m, now, s);
    state_codes(s->state, &s->exec, &s->pgm);
    if (now < m->pulse_until_us) s->signal = true;
    if (m->forced >= 0) s->signal = m->forced == 1;
    if (m->alarm[0])
        s->error = m->alarm;
    else if (s->state == LSIM_ERROR)
        s->error = DEFAULT_ERROR;
}

void lsim_machine_hold(lsim_machine *m, lsim_state st, int64_t now)
{
    lsim_snapshot s;
    lsim_machine_sample(m, now, &s);
    m->parts_before = s.parts;
    m->held = true;
    m->held_state = st;
}

void lsim_machine_cycle(lsim_machine *m, int64_t now)
{
    lsim_snapshot s;
    lsim_machine_sample(m, now, &s);
    m->parts_before = s.parts;
    m->held = false;
    m->cycle_start_us = now;
}

void lsim_machine_pulse(lsim_machine *m, int64_t now, double ms)
{
    m->parts_before++;
    m->pulse_until_us = now + (int64_t)(ms * 1000.0);
}

void lsim_machine_force(lsim_machine *m, int level, int64_t now)
{
    lsim_snapshot s;
    lsim_machine_sample(m, now, &s);
    if (level == 1 && !s.signal) m->parts_before++; /* a part appears with the signal */
    m->forced = level;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16),
    p[3] = (uint8_t)(v >> 24);
}

void lsim_machine_image(lsim_machine *m, int64_t now)
{
    lsim_snapshot s;
    lsim_machine_sample(m, now, &s);
    const lsim_layout *l = &m->layout;
    uint8_t *img = m->image;
    uint32_t b = m->p->base; /* the image starts at the first area */
    img[l->markers - b + m->o->marker] = s.signal;
    put_le32(img + (l->words - b) + m->o->dword, s.signal ? (uint32_t)m->o->dword_value : 0);
    put_le32(img + (l->words - b) + m->o->counter, s.parts);
    for (uint32_t i = 0; i < 8; i++) /* a recognisable pattern: I0..I7 = 1 0 1 0 ... */
        img[l->inputs - b + i] = !(i & 1);
}
