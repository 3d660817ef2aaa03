/* SPDX-License-Identifier: Apache-2.0 */
/* sink_log.c — records as log lines. */
#include "sink_log.h"

#include "core/log.h"
#include "core/xalloc.h"

#include <string.h>

typedef struct log_sink {
    mdc_log_sink_cfg cfg;
    char **cols;
} log_sink;

static int lg_open(mdc_sink *s, mdc_err *err)
{
    (void)s;
    (void)err;
    return 0;
}

static void lg_close(mdc_sink *s)
{
    (void)s;
}

static void one_line(strbuf *sb)
{
    while (sb->len && sb->buf[sb->len - 1] == '\n')
        sb->buf[--sb->len] = '\0';
    for (size_t i = 0; i < sb->len; i++)
        if (sb->buf[i] == '\n') sb->buf[i] = ' ';
}

static int lg_write_all(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_err *err)
{
    (void)err;
    log_sink *ls = s->impl;
    strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        sb_reset(&sb);
        if (ls->cfg.render.style == MDC_STYLE_HEMS) {
            sb_puts(&sb, "Data retrieved: ");
            mdc_render_pyrepr(recs[i], &sb);
        } else {
            sb_puts(&sb, "record: ");
            mdc_render_one(&ls->cfg.render, recs[i], &sb);
            one_line(&sb);
        }
        bool hems = ls->cfg.render.style == MDC_STYLE_HEMS; /* the hems tool has no scope */
        mdc_log(ls->cfg.level, hems ? NULL : recs[i]->device, "%s", sb_str(&sb));
    }
    sb_free(&sb);
    return 0;
}

static void lg_destroy(mdc_sink *s)
{
    log_sink *ls = s->impl;
    if (ls) {
        for (size_t i = 0; i < ls->cfg.render.ncsv_columns; i++)
            free(ls->cols[i]);
        free(ls->cols);
        free(ls);
    }
    free(s);
}

static int lg_write(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_sink_result *res,
                    mdc_err *err)
{
    return mdc_sink_all_or_nothing(res, n, lg_write_all(s, recs, n, err));
}

static const mdc_sink_ops log_ops = {
    .type = "log",
    .open = lg_open,
    .write = lg_write,
    .committed_seq = NULL,
    .close = lg_close,
    .destroy = lg_destroy,
};

mdc_sink *mdc_sink_log_new(const mdc_log_sink_cfg *cfg)
{
    log_sink *ls = xcalloc(1, sizeof *ls);
    ls->cfg = *cfg;
    if (cfg->render.csv_columns) {
        size_t n = cfg->render.ncsv_columns;
        ls->cols = xcalloc(n ? n : 1, sizeof *ls->cols);
        for (size_t i = 0; i < n; i++)
            ls->cols[i] = xstrdup(cfg->render.csv_columns[i]);
        ls->cfg.render.csv_columns = (const char *const *)ls->cols;
    }
    return mdc_sink_new(&log_ops, "log", ls);
}
