/* SPDX-License-Identifier: Apache-2.0 */
/* serial.c — the simulator's serial side: a pseudo-terminal, RTU frames cut by length (never
 * libmodbus's modbus_receive, which loses step after a request to an absent unit), ASCII frames
 * cut at ':' and LF, and replies delayed by the time they would take on the wire. */
#include "msim.h"
#include "drivers/modbus/ascii.h"
#include "drivers/modbus/pdu.h"
#include "drivers/modbus/serial.h"
#include "core/err.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define RTU_GAP_US  5000 /* a silence this long ends any partial frame */
#define RTU_ADU_MAX 256

struct msim_serial {
    int master, slave;      /* the slave stays open so the master never sees a hang-up */
    struct termios framing; /* the line settings of --baud/--parity/... (--check-framing) */
    char path[128];
    const char *link;
    int char_bits;
    uint8_t rtu[512];
    size_t rtu_len;
    int64_t last_rx_us;
    mdc_mb_ascii_rx arx;
    int64_t line_free_us; /* a half-duplex line: replies go out one after the other */
};

static int make_link(const char *link, const char *target)
{
    struct stat st;
    if (lstat(link, &st) == 0) {
        if (!S_ISLNK(st.st_mode)) {
            fprintf(stderr, "mdc-sim modbus: --link %s exists and is not a symlink\n", link);
            return -1;
        }
        unlink(link);
    }
    if (symlink(target, link) < 0) {
        fprintf(stderr, "mdc-sim modbus: --link %s: %s\n", link, strerror(errno));
        return -1;
    }
    return 0;
}

static int open_pty(msim_serial *ser, const msim_opts *o)
{
    ser->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (ser->master < 0 || grantpt(ser->master) < 0 || unlockpt(ser->master) < 0 ||
        ptsname_r(ser->master, ser->path, sizeof ser->path) != 0) {
        fprintf(stderr, "mdc-sim modbus: cannot create a pseudo-terminal: %s\n", strerror(errno));
        return -1;
    }
    ser->slave = open(ser->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    mdc_err err;
    if (ser->slave < 0 ||
        mdc_mb_serial_setup(ser->slave, o->baud, o->parity, o->data_bits, o->stop_bits, &err) < 0) {
        fprintf(stderr, "mdc-sim modbus: %s: cannot set up: %s\n", ser->path,
                ser->slave < 0 ? strerror(errno) : err.msg);
        return -1;
    }
    tcgetattr(ser->slave, &ser->framing);
    fcntl(ser->master, F_SETFL, fcntl(ser->master, F_GETFL) | O_NONBLOCK);
    return 0;
}

/* A reader that set another baud rate or stop bits on the pty would get garbage on a real line;
 * here it gets nothing (--check-framing). A pty keeps no parity or data bits (Linux refuses
 * them), so those cannot be told apart. */
static bool framing_matches(const msim_serial *ser)
{
    struct termios t;
    const tcflag_t bits = CSTOPB;
    if (tcgetattr(ser->slave, &t) < 0) return true;
    return (t.c_cflag & bits) == (ser->framing.c_cflag & bits) &&
           cfgetispeed(&t) == cfgetispeed(&ser->framing) &&
           cfgetospeed(&t) == cfgetospeed(&ser->framing);
}

msim_serial *msim_serial_open(msim *s)
{
    msim_serial *ser = xcalloc(1, sizeof *ser);
    ser->master = ser->slave = -1;
    ser->char_bits = mdc_mb_char_bits(s->o.parity, s->o.data_bits, s->o.stop_bits);
    mdc_mb_ascii_rx_reset(&ser->arx);
    if (open_pty(ser, &s->o) < 0 || (s->o.link[0] && make_link(s->o.link, ser->path) < 0)) {
        msim_serial_close(ser);
        return NULL;
    }
    if (s->o.link[0]) ser->link = s->o.link;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = MSIM_TAG_SERIAL};
    epoll_ctl(s->epfd, EPOLL_CTL_ADD, ser->master, &ev);
    msim_say("pty: %s", ser->path);
    return ser;
}

int msim_serial_fd(const msim_serial *ser)
{
    return ser->master;
}

void msim_serial_close(msim_serial *ser)
{
    if (!ser) return;
    if (ser->link) unlink(ser->link);
    if (ser->slave >= 0) close(ser->slave);
    if (ser->master >= 0) close(ser->master);
    free(ser);
}

/* Queues (or writes) a reply: due after the request, a 3.5-character gap and the reply have
 * crossed the emulated line, plus any `slow` delay. */
static void send_reply(msim *s, msim_serial *ser, size_t req_chars, const uint8_t *data, size_t len)
{
    int64_t now = msim_now_us();
    int64_t wire = s->o.no_line_delay ? 0
                                      : mdc_mb_wire_us(s->o.baud, ser->char_bits,
                                                       (double)req_chars + 3.5 + (double)len);
    int64_t start = now > ser->line_free_us ? now : ser->line_free_us;
    msim_out out = {.due_us = start + wire + msim_reply_delay(s), .fd = ser->master, .len = len};
    ser->line_free_us = out.due_us;
    if (out.due_us <= now && s->outq.n == 0) {
        ssize_t w = write(ser->master, data, len);
        (void)w; /* a full pty buffer means nobody listens: drop, as a line would */
        return;
    }
    memcpy(out.data, data, len);
    msim_outq_push(&s->outq, &out);
    msim_rearm(s);
}

