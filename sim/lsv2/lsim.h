/* SPDX-License-Identifier: Apache-2.0 */
/* lsim.h — `mdc-sim lsv2`: Heidenhain TNC controls answering LSV2 on TCP ports.
 *
 * One process, one epoll loop. The pieces:
 *   opts.c     command line
 *   profile.c  control profiles: version answer, system parameters, what each supports
 *   machine.c  the scripted machine cycle, held states, part pulses, the PLC image
 *   serve.c    one request telegram → one reply telegram (per-connection logins, buffer)
 *   net.c      listeners (one per control), connections, delayed/split replies, drops
 *   control.c  the line-based control channel (stdin, --control FIFO)
 * Global mutable state is fine here (this is the simulator process), but it lives in one
 * lsim struct passed around, and every symbol is prefixed lsim_.
 */
#ifndef MDC_SIM_LSV2_LSIM_H
#define MDC_SIM_LSV2_LSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LSIM_MAX_CONTROLS 1024

typedef enum {
    LSIM_IDLE = 0,
    LSIM_STARTED,
    LSIM_STOPPED,
    LSIM_FINISHED,
    LSIM_ERROR,
    LSIM_NSTATES
} lsim_state;

typedef enum { LSIM_ITNC530 = 0, LSIM_TNC640, LSIM_OLD } lsim_profile_id;

typedef struct lsim_opts {
    char host[256];
    int port, controls;
    lsim_profile_id profile;
    double idle_s, run_s, finished_s, pulse_s; /* the machine cycle */
    int start_state;                           /* -1: follow the cycle; else held */
    uint32_t marker, dword, counter;           /* part signal M<marker>, D<dword>; D<counter> */
    int dword_value;                           /* D<dword> while the pulse is high */
    /* faults */
    long drop_after; /* close a connection instead of answering request N+1 (0 = never) */
    bool split;      /* write every reply in several pieces */
    int ter_len;     /* T_ER payload length (2 = normal) */
    bool refuse_dnc, refuse_plc;
    double slow_ms;
    bool mcc; /* an unsolicited M_CC before every S_RI */
    char plc_password[64];
    char control[1024];
    bool verbose;
} lsim_opts;

/* ---- opts.c ---- */
/* 0 to run, 1 after --help, -1 on a usage error (message on stderr). */
int lsim_parse_opts(int argc, char **argv, lsim_opts *o);
const char *lsim_state_name(lsim_state s);
int lsim_state_parse(const char *s, lsim_state *out);

/* ---- profile.c ---- */
typedef struct lsim_profile {
    const char *name;
    const uint8_t *version; /* S_VR payload */
    size_t version_len;
    const char *selector[8]; /* R_VR 1..7 answers; NULL → T_ER 24 */
    size_t params_len;       /* 120 or 124 */
    uint32_t base;           /* where the PLC areas start */
    uint16_t max_block;
    bool nc_errors, overrides, rci;
    const char *main_program, *sub_program; /* latin-1 */
} lsim_profile;

const lsim_profile *lsim_profile_get(lsim_profile_id id);
int lsim_profile_parse(const char *s, lsim_profile_id *out);
/* The S_PR payload (params_len bytes) and the PLC area layout behind it. */
void lsim_params_encode(const lsim_profile *p, uint8_t *out);
typedef struct lsim_layout {
    uint32_t markers, inputs, outputs, counters, timers, words, strings, input_words,
        output_words; /* start addresses */
    uint32_t n_markers, n_io, n_ct, n_words, n_strings, n_iow, string_len, end;
} lsim_layout;
void lsim_layout_of(const lsim_profile *p, lsim_layout *l);

/* ---- machine.c ---- */
typedef struct lsim_machine {
    const lsim_opts *o;
    const lsim_profile *p;
    lsim_layout layout;
    bool held;
    lsim_state held_state;
    int64_t cycle_start_us;
    uint32_t parts_before; /* parts of cycles before the current script start, and pulses */
    int64_t pulse_until_us;
    int forced; /* -1 none, 0 signal held low, 1 held high */
    char alarm[160];
    uint8_t *image;
} lsim_machine;

typedef struct lsim_snapshot {
    lsim_state state;
    int exec, pgm;
    uint32_t line;
    const char *main, *current;
    bool signal;
    uint32_t parts;
    const char *error; /* the active NC error text, or NULL */
} lsim_snapshot;

void lsim_machine_init(lsim_machine *m, const lsim_opts *o, const lsim_profile *p, int64_t now);
void lsim_machine_free(lsim_machine *m);
void lsim_machine_sample(const lsim_machine *m, int64_t now, lsim_snapshot *s);
void lsim_machine_hold(lsim_machine *m, lsim_state st, int64_t now);
void lsim_machine_cycle(lsim_machine *m, int64_t now); /* back to the script */
void lsim_machine_pulse(lsim_machine *m, int64_t now, double ms);
void lsim_machine_force(lsim_machine *m, int level, int64_t now); /* -1 releases */
/* Refreshes the PLC image from the state at `now`. */
void lsim_machine_image(lsim_machine *m, int64_t now);

/* ---- serve.c ---- */
typedef struct lsim_conn_state {
    unsigned logins; /* bit per login name */
    int buffer;
    int next_error;
} lsim_conn_state;

typedef struct lsim lsim;
/* Builds the answer to one request in out (capacity cap). Returns its length; 0 when the
 * request gets no answer. `what` gets a short text for --verbose. */
size_t lsim_serve(lsim *s, lsim_machine *m, lsim_conn_state *cs, const char *code,
                  const uint8_t *payload, size_t len, uint8_t *out, size_t cap, char *what,
                  size_t whatcap);

/* ---- net.c ---- */
typedef struct lsim_net lsim_net;
lsim_net *lsim_net_open(lsim *s);
void lsim_net_close(lsim_net *n);
/* Handles an epoll event whose tag belongs to the network; false otherwise. */
bool lsim_net_event(lsim *s, lsim_net *n, uint64_t tag, uint32_t events);
/* Writes due replies; returns ms until the next one (-1 none). */
int lsim_net_flush(lsim *s, lsim_net *n);
/* Closes the connections of one control (-1: all); returns how many. */
int lsim_net_drop(lsim_net *n, lsim *s, int control);
void lsim_net_stats(const lsim_net *n, int control, uint64_t *conns, uint64_t *telegrams,
                    int *open);

/* ---- the simulator ---- */
struct lsim {
    lsim_opts o;
    const lsim_profile *profile;
    lsim_machine *machines; /* one per control */
    int n;
    lsim_net *net;
    int epfd;
    bool quit;
};

/* ---- control.c ---- */
void lsim_control_line(lsim *s, const char *line);
typedef struct lsim_linebuf {
    char buf[1024];
    size_t len;
} lsim_linebuf;
void lsim_control_feed(lsim *s, lsim_linebuf *lb, const char *data, size_t n);

/* ---- lsv2_sim.c ---- */
void lsim_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int64_t lsim_now_us(void);

enum { LSIM_TAG_SIGNAL = 1, LSIM_TAG_STDIN, LSIM_TAG_FIFO, LSIM_TAG_NET_BASE = 16 };

#endif
