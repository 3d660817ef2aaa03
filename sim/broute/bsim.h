/* SPDX-License-Identifier: Apache-2.0 */
/* bsim.h — `mdc-sim broute`: a Wi-SUN B-route module (SKSTACK-IP) plus a low-voltage smart
 * meter (ECHONET Lite 0x028801) behind a pseudo-terminal.
 *
 *   opts.c     command line
 *   meter.c    the meter: clock, power, energy, history, ECHONET Lite answers
 *   module.c   the module: command input (SKSENDTO with binary data), SKSTACK commands,
 *              events, faults
 *   outq.c     output with its time on the emulated line
 *   control.c  the line-based control channel on stdin
 *   broute_sim.c  set-up, event loop, pty
 * One process, one epoll loop; all state in one bsim struct; symbols prefixed bsim_.
 */
#ifndef MDC_SIM_BROUTE_BSIM_H
#define MDC_SIM_BROUTE_BSIM_H

#include "core/tz.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { BSIM_BP35A1 = 0, BSIM_BP35C0, BSIM_RL7023 } bsim_profile;

typedef struct bsim_opts {
    bsim_profile profile;
    char link[1024];
    int baud;
    bool no_line_delay;
    char rbid[64], password[64];
    uint64_t seed;
    bool frozen, three_phase;
    int64_t meter_delay_us, join_delay_us;
    double scan_scale;
    char tz[64];
    bool have_clock;
    mdc_civil clock; /* meter local time at start */
    int channel, panid;
    char mac[17];
    double power_w, energy_kwh;
    int unit_code, digits;
    uint32_t coeff; /* 0: the meter has no D3 (Get_SNA) */
    /* faults given on the command line (request numbers count SKSENDTOs from 1) */
    int no_beacon, reject_join, expire_after, drop_reply, late_reply, garbage_reply;
    bool expire_fail;
    char fail_cmd[32];
    int fail_cmd_nth;
    bool mute, verbose;
} bsim_opts;

/* ---- opts.c ---- */
/* 0 run, 1 --help printed, -1 usage error (on stderr). */
int bsim_parse_opts(int argc, char **argv, bsim_opts *o);
bool bsim_has_side(const bsim_opts *o);

/* ---- meter.c ---- */
typedef struct bsim_meter {
    const bsim_opts *o;
    mdc_tz *tz;
    int64_t start_mono_us;
    int64_t start_utc_s; /* the meter clock at start */
    double power_w;      /* mean (frozen: constant) instantaneous power */
    bool pinned;         /* power set by control: constant */
    bool three_phase;
    int e5; /* day for history 1 */
    uint64_t rng;
} bsim_meter;

int bsim_meter_init(bsim_meter *m, const bsim_opts *o, char *err, size_t errcap);
void bsim_meter_free(bsim_meter *m);
int64_t bsim_meter_now(const bsim_meter *m); /* meter clock, UTC seconds */
/* Answers an ECHONET Lite frame sent to the meter. Returns the reply length (0: no reply).
 * stale: a late reply (in --frozen mode its instant power is 1 W lower, to be recognizable). */
size_t bsim_meter_serve(bsim_meter *m, const uint8_t *req, size_t n, uint8_t *out, size_t cap,
                        bool stale);
/* The instance-list notification a meter multicasts after joining. */
size_t bsim_meter_instance_list(uint8_t *out, size_t cap);
void bsim_meter_describe(const bsim_meter *m, char *out, size_t cap);
void bsim_meter_set_clock(bsim_meter *m, const mdc_civil *local);

/* ---- outq.c ---- */
enum { BSIM_ACT_NONE = 0, BSIM_ACT_UP, BSIM_ACT_DOWN, BSIM_ACT_REAUTH };
typedef struct bsim_item {
    int64_t ready_us; /* may start on the line from then on */
    uint64_t seq;
    int action; /* applied when written */
    size_t len;
    uint8_t *data;
} bsim_item;

typedef struct bsim_outq {
    bsim_item *items;
    size_t n, cap;
    uint64_t seq;
    int64_t line_free_us;
} bsim_outq;

void bsim_outq_push(bsim_outq *q, int64_t ready_us, const void *data, size_t len, int action);
/* The next item to write, or -1. */
long bsim_outq_next(const bsim_outq *q);
void bsim_outq_remove(bsim_outq *q, size_t i);
void bsim_outq_free(bsim_outq *q);

/* ---- the simulator ---- */
enum { BSIM_SESS_NONE = 0, BSIM_SESS_JOINING, BSIM_SESS_UP, BSIM_SESS_REAUTH, BSIM_SESS_DOWN };

typedef struct bsim {
    bsim_opts o;
    bsim_meter meter;
    /* module state */
    bool echo;
    int s2, s3;
    char rbid[64], pwd[64];
    int sess;
    bool ever_joined;
    int scans, joins, sendtos;
    int fail_seen; /* commands matching --fail-er04 so far */
    /* faults from the control channel */
    int ctl_no_beacon, ctl_reject, ctl_drop, ctl_late, ctl_dup, ctl_garbage;
    char ctl_fail_cmd[32];
    int ctl_fail_code;
    bool mute;
    uint8_t held[1400]; /* a late reply */
    size_t held_len;
    /* i/o */
    int master, slave;
    char path[128];
    uint8_t in[8192];
    size_t inlen;
    bsim_outq q;
    int epfd, timerfd, sigfd;
    bool quit;
    char ctl[1024];
    size_t ctl_len;
    uint64_t rng;
} bsim;

/* ---- module.c ---- */
void bsim_module_reset(bsim *s);
/* Bytes from the driver, received at `now`. */
void bsim_module_input(bsim *s, const uint8_t *data, size_t n, int64_t now_us);
/* Emits EVENT 29; the session re-authenticates (EVENT 25), or fails (EVENT 24) when fail. */
void bsim_module_expire(bsim *s, bool fail, int64_t now_us);
/* Random bytes without CR/LF, then CRLF. */
void bsim_module_garbage(bsim *s, size_t n, int64_t now_us);
/* Called when an item carrying an action is written. */
void bsim_module_action(bsim *s, int action);
const char *bsim_sess_name(int sess);

/* ---- control.c ---- */
void bsim_control_line(bsim *s, const char *line);
void bsim_control_feed(bsim *s, const char *data, size_t n);

/* ---- broute_sim.c ---- */
void bsim_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int64_t bsim_now_us(void);
/* Queues output that may start at ready_us, and re-arms the timer. */
void bsim_emit(bsim *s, int64_t ready_us, const void *data, size_t len, int action);
void bsim_emitf(bsim *s, int64_t ready_us, int action, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Line time of n bytes at the emulated speed (0 with --no-line-delay). */
int64_t bsim_wire_us(const bsim *s, size_t n);

#endif
