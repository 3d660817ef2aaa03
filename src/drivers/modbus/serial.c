/* SPDX-License-Identifier: Apache-2.0 */
/* serial.c — termios configuration and line timing. */
#include "serial.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const struct {
    int baud;
    speed_t speed;
} bauds[] = {
    {50, B50},           {75, B75},           {110, B110},         {134, B134},
    {150, B150},         {200, B200},         {300, B300},         {600, B600},
    {1200, B1200},       {1800, B1800},       {2400, B2400},       {4800, B4800},
    {9600, B9600},       {19200, B19200},     {38400, B38400},     {57600, B57600},
    {115200, B115200},   {230400, B230400},   {460800, B460800},   {500000, B500000},
    {576000, B576000},   {921600, B921600},   {1000000, B1000000}, {1152000, B1152000},
    {1500000, B1500000}, {2000000, B2000000}, {2500000, B2500000}, {3000000, B3000000},
    {3500000, B3500000}, {4000000, B4000000},
};

static speed_t speed_of(int baud)
{
    for (size_t i = 0; i < sizeof bauds / sizeof bauds[0]; i++)
        if (bauds[i].baud == baud) return bauds[i].speed;
    return B0;
}

bool mdc_mb_baud_supported(int baud)
{
    return speed_of(baud) != B0;
}

int mdc_mb_serial_check(int baud, char parity, int data_bits, int stop_bits, mdc_err *err)
{
    if (!mdc_mb_baud_supported(baud))
        return mdc_err_set(err, MDC_EINVAL,
                           "baud rate %d is not a standard rate (e.g. 1200, 2400, 4800, 9600, "
                           "19200, 38400, 57600, 115200)",
                           baud);
    if (parity != 'N' && parity != 'E' && parity != 'O')
        return mdc_err_set(err, MDC_EINVAL, "parity must be N, E or O (got '%c')",
                           parity ? parity : '?');
    if (data_bits < 5 || data_bits > 8)
        return mdc_err_set(err, MDC_EINVAL, "data bits must be 5..8 (got %d)", data_bits);
    if (stop_bits != 1 && stop_bits != 2)
        return mdc_err_set(err, MDC_EINVAL, "stop bits must be 1 or 2 (got %d)", stop_bits);
    return 0;
}

int mdc_mb_char_bits(char parity, int data_bits, int stop_bits)
{
    return 1 + data_bits + (parity == 'N' ? 0 : 1) + stop_bits;
}

int64_t mdc_mb_wire_us(int baud, int char_bits, double chars)
{
    if (baud <= 0) return 0;
    double us = chars * char_bits * 1e6 / baud;
    int64_t r = (int64_t)us;
    return (double)r < us ? r + 1 : r;
}

const char *mdc_mb_strerror(int e, char *buf, size_t n)
{
    return strerror_r(e, buf, n); /* the GNU variant (_GNU_SOURCE): thread-safe */
}

int64_t mdc_mb_silent_us(int baud, int char_bits)
{
    if (baud > 19200) return 1750;
    return mdc_mb_wire_us(baud, char_bits, 3.5);
}

/* Unix98 pty slaves have majors 136..143. */
static bool is_pty_slave(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136 &&
           major(st.st_rdev) <= 143;
}

int mdc_mb_serial_setup(int fd, int baud, char parity, int data_bits, int stop_bits, mdc_err *err)
{
    if (mdc_mb_serial_check(baud, parity, data_bits, stop_bits, err) < 0) return -1;
    struct termios t;
    char buf[64];
    if (tcgetattr(fd, &t) < 0)
        return mdc_err_set(err, MDC_EIO, "not a terminal: %s",
                           mdc_mb_strerror(errno, buf, sizeof buf));
    cfmakeraw(&t);
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
    static const tcflag_t sizes[] = {CS5, CS6, CS7, CS8};
    t.c_cflag |= sizes[data_bits - 5] | CLOCAL | CREAD;
    if (parity != 'N') t.c_cflag |= PARENB | (parity == 'O' ? PARODD : 0);
    if (stop_bits == 2) t.c_cflag |= CSTOPB;
    t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY | INPCK | ISTRIP);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    speed_t sp = speed_of(baud);
    if (cfsetispeed(&t, sp) < 0 || cfsetospeed(&t, sp) < 0)
        return mdc_err_set(err, MDC_EIO, "cannot set %d baud", baud);
    if (tcsetattr(fd, TCSANOW, &t) == 0) return 0;
    if (errno == EINVAL && is_pty_slave(fd)) {
        /* A pseudo-terminal is always 8 bits without parity (glibc reports EINVAL for 7E2);
         * there is no line, so any framing works. */
        t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD);
        t.c_cflag |= CS8;
        if (tcsetattr(fd, TCSANOW, &t) == 0) return 0;
    }
    return mdc_err_set(err, MDC_EIO, "cannot set %d %d%c%d: %s", baud, data_bits, parity, stop_bits,
                       mdc_mb_strerror(errno, buf, sizeof buf));
}

int mdc_mb_serial_open(const char *device, int baud, char parity, int data_bits, int stop_bits,
                       struct termios *saved, mdc_err *err)
{
    if (mdc_mb_serial_check(baud, parity, data_bits, stop_bits, err) < 0) return -1;
    int fd = open(device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    char buf[64];
    if (fd < 0) return mdc_err_set(err, MDC_EIO, "%s", mdc_mb_strerror(errno, buf, sizeof buf));
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK)
            return mdc_err_set(err, MDC_EIO, "in use by another process (locked)");
        return mdc_err_set(err, MDC_EIO, "cannot lock: %s", mdc_mb_strerror(e, buf, sizeof buf));
    }
    if (tcgetattr(fd, saved) < 0) {
        mdc_err_set(err, MDC_EIO, "not a terminal: %s", mdc_mb_strerror(errno, buf, sizeof buf));
        close(fd);
        return -1;
    }
    if (mdc_mb_serial_setup(fd, baud, parity, data_bits, stop_bits, err) < 0) {
        close(fd);
        return -1;
    }
    tcflush(fd, TCIOFLUSH);
    return fd;
}

void mdc_mb_serial_close(int fd, const struct termios *saved)
{
    if (fd < 0) return;
    if (saved) tcsetattr(fd, TCSANOW, saved);
    close(fd);
}
