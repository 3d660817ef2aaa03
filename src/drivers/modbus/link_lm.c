/* SPDX-License-Identifier: Apache-2.0 */
/* link_lm.c — Modbus TCP and RTU through libmodbus 3.1.x.
 *
 * Traps handled here (research/modbus.md §3): the unit id is set on every request (TCP
 * defaults to 0xFF); error recovery stays NONE (LINK doubles timeouts and can hang forever);
 * late replies are flushed before the next request; errno is mapped here because
 * modbus_strerror is not thread-safe; libmodbus waits with select(), so its descriptor must be
 * below FD_SETSIZE. */
#include "link_impl.h"
#include "pdu.h"
#include "serial.h"
#include "core/clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/select.h>
#include <sys/socket.h>

static void set_timeout(modbus_t *ctx, int64_t us, bool byte)
{
    uint32_t sec = (uint32_t)(us / 1000000), usec = (uint32_t)(us % 1000000);
    if (byte)
        modbus_set_byte_timeout(ctx, sec, usec);
    else
        modbus_set_response_timeout(ctx, sec, usec);
}

static bool is_connection_error(int e)
{
    return e == ECONNRESET || e == EPIPE || e == ENOTCONN || e == ECONNABORTED || e == EBADF ||
           e == EIO || e == ENXIO || e == ENODEV || e == ECONNREFUSED || e == EHOSTUNREACH ||
           e == ENETUNREACH || e == ENETDOWN;
}

static int errno_error(mdc_mb_link *l, int e, int64_t timeout_us, mdc_err *err)
{
    char buf[64];
    if (e > MODBUS_ENOBASE && e <= EMBXGTAR) return mdc_mb_exception_error(e - MODBUS_ENOBASE, err);
    switch (e) {
    case ETIMEDOUT:
        l->flush_before_next = true;
        return mdc_mb_timeout_error(l, timeout_us, err);
    case EMBBADCRC:
        l->flush_before_next = true;
        return mdc_err_set(err, MDC_EPROTO, "CRC mismatch in the reply");
    case EMBBADDATA:
        l->flush_before_next = true;
        if (l->cfg.kind == MDC_MB_TCP) { /* a late reply: the transaction ids are out of step */
            l->needs_reopen = true;
            l->discarded++;
        }
        return mdc_err_set(err, MDC_EPROTO,
                           "invalid reply (wrong length, function, address or transaction id)");
    case EMBBADEXC:
        return mdc_err_set(err, MDC_EPROTO, "invalid exception code in the reply");
    case EMBUNKEXC:
        return mdc_err_set(err, MDC_EPROTO, "unknown exception in the reply");
    case EMBMDATA:
        return mdc_err_set(err, MDC_EINVAL, "too many registers for one request");
    case EMBBADSLAVE:
        l->flush_before_next = true;
        return mdc_err_set(err, MDC_EPROTO, "reply from another unit");
    case ECONNREFUSED:
        l->needs_reopen = true;
        return mdc_err_set(err, MDC_EIO, "connection refused");
    case ECONNRESET:
        l->needs_reopen = true;
        return mdc_err_set(err, MDC_EIO, "connection reset by peer");
    }
    if (is_connection_error(e)) l->needs_reopen = true;
    return mdc_err_set(err, MDC_EIO, "%s", mdc_mb_strerror(e, buf, sizeof buf));
}

/* libmodbus does not say why a name did not resolve; ask first. */
static int resolve_check(const char *host, int port, mdc_err *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) return mdc_err_set(err, MDC_EIO, "cannot resolve host: %s", gai_strerror(rc));
    freeaddrinfo(res);
    return 0;
}

/* An IPv4 literal needs no resolver: libmodbus's plain TCP context connects to it directly,
 * with a smaller context and without getaddrinfo's deep stack on every bus thread. */
static bool is_ipv4_literal(const char *host)
{
    struct in_addr a;
    return inet_pton(AF_INET, host, &a) == 1;
}

static modbus_t *new_context(const mdc_mb_link_cfg *c, mdc_err *err)
{
    char service[16];
    modbus_t *ctx;
    if (c->kind == MDC_MB_TCP && is_ipv4_literal(c->host)) {
        ctx = modbus_new_tcp(c->host, c->port);
    } else if (c->kind == MDC_MB_TCP) {
        if (resolve_check(c->host, c->port, err) < 0) return NULL;
        snprintf(service, sizeof service, "%d", c->port);
        ctx = modbus_new_tcp_pi(c->host, service);
    } else {
        ctx = modbus_new_rtu(c->device, c->baud, c->parity, c->data_bits, c->stop_bits);
    }
    if (!ctx) {
        char buf[64];
        mdc_err_set(err, MDC_EINVAL, "cannot create a libmodbus context: %s",
                    mdc_mb_strerror(errno, buf, sizeof buf));
    }
    return ctx;
}

static int connect_error(mdc_mb_link *l, int e, mdc_err *err)
{
    if (e == ETIMEDOUT)
        return mdc_err_set(err, MDC_ETIMEOUT, "connect timeout after %g ms",
                           (double)l->cfg.timeout_us / 1000.0);
    char buf[64];
    if (e == ECONNREFUSED) return mdc_err_set(err, MDC_EIO, "connection refused");
    return mdc_err_set(err, MDC_EIO, "%s", mdc_mb_strerror(e, buf, sizeof buf));
}

