/* SPDX-License-Identifier: Apache-2.0 */
/* msim.h — `mdc-sim modbus`: energy meters behind Modbus TCP, RTU or ASCII.
 *
 * One process, one event loop (epoll). The pieces:
 *   opts.c     command line
 *   model.c    meters: load cycle, smooth values with noise, energy integration, pins
 *   profile.c  register layouts (sdm630, delta, a BELmc map file) → register images
 *   server.c   a request PDU → a reply PDU (exceptions, silence, absent units)
 *   serial.c   pseudo-terminal, RTU and ASCII framing, emulated line speed
 *   tcp.c      listeners on N ports and their connections
 *   control.c  the line-based control channel (stdin, --control FIFO)
 *   outq.c     replies waiting for their due time
 * Global mutable state is fine here (this is the simulator process), but it lives in one
 * msim struct passed around, and every symbol is prefixed msim_.
 */
#ifndef MDC_SIM_MODBUS_MSIM_H
#define MDC_SIM_MODBUS_MSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/modbus/decode.h"

#define MSIM_MAX_UNITS    247
#define MSIM_MAX_CYCLE    16
#define MSIM_MAX_PORTS    20000
#define MSIM_NBITS        16
#define MSIM_DELTA_PARAMS 16

typedef enum { MSIM_OFF = 0, MSIM_IDLE, MSIM_PRODUCTION, MSIM_NSTATES } msim_state;

/* Quantities a meter keeps; the others (averages, line voltages, W) are derived. */
typedef enum {
    MSIM_V1 = 0,
    MSIM_V2,
    MSIM_V3,
    MSIM_I1,
    MSIM_I2,
    MSIM_I3,
    MSIM_P_KW,
    MSIM_PF,
    MSIM_FREQ,
    MSIM_E_KWH,
    MSIM_NQ
} msim_qty;

typedef struct msim_cycle_step {
    msim_state state;
    double seconds;
} msim_cycle_step;

typedef struct msim_opts {
    /* transport */
    bool tcp, rtu, ascii;
    char host[256];
    int port, ports;
    char link[1024];
    int baud, data_bits, stop_bits;
    char parity;
    bool no_line_delay;
    bool check_framing; /* answer only readers with the same line settings */
    /* devices */
    int units[MSIM_MAX_UNITS];
    int nunits;
    bool delta; /* profile: false = sdm630 */
    char map[1024];
    char template_name[64]; /* --template: a built-in register map of mdc */
    msim_cycle_step cycle[MSIM_MAX_CYCLE];
    int ncycle;
    double idle_kw, production_kw, energy_kwh;
    int start_state; /* -1: follow the cycle */
    uint64_t seed;
    bool frozen;
    /* control */
    char control[1024];
    bool verbose;
} msim_opts;

/* ---- opts.c ---- */
/* Returns 0 to run, 1 when --help was printed, -1 on a usage error (message on stderr). */
int msim_parse_opts(int argc, char **argv, msim_opts *o);
const char *msim_state_name(msim_state s);
int msim_state_parse(const char *s, msim_state *out);

/* ---- model.c ---- */
typedef struct msim_meter {
    int id;   /* meter number (sdm630: the unit id; delta: 1..14 or the map's ids) */
    int unit; /* unit id serving it */
    double phase_s;
    double q[MSIM_NQ];
    bool pinned[MSIM_NQ];
    bool held;
    msim_state held_state;
    msim_state state; /* current (held or from the cycle) */
    double walk[4];   /* slow noise of V1..V3 and frequency */
    uint64_t rng;
} msim_meter;

typedef struct msim_model {
    const msim_opts *o;
    msim_meter *meters;
    size_t nmeters;
    int64_t start_us, last_us;
} msim_model;

void msim_model_init(msim_model *m, const msim_opts *o, const int *meter_ids, size_t nids,
                     int64_t now_us);