static void serve_frame(msim *s, msim_serial *ser, const uint8_t *adu, size_t n, size_t req_chars)
{
    uint8_t reply[1 + MDC_MB_PDU_MAX + 2];
    char what[160];
    if (s->o.check_framing && !framing_matches(ser)) {
        if (s->o.verbose) msim_say("%s: the reader's line settings differ: no answer", ser->path);
        return;
    }
    size_t plen = msim_serve(s, adu[0], adu + 1, n - 1, reply + 1, what, sizeof what);
    if (s->o.verbose) msim_say("%s %s", s->o.rtu ? "rtu" : "ascii", what);
    if (plen == 0) return;
    reply[0] = adu[0];
    if (s->o.rtu) {
        uint16_t crc = mdc_mb_crc16(reply, 1 + plen);
        reply[1 + plen] = (uint8_t)(crc & 0xFF);
        reply[2 + plen] = (uint8_t)(crc >> 8);
        send_reply(s, ser, req_chars, reply, plen + 3);
    } else {
        char frame[MDC_MB_ASCII_MAX];
        size_t fl = mdc_mb_ascii_encode(reply[0], reply + 1, plen, frame, sizeof frame);
        send_reply(s, ser, req_chars, (const uint8_t *)frame, fl);
    }
}

static bool crc_ok(const uint8_t *f, size_t n)
{
    return n >= 4 && mdc_mb_crc16(f, n - 2) == (uint16_t)(f[n - 2] | f[n - 1] << 8);
}

/* Length of the RTU frame at b: 0 = need more bytes. */
static size_t rtu_frame_len(const uint8_t *b, size_t n)
{
    if (n < 2) return 0;
    switch (b[1]) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
    case 8:
        return 8;
    case 7:
    case 11:
    case 12:
    case 17:
        return 4;
    case 15:
    case 16:
        return n < 7 ? 0 : 9 + (size_t)b[6];
    case 22:
        return 10;
    case 23:
        return n < 11 ? 0 : 13 + (size_t)b[10];
    }
    /* unknown function: the shortest prefix whose CRC checks out */
    for (size_t l = 4; l <= n && l <= RTU_ADU_MAX; l++)
        if (crc_ok(b, l)) return l;
    return 0;
}

/* Cuts frames by length; a corrupt frame (or a stream that cannot be a frame) gives up one byte
 * and tries again from the next, so back-to-back requests resynchronise without a gap. */
static void rtu_frames(msim *s, msim_serial *ser)
{
    while (ser->rtu_len >= 2) {
        size_t fl = rtu_frame_len(ser->rtu, ser->rtu_len), drop;
        if (fl == 0 && ser->rtu_len < RTU_ADU_MAX) break; /* wait for more, or for the gap */
        if (fl > ser->rtu_len) break;
        if (fl > 0 && crc_ok(ser->rtu, fl)) {
            serve_frame(s, ser, ser->rtu, fl - 2, fl);
            drop = fl;
        } else {
            if (s->o.verbose && fl > 0)
                msim_say("rtu: bad CRC in a %zu-byte frame, resynchronising", fl);
            drop = 1;
        }
        memmove(ser->rtu, ser->rtu + drop, ser->rtu_len - drop);
        ser->rtu_len -= drop;
    }
}

static void rtu_bytes(msim *s, msim_serial *ser, const uint8_t *p, size_t n, int64_t now)
{
    if (ser->rtu_len > 0 && now - ser->last_rx_us > RTU_GAP_US)
        ser->rtu_len = 0; /* the rest of an old frame */
    ser->last_rx_us = now;
    while (n > 0) {
        size_t room = sizeof ser->rtu - ser->rtu_len;
        if (room == 0) {
            ser->rtu_len = 0;
            room = sizeof ser->rtu;
        }
        size_t k = n < room ? n : room;
        memcpy(ser->rtu + ser->rtu_len, p, k);
        ser->rtu_len += k;
        p += k;
        n -= k;
        rtu_frames(s, ser);
    }
}

static void ascii_bytes(msim *s, msim_serial *ser, const uint8_t *p, size_t n)
{
    while (n > 0) {
        size_t used;
        mdc_err err;
        int rc = mdc_mb_ascii_rx_feed(&ser->arx, p, n, &used, &err);
        p += used;
        n -= used;
        if (rc != 1) continue;
        uint8_t adu[1 + MDC_MB_PDU_MAX];
        size_t alen;
        if (mdc_mb_ascii_decode(ser->arx.buf, ser->arx.len, adu, sizeof adu, &alen, &err) == 0)
            serve_frame(s, ser, adu, alen, ser->arx.len);
        else if (s->o.verbose)
            msim_say("ascii frame ignored: %s", err.msg);
        mdc_mb_ascii_rx_reset(&ser->arx);
    }
}

void msim_serial_readable(msim *s, msim_serial *ser)
{
    uint8_t buf[512];
    for (;;) {
        ssize_t n = read(ser->master, buf, sizeof buf);
        if (n <= 0) return; /* EAGAIN; EIO cannot happen while we hold the slave open */
        if (s->o.data_bits == 7)
            for (ssize_t i = 0; i < n; i++)
                buf[i] &= 0x7F;
        if (s->o.rtu)
            rtu_bytes(s, ser, buf, (size_t)n, msim_now_us());
        else
            ascii_bytes(s, ser, buf, (size_t)n);
    }
}
