/* SPDX-License-Identifier: Apache-2.0 */
/* link_ascii.c — Modbus ASCII master on a serial line (termios, poll with deadlines). */
#include "link_impl.h"
#include "pdu.h"
#include "serial.h"
#include "core/clock.h"

#include <errno.h>
#include <poll.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

int mdc_mb_asc_open(mdc_mb_link *l, mdc_err *err)
{
    const mdc_mb_link_cfg *c = &l->cfg;
    l->fd = mdc_mb_serial_open(c->device, c->baud, c->parity, c->data_bits, c->stop_bits, &l->saved,
                               err);
    return l->fd < 0 ? -1 : 0;
}

void mdc_mb_asc_close(mdc_mb_link *l)
{
    mdc_mb_serial_close(l->fd, &l->saved);
    l->fd = -1;
}

static int line_error(mdc_mb_link *l, const char *what, int e, mdc_err *err)
{
    char buf[64];
    l->needs_reopen = true;
    if (e == 0) return mdc_err_set(err, MDC_EIO, "%s: serial line closed", what);
    return mdc_err_set(err, MDC_EIO, "%s: %s", what, mdc_mb_strerror(e, buf, sizeof buf));
}

/* Waits until fd is ready for `events` or the monotonic deadline passes: 1 ready, 0 timeout. */
static int wait_fd(int fd, short events, int64_t deadline_us)
{
    for (;;) {
        int64_t left = deadline_us - mdc_mono_us();
        if (left < 0) left = 0;
        struct timespec ts = {.tv_sec = left / 1000000, .tv_nsec = (left % 1000000) * 1000};
        struct pollfd p = {.fd = fd, .events = events};
        int rc = ppoll(&p, 1, &ts, NULL);
        if (rc < 0 && errno == EINTR) continue;
        if (rc < 0) return -1;
        if (rc == 0) return 0;
        if (p.revents & (POLLERR | POLLNVAL)) {
            errno = EIO;
            return -1;
        }
        return 1; /* POLLHUP too: the read that follows reports it */
    }
}

static int write_all(mdc_mb_link *l, const char *p, size_t n, mdc_err *err)
{
    int64_t deadline = mdc_mono_us() + l->cfg.timeout_us;
    while (n > 0) {
        ssize_t w = write(l->fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR) return line_error(l, "write", errno, err);
        int rc = wait_fd(l->fd, POLLOUT, deadline);
        if (rc < 0) return line_error(l, "write", errno, err);
        if (rc == 0) return mdc_err_set(err, MDC_ETIMEOUT, "write timeout (flow control?)");
    }
    return 0;
}

/* Feeds the bytes read but not yet consumed (what followed the previous frame) to the receiver:
 * 1 when they complete a frame, 0 when they were all consumed, -1 on an overlong frame. */
static int feed_pending(mdc_mb_link *l, mdc_err *err)
{
    while (l->pend_off < l->npend) {
        size_t used;
        int rc =
            mdc_mb_ascii_rx_feed(&l->rx, l->pend + l->pend_off, l->npend - l->pend_off, &used, err);
        l->pend_off += used;
        if (rc != 0) return rc;
    }
    return 0;
}

static int read_more(mdc_mb_link *l, mdc_err *err)
{
    ssize_t n = read(l->fd, l->pend, sizeof l->pend);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
    if (n <= 0) return line_error(l, "read", n < 0 ? errno : 0, err);
    for (ssize_t i = 0; l->cfg.data_bits == 7 && i < n; i++)
        l->pend[i] &= 0x7F;
    l->npend = (size_t)n;
    l->pend_off = 0;
    return 0;
}

static int frame_timeout(mdc_mb_link *l, mdc_err *err)
{
    if (l->rx.in_frame)
        return mdc_err_set(err, MDC_ETIMEOUT,
                           "timeout inside a reply after %zu characters (byte timeout %g ms)",
                           l->rx.len, (double)l->byte_timeout_us / 1000.0);
    return mdc_mb_timeout_error(l, l->cfg.timeout_us, err);
}

/* Reads until the receiver holds a whole frame; bytes after it stay pending for the next. */
static int receive_frame(mdc_mb_link *l, int64_t first_deadline, mdc_err *err)
{
    mdc_mb_ascii_rx_reset(&l->rx);
    int64_t deadline = first_deadline;
    for (;;) {
        int rc = feed_pending(l, err);
        if (rc != 0) return rc < 0 ? -1 : 0;
        if (l->rx.in_frame) deadline = mdc_mono_us() + l->byte_timeout_us;
        rc = wait_fd(l->fd, POLLIN, deadline);
        if (rc < 0) return line_error(l, "read", errno, err);
        if (rc == 0) return frame_timeout(l, err);
        if (read_more(l, err) < 0) return -1;
    }
}

/* 1: the frame was discarded (keep waiting), 0: answer in out, -1: error. */
static int take_frame(mdc_mb_link *l, int unit, int fc, uint16_t count, uint16_t *out, mdc_err *err)
{
    uint8_t adu[1 + MDC_MB_PDU_MAX];
    size_t n;
    if (mdc_mb_ascii_decode(l->rx.buf, l->rx.len, adu, sizeof adu, &n, err) < 0) {
        l->flush_before_next = true;
        return -1;
    }
    return mdc_mb_link_take_reply(l, unit, fc, count, adu, n, out, err);
}

int mdc_mb_asc_read(mdc_mb_link *l, int unit, int fc, uint16_t addr, uint16_t count, uint16_t *out,
                    mdc_err *err)
{
    tcflush(l->fd, TCIFLUSH); /* drop late replies and noise */
    l->npend = l->pend_off = 0;
    uint8_t pdu[5];
    char frame[32];
    size_t plen = mdc_mb_pdu_read_request(fc, addr, count, pdu);
    size_t flen = mdc_mb_ascii_encode((uint8_t)unit, pdu, plen, frame, sizeof frame);
    if (write_all(l, frame, flen, err) < 0) return -1;
    /* The response timeout starts once the request has left the wire. */
    int64_t first =
        mdc_mono_us() + mdc_mb_wire_us(l->cfg.baud, l->char_bits, (double)flen) + l->cfg.timeout_us;
    for (;;) { /* frames that cannot answer this request are drained until the deadline */
        if (receive_frame(l, first, err) < 0) return -1;
        int rc = take_frame(l, unit, fc, count, out, err);
        if (rc <= 0) return rc;
    }
}
