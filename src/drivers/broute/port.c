/* SPDX-License-Identifier: Apache-2.0 */
/* port.c — termios set-up and deadline-bounded I/O on the module's serial line. */
#include "port.h"

#include "core/clock.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/file.h>
#include <termios.h>
#include <unistd.h>

struct mdc_brt_port {
    int fd;
    bool tty; /* with VMIN = VTIME = 0 a terminal's read() gives 0 when nothing is waiting */
    bool restore;
    struct termios saved;
};

static const struct {
    int baud;
    speed_t speed;
} bauds[] = {
    {1200, B1200},     {2400, B2400},     {4800, B4800},     {9600, B9600},
    {19200, B19200},   {38400, B38400},   {57600, B57600},   {115200, B115200},
    {230400, B230400}, {460800, B460800}, {921600, B921600},
};

static speed_t speed_of(int baud)
{
    for (size_t i = 0; i < sizeof bauds / sizeof bauds[0]; i++)
        if (bauds[i].baud == baud) return bauds[i].speed;
    return B0;
}

bool mdc_brt_baud_supported(int baud)
{
    return speed_of(baud) != B0;
}

int64_t mdc_brt_wire_us(int baud, size_t bytes)
{
    if (baud <= 0) return 0;
    return (int64_t)((bytes * 10 * UINT64_C(1000000) + (uint64_t)baud - 1) / (uint64_t)baud);
}

static int sys_error(mdc_err *err, const char *what)
{
    char buf[128];
    return mdc_err_set(err, MDC_EIO, "%s: %s", what, strerror_r(errno, buf, sizeof buf));
}

static int configure(int fd, int baud, struct termios *saved, mdc_err *err)
{
    struct termios t;
    if (tcgetattr(fd, &t) < 0) return sys_error(err, "not a serial port");
    *saved = t;
    cfmakeraw(&t);
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB | CRTSCTS);
    t.c_cflag |= CS8 | CLOCAL | CREAD;
    t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    if (cfsetispeed(&t, speed_of(baud)) < 0 || cfsetospeed(&t, speed_of(baud)) < 0 ||
        tcsetattr(fd, TCSANOW, &t) < 0)
        return sys_error(err, "cannot configure the serial port");
    tcflush(fd, TCIOFLUSH);
    return 0;
}

int mdc_brt_port_open(const char *path, int baud, mdc_brt_port **out, mdc_err *err)
{
    if (!mdc_brt_baud_supported(baud))
        return mdc_err_set(err, MDC_EINVAL, "unsupported baud rate %d", baud);
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return sys_error(err, path);
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        if (e == EWOULDBLOCK)
            return mdc_err_set(err, MDC_EIO, "%s: in use by another process (locked)", path);
        return sys_error(err, path);
    }
    mdc_brt_port *p = xcalloc(1, sizeof *p);
    p->fd = fd;
    if (configure(fd, baud, &p->saved, err) < 0) {
        mdc_err_prefix(err, "%s", path);
        close(fd);
        free(p);
        return -1;
    }
    p->restore = p->tty = true;
    *out = p;
    return 0;
}

mdc_brt_port *mdc_brt_port_from_fd(int fd)
{
    mdc_brt_port *p = xcalloc(1, sizeof *p);
    p->fd = fd;
    p->tty = isatty(fd);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return p;
}

void mdc_brt_port_close(mdc_brt_port *p)
{
    if (!p) return;
    if (p->restore) tcsetattr(p->fd, TCSANOW, &p->saved);
    close(p->fd);
    free(p);
}

/* Waits for `events` until the deadline: 1 ready, 0 deadline, -1 error. */
static int wait_fd(int fd, short events, int64_t deadline_us, mdc_err *err)
{
    for (;;) {
        int64_t left = deadline_us - mdc_mono_us();
        if (left <= 0) return 0;
        struct pollfd pfd = {.fd = fd, .events = events};
        int ms = (int)((left + 999) / 1000);
        int rc = poll(&pfd, 1, ms);
        if (rc < 0 && errno == EINTR) continue;
        if (rc < 0) return sys_error(err, "poll");
        if (rc == 0) continue;
        if (pfd.revents & (POLLERR | POLLNVAL))
            return mdc_err_set(err, MDC_EIO, "the serial device reported an error");
        return 1; /* readable, writable, or hung up (read() then tells) */
    }
}

int mdc_brt_port_write(mdc_brt_port *p, const void *data, size_t n, int64_t deadline_us,
                       mdc_err *err)
{
    const char *c = data;
    while (n > 0) {
        ssize_t w = write(p->fd, c, n);
        if (w > 0) {
            c += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EIO)
            return mdc_err_set(err, MDC_EIO, "the serial device went away (unplugged?)");
        if (w < 0 && errno != EAGAIN && errno != EINTR) return sys_error(err, "write");
        int rc = wait_fd(p->fd, POLLOUT, deadline_us, err);
        if (rc < 0) return -1;
        if (rc == 0) return mdc_err_set(err, MDC_ETIMEOUT, "the serial line does not drain");
    }
    return 0;
}

ssize_t mdc_brt_port_read(mdc_brt_port *p, void *buf, size_t cap, int64_t deadline_us, mdc_err *err)
{
    for (;;) {
        ssize_t r = read(p->fd, buf, cap);
        if (r > 0) return r;
        if (r == 0 && !p->tty) return mdc_err_set(err, MDC_EIO, "the serial device was closed");
        if (r < 0 && errno != EAGAIN && errno != EINTR) {
            if (errno == EIO)
                return mdc_err_set(err, MDC_EIO, "the serial device went away (unplugged?)");
            return sys_error(err, "read");
        }
        int rc = wait_fd(p->fd, POLLIN, deadline_us, err);
        if (rc <= 0) return rc;
    }
}
