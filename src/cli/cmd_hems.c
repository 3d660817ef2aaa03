/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_hems.c — `mdc hems` / `hems-data-collector`: the smart-meter collector with the options,
 * environment and output of the Python hems-data-collector (research/hems.md), built as an mdc
 * configuration in memory — one "broute" device and the chosen sinks in hems style — and run
 * by the runtime (durable spool, retries, no burst catch-up).
 *
 * Exit codes: 0 after SIGINT/SIGTERM, 1 when the Wi-SUN module cannot be initialised (so that
 * systemd's Restart=on-failure tries again), 2 for usage and configuration errors. */
#include "cmd_hems.h"
#include "cli.h"
#include "credentials.h"
#include "hems_args.h"

#include "core/clock.h"
#include "core/cron.h"
#include "core/dotenv.h"
#include "core/mkdirs.h"
#include "core/log.h"
#include "core/tz.h"
#include "drivers/broute/port.h"
#include "drivers/broute/skline.h"
#include "sinks/pubsub_name.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_ID "00000000000000000000000000000000"

/* What the environment adds to the command line. */
typedef struct hems_env {
    const char *rbid, *password, *module;
    const char *tz; /* a zone that loads */
    char data_dir[4096];
} hems_env;

static int fail(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(const char *prog, const char *fmt, ...)
{
    fprintf(stderr, "%s: error: ", prog);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 2;
}

static const char *env_or(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v ? v : def;
}

/* ---- where undelivered records wait ---- */

static void pick_data_dir(char *out, size_t n)
{
    const char *v;
    if ((v = getenv("HEMS_DATA_DIR")) && *v) {
        snprintf(out, n, "%s", v);
    } else if ((v = getenv("STATE_DIRECTORY")) && *v) { /* systemd StateDirectory= */
        snprintf(out, n, "%.*s", (int)strcspn(v, ":"), v);
    } else if ((v = getenv("XDG_STATE_HOME")) && *v == '/') {
        snprintf(out, n, "%s/mdc-hems", v);
    } else if ((v = getenv("HOME")) && *v == '/') {
        snprintf(out, n, "%s/.local/state/mdc-hems", v);
    } else {
        snprintf(out, n, "hems-data");
    }
}

/* ---- checks with messages in the command line's terms ---- */

static int check_credentials(const char *prog, const hems_env *e)
{
    size_t n = strlen(e->rbid);
    if (n != 32)
        return fail(prog, "B_ROUTE_ID must be the 32-character B-route ID, got %zu characters", n);
    n = strlen(e->password);
    bool printable = n >= 1 && n <= 32;
    for (size_t i = 0; printable && i < n; i++)
        printable = e->password[i] > ' ' && e->password[i] <= '~';
    for (size_t i = 0; i < 32; i++)
        if (e->rbid[i] <= ' ' || e->rbid[i] > '~')
            return fail(prog, "B_ROUTE_ID must be printable characters without spaces");
    if (!printable)
        return fail(prog, "B_ROUTE_PASSWORD must be 1 to 32 printable characters without spaces");
    return 0;
}

/* Hex as SKSTACK prints it ("21", "8888"), 1..digits digits. Returns the value or -1. */
static long parse_hex(const char *s, size_t digits)
{
    size_t n = strlen(s);
    if (n == 0 || n > digits || strspn(s, "0123456789abcdefABCDEF") != n) return -1;
    return strtol(s, NULL, 16);
}

static int check_meter(const hems_args *a)
{
    if (a->meter_channel) {
        long ch = parse_hex(a->meter_channel, 2);
        if (ch < 33 || ch > 60)
            return fail(a->prog,
                        "argument --meter-channel: expected the channel in hex as SKSTACK shows "
                        "it, 21 to 3C (33 to 60), got '%s'",
                        a->meter_channel);
    }
    if (a->meter_panid && parse_hex(a->meter_panid, 4) < 0)
        return fail(a->prog, "argument --meter-panid: expected 1 to 4 hex digits, got '%s'",
                    a->meter_panid);
    if (a->meter_ipv6 && !mdc_sk_is_ipv6(a->meter_ipv6, strlen(a->meter_ipv6)))
        return fail(a->prog,
                    "argument --meter-ipv6: expected eight groups of hex digits "
                    "(FE80:0000:0000:0000:021C:6400:030C:12A4), got '%s'",
                    a->meter_ipv6);
    return 0;
}

static int check_schedule(const hems_args *a)
{
    if (a->mode == HEMS_MODE_INTERVAL) {
        if (a->interval < 1)
            return fail(a->prog, "argument --interval/-i: must be at least 1 second, got %ld",
                        a->interval);
        return 0;
    }
    mdc_cron *c;
    mdc_err err = {0};
    if (mdc_cron_parse(a->schedule, &c, &err) < 0)
        return fail(a->prog, "argument --schedule/-s: %s", err.msg);
    mdc_cron_free(c);
    return 0;
}

static int check_outputs(const hems_args *a)
{
    mdc_err err = {0};
    if ((a->outputs & HEMS_OUT_FILE) && strpbrk(a->file, "{}"))
        return fail(a->prog, "argument --file: braces are not allowed in the file name ('%s')",
                    a->file);
    if ((a->outputs & HEMS_OUT_WEBHOOK) && strncmp(a->webhook_url, "http://", 7) != 0 &&
        strncmp(a->webhook_url, "https://", 8) != 0)
        return fail(a->prog, "the webhook URL must start with http:// or https://");
    if ((a->outputs & HEMS_OUT_GCLOUD) &&
        (mdc_pubsub_name_check("the Google Cloud project", a->gcp_project, &err) < 0 ||
         mdc_pubsub_name_check("the Pub/Sub topic", a->gcp_topic, &err) < 0))
        return fail(a->prog, "%s", err.msg);
    return 0;
}

static int check_all(const hems_args *a, const hems_env *e)
{
    if (!mdc_brt_baud_supported((int)a->baudrate) || a->baudrate != (int)a->baudrate)
        return fail(a->prog,
                    "baud rate %ld (--baudrate or SERIAL_RATE) is not supported; use 1200, 2400, "
                    "4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800 or 921600",
                    a->baudrate);
    int rc;
    if ((rc = check_credentials(a->prog, e)) || (rc = check_meter(a)) || (rc = check_schedule(a)) ||
        (rc = check_outputs(a)))
        return rc;
    return 0;
}

/* ---- the configuration ---- */

/* A string for the configuration: "$" doubled, so nothing is expanded a second time. */
static json_t *str(const char *s)
{
    strbuf b = STRBUF_INIT;
    for (; *s; s++)
        sb_append(&b, *s == '$' ? "$$" : s, 1 + (*s == '$'));
    json_t *j = json_string(sb_str(&b));
    sb_free(&b);
    return j ? j : json_string("");
}

/* The file output's path: the format's extension unless it already ends in one of the
 * three (research/hems.md §4). */
static void file_path(const hems_args *a, strbuf *out)
{
    static const char *const exts[] = {".json", ".yaml", ".csv"};
    sb_puts(out, a->file);
    size_t n = strlen(a->file);
    for (size_t i = 0; i < 3; i++) {
        size_t m = strlen(exts[i]);
        if (n >= m && strcmp(a->file + n - m, exts[i]) == 0) return;
    }
    sb_printf(out, ".%s", a->format);
}

static json_t *text_sink(const char *type, const char *format)
{
    json_t *s = json_object();
    json_object_set_new(s, "type", json_string(type));
    json_object_set_new(s, "format", json_string(format));
    json_object_set_new(s, "style", json_string("hems"));
    return s;
}

static json_t *sinks_json(const hems_args *a)
{
    json_t *arr = json_array();
    if (!a->outputs) json_array_append_new(arr, text_sink("log", "json"));
    if (a->outputs & HEMS_OUT_STDOUT) json_array_append_new(arr, text_sink("stdout", a->format));
    if (a->outputs & HEMS_OUT_FILE) {
        json_t *s = text_sink("file", a->format);
        strbuf p = STRBUF_INIT;
        file_path(a, &p);
        json_object_set_new(s, "path", str(sb_str(&p)));
        sb_free(&p);
        json_array_append_new(arr, s);
    }
    if (a->outputs & HEMS_OUT_GCLOUD) { /* always JSON, like the seed */
        json_t *s = text_sink("pubsub", "json");
        json_object_set_new(s, "project", str(a->gcp_project));
        json_object_set_new(s, "topic", str(a->gcp_topic));
        json_array_append_new(arr, s);
    }
    if (a->outputs & HEMS_OUT_WEBHOOK) {
        json_t *s = text_sink("webhook", "json");
        json_object_set_new(s, "url", str(a->webhook_url));
        json_object_set_new(s, "timeout", json_string("10s"));
        json_array_append_new(arr, s);
    }
    return arr;
}

static json_t *device_json(const hems_args *a, const hems_env *e)
{
    json_t *d = json_object();
    json_object_set_new(d, "id", json_string("meter"));
    json_object_set_new(d, "driver", json_string("broute"));
    json_object_set_new(d, "port", str(a->port));
    json_object_set_new(d, "baud", json_integer(a->baudrate));
    json_object_set_new(d, "rbid", str(e->rbid));
    json_object_set_new(d, "password", str(e->password));
    json_object_set_new(d, "module", str(e->module));
    json_object_set_new(d, "timezone", str(e->tz));
    if (a->meter_channel)
        json_object_set_new(d, "channel", json_integer(parse_hex(a->meter_channel, 2)));
    if (a->meter_panid) json_object_set_new(d, "panid", json_integer(parse_hex(a->meter_panid, 4)));
    if (a->meter_ipv6) json_object_set_new(d, "ipv6", str(a->meter_ipv6));
    if (a->mode == HEMS_MODE_INTERVAL)
        json_object_set_new(d, "interval", json_integer(a->interval));
    else
        json_object_set_new(d, "schedule", str(a->schedule));
    return d;
}

static char *config_text(const hems_args *a, const hems_env *e)
{
    json_t *root = json_object();
    json_object_set_new(root, "timezone", str(e->tz));
    json_object_set_new(root, "data_dir", str(e->data_dir));
    json_object_set_new(root, "log_level", json_string(a->debug ? "debug" : "info"));
    json_object_set_new(root, "sinks", sinks_json(a));
    json_t *devs = json_array();
    json_array_append_new(devs, device_json(a, e));
    json_object_set_new(root, "devices", devs);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return text;
}

/* ---- environment ---- */

static void load_env(hems_env *e)
{
    e->rbid = env_or("B_ROUTE_ID", DEFAULT_ID);
    e->password = env_or("B_ROUTE_PASSWORD", DEFAULT_ID);
    e->module = env_or("BROUTE_MODULE", "auto");
    pick_data_dir(e->data_dir, sizeof e->data_dir);
}

/* LOCAL_TIMEZONE: an unknown zone is logged and UTC used, as the seed does; empty = UTC. */
static void pick_timezone(hems_env *e)
{
    const char *name = env_or("LOCAL_TIMEZONE", "Asia/Tokyo");
    mdc_tz *tz;
    mdc_err err = {0};
    e->tz = "UTC";
    if (!*name) return;
    if (mdc_tz_load(name, &tz, &err) < 0) {
        LOG_ERROR(NULL, "LOCAL_TIMEZONE: unknown time zone '%s' (%s); using UTC", name, err.msg);
        return;
    }
    mdc_tz_free(tz);
    e->tz = name;
}

static void describe(const hems_args *a, const hems_env *e, const char *version_name)
{
    strbuf outs = STRBUF_INIT;
    static const char *const names[] = {"stdout", "file", "gcloud", "webhook"};
    for (int i = 0; i < 4; i++)
        if (a->outputs & (1u << i)) sb_printf(&outs, "%s%s", outs.len ? ", " : "", names[i]);
    if (a->mode == HEMS_MODE_INTERVAL)
        LOG_INFO(NULL, "%s %s: every %ld s; meter via %s at %ld baud (module %s)", version_name,
                 MDC_VERSION, a->interval, a->port, a->baudrate, e->module);
    else
        LOG_INFO(NULL, "%s %s: schedule '%s' (%s); meter via %s at %ld baud (module %s)",
                 version_name, MDC_VERSION, a->schedule, e->tz, a->port, a->baudrate, e->module);
    LOG_INFO(NULL, "output: %s (%s); undelivered records wait in %s",
             outs.len ? sb_str(&outs) : "log only", a->format, e->data_dir);
    sb_free(&outs);
}

/* ---- running ---- */

/* Opens the module and joins the meter before anything runs: a module that cannot be
 * initialised ends the program with status 1 (the seed exits 0 there, so systemd never
 * restarted it). The joined session is handed to the runtime. */
static int initialise(mdc_runtime *rt, const char *port)
{
    mdc_rt_device *dev = mdc_runtime_device(rt, 0);
    mdc_err err = {0};
    int64_t t0 = mdc_mono_us();
    LOG_INFO(NULL, "initialising the Wi-SUN module on %s", port);
    if (mdc_runtime_device_open_bus(dev, &err) < 0) {
        LOG_ERROR(NULL, "initialisation failed: %s; exiting", err.msg);
        return 1;
    }
    char next[40];
    mdc_format_utc_s(mdc_schedule_next(&mdc_runtime_device_cfg(dev)->schedule, mdc_now_us()), next,
                     sizeof next);
    LOG_INFO(NULL, "joined the smart meter in %.3f s; first collection at %s",
             (double)(mdc_mono_us() - t0) / 1e6, next);
    return 0;
}

static int run(const hems_args *a, const hems_env *e, const char *version_name)
{
    if (mdc_mkdirs(e->data_dir, 0750, NULL, NULL) < 0) {
        LOG_ERROR(NULL, "cannot create %s: %s (set HEMS_DATA_DIR)", e->data_dir, strerror(errno));
        return 1;
    }
    mdc_dirlock *lock = NULL; /* before the module is touched: one collector per spool */
    if (cli_lock_data_dir(e->data_dir, "(another hems-data-collector? set HEMS_DATA_DIR)", &lock) <
        0)
        return 1;
    char *text = config_text(a, e);
    mdc_config *cfg = NULL;
    mdc_runtime *rt = NULL;
    mdc_err err = {0};
    int rc = 2;
    if (mdc_config_load_string("hems settings", text, strlen(text), NULL, &cfg, &err) < 0 ||
        mdc_runtime_build(cfg, &rt, &err) < 0) {
        strbuf m = STRBUF_INIT;
        sb_puts(&m, err.msg);
        if (cfg) mdc_cfgdoc_mask(cfg->doc, &m);
        fprintf(stderr, "%s: error: %s\n", a->prog, sb_str(&m));
        sb_free(&m);
    } else {
        describe(a, e, version_name);
        rc = initialise(rt, a->port);
        if (rc == 0) rc = cli_run_daemon(rt, false, lock);
    }
    mdc_runtime_free(rt);
    mdc_config_free(cfg);
    free(text);
    mdc_dirlock_release(lock);
    return rc;
}

int cmd_hems_as(int argc, char **argv, const char *prog, const char *version_name)
{
    mdc_err err = {0};
    if (cli_credentials_load(&err) < 0) return fail(prog, "%s", err.msg); /* systemd's first */
    if (mdc_dotenv_load(".env", &err) < 0) fprintf(stderr, "%s: warning: %s\n", prog, err.msg);
    hems_args a;
    int rc = hems_args_defaults(&a, prog, stderr);
    if (rc < 0) rc = hems_args_parse(&a, argc, argv, version_name, stdout, stderr);
    if (rc >= 0) return rc;
    mdc_log_set_level(a.debug ? MDC_LOG_DEBUG : MDC_LOG_INFO);
    hems_env e;
    load_env(&e);
    pick_timezone(&e);
    if ((rc = check_all(&a, &e))) return rc;
    return run(&a, &e, version_name);
}

int cmd_hems(int argc, char **argv)
{
    return cmd_hems_as(argc, argv, "mdc hems", "mdc");
}