static int after_connect_checks(mdc_mb_link *l, mdc_err *err)
{
    int fd = modbus_get_socket(l->ctx);
    if (fd >= FD_SETSIZE)
        return mdc_err_set(err, MDC_EIO,
                           "file descriptor %d >= %d: libmodbus waits with select(); keep fewer "
                           "files open",
                           fd, FD_SETSIZE);
    if (l->cfg.kind == MDC_MB_RTU && flock(fd, LOCK_EX | LOCK_NB) < 0)
        return mdc_err_set(err, MDC_EIO, "in use by another process (locked)");
    return 0;
}

int mdc_mb_lm_open(mdc_mb_link *l, mdc_err *err)
{
    l->ctx = new_context(&l->cfg, err);
    if (!l->ctx) return -1;
    modbus_set_error_recovery(l->ctx, MODBUS_ERROR_RECOVERY_NONE);
    set_timeout(l->ctx, l->cfg.timeout_us, false);
    set_timeout(l->ctx, l->byte_timeout_us, true);
    modbus_set_slave(l->ctx, 1);
    if (modbus_connect(l->ctx) < 0) {
        int e = errno;
        modbus_free(l->ctx);
        l->ctx = NULL;
        return connect_error(l, e, err);
    }
    if (after_connect_checks(l, err) < 0) {
        mdc_mb_lm_close(l);
        return -1;
    }
    return 0;
}

void mdc_mb_lm_close(mdc_mb_link *l)
{
    if (!l->ctx) return;
    modbus_close(l->ctx);
    modbus_free(l->ctx);
    l->ctx = NULL;
}

static int read_bits(modbus_t *ctx, int fc, uint16_t addr, uint16_t count, uint16_t *out)
{
    uint8_t bits[MODBUS_MAX_READ_BITS];
    int rc = fc == 1 ? modbus_read_bits(ctx, addr, count, bits)
                     : modbus_read_input_bits(ctx, addr, count, bits);
    for (int i = 0; i < rc; i++)
        out[i] = bits[i] ? 1 : 0;
    return rc;
}

/* RTU: the request goes out through libmodbus, and replies are taken one frame at a time
 * (libmodbus cuts them by length and checks the CRC) until one answers this request: a late
 * reply of a timed-out request, or a frame of another unit, function or length, is discarded
 * and counted rather than decoded (libmodbus would take a same-shaped late reply as the answer). */
static int rtu_read(mdc_mb_link *l, int unit, int fc, uint16_t addr, uint16_t count, uint16_t *out,
                    mdc_err *err)
{
    uint8_t req[6], rsp[MODBUS_RTU_MAX_ADU_LENGTH];
    req[0] = (uint8_t)unit;
    mdc_mb_pdu_read_request(fc, addr, count, req + 1);
    if (modbus_send_raw_request(l->ctx, req, (int)sizeof req) < 0)
        return errno_error(l, errno, l->cfg.timeout_us, err);
    int64_t deadline =
        mdc_mono_us() + mdc_mb_wire_us(l->cfg.baud, l->char_bits, 8) + l->cfg.timeout_us;
    int rc = 1;
    while (rc == 1) {
        int64_t left = deadline - mdc_mono_us();
        if (left <= 0) {
            l->flush_before_next = true;
            rc = mdc_mb_timeout_error(l, l->cfg.timeout_us, err);
            break;
        }
        set_timeout(l->ctx, left, false);
        errno = 0;
        int n = modbus_receive_confirmation(l->ctx, rsp);
        if (n < 0)
            rc = errno_error(l, errno, l->cfg.timeout_us, err);
        else if (n == 0) /* libmodbus skipped the CRC of another unit's frame */
            rc = mdc_mb_link_take_reply(l, unit, fc, count, rsp, 1, out, err);
        else
            rc = mdc_mb_link_take_reply(l, unit, fc, count, rsp, (size_t)n - 2, out, err);
    }
    set_timeout(l->ctx, l->cfg.timeout_us, false);
    return rc;
}

int mdc_mb_lm_read(mdc_mb_link *l, int unit, int fc, uint16_t addr, uint16_t count, uint16_t *out,
                   mdc_err *err)
{
    if (l->flush_before_next) {
        modbus_flush(l->ctx);
        l->flush_before_next = false;
    }
    if (modbus_set_slave(l->ctx, unit) < 0)
        return mdc_err_set(err, MDC_EINVAL, "invalid unit id %d", unit);
    if (l->cfg.kind == MDC_MB_RTU) return rtu_read(l, unit, fc, addr, count, out, err);
    int rc;
    errno = 0;
    if (fc <= 2)
        rc = read_bits(l->ctx, fc, addr, count, out);
    else if (fc == 3)
        rc = modbus_read_registers(l->ctx, addr, count, out);
    else
        rc = modbus_read_input_registers(l->ctx, addr, count, out);
    if (rc < 0) return errno_error(l, errno, l->cfg.timeout_us, err);
    if (rc != count)
        return mdc_err_set(err, MDC_EPROTO, "reply carries %d values, expected %u", rc, count);
    return 0;
}
