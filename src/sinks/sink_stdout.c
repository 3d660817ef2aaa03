/* SPDX-License-Identifier: Apache-2.0 */
#include "sink_stdout.h"

#include "core/xalloc.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    int fd;
    mdc_format_kind format;
    mdc_format_style style;
    bool csv_header;
    char **cols; /* NULL or ncols owned strings */
    size_t ncols;
    strbuf last_header; /* header line last written; empty before the first */
    strbuf buf;         /* the batch being written */
} stdout_sink;

int mdc_fd_write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            if (poll(&pfd, 1, -1) < 0 && errno != EINTR) return -1;
        } else {
            if (w == 0) errno = EIO;
            return -1;
        }
    }
    return 0;
}

static int so_open(mdc_sink *s, mdc_err *err)
{
    (void)s;
    (void)err;
    return 0;
}

static void so_close(mdc_sink *s)
{
    (void)s;
}

/* Renders one record into ss->buf, preceded by a header when the columns changed. hdr holds
 * the header in force so far (committed to last_header only once the write succeeded). */
static void so_render(stdout_sink *ss, const mdc_record *r, strbuf *hdr)
{
    if (ss->format != MDC_FMT_CSV) {
        mdc_format_record(ss->format, ss->style, r, &ss->buf);
        return;
    }
    if (ss->csv_header) {
        strbuf h = STRBUF_INIT;
        if (ss->cols)
            mdc_format_csv_header_cols((const char *const *)ss->cols, ss->ncols, &h);
        else
            mdc_format_csv_header(ss->style, r, &h);
        if (h.len != hdr->len || memcmp(sb_str(&h), sb_str(hdr), h.len) != 0) {
            sb_append(&ss->buf, sb_str(&h), h.len);
            sb_reset(hdr);
            sb_append(hdr, sb_str(&h), h.len);
        }
        sb_free(&h);
    }
    if (ss->cols)
        mdc_format_csv_row_cols(ss->style, r, (const char *const *)ss->cols, ss->ncols, &ss->buf);
    else
        mdc_format_record(MDC_FMT_CSV, ss->style, r, &ss->buf);
}

static int so_write_all(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_err *err)
{
    stdout_sink *ss = s->impl;
    strbuf hdr = STRBUF_INIT;
    sb_append(&hdr, sb_str(&ss->last_header), ss->last_header.len);
    sb_reset(&ss->buf);
    for (size_t i = 0; i < n; i++)
        so_render(ss, recs[i], &hdr);
    int rc = 0;
    if (mdc_fd_write_all(ss->fd, ss->buf.buf, ss->buf.len) < 0) {
        char eb[128];
        rc = mdc_err_set(err, MDC_EIO, "write to %s: %s", s->id, strerror_r(errno, eb, sizeof eb));
    } else {
        sb_free(&ss->last_header);
        ss->last_header = hdr;
        sb_init(&hdr);
    }
    sb_free(&hdr);
    if (ss->buf.cap > 1 << 20) /* do not keep a huge batch's buffer around */
        sb_free(&ss->buf);
    return rc;
}

static void so_destroy(mdc_sink *s)
{
    stdout_sink *ss = s->impl;
    if (ss) {
        for (size_t i = 0; i < ss->ncols; i++)
            free(ss->cols[i]);
        free(ss->cols);
        sb_free(&ss->last_header);
        sb_free(&ss->buf);
        free(ss);
    }
    free(s);
}

static int so_write(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_sink_result *res,
                    mdc_err *err)
{
    return mdc_sink_all_or_nothing(res, n, so_write_all(s, recs, n, err));
}

static const mdc_sink_ops stdout_ops = {
    .type = "stdout",
    .open = so_open,
    .write = so_write,
    .committed_seq = NULL,
    .close = so_close,
    .destroy = so_destroy,
};

mdc_sink *mdc_sink_fd_new(const mdc_stdout_sink_cfg *cfg, int fd)
{
    stdout_sink *ss = xcalloc(1, sizeof *ss);
    ss->fd = fd;
    ss->format = cfg->format;
    ss->style = cfg->style;
    ss->csv_header = cfg->csv_header;
    if (cfg->csv_columns && cfg->ncsv_columns) {
        ss->ncols = cfg->ncsv_columns;
        ss->cols = xcalloc(ss->ncols, sizeof *ss->cols);
        for (size_t i = 0; i < ss->ncols; i++)
            ss->cols[i] = xstrdup(cfg->csv_columns[i]);
    }
    char id[32];
    if (fd == STDOUT_FILENO)
        snprintf(id, sizeof id, "stdout");
    else
        snprintf(id, sizeof id, "fd:%d", fd);
    return mdc_sink_new(&stdout_ops, id, ss);
}

mdc_sink *mdc_sink_stdout_new(const mdc_stdout_sink_cfg *cfg)
{
    return mdc_sink_fd_new(cfg, STDOUT_FILENO);
}
