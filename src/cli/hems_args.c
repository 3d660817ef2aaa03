/* hems_args.c — hems-data-collector's options, parsed like argparse parses them. */
#include "hems_args.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef enum { K_FLAG, K_ONE, K_MULTI } opt_kind;
typedef enum {
    O_HELP,
    O_VERSION,
    O_OUTPUT,
    O_FORMAT,
    O_FILE,
    O_GCP_PROJECT,
    O_GCP_TOPIC,
    O_WEBHOOK_URL,
    O_PORT,
    O_BAUDRATE,
    O_METER_CHANNEL,
    O_METER_PANID,
    O_METER_IPV6,
    O_MODE,
    O_SCHEDULE,
    O_INTERVAL,
    O_DEBUG,
    O_COUNT
} opt_id;

static const char *const output_names[] = {"stdout", "file", "gcloud", "webhook", NULL};
static const char *const format_names[] = {"json", "yaml", "csv", NULL};
static const char *const mode_names[] = {"schedule", "interval", NULL};

typedef struct opt {
    const char *lng;
    char shrt;
    opt_kind kind;
    const char *const *choices;
    const char *display; /* "--format/-f": how errors name the option */
} opt;

static const opt opts[O_COUNT] = {
    [O_HELP] = {"--help", 'h', K_FLAG, NULL, "-h/--help"},
    [O_VERSION] = {"--version", 'v', K_FLAG, NULL, "--version/-v"},
    [O_OUTPUT] = {"--output", 'o', K_MULTI, output_names, "--output/-o"},
    [O_FORMAT] = {"--format", 'f', K_ONE, format_names, "--format/-f"},
    [O_FILE] = {"--file", 0, K_ONE, NULL, "--file"},
    [O_GCP_PROJECT] = {"--gcp-project", 0, K_ONE, NULL, "--gcp-project"},
    [O_GCP_TOPIC] = {"--gcp-topic", 0, K_ONE, NULL, "--gcp-topic"},
    [O_WEBHOOK_URL] = {"--webhook-url", 0, K_ONE, NULL, "--webhook-url"},
    [O_PORT] = {"--port", 0, K_ONE, NULL, "--port"},
    [O_BAUDRATE] = {"--baudrate", 0, K_ONE, NULL, "--baudrate"},
    [O_METER_CHANNEL] = {"--meter-channel", 0, K_ONE, NULL, "--meter-channel"},
    [O_METER_PANID] = {"--meter-panid", 0, K_ONE, NULL, "--meter-panid"},
    [O_METER_IPV6] = {"--meter-ipv6", 0, K_ONE, NULL, "--meter-ipv6"},
    [O_MODE] = {"--mode", 0, K_ONE, mode_names, "--mode"},
    [O_SCHEDULE] = {"--schedule", 's', K_ONE, NULL, "--schedule/-s"},
    [O_INTERVAL] = {"--interval", 'i', K_ONE, NULL, "--interval/-i"},
    [O_DEBUG] = {"--debug", 0, K_FLAG, NULL, "--debug"},
};

/* ---- usage and help ---- */

static const char *const usage_parts[] = {
    "[-h]",
    "[-v]",
    "[--output [{stdout,file,gcloud,webhook} ...]]",
    "[--format {json,yaml,csv}]",
    "[--file FILE]",
    "[--gcp-project GCP_PROJECT]",
    "[--gcp-topic GCP_TOPIC]",
    "[--webhook-url WEBHOOK_URL]",
    "[--port PORT]",
    "[--baudrate BAUDRATE]",
    "[--meter-channel METER_CHANNEL]",
    "[--meter-panid METER_PANID]",
    "[--meter-ipv6 METER_IPV6]",
    "[--mode {schedule,interval}]",
    "[--schedule SCHEDULE]",
    "[--interval INTERVAL]",
    "[--debug]",
    NULL,
};

/* argparse's layout: parts after "usage: PROG ", wrapped at 78 columns under the first. */
void hems_print_usage(const char *prog, FILE *f)
{
    size_t indent = strlen("usage: ") + strlen(prog) + 1;
    size_t len = indent - 1;
    fprintf(f, "usage: %s", prog);
    bool first_on_line = true;
    for (size_t i = 0; usage_parts[i]; i++) {
        size_t n = strlen(usage_parts[i]);
        if (!first_on_line && len + 1 + n > 78) {
            fprintf(f, "\n%*s", (int)(indent - 1), "");
            len = indent - 1;
        }
        fprintf(f, " %s", usage_parts[i]);
        len += n + 1;
        first_on_line = false;
    }
    fputc('\n', f);
}

