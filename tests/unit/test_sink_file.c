/* SPDX-License-Identifier: Apache-2.0 */
/* The file sink (and the stdout sink, through a pipe): exact file contents, CSV headers,
 * {device}/{date} templates, reopening, retries, rotation and error texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sinks/sink_file.h"
#include "sinks/sink_shape.h"
#include "sinks/sink_stdout.h"

#include "core/xalloc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TS  1795327205123456LL /* 2026-11-22T06:00:05.123456Z */
#define DAY (86400LL * 1000000LL)

typedef struct {
    char dir[64];
} fixture;

static int setup(void **state)
{
    fixture *fx = xcalloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/mdc_test_sink_file.XXXXXX");
    if (!mkdtemp(fx->dir)) return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    int rc = system(cmd);
    free(fx);
    return rc == 0 ? 0 : -1;
}

static char *path_in(const fixture *fx, const char *name)
{
    strbuf sb = STRBUF_INIT;
    sb_printf(&sb, "%s/%s", fx->dir, name);
    return sb_detach(&sb);
}

/* The whole file, or NULL when it does not exist. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    strbuf sb = STRBUF_INIT;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sb_append(&sb, buf, n);
    fclose(f);
    return sb_detach(&sb);
}

static void assert_file(const char *path, const char *want)
{
    char *got = slurp(path);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void rec(mdc_record *r, const char *device, int64_t seq, int64_t ts, double v)
{
    mdc_record_init(r);
    r->seq = seq;
    r->ts_us = ts;
    mdc_record_set_device(r, device);
    mdc_record_add_double(r, "v", v);
}

static mdc_sink *file_sink(const fixture *fx, const char *tmpl_name, mdc_format_kind k,
                           mdc_format_style st)
{
    char *tmpl = path_in(fx, tmpl_name);
    mdc_file_sink_cfg cfg = {.path_template = tmpl, .format = k, .style = st, .fsync = true};
    mdc_sink *s = mdc_sink_file_new(&cfg);
    free(tmpl); /* the sink keeps its own copy */
    mdc_err err = {0};
    assert_int_equal(s->ops->open(s, &err), 0);
    return s;
}

static void write_ok(mdc_sink *s, mdc_record *recs, size_t n)
{
    const mdc_record *p[16];
    for (size_t i = 0; i < n; i++)
        p[i] = &recs[i];
    mdc_err err = {0};
    int rc = mdc_sink_write(s, p, n, NULL, &err);
    if (rc != 0) fail_msg("write failed: %s", err.msg);
}

static void free_recs(mdc_record *recs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mdc_record_free(&recs[i]);
}

static void test_csv_two_batches(void **state)
{
    fixture *fx = *state;
    mdc_sink *s = file_sink(fx, "out.csv", MDC_FMT_CSV, MDC_STYLE_MDC);
    char *id = path_in(fx, "out.csv");
    strbuf want_id = STRBUF_INIT;
    sb_printf(&want_id, "file:%s", id);
    assert_string_equal(s->id, sb_str(&want_id));
    sb_free(&want_id);
    assert_string_equal(s->ops->type, "file");
    mdc_record r[3];
    rec(&r[0], "m1", 1, TS, 1.5);
    rec(&r[1], "m1", 2, TS + 1000000, 2.0);
    rec(&r[2], "m1", 3, TS + 2000000, 1e-5);
    mdc_field_set_error(&r[2].fields[0], "timeout");
    write_ok(s, r, 2);
    assert_file(id, "timestamp,device,v,error\n"
                    "2026-11-22T06:00:05.123456+00:00,m1,1.5,\n"
                    "2026-11-22T06:00:06.123456+00:00,m1,2.0,\n");
    write_ok(s, r + 2, 1);
    assert_file(id, "timestamp,device,v,error\n"
                    "2026-11-22T06:00:05.123456+00:00,m1,1.5,\n"
                    "2026-11-22T06:00:06.123456+00:00,m1,2.0,\n"
                    "2026-11-22T06:00:07.123456+00:00,m1,,v: timeout\n");
    mdc_sink_destroy(s);
    free_recs(r, 3);
    free(id);
}

