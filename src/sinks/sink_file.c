/* SPDX-License-Identifier: Apache-2.0 */
#include "sink_file.h"
#include "sink_stdout.h"

#include "core/clock.h"
#include "core/xalloc.h"
#include "format/placeholders.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_SINK_MAX_OPEN 32

typedef struct {
    char *path;   /* NULL: free slot */
    int fd;       /* -1 when closed */
    bool created; /* we created the file and its directory entry is not yet fsync()ed */
    dev_t dev;
    ino_t ino;
    int64_t last_seq; /* highest spool seq appended to this file, 0 for none */
    uint64_t used;    /* LRU clock */
} fentry;

typedef struct {
    char *tmpl;
    mdc_format_kind format;
    mdc_format_style style;
    bool fsync;
    bool tmpl_ok;
    char **cols;
    size_t ncols;
    fentry ents[FILE_SINK_MAX_OPEN];
    uint64_t tick;
} file_sink;

/* Records of one batch that go to the same file, in batch order. */
typedef struct {
    char *path;
    size_t *idx;
    size_t n, cap;
} group;

/* ---- templates ---- */

static const char *const placeholders[] = {"device", "machine_id", "date", NULL};

int mdc_file_template_check(const char *tmpl, mdc_err *err)
{
    if (!tmpl || !*tmpl) return mdc_err_set(err, MDC_EINVAL, "file sink: empty path template");
    size_t len;
    const char *p = mdc_placeholder_unknown(placeholders, tmpl, &len);
    if (p)
        return mdc_err_set(err, MDC_EINVAL,
                           "file sink: unknown placeholder %.*s in path template \"%s\" "
                           "(known: {device}, {machine_id}, {date})",
                           (int)len, p, tmpl);
    return 0;
}

static void put_device(strbuf *out, const char *dev)
{
    if (!dev) {
        sb_puts(out, "unknown");
        return;
    }
    if (!*dev) sb_putc(out, '_');
    for (const char *p = dev; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || (c == '.' && p != dev);
        sb_putc(out, ok ? c : '_');
    }
}

static void put_placeholder(strbuf *out, int id, const mdc_record *r)
{
    if (id == 0) {
        put_device(out, r->device);
    } else if (id == 1) {
        if (r->has_machine_id)
            sb_printf(out, "%" PRId64, r->machine_id);
        else
            sb_puts(out, "unknown");
    } else {
        int64_t y;
        unsigned m, d;
        mdc_civil_from_days(mdc_floordiv(r->ts_us, 86400 * MDC_US_PER_SEC), &y, &m, &d);
        sb_printf(out, "%04" PRId64 "-%02u-%02u", y, m, d);
    }
}

static void put_one(strbuf *out, int id, void *r)
{
    put_placeholder(out, id, r);
}

void mdc_file_path_expand(const char *tmpl, const mdc_record *r, strbuf *out)
{
    mdc_placeholders_expand(tmpl, placeholders, put_one, (void *)r, out);
}

/* ---- descriptors ---- */

static const char *errtext(int e, char *buf, size_t n)
{
    return strerror_r(e, buf, n);
}

static int io_err(mdc_err *err, const char *what, const char *path, int e)
{
    char eb[128];
    return mdc_err_set(err, MDC_EIO, "%s %s: %s", what, path, errtext(e, eb, sizeof eb));
}

/* mkdir -p of path's parent directories. */
static int make_parents(const char *path, mdc_err *err)
{
    char *tmp = xstrdup(path);
    int rc = 0;
    for (char *p = strchr(tmp + 1, '/'); p; p = strchr(p + 1, '/')) {
        if (p[-1] == '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0755) < 0 && errno != EEXIST) {
            rc = io_err(err, "create directory", tmp, errno);
            break;
        }
        *p = '/';
    }
    free(tmp);
    return rc;
}

static void entry_close(fentry *e)
{
    if (e->fd >= 0) close(e->fd);
    e->fd = -1;
}

static void entry_free(fentry *e)
{
    entry_close(e);
    free(e->path);
    memset(e, 0, sizeof *e);
    e->fd = -1;
}