void hems_print_help(const char *prog, FILE *f)
{
    hems_print_usage(prog, f);
    fputs("\n"
          "Collect power data from a smart meter over Wi-SUN B-route (SKSTACK-IP module,\n"
          "ECHONET Lite) and output it. mdc's drop-in replacement for hems-data-collector.\n"
          "\n"
          "options:\n"
          "  -h, --help            show this help message and exit\n"
          "  -v, --version         show program's version number and exit\n"
          "  --output [{stdout,file,gcloud,webhook} ...], -o [{stdout,file,gcloud,webhook} ...]\n"
          "                        output types, several at once (default: none, the\n"
          "                        records are only logged)\n"
          "  --format {json,yaml,csv}, -f {json,yaml,csv}\n"
          "                        output format (default: json; webhook and gcloud\n"
          "                        always get JSON)\n"
          "  --file FILE           file for the file output; the format's extension is\n"
          "                        added unless the name ends in .json, .yaml or .csv\n"
          "                        (default: hems_data.dat)\n"
          "  --gcp-project GCP_PROJECT\n"
          "                        Google Cloud project ID (default: $GCP_PROJECT_ID,\n"
          "                        else your-project-id)\n"
          "  --gcp-topic GCP_TOPIC\n"
          "                        Pub/Sub topic name (default: $GCP_TOPIC_NAME, else\n"
          "                        hems-data)\n"
          "  --webhook-url WEBHOOK_URL\n"
          "                        webhook URL (default: $WEBHOOK_URL, else\n"
          "                        http://localhost:8000/webhook)\n"
          "  --port PORT           serial port of the Wi-SUN module (default:\n"
          "                        $SERIAL_PORT, else /dev/ttyUSB0)\n"
          "  --baudrate BAUDRATE   serial baud rate (default: $SERIAL_RATE, else 115200)\n"
          "  --meter-channel METER_CHANNEL\n"
          "                        smart meter channel in hex as SKSTACK shows it (21);\n"
          "                        with --meter-panid and --meter-ipv6 there is no scan\n"
          "  --meter-panid METER_PANID\n"
          "                        smart meter PAN ID in hex (8888)\n"
          "  --meter-ipv6 METER_IPV6\n"
          "                        smart meter IPv6 address (FE80:0000:...)\n"
          "  --mode {schedule,interval}\n"
          "                        execution mode (default: schedule)\n"
          "  --schedule SCHEDULE, -s SCHEDULE\n"
          "                        crontab schedule in schedule mode, in LOCAL_TIMEZONE\n"
          "                        (default: */5 * * * *)\n"
          "  --interval INTERVAL, -i INTERVAL\n"
          "                        seconds between collections in interval mode\n"
          "                        (default: 300)\n"
          "  --debug               enable debug logging\n"
          "\n"
          "environment (also read from ./.env): SERIAL_PORT, SERIAL_RATE, B_ROUTE_ID,\n"
          "B_ROUTE_PASSWORD, GCP_PROJECT_ID, GCP_TOPIC_NAME, WEBHOOK_URL, LOCAL_TIMEZONE\n"
          "(default Asia/Tokyo), GOOGLE_APPLICATION_CREDENTIALS (service-account key for\n"
          "gcloud), PUBSUB_EMULATOR_HOST, BROUTE_MODULE (auto, bp35a1, bp35c0, rl7023),\n"
          "HEMS_DATA_DIR (where records wait until every output has them; default\n"
          "$STATE_DIRECTORY, else ~/.local/state/mdc-hems).\n",
          f);
}

int hems_usage_error(const char *prog, FILE *f, const char *fmt, ...)
{
    hems_print_usage(prog, f);
    fprintf(f, "%s: error: ", prog);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
    return 2;
}

/* ---- values ---- */

/* Python's int(): blanks around, an optional sign, decimal digits (single "_" between). */
static bool py_int(const char *s, long *out)
{
    while (isspace((unsigned char)*s))
        s++;
    bool neg = *s == '-';
    if (*s == '-' || *s == '+') s++;
    if (!isdigit((unsigned char)*s)) return false;
    long v = 0;
    for (; *s; s++) {
        if (*s == '_' && isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[-1])) continue;
        if (!isdigit((unsigned char)*s)) break;
        if (v > (LONG_MAX - 9) / 10) return false;
        v = v * 10 + (*s - '0');
    }
    while (isspace((unsigned char)*s))
        s++;
    if (*s) return false;
    *out = neg ? -v : v;
    return true;
}