static void test_device_expansion(void **state)
{
    fixture *fx = *state;
    mdc_sink *s = file_sink(fx, "data/{device}/{date}.json", MDC_FMT_JSON, MDC_STYLE_MDC);
    mdc_record r[4];
    rec(&r[0], "meter-1", 0, TS, 1.0);
    rec(&r[1], "meter-2", 0, TS, 2.0);
    rec(&r[2], "meter-1", 0, TS + DAY, 3.0);
    rec(&r[3], "../evil/x", 0, TS, 4.0);
    write_ok(s, r, 4);
    char *p1 = path_in(fx, "data/meter-1/2026-11-22.json");
    char *p2 = path_in(fx, "data/meter-2/2026-11-22.json");
    char *p3 = path_in(fx, "data/meter-1/2026-11-23.json");
    char *p4 = path_in(fx, "data/_._evil_x/2026-11-22.json");
    assert_file(p1, "{\"timestamp\": \"2026-11-22T06:00:05.123456+00:00\", "
                    "\"device\": \"meter-1\", \"v\": 1.0}\n");
    assert_file(p2, "{\"timestamp\": \"2026-11-22T06:00:05.123456+00:00\", "
                    "\"device\": \"meter-2\", \"v\": 2.0}\n");
    assert_file(p3, "{\"timestamp\": \"2026-11-23T06:00:05.123456+00:00\", "
                    "\"device\": \"meter-1\", \"v\": 3.0}\n");
    assert_file(p4, "{\"timestamp\": \"2026-11-22T06:00:05.123456+00:00\", "
                    "\"device\": \"../evil/x\", \"v\": 4.0}\n");
    mdc_sink_destroy(s);
    free_recs(r, 4);
    free(p1);
    free(p2);
    free(p3);
    free(p4);
}

static void test_template_expand(void **state)
{
    (void)state;
    mdc_record r;
    mdc_record_init(&r);
    r.ts_us = -1; /* 1969-12-31T23:59:59.999999Z */
    strbuf sb = STRBUF_INIT;
    mdc_file_path_expand("o/{device}-{machine_id}-{date}-{x}{.csv", &r, &sb);
    assert_string_equal(sb_str(&sb), "o/unknown-unknown-1969-12-31-{x}{.csv");
    sb_reset(&sb);
    mdc_record_set_device(&r, ".. /x\xc3\xa9");
    r.has_machine_id = true;
    r.machine_id = 14;
    mdc_file_path_expand("{device}_{machine_id}", &r, &sb);
    assert_string_equal(sb_str(&sb), "_.__x___14");
    sb_reset(&sb);
    mdc_record_set_device(&r, "..");
    mdc_file_path_expand("{device}", &r, &sb);
    assert_string_equal(sb_str(&sb), "_.");
    sb_free(&sb);
    mdc_record_free(&r);

    mdc_err err = {0};
    assert_int_equal(mdc_file_template_check("out/{device}/{date}.csv", &err), 0);
    assert_int_equal(mdc_file_template_check("out/{devise}.csv", &err), -1);
    assert_string_equal(err.msg, "file sink: unknown placeholder {devise} in path template "
                                 "\"out/{devise}.csv\" (known: {device}, {machine_id}, {date})");
    assert_int_equal(mdc_file_template_check("", &err), -1);
}

static void test_reopen_no_second_header(void **state)
{
    fixture *fx = *state;
    mdc_sink *s = file_sink(fx, "re.csv", MDC_FMT_CSV, MDC_STYLE_MDC);
    mdc_record r[3];
    rec(&r[0], "m", 0, TS, 1.0);
    rec(&r[1], "m", 0, TS, 2.0);
    rec(&r[2], "m", 0, TS, 3.0);
    write_ok(s, r, 1);
    s->ops->close(s);
    mdc_err err = {0};
    assert_int_equal(s->ops->open(s, &err), 0);
    write_ok(s, r + 1, 1);
    mdc_sink_destroy(s);
    s = file_sink(fx, "re.csv", MDC_FMT_CSV, MDC_STYLE_MDC); /* a new process, in effect */
    write_ok(s, r + 2, 1);
    mdc_sink_destroy(s);
    char *p = path_in(fx, "re.csv");
    assert_file(p, "timestamp,device,v,error\n"
                   "2026-11-22T06:00:05.123456+00:00,m,1.0,\n"
                   "2026-11-22T06:00:05.123456+00:00,m,2.0,\n"
                   "2026-11-22T06:00:05.123456+00:00,m,3.0,\n");
    free(p);
    free_recs(r, 3);
}