void msim_model_free(msim_model *m);
/* Moves every meter forward to now (no-op when frozen). */
void msim_model_advance(msim_model *m, int64_t now_us);
/* Re-derives dependent values after a control change (currents from power, frozen targets). */
void msim_meter_settle(msim_meter *mt, const msim_opts *o);
int msim_qty_parse(const char *name, msim_qty *out);
const char *msim_qty_name(msim_qty q);

/* Derived values of a meter, in the units the profiles need. */
typedef struct msim_values {
    double v[3], v_avg, vll[3], vll_avg, i[3], i_avg, i_sum, p_w[3], p_w_total, p_kw, pf, freq,
        e_kwh;
} msim_values;
void msim_meter_values(const msim_meter *mt, msim_values *out);

/* ---- profile.c ---- */
typedef struct msim_delta_entry {
    int meter;
    int param;       /* 0..15, BELmc order */
    uint32_t number; /* BELmc number; registers at number-1 .. number+2 */
} msim_delta_entry;

typedef struct msim_image {
    uint16_t *hr, *ir;
    uint32_t nhr, nir; /* addresses >= these give exception 02 */
    uint8_t coils[MSIM_NBITS], di[MSIM_NBITS];
    uint32_t nbits;
} msim_image;

/* A point of a --template register map (template.c). */
typedef struct msim_tpl_point {
    char name[64];
    int function; /* 3 or 4 (1, 2: bits) */
    uint32_t address;
    int nregs;
    mdc_mb_format fmt;
} msim_tpl_point;

typedef struct msim_profile {
    bool delta;
    msim_delta_entry *entries;
    size_t nentries;
    int *meter_ids; /* delta: distinct meter ids in order */
    size_t nmeter_ids;
    msim_tpl_point *tpl; /* --template: its points; NULL otherwise */
    size_t ntpl;
    uint32_t tpl_nhr, tpl_nir; /* registers the map spans (FC3, FC4) */
} msim_profile;

/* Loads the delta layout (default or --map FILE); sdm630 needs nothing. err: message buffer. */
int msim_profile_load(msim_profile *p, const msim_opts *o, char *err, size_t errcap);
void msim_profile_free(msim_profile *p);
void msim_image_alloc(msim_image *img, const msim_profile *p);
void msim_image_free(msim_image *img);
/* Writes the meters of one unit into its image. */
void msim_image_build(msim_image *img, const msim_profile *p, const msim_meter *meters,
                      size_t nmeters);
extern const char *const msim_delta_param_names[MSIM_DELTA_PARAMS];

/* ---- template.c ---- */
/* Loads the points of mdc's built-in template `name`. err: message buffer. */
int msim_tpl_load(msim_profile *p, const char *name, char *err, size_t errcap);
/* Writes a meter's values into the template's registers. */
void msim_tpl_build(msim_image *img, const msim_profile *p, const msim_meter *mt);
/* "point NAME VALUE" per point of every meter: the value as read back from its registers. */
void msim_tpl_say_points(const msim_profile *p, const msim_meter *meters, size_t n);

/* ---- outq.c ---- */
typedef struct msim_out {
    int64_t due_us;
    int fd;
    uint32_t conn_gen; /* TCP connection generation, to drop replies of closed connections */
    size_t len;
    uint8_t data[520];
} msim_out;

typedef struct msim_outq {
    msim_out *items;
    size_t n, cap;
} msim_outq;

void msim_outq_push(msim_outq *q, const msim_out *o);
/* Index of the earliest item, or -1. */
long msim_outq_earliest(const msim_outq *q);
void msim_outq_remove(msim_outq *q, size_t i);
void msim_outq_drop_fd(msim_outq *q, int fd);
void msim_outq_free(msim_outq *q);

/* A value served to the next read that carries it (control command `once`). */
typedef struct msim_once {
    bool active;
    long meter, unit; /* -1 = any */
    msim_qty q;
    double v;
} msim_once;