static int entry_open(fentry *e, mdc_err *err)
{
    e->fd = open(e->path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (e->fd < 0 && errno == ENOENT) {
        if (make_parents(e->path, err) < 0) return -1;
        e->fd = open(e->path, O_WRONLY | O_APPEND | O_CLOEXEC | O_CREAT, 0644);
        e->created = e->fd >= 0;
    }
    if (e->fd < 0) return io_err(err, "open", e->path, errno);
    struct stat st;
    if (fstat(e->fd, &st) < 0) {
        int saved = errno;
        entry_close(e);
        return io_err(err, "stat", e->path, saved);
    }
    e->dev = st.st_dev;
    e->ino = st.st_ino;
    return 0;
}

/* True when path no longer names the file e->fd has open (rotated or deleted). */
static bool entry_stale(const fentry *e)
{
    struct stat st;
    return stat(e->path, &st) < 0 || st.st_dev != e->dev || st.st_ino != e->ino;
}

static fentry *entry_slot(file_sink *fs, const char *path)
{
    fentry *lru = &fs->ents[0];
    for (size_t i = 0; i < FILE_SINK_MAX_OPEN; i++) {
        fentry *e = &fs->ents[i];
        if (e->path && strcmp(e->path, path) == 0) return e;
        if (!e->path || (lru->path && e->used < lru->used)) lru = e;
    }
    entry_free(lru);
    lru->path = xstrdup(path);
    return lru;
}

/* The cache entry for path with an open descriptor, or NULL (err filled). */
static fentry *entry_get(file_sink *fs, const char *path, mdc_err *err)
{
    fentry *e = entry_slot(fs, path);
    e->used = ++fs->tick;
    if (e->fd >= 0 && entry_stale(e)) {
        entry_close(e);
        e->last_seq = 0; /* a new file: nothing of ours is in it */
    }
    if (e->fd < 0 && entry_open(e, err) < 0) return NULL;
    return e;
}

/* ---- batches ---- */

static group *group_for(group **gs, size_t *ng, size_t *cap, char *path)
{
    for (size_t i = 0; i < *ng; i++) {
        if (strcmp((*gs)[i].path, path) == 0) {
            free(path);
            return &(*gs)[i];
        }
    }
    xgrow(gs, cap, *ng + 1, sizeof **gs);
    group *g = &(*gs)[(*ng)++];
    memset(g, 0, sizeof *g);
    g->path = path;
    return g;
}

static size_t group_batch(file_sink *fs, const mdc_record *const *recs, size_t n, group **out)
{
    group *gs = NULL;
    size_t ng = 0, cap = 0;
    strbuf path = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        sb_reset(&path);
        mdc_file_path_expand(fs->tmpl, recs[i], &path);
        group *g = group_for(&gs, &ng, &cap, xstrdup(sb_str(&path)));
        xgrow(&g->idx, &g->cap, g->n + 1, sizeof *g->idx);
        g->idx[g->n++] = i;
    }
    sb_free(&path);
    *out = gs;
    return ng;
}

static void groups_free(group *gs, size_t ng)
{
    for (size_t i = 0; i < ng; i++) {
        free(gs[i].path);
        free(gs[i].idx);
    }
    free(gs);
}

static void render(file_sink *fs, const mdc_record *r, bool header, strbuf *out)
{
    const char *const *cols = (const char *const *)fs->cols;
    if (fs->format != MDC_FMT_CSV) {
        mdc_format_record(fs->format, fs->style, r, out);
    } else if (cols) {
        if (header) mdc_format_csv_header_cols(cols, fs->ncols, out);
        mdc_format_csv_row_cols(fs->style, r, cols, fs->ncols, out);
    } else {
        if (header) mdc_format_csv_header(fs->style, r, out);
        mdc_format_record(MDC_FMT_CSV, fs->style, r, out);
    }
}

static int sync_dir_of(const char *path, mdc_err *err)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    int rc = 0, fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) < 0) rc = io_err(err, "fsync directory", dir, errno);
    if (fd >= 0) close(fd);
    free(dir);
    return rc;
}