/* An existing empty file counts as new: it gets the header. */
static void test_empty_file_gets_header(void **state)
{
    fixture *fx = *state;
    char *p = path_in(fx, "empty.csv");
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    close(fd);
    mdc_sink *s = file_sink(fx, "empty.csv", MDC_FMT_CSV, MDC_STYLE_HEMS);
    mdc_record r;
    rec(&r, "m", 0, TS - 123456, 1.0);
    write_ok(s, &r, 1);
    assert_file(p, "timestamp,v\n2026-11-22T06:00:05+00:00,1.0\n"); /* hems: no identity */
    mdc_sink_destroy(s);
    mdc_record_free(&r);
    free(p);
}

static void test_retry_skips_appended_records(void **state)
{
    fixture *fx = *state;
    mdc_sink *s = file_sink(fx, "seq.json", MDC_FMT_JSON, MDC_STYLE_MDC);
    mdc_record r[3];
    rec(&r[0], "m", 1, TS, 1.0);
    rec(&r[1], "m", 2, TS, 2.0);
    rec(&r[2], "m", 3, TS, 3.0);
    write_ok(s, r, 2);
    s->ops->close(s);
    mdc_err err = {0};
    assert_int_equal(s->ops->open(s, &err), 0);
    write_ok(s, r, 2);     /* the same batch again */
    write_ok(s, r + 1, 2); /* overlapping */
    mdc_sink_destroy(s);
    char *p = path_in(fx, "seq.json");
    assert_file(p, "{\"timestamp\": \"2026-11-22T06:00:05.123456+00:00\", \"device\": \"m\", "
                   "\"v\": 1.0}\n"
                   "{\"timestamp\": \"2026-11-22T06:00:05.123456+00:00\", \"device\": \"m\", "
                   "\"v\": 2.0}\n"
                   "{\"timestamp\": \"2026-11-22T06:00:05.123456+00:00\", \"device\": \"m\", "
                   "\"v\": 3.0}\n");
    free(p);
    free_recs(r, 3);
}

static void test_rotation_reopens(void **state)
{
    fixture *fx = *state;
    mdc_sink *s = file_sink(fx, "rot.csv", MDC_FMT_CSV, MDC_STYLE_MDC);
    mdc_record r[2];
    rec(&r[0], "m", 1, TS, 1.0);
    rec(&r[1], "m", 2, TS, 2.0);
    write_ok(s, r, 1);
    char *p = path_in(fx, "rot.csv");
    char *old = path_in(fx, "rot.csv.1");
    assert_int_equal(rename(p, old), 0);
    write_ok(s, r + 1, 1);
    assert_file(old, "timestamp,device,v,error\n2026-11-22T06:00:05.123456+00:00,m,1.0,\n");
    assert_file(p, "timestamp,device,v,error\n2026-11-22T06:00:05.123456+00:00,m,2.0,\n");
    mdc_sink_destroy(s);
    free_recs(r, 2);
    free(p);
    free(old);
}

static void test_hems_yaml_file(void **state)
{
    fixture *fx = *state;
    mdc_sink *s = file_sink(fx, "hems_data.dat.yaml", MDC_FMT_YAML, MDC_STYLE_HEMS);
    mdc_record r[2];
    for (int i = 0; i < 2; i++) {
        mdc_record_init(&r[i]);
        r[i].ts_us = TS + i * 300000000LL;
        mdc_record_add_int(&r[i], "instant_power_w", 1192 + i);
    }
    write_ok(s, r, 1);
    write_ok(s, r + 1, 1);
    char *p = path_in(fx, "hems_data.dat.yaml");
    assert_file(p, "instant_power_w: 1192\ntimestamp: '2026-11-22T06:00:05.123456+00:00'\n\n"
                   "instant_power_w: 1193\ntimestamp: '2026-11-22T06:05:05.123456+00:00'\n\n");
    mdc_sink_destroy(s);
    free_recs(r, 2);
    free(p);
}

/* Style "hems" (the shape in front, as the configuration builds it): the record has no
 * identity, but {device} and {machine_id} in the path still name the device. A value that
 * could not be read is left out, a present None is null. */