/* ---- the simulator ---- */
typedef struct msim {
    msim_opts o;
    msim_profile profile;
    msim_model model;
    msim_image images[MSIM_MAX_UNITS + 1]; /* by unit id */
    bool unit_on[256];
    bool image_dirty;
    int64_t image_us;
    /* faults */
    int exception; /* 0 = none */
    int64_t slow_us;
    int64_t late_us; /* every late_every-th reply comes this much later (0 = never) */
    unsigned late_every;
    uint64_t replies; /* replies sent, for late_every */
    size_t cut_bytes; /* TCP: send only this much of each reply, then close (0 = off) */
    int64_t silence_until_us;
    msim_once once;
    bool quit;
    msim_outq outq;
    int epfd, timerfd;
    uint64_t served;
} msim;

/* ---- server.c ---- */
/* Handles a request for `unit`. Returns the reply PDU length (0 = stay silent). `what` gets a
 * short text for --verbose ("unit 1 FC4 addr 0 count 6 -> 12 bytes"). */
size_t msim_serve(msim *s, int unit, const uint8_t *pdu, size_t n, uint8_t *reply, char *what,
                  size_t whatcap);
/* Extra delay of the reply about to be sent: slow MS, plus late MS on every late_every-th. */
int64_t msim_reply_delay(msim *s);

/* ---- once.c ---- */
void msim_once_arm(msim *s, long meter, long unit, msim_qty q, double v);
/* The image a read of registers [addr, addr+count) of table fc (3 or 4) on `unit` is served
 * from: the unit's own, or — when a pending `once` value changes one of those registers — tmp,
 * built with that value (the caller frees it with msim_image_free when it is returned); the
 * value is then spent and announced on stdout ("served once: ..."). */
const msim_image *msim_once_image(msim *s, int unit, int fc, uint32_t addr, uint32_t count,
                                  msim_image *tmp);

/* ---- control.c ---- */
/* Executes one command line; prints "ok ..." or "error ..." on stdout. */
void msim_control_line(msim *s, const char *line);
/* Line assembly for a control source. */
typedef struct msim_linebuf {
    char buf[1024];
    size_t len;
} msim_linebuf;
void msim_control_feed(msim *s, msim_linebuf *lb, const char *data, size_t n);

/* ---- output (modbus_sim.c) ---- */
void msim_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int64_t msim_now_us(void);
/* Arms the timer for the earliest queued reply. */
void msim_rearm(msim *s);

/* ---- serial.c ---- */
typedef struct msim_serial msim_serial;
/* Creates the pty (and --link), prints "pty: /dev/pts/N". Returns NULL on error (stderr). */
msim_serial *msim_serial_open(msim *s);
int msim_serial_fd(const msim_serial *ser);
void msim_serial_readable(msim *s, msim_serial *ser);
void msim_serial_close(msim_serial *ser);

/* ---- tcp.c ---- */
typedef struct msim_tcp msim_tcp;
msim_tcp *msim_tcp_open(msim *s);
/* Dispatch of an epoll event whose data.u64 is a TCP tag; returns false if not TCP's. */
bool msim_tcp_event(msim *s, msim_tcp *t, uint64_t tag, uint32_t events);
void msim_tcp_close(msim_tcp *t);
/* Sends a reply (cut short and closed when `cut` is set). */
void msim_tcp_send(const msim *s, int fd, const uint8_t *adu, size_t len);
/* After a queued reply for a TCP connection is written or dropped. */
bool msim_tcp_conn_alive(const msim_tcp *t, int fd, uint32_t gen);

/* epoll tags (data.u64): small constants for fixed sources, otherwise TCP. */
enum {
    MSIM_TAG_SIGNAL = 1,
    MSIM_TAG_TIMER,
    MSIM_TAG_STDIN,
    MSIM_TAG_FIFO,
    MSIM_TAG_SERIAL,
    MSIM_TAG_TCP_BASE = 16
};

#endif