static int choice_index(const char *const *choices, const char *v)
{
    for (int i = 0; choices[i]; i++)
        if (strcmp(choices[i], v) == 0) return i;
    return -1;
}

static int bad_choice(const char *prog, FILE *err, const opt *o, const char *v)
{
    char list[128] = "";
    for (size_t i = 0; o->choices[i]; i++) {
        size_t n = strlen(list);
        snprintf(list + n, sizeof list - n, "%s'%s'", i ? ", " : "", o->choices[i]);
    }
    return hems_usage_error(prog, err, "argument %s: invalid choice: '%s' (choose from %s)",
                            o->display, v, list);
}

static int set_one(hems_args *a, opt_id id, const char *v, FILE *err)
{
    const opt *o = &opts[id];
    if (o->choices && choice_index(o->choices, v) < 0) return bad_choice(a->prog, err, o, v);
    long n;
    switch (id) {
    case O_FORMAT:
        a->format = v;
        break;
    case O_FILE:
        a->file = v;
        break;
    case O_GCP_PROJECT:
        a->gcp_project = v;
        break;
    case O_GCP_TOPIC:
        a->gcp_topic = v;
        break;
    case O_WEBHOOK_URL:
        a->webhook_url = v;
        break;
    case O_PORT:
        a->port = v;
        break;
    case O_METER_CHANNEL:
        a->meter_channel = v;
        break;
    case O_METER_PANID:
        a->meter_panid = v;
        break;
    case O_METER_IPV6:
        a->meter_ipv6 = v;
        break;
    case O_MODE:
        a->mode = choice_index(mode_names, v);
        break;
    case O_SCHEDULE:
        a->schedule = v;
        break;
    case O_BAUDRATE:
    case O_INTERVAL:
        if (!py_int(v, &n))
            return hems_usage_error(a->prog, err, "argument %s: invalid int value: '%s'",
                                    o->display, v);
        *(id == O_BAUDRATE ? &a->baudrate : &a->interval) = n;
        break;
    default:
        break;
    }
    return -1;
}

/* ---- the argv walk ---- */

static bool negative_number(const char *s)
{
    if (*s != '-') return false;
    s++;
    size_t digits = strspn(s, "0123456789");
    if (!s[digits]) return digits > 0;
    if (s[digits] != '.') return false;
    size_t frac = strspn(s + digits + 1, "0123456789");
    return frac > 0 && !s[digits + 1 + frac];
}

/* An argument argparse would read as an option rather than as a value. */
static bool option_like(const char *s)
{
    return s[0] == '-' && s[1] && !negative_number(s) && !strchr(s, ' ');
}

typedef struct walk {
    hems_args *a;
    int argc;
    char **argv;
    int i;
    const char *version_name;
    FILE *out, *err;
    char extras[1024]; /* unrecognized arguments */
} walk;

static void add_extra(walk *w, const char *s)
{
    size_t n = strlen(w->extras);
    snprintf(w->extras + n, sizeof w->extras - n, "%s%s", n ? " " : "", s);
}

/* Finds the long option for name (exact, or a unique prefix). Returns the id, -1 when none
 * matches, -2 after an ambiguity error. */
static int find_long(walk *w, const char *name, size_t len, int *rc)
{
    int found = -1, count = 0;
    char matches[256] = "";
    for (int i = 0; i < O_COUNT; i++) {
        if (strlen(opts[i].lng) == len && strncmp(opts[i].lng, name, len) == 0) return i;
        if (len > 2 && strncmp(opts[i].lng, name, len) == 0) {
            size_t m = strlen(matches);
            snprintf(matches + m, sizeof matches - m, "%s%s", count ? ", " : "", opts[i].lng);
            found = i;
            count++;
        }
    }
    if (count > 1) {
        *rc = hems_usage_error(w->a->prog, w->err, "ambiguous option: %.*s could match %s",
                               (int)len, name, matches);
        return -2;
    }
    return found;
}

static int find_short(char c)
{
    for (int i = 0; i < O_COUNT; i++)
        if (opts[i].shrt == c) return i;
    return -1;
}

static int do_flag(walk *w, opt_id id)
{
    if (id == O_HELP) {
        hems_print_help(w->a->prog, w->out);
        return 0;
    }
    if (id == O_VERSION) {
        fprintf(w->out, "%s %s\n", w->version_name, MDC_VERSION);
        return 0;
    }
    w->a->debug = true;
    return -1;
}