static void test_hems_path_placeholders(void **state)
{
    fixture *fx = *state;
    mdc_sink *inner = file_sink(fx, "{device}-{machine_id}.json", MDC_FMT_JSON, MDC_STYLE_HEMS);
    const char *fields[] = {"instant_power_w", "current_t_a", "current_a"};
    mdc_shape_cfg sc = {.fields = fields, .nfields = 3, .bare = true, .skip_empty = true};
    mdc_sink *s = mdc_sink_shape_new(inner, &sc);
    mdc_record r;
    rec(&r, "home", 0, TS, 1.0);
    r.has_machine_id = true;
    r.machine_id = 7;
    r.status = 1;
    mdc_record_add_int(&r, "instant_power_w", 1192);
    mdc_record_add_null(&r, "current_t_a", NULL);
    mdc_record_add_null(&r, "current_a", "no reply");
    write_ok(s, &r, 1);
    char *p = path_in(fx, "home-7.json");
    assert_file(p, "{\"timestamp\": \"2026-11-22T06:00:05.123456+00:00\", \"instant_power_w\": "
                   "1192, \"current_t_a\": null}\n");
    mdc_sink_destroy(s);
    mdc_record_free(&r);
    free(p);
}

static void test_many_files_lru(void **state)
{
    fixture *fx = *state;
    mdc_file_sink_cfg cfg = {.format = MDC_FMT_CSV, .style = MDC_STYLE_MDC, .fsync = false};
    cfg.path_template = path_in(fx, "many/{device}.csv");
    mdc_sink *s = mdc_sink_file_new(&cfg);
    free(cfg.path_template);
    char name[32];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 40; i++) {
            mdc_record r;
            snprintf(name, sizeof name, "dev%02d", i);
            rec(&r, name, 0, TS, i + round * 0.5);
            write_ok(s, &r, 1);
            mdc_record_free(&r);
        }
    }
    mdc_sink_destroy(s);
    for (int i = 0; i < 40; i += 13) {
        snprintf(name, sizeof name, "many/dev%02d.csv", i);
        char *p = path_in(fx, name);
        char want[256];
        snprintf(want, sizeof want,
                 "timestamp,device,v,error\n2026-11-22T06:00:05.123456+00:00,dev%02d,%d.0,\n"
                 "2026-11-22T06:00:05.123456+00:00,dev%02d,%d.5,\n",
                 i, i, i, i);
        assert_file(p, want);
        free(p);
    }
}

static void test_unwritable_path(void **state)
{
    fixture *fx = *state;
    char *p = path_in(fx, "plain");
    int fd = open(p, O_WRONLY | O_CREAT, 0644);
    assert_true(fd >= 0);
    close(fd);
    mdc_sink *s = file_sink(fx, "plain/sub/{device}.csv", MDC_FMT_CSV, MDC_STYLE_MDC);
    mdc_record r;
    rec(&r, "m", 0, TS, 1.0);
    const mdc_record *rp = &r;
    mdc_err err = {0};
    assert_int_equal(mdc_sink_write(s, &rp, 1, NULL, &err), -1);
    assert_int_equal(err.code, MDC_EIO);
    strbuf want = STRBUF_INIT;
    sb_printf(&want, "open %s/plain/sub/m.csv: Not a directory", fx->dir);
    assert_string_equal(err.msg, sb_str(&want));
    mdc_sink_destroy(s);

    s = file_sink(fx, "", MDC_FMT_JSON, MDC_STYLE_MDC); /* the directory itself */
    assert_int_equal(mdc_sink_write(s, &rp, 1, NULL, &err), -1);
    sb_reset(&want);
    sb_printf(&want, "open %s/: Is a directory", fx->dir);
    assert_string_equal(err.msg, sb_str(&want));
    mdc_sink_destroy(s);

    mdc_file_sink_cfg cfg = {.path_template = "x/{nope}", .format = MDC_FMT_CSV};
    s = mdc_sink_file_new(&cfg);
    assert_int_equal(s->ops->open(s, &err), -1);
    assert_int_equal(err.code, MDC_EINVAL);
    assert_int_equal(mdc_sink_write(s, &rp, 1, NULL, &err), -1);
    mdc_sink_destroy(s);
    sb_free(&want);
    mdc_record_free(&r);
    free(p);
}

/* ---- the stdout sink, on a pipe ---- */

static char *drain(int fd)
{
    strbuf sb = STRBUF_INIT;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        sb_append(&sb, buf, (size_t)n);
    return sb_detach(&sb);
}

