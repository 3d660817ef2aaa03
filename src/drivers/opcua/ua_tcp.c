/* SPDX-License-Identifier: Apache-2.0 */
/* ua_tcp.c — the TCP socket under UA TCP: endpoint URL parsing, connect, and reads and
 * writes bounded by a monotonic deadline. */
#include "ua_transport.h"

#include "core/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int ua_url_parse(const char *url, ua_url *out, mdc_err *err)
{
    const char *p = url;
    if (strncmp(p, "opc.tcp://", 10) != 0)
        return mdc_err_set(err, MDC_EINVAL, "endpoint \"%s\" must start with opc.tcp://", url);
    p += 10;
    const char *host = p, *host_end;
    if (*p == '[') {
        host = ++p;
        host_end = strchr(p, ']');
        if (!host_end) return mdc_err_set(err, MDC_EINVAL, "endpoint \"%s\": missing ']'", url);
        p = host_end + 1;
    } else {
        host_end = p + strcspn(p, ":/");
        p = host_end;
    }
    size_t hl = (size_t)(host_end - host);
    if (hl == 0 || hl >= sizeof out->host)
        return mdc_err_set(err, MDC_EINVAL, "endpoint \"%s\": bad host", url);
    memcpy(out->host, host, hl);
    out->host[hl] = '\0';
    out->port = 4840;
    if (*p == ':') {
        char *end;
        long port = strtol(p + 1, &end, 10);
        if (end == p + 1 || port < 1 || port > 65535 || (*end && *end != '/'))
            return mdc_err_set(err, MDC_EINVAL, "endpoint \"%s\": bad port", url);
        out->port = (int)port;
    } else if (*p && *p != '/') {
        return mdc_err_set(err, MDC_EINVAL, "endpoint \"%s\": bad host", url);
    }
    return 0;
}

static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - mdc_mono_us();
        if (left <= 0) return 0;
        struct pollfd pfd = {.fd = fd, .events = events};
        int ms = (int)((left + 999) / 1000);
        int r = poll(&pfd, 1, ms);
        if (r > 0) return 1;
        if (r < 0 && errno != EINTR) return -1;
    }
}

static int connect_one(const struct addrinfo *ai, int64_t deadline, int *fd, mdc_err *err)
{
    int s = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (s < 0) return mdc_err_set(err, MDC_EIO, "socket: %s", strerror(errno));
    int one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(s, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
        int e = errno;
        close(s);
        return mdc_err_set(err, MDC_EIO, "connect: %s", strerror(e));
    }
    int w = wait_fd(s, POLLOUT, deadline);
    int soerr = 0;
    socklen_t len = sizeof soerr;
    if (w == 1) getsockopt(s, SOL_SOCKET, SO_ERROR, &soerr, &len);
    if (w != 1 || soerr) {
        close(s);
        if (w == 0) return mdc_err_set(err, MDC_ETIMEOUT, "connect: timed out");
        return mdc_err_set(err, MDC_EIO, "connect: %s", strerror(soerr ? soerr : errno));
    }
    *fd = s;
    return 0;
}

int ua_tcp_connect(const ua_url *u, int64_t deadline, int *fd, mdc_err *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    char port[16];
    snprintf(port, sizeof port, "%d", u->port);
    int rc = getaddrinfo(u->host, port, &hints, &res);
    if (rc != 0)
        return mdc_err_set(err, MDC_EIO, "cannot resolve %s: %s", u->host, gai_strerror(rc));
    rc = -1;
    for (struct addrinfo *ai = res; ai && rc < 0; ai = ai->ai_next)
        rc = connect_one(ai, deadline, fd, err);
    freeaddrinfo(res);
    if (rc < 0) mdc_err_prefix(err, "%s:%d", u->host, u->port);
    return rc;
}

int ua_tcp_write(int fd, const void *p, size_t n, int64_t deadline, mdc_err *err)
{
    const char *b = p;
    while (n > 0) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
        if (w > 0) {
            b += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int r = wait_fd(fd, POLLOUT, deadline);
            if (r == 0) return mdc_err_set(err, MDC_ETIMEOUT, "send timed out");
            if (r > 0) continue;
        }
        return mdc_err_set(err, MDC_EIO, "send: %s", strerror(errno));
    }
    return 0;
}

int ua_tcp_recv_some(int fd, void *p, size_t n, int64_t deadline, size_t *end, mdc_err *err)
{
    for (;;) {
        ssize_t r = recv(fd, p, n, 0);
        if (r > 0) {
            *end += (size_t)r;
            return 0;
        }
        if (r == 0) return mdc_err_set(err, MDC_EIO, "connection closed by the server");
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return mdc_err_set(err, MDC_EIO, "recv: %s", strerror(errno));
        int w = wait_fd(fd, POLLIN, deadline);
        if (w == 0) return 1;
        if (w < 0) return mdc_err_set(err, MDC_EIO, "poll: %s", strerror(errno));
    }
}
