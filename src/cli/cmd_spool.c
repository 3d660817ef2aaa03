/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_spool.c — mdc spool: what waits in the spool, and the records sinks rejected for good
 * (the dead-letter table): list them, offer them to their sink again, or drop them. Works
 * beside a running daemon (it opens the spool without taking new sequence numbers); a daemon
 * picks up records marked for retry within a few seconds. */
#include "cli.h"

#include "core/clock.h"
#include "core/spool.h"
#include "format/format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: mdc spool [-c FILE | --data-dir DIR] COMMAND\n"
               "\n"
               "commands:\n"
               "  status                 records waiting, per sink backlog, drops, dead letters\n"
               "  list [--sink ID]       the dead letters: id, sink, record, reason, tries, error\n"
               "       [--records]       ...and each record as JSON\n"
               "  retry (ID... | --all) [--sink ID]   offer dead letters to their sink again\n"
               "  drop  (ID... | --all) [--sink ID]   delete dead letters\n"
               "\n"
               "  -c, --config FILE      take data_dir from this configuration\n"
               "  --data-dir DIR         the data directory (default: data)\n"
               "  -h, --help             this help\n");
}

typedef struct spool_args {
    cli_common common;
    const char *cmd, *sink;
    bool all, records;
    int64_t *ids;
    size_t nids;
} spool_args;

static int parse_id(const char *s, int64_t *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || *end || v <= 0) return -1;
    *out = v;
    return 0;
}

/* Returns 0, or an exit code (help: -1 for 0). */
static int parse_args(int argc, char **argv, spool_args *a)
{
    a->ids = calloc((size_t)argc, sizeof *a->ids);
    for (int i = 1; i < argc; i++) {
        int r = cli_common_option(&a->common, argc, argv, &i);
        if (r < 0) return 2;
        if (r) continue;
        const char *o = argv[i];
        if (!strcmp(o, "-h") || !strcmp(o, "--help")) return -1;
        if (!strcmp(o, "--sink") && i + 1 < argc) {
            a->sink = argv[++i];
        } else if (!strcmp(o, "--all")) {
            a->all = true;
        } else if (!strcmp(o, "--records")) {
            a->records = true;
        } else if (o[0] == '-') {
            fprintf(stderr, "mdc spool: unknown option '%s' (see mdc spool --help)\n", o);
            return 2;
        } else if (!a->cmd) {
            a->cmd = o;
        } else if (parse_id(o, &a->ids[a->nids]) == 0) {
            a->nids++;
        } else {
            fprintf(stderr, "mdc spool: '%s' is not a dead-letter id (see mdc spool list)\n", o);
            return 2;
        }
    }
    if (!a->cmd) {
        usage(stderr);
        return 2;
    }
    return 0;
}

static int open_spool(const cli_common *c, mdc_spool **sp)
{
    mdc_config *cfg = NULL;
    mdc_err err = {0};
    if (c->config && mdc_config_load(c->config, &c->ov, &cfg, &err) < 0) {
        fprintf(stderr, "mdc: %s\n", err.msg);
        return 2;
    }
    const char *dir = cfg ? cfg->data_dir : c->ov.data_dir ? c->ov.data_dir : "data";
    char path[4096];
    snprintf(path, sizeof path, "%s/spool.db", dir);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "mdc spool: no spool at %s (give -c FILE or --data-dir DIR)\n", path);
        mdc_config_free(cfg);
        return 2;
    }
    fclose(f);
    mdc_spool_opts o = {.admin = true, .synchronous = MDC_SPOOL_SYNC_FULL};
    int rc = mdc_spool_open(path, &o, sp, &err) < 0 ? 1 : 0;
    if (rc) fprintf(stderr, "mdc spool: %s\n", err.msg);
    mdc_config_free(cfg);
    return rc;
}