static char *run_stdout(const mdc_stdout_sink_cfg *cfg, mdc_record *r, size_t n, size_t split)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    mdc_sink *s = mdc_sink_fd_new(cfg, p[1]);
    mdc_err err = {0};
    assert_int_equal(s->ops->open(s, &err), 0);
    write_ok(s, r, split);
    s->ops->close(s);
    assert_int_equal(s->ops->open(s, &err), 0);
    write_ok(s, r + split, n - split);
    mdc_sink_destroy(s);
    close(p[1]);
    char *out = drain(p[0]);
    close(p[0]);
    return out;
}

static void test_stdout_csv_headers(void **state)
{
    (void)state;
    mdc_record r[4];
    rec(&r[0], "a", 0, TS, 1.0);
    rec(&r[1], "a", 0, TS, 2.0);
    rec(&r[2], "b", 0, TS, 3.0);
    mdc_record_add_int(&r[2], "w", 7); /* another column set */
    rec(&r[3], "a", 0, TS, 4.0);
    mdc_stdout_sink_cfg cfg = {.format = MDC_FMT_CSV, .style = MDC_STYLE_MDC, .csv_header = true};
    char *out = run_stdout(&cfg, r, 4, 1);
    assert_string_equal(out, "timestamp,device,v,error\n"
                             "2026-11-22T06:00:05.123456+00:00,a,1.0,\n"
                             "2026-11-22T06:00:05.123456+00:00,a,2.0,\n"
                             "timestamp,device,v,w,error\n"
                             "2026-11-22T06:00:05.123456+00:00,b,3.0,7,\n"
                             "timestamp,device,v,error\n"
                             "2026-11-22T06:00:05.123456+00:00,a,4.0,\n");
    free(out);
    cfg.style = MDC_STYLE_HEMS;
    cfg.csv_header = false;
    out = run_stdout(&cfg, r, 2, 1);
    assert_string_equal(out, "2026-11-22T06:00:05.123456+00:00,1.0\n"
                             "2026-11-22T06:00:05.123456+00:00,2.0\n");
    free(out);
    free_recs(r, 4);
}

static void test_stdout_json_and_ids(void **state)
{
    (void)state;
    mdc_record r[2];
    rec(&r[0], "a", 0, TS, 1.0);
    rec(&r[1], "b", 0, TS, 2.0);
    mdc_stdout_sink_cfg cfg = {.format = MDC_FMT_JSON};
    char *out = run_stdout(&cfg, r, 2, 0);
    assert_string_equal(out, "{\"timestamp\": \"2026-11-22T06:00:05.123456+00:00\", "
                             "\"device\": \"a\", \"v\": 1.0}\n"
                             "{\"timestamp\": \"2026-11-22T06:00:05.123456+00:00\", "
                             "\"device\": \"b\", \"v\": 2.0}\n");
    free(out);
    free_recs(r, 2);
    mdc_sink *s = mdc_sink_stdout_new(&cfg);
    assert_string_equal(s->id, "stdout");
    assert_string_equal(s->ops->type, "stdout");
    assert_null(s->ops->committed_seq);
    mdc_sink_destroy(s);
}

static void test_stdout_write_error(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    close(p[1]); /* a closed descriptor: EBADF */
    mdc_stdout_sink_cfg cfg = {.format = MDC_FMT_JSON};
    mdc_sink *s = mdc_sink_fd_new(&cfg, p[1]);
    mdc_record r;
    rec(&r, "a", 0, TS, 1.0);
    const mdc_record *rp = &r;
    mdc_err err = {0};
    assert_int_equal(mdc_sink_write(s, &rp, 1, NULL, &err), -1);
    char want[64];
    snprintf(want, sizeof want, "write to fd:%d: Bad file descriptor", p[1]);
    assert_string_equal(err.msg, want);
    mdc_sink_destroy(s);
    mdc_record_free(&r);
    close(p[0]);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_csv_two_batches),        T(test_device_expansion),
        T(test_template_expand),        T(test_reopen_no_second_header),
        T(test_empty_file_gets_header), T(test_retry_skips_appended_records),
        T(test_rotation_reopens),       T(test_hems_yaml_file),
        T(test_hems_path_placeholders), T(test_many_files_lru),
        T(test_unwritable_path),        T(test_stdout_csv_headers),
        T(test_stdout_json_and_ids),    T(test_stdout_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