/* Appends the group's records (those not already in the file) with one write. */
static int write_group(file_sink *fs, const mdc_record *const *recs, const group *g, strbuf *data,
                       mdc_err *err)
{
    fentry *e = entry_get(fs, g->path, err);
    if (!e) return -1;
    struct stat st;
    if (fstat(e->fd, &st) < 0) return io_err(err, "stat", e->path, errno);
    sb_reset(data);
    int64_t max_seq = e->last_seq;
    for (size_t i = 0; i < g->n; i++) {
        const mdc_record *r = recs[g->idx[i]];
        if (r->seq > 0 && r->seq <= e->last_seq && !r->redelivered)
            continue; /* appended before a failure elsewhere in the batch */
        render(fs, r, st.st_size == 0 && data->len == 0, data);
        if (r->seq > max_seq) max_seq = r->seq;
    }
    if (data->len == 0) return 0;
    if (mdc_fd_write_all(e->fd, data->buf, data->len) < 0) {
        int saved = errno;
        if (ftruncate(e->fd, st.st_size) < 0) { /* best effort: leave no partial batch */
        }
        entry_close(e);
        return io_err(err, "write", g->path, saved);
    }
    e->last_seq = max_seq;
    if (fs->fsync && fdatasync(e->fd) < 0) return io_err(err, "fdatasync", g->path, errno);
    if (fs->fsync && e->created && sync_dir_of(e->path, err) < 0) return -1;
    e->created = false;
    return 0;
}

static int fs_open(mdc_sink *s, mdc_err *err)
{
    file_sink *fs = s->impl;
    if (mdc_file_template_check(fs->tmpl, err) < 0) return -1;
    fs->tmpl_ok = true;
    return 0;
}

static int fs_write_all(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_err *err)
{
    file_sink *fs = s->impl;
    if (!fs->tmpl_ok && fs_open(s, err) < 0) return -1;
    group *gs;
    size_t ng = group_batch(fs, recs, n, &gs);
    strbuf data = STRBUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < ng && rc == 0; i++)
        rc = write_group(fs, recs, &gs[i], &data, err);
    sb_free(&data);
    groups_free(gs, ng);
    return rc;
}

static void fs_close(mdc_sink *s)
{
    file_sink *fs = s->impl;
    for (size_t i = 0; i < FILE_SINK_MAX_OPEN; i++)
        entry_close(&fs->ents[i]); /* keeps path and last_seq for a retried batch */
}

static void fs_destroy(mdc_sink *s)
{
    file_sink *fs = s->impl;
    if (fs) {
        for (size_t i = 0; i < FILE_SINK_MAX_OPEN; i++)
            entry_free(&fs->ents[i]);
        for (size_t i = 0; i < fs->ncols; i++)
            free(fs->cols[i]);
        free(fs->cols);
        free(fs->tmpl);
        free(fs);
    }
    free(s);
}

static int fs_write(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_sink_result *res,
                    mdc_err *err)
{
    return mdc_sink_all_or_nothing(res, n, fs_write_all(s, recs, n, err));
}

static const mdc_sink_ops file_ops = {
    .type = "file",
    .open = fs_open,
    .write = fs_write,
    .committed_seq = NULL,
    .close = fs_close,
    .destroy = fs_destroy,
};

mdc_sink *mdc_sink_file_new(const mdc_file_sink_cfg *cfg)
{
    file_sink *fs = xcalloc(1, sizeof *fs);
    fs->tmpl = xstrdup(cfg->path_template ? cfg->path_template : "");
    fs->format = cfg->format;
    fs->style = cfg->style;
    fs->fsync = cfg->fsync;
    for (size_t i = 0; i < FILE_SINK_MAX_OPEN; i++)
        fs->ents[i].fd = -1;
    if (cfg->csv_columns && cfg->ncsv_columns) {
        fs->ncols = cfg->ncsv_columns;
        fs->cols = xcalloc(fs->ncols, sizeof *fs->cols);
        for (size_t i = 0; i < fs->ncols; i++)
            fs->cols[i] = xstrdup(cfg->csv_columns[i]);
    }
    strbuf id = STRBUF_INIT;
    sb_printf(&id, "file:%s", fs->tmpl);
    mdc_sink *s = mdc_sink_new(&file_ops, sb_str(&id), fs);
    sb_free(&id);
    return s;
}