static void print_letter(const mdc_dead_letter *d, bool with_record)
{
    char when[48];
    mdc_format_utc_s(d->failed_at_us, when, sizeof when);
    char ts[48];
    mdc_format_utc_us(d->rec.ts_us, ts, sizeof ts);
    printf("%lld\t%s\t%s %s (seq %lld)\t%s, %lld %s, last %s%s\t%s\n", (long long)d->id, d->sink,
           d->rec.device ? d->rec.device : "-", ts, (long long)d->seq, d->reason,
           (long long)d->tries, d->tries == 1 ? "try" : "tries", when,
           d->retry ? ", marked for retry" : "", d->error);
    if (!with_record) return;
    strbuf out = STRBUF_INIT;
    mdc_format_record(MDC_FMT_JSON, MDC_STYLE_MDC, &d->rec, &out);
    printf("\t%s", sb_str(&out));
    sb_free(&out);
}

static int list(mdc_spool *sp, const spool_args *a)
{
    mdc_dead_letter *dl;
    size_t n;
    mdc_err err = {0};
    if (mdc_spool_dead_list(sp, a->sink, false, 1000000, &dl, &n, &err) < 0) {
        fprintf(stderr, "mdc spool: %s\n", err.msg);
        return 1;
    }
    if (n == 0) printf("no dead letters%s%s\n", a->sink ? " for " : "", a->sink ? a->sink : "");
    for (size_t i = 0; i < n; i++) {
        print_letter(&dl[i], a->records);
        mdc_dead_letter_free(&dl[i]);
    }
    free(dl);
    return 0;
}

static int status(mdc_spool *sp)
{
    mdc_spool_stats st;
    mdc_err err = {0};
    mdc_spool_stats_get(sp, &st, &err);
    printf("records waiting: %lld\ndropped (spool full, ever): %lld\ndead letters: %lld\n",
           (long long)st.records, (long long)st.dropped, (long long)mdc_spool_dead_count(sp, NULL));
    char **ids;
    int64_t *backlogs;
    size_t n;
    if (mdc_spool_cursors(sp, &ids, &backlogs, &n, &err) < 0) {
        fprintf(stderr, "mdc spool: %s\n", err.msg);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        printf("sink %s: backlog %lld, dead letters %lld\n", ids[i], (long long)backlogs[i],
               (long long)mdc_spool_dead_count(sp, ids[i]));
        free(ids[i]);
    }
    free(ids);
    free(backlogs);
    return 0;
}

/* retry or drop: the ids given, or --all (of --sink, or of every sink). */
static int change(mdc_spool *sp, const spool_args *a, bool retry)
{
    if (!a->all && a->nids == 0) {
        fprintf(stderr, "mdc spool %s: give dead-letter ids (mdc spool list) or --all\n", a->cmd);
        return 2;
    }
    mdc_err err = {0};
    int64_t total = 0;
    for (size_t i = 0; i < (a->all ? 1 : a->nids); i++) {
        int64_t id = a->all ? 0 : a->ids[i];
        int64_t n = retry ? mdc_spool_dead_mark_retry(sp, id, a->sink, &err)
                          : mdc_spool_dead_drop(sp, id, a->sink, &err);
        if (n < 0) {
            fprintf(stderr, "mdc spool: %s\n", err.msg);
            return 1;
        }
        if (n == 0 && !a->all) fprintf(stderr, "mdc spool: no dead letter %lld\n", (long long)id);
        total += n;
    }
    printf("%lld dead letter%s %s\n", (long long)total, total == 1 ? "" : "s",
           retry ? "marked for retry (a running mdc offers them to their sink within seconds)"
                 : "dropped");
    return 0;
}

int cmd_spool(int argc, char **argv)
{
    spool_args a = {0};
    int rc = parse_args(argc, argv, &a);
    if (rc) {
        if (rc < 0) usage(stdout);
        free(a.ids);
        return rc < 0 ? 0 : rc;
    }
    mdc_spool *sp = NULL;
    rc = open_spool(&a.common, &sp);
    if (rc == 0) {
        if (!strcmp(a.cmd, "list"))
            rc = list(sp, &a);
        else if (!strcmp(a.cmd, "status"))
            rc = status(sp);
        else if (!strcmp(a.cmd, "retry") || !strcmp(a.cmd, "drop"))
            rc = change(sp, &a, !strcmp(a.cmd, "retry"));
        else {
            fprintf(stderr, "mdc spool: unknown command '%s' (status, list, retry, drop)\n", a.cmd);
            rc = 2;
        }
    }
    mdc_spool_close(sp);
    free(a.ids);
    return rc;
}