static int do_multi(walk *w, const char *explicit_value)
{
    hems_args *a = w->a;
    a->outputs = 0; /* a repeated --output replaces the earlier one */
    if (explicit_value) {
        int k = choice_index(output_names, explicit_value);
        if (k < 0) return bad_choice(a->prog, w->err, &opts[O_OUTPUT], explicit_value);
        a->outputs |= 1u << k;
        return -1;
    }
    while (w->i + 1 < w->argc && !option_like(w->argv[w->i + 1]) &&
           strcmp(w->argv[w->i + 1], "--") != 0) {
        const char *v = w->argv[++w->i];
        int k = choice_index(output_names, v);
        if (k < 0) return bad_choice(a->prog, w->err, &opts[O_OUTPUT], v);
        a->outputs |= 1u << k;
    }
    return -1;
}

/* Applies option id with its explicit value (or NULL: take the next argument). */
static int apply(walk *w, opt_id id, const char *explicit_value)
{
    const opt *o = &opts[id];
    if (o->kind == K_FLAG) {
        if (explicit_value)
            return hems_usage_error(w->a->prog, w->err,
                                    "argument %s: ignored explicit argument '%s'", o->display,
                                    explicit_value);
        return do_flag(w, id);
    }
    if (o->kind == K_MULTI) return do_multi(w, explicit_value);
    if (explicit_value) return set_one(w->a, id, explicit_value, w->err);
    if (w->i + 1 >= w->argc || option_like(w->argv[w->i + 1]) ||
        strcmp(w->argv[w->i + 1], "--") == 0)
        return hems_usage_error(w->a->prog, w->err, "argument %s: expected one argument",
                                o->display);
    return set_one(w->a, id, w->argv[++w->i], w->err);
}

static int long_option(walk *w, const char *arg)
{
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    int rc = 2;
    int id = find_long(w, arg, len, &rc);
    if (id == -2) return rc;
    if (id < 0) {
        add_extra(w, arg);
        return -1;
    }
    return apply(w, (opt_id)id, eq ? eq + 1 : NULL);
}

/* "-o", "-fcsv", "-f=csv", "-hv" (flags clustered). */
static int short_option(walk *w, const char *arg)
{
    for (const char *p = arg + 1; *p;) {
        int id = find_short(*p);
        if (id < 0) {
            if (p == arg + 1) {
                add_extra(w, arg);
                return -1;
            }
            return hems_usage_error(w->a->prog, w->err,
                                    "argument %s: ignored explicit argument '%s'",
                                    opts[find_short(p[-1])].display, p);
        }
        const char *rest = p[1] ? p + 1 : NULL;
        if (rest && *rest == '=') rest++;
        if (opts[id].kind != K_FLAG || !rest) return apply(w, (opt_id)id, rest);
        int rc = do_flag(w, (opt_id)id);
        if (rc >= 0) return rc;
        p++;
    }
    return -1;
}

int hems_args_parse(hems_args *a, int argc, char **argv, const char *version_name, FILE *out,
                    FILE *err)
{
    walk w = {
        .a = a, .argc = argc, .argv = argv, .version_name = version_name, .out = out, .err = err};
    bool positional_only = false;
    for (w.i = 1; w.i < argc; w.i++) {
        const char *arg = argv[w.i];
        int rc = -1;
        if (positional_only || !option_like(arg))
            add_extra(&w, arg);
        else if (strcmp(arg, "--") == 0)
            positional_only = true;
        else if (arg[1] == '-')
            rc = long_option(&w, arg);
        else
            rc = short_option(&w, arg);
        if (rc >= 0) return rc;
    }
    if (w.extras[0]) return hems_usage_error(a->prog, err, "unrecognized arguments: %s", w.extras);
    return -1;
}

int hems_args_defaults(hems_args *a, const char *prog, FILE *err)
{
    const char *e;
    *a = (hems_args){.prog = prog,
                     .format = "json",
                     .file = "hems_data.dat",
                     .mode = HEMS_MODE_SCHEDULE,
                     .schedule = "*/5 * * * *",
                     .interval = 300,
                     .baudrate = 115200};
    a->gcp_project = (e = getenv("GCP_PROJECT_ID")) ? e : "your-project-id";
    a->gcp_topic = (e = getenv("GCP_TOPIC_NAME")) ? e : "hems-data";
    a->webhook_url = (e = getenv("WEBHOOK_URL")) ? e : "http://localhost:8000/webhook";
    a->port = (e = getenv("SERIAL_PORT")) ? e : "/dev/ttyUSB0";
    if ((e = getenv("SERIAL_RATE")) && !py_int(e, &a->baudrate)) {
        fprintf(err, "%s: error: SERIAL_RATE: invalid int value: '%s'\n", prog, e);
        return 2;
    }
    return -1;
}
