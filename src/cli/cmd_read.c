/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_read.c — mdc read: one poll of one device, printed; for commissioning. */
#include "cli.h"

#include "format/display.h"
#include "format/format.h"
#include "runtime/hints.h"

#include <stdio.h>
#include <string.h>

#define MAX_EXTRA 40

/* The record once more for people, on stderr (stdout keeps the record alone, for tools): each
 * value with its unit, decimals, enumeration name and label (core/catalog.h). */
static void print_units(const mdc_catalog *cat, const mdc_record *rec, const mdc_cfgdoc *doc)
{
    const mdc_device_info *d = mdc_catalog_device(cat, rec->device);
    if (!d || (!rec->nfields && rec->status < 0)) return;
    strbuf out = STRBUF_INIT;
    sb_printf(&out, "%s:\n", rec->device);
    if (rec->status >= 0) {
        mdc_value st = {.type = MDC_INT, .u.i = rec->status};
        sb_printf(&out, "  %-28s ", "status");
        mdc_display_value(&st, mdc_catalog_status_field(), &out);
        sb_putc(&out, '\n');
    }
    for (size_t i = 0; i < rec->nfields; i++) {
        const mdc_field *f = &rec->fields[i];
        const mdc_field_info *fi = mdc_device_info_field(d, f->name);
        size_t start = out.len;
        sb_printf(&out, "  %-28s ", f->name);
        mdc_display_value(&f->v, fi, &out);
        if (f->error) sb_printf(&out, " (%s)", f->error);
        if (fi && fi->label) {
            size_t w = out.len - start;
            sb_printf(&out, "%*s%s", w < 50 ? (int)(50 - w) : 2, "", fi->label);
        }
        sb_putc(&out, '\n');
    }
    mdc_cfgdoc_mask(doc, &out);
    fputs(sb_str(&out), stderr);
    sb_free(&out);
}

static void usage(void)
{
    printf("usage: mdc read -c FILE DEVICE [--raw] [--browse [NODE]] [--browse-max N]\n"
           "                [--plc KIND:NUMBER[:COUNT]]... [OPTIONS]\n"
           "\n"
           "Polls one device once and prints its record (JSON), for commissioning.\n"
           "\n"
           "options:\n"
           "%s"
           "  --raw                    also what the device sent: Modbus registers in hex and\n"
           "                           every 32/64-bit word and byte order; LSV2 version,\n"
           "                           parameters, states and errors; OPC UA nodes with their\n"
           "                           raw values; B-route module and meter properties\n"
           "  --browse [NODE]          (opcua) the children of NODE (default: the Objects\n"
           "                           folder) with node ids, classes and values\n"
           "  --browse-max N           (opcua) at most N references per Browse call\n"
           "  --plc KIND:NUMBER[:COUNT]\n"
           "                           (lsv2, repeatable) a PLC memory range: KIND marker,\n"
           "                           input, output, counter, timer, byte, word, dword,\n"
           "                           input_word, output_word (or M, I, O, C, T, B, W, D, IW,\n"
           "                           OW), e.g. --plc marker:4170:8 or --plc D10368\n"
           "  -h, --help               this help\n"
           "\n"
           "exit status: 0 read (a point that failed carries its error); 1 the device did not\n"
           "answer; 2 a usage or configuration error.\n",
           cli_common_help);
}

typedef struct read_args {
    cli_common c;
    const char *device, *node;
    bool raw, browse;
    char *extra[MAX_EXTRA]; /* for the driver's inspect: --browse [NODE], --browse-max N, --plc */
    int nextra;
    const char *driver_only; /* "opcua" or "lsv2" when an option needs that driver */
    const char *driver_opt;
} read_args;

static void add_extra(read_args *a, char *arg, const char *driver, const char *opt)
{
    if (a->nextra < MAX_EXTRA) a->extra[a->nextra++] = arg;
    a->driver_only = driver;
    a->driver_opt = opt;
}

/* One argument at argv[*i]: 1 taken, 0 help printed, 2 usage error. */
static int take(read_args *a, int argc, char **argv, int *i)
{
    bool missing;
    const char *v;
    if (cli_is_help(argv[*i])) {
        usage();
        return 0;
    }
    int r = cli_common_option(&a->c, argc, argv, i);
    if (r) return r < 0 ? 2 : 1;
    if (!strcmp(argv[*i], "--raw")) {
        a->raw = true;
    } else if (!strcmp(argv[*i], "--browse")) {
        a->browse = true;
        add_extra(a, argv[*i], "opcua", "--browse");
    } else if ((v = cli_value("read", argc, argv, i, "--browse-max", &missing)) || missing) {
        if (missing) return 2;
        add_extra(a, "--browse-max", "opcua", "--browse-max");
        add_extra(a, (char *)v, "opcua", "--browse-max");
    } else if ((v = cli_value("read", argc, argv, i, "--plc", &missing)) || missing) {
        if (missing) return 2;
        add_extra(a, "--plc", "lsv2", "--plc");
        add_extra(a, (char *)v, "lsv2", "--plc");
    } else if (argv[*i][0] == '-' && argv[*i][1]) {
        return cli_bad_arg("read", argv[*i]);
    } else if (!a->device) {
        a->device = argv[*i];
    } else if (a->browse && !a->node) {
        a->node = argv[*i];
    } else {
        return cli_bad_arg("read", argv[*i]);
    }
    return 1;
}

static int parse_args(int argc, char **argv, read_args *a)
{
    for (int i = 1; i < argc; i++) {
        int r = take(a, argc, argv, &i);
        if (r != 1) return r;
    }
    if (a->node && a->nextra < MAX_EXTRA) a->extra[a->nextra++] = (char *)a->node;
    if (!a->device) {
        fprintf(stderr,
                "mdc read: which device? usage: mdc read -c FILE DEVICE (mdc read --help)\n");
        return 2;
    }
    return -1;
}

static int no_device(mdc_runtime *rt, const char *device, const char *config)
{
    fprintf(stderr, "mdc read: no device \"%s\" in %s; devices:", device, config);
    for (size_t i = 0; i < mdc_runtime_device_count(rt); i++)
        fprintf(stderr, " %s", mdc_runtime_device_cfg(mdc_runtime_device(rt, i))->id);
    fprintf(stderr, "\n");
    return 2;
}

static int read_device(const read_args *a, mdc_config *cfg, mdc_runtime *rt, mdc_rt_device *dev)
{
    mdc_record rec;
    mdc_record_init(&rec);
    strbuf text = STRBUF_INIT;
    mdc_err err = {0};
    int rc;
    bool inspect = a->raw || a->nextra > 0;
    if (mdc_runtime_read_once(rt, dev, &rec, inspect ? &text : NULL, a->nextra, (char **)a->extra,
                              &err) < 0) {
        strbuf msg = STRBUF_INIT;
        sb_printf(&msg, "mdc read: %s: %s%s\n", a->device, err.msg, mdc_rt_hint(dev, err.code));
        mdc_cfgdoc_mask(cfg->doc, &msg);
        fputs(sb_str(&msg), stderr);
        sb_free(&msg);
        rc = 1;
    } else {
        mdc_format_record(MDC_FMT_JSON, MDC_STYLE_MDC, &rec, &text);
        rc = rec.error ? 1 : 0;
        if (rec.error && *mdc_rt_hint_for_text(dev, rec.error))
            fprintf(stderr, "mdc read: %s: %s\n", a->device,
                    mdc_rt_hint_for_text(dev, rec.error) + 2);
    }
    mdc_cfgdoc_mask(cfg->doc, &text);
    fputs(sb_str(&text), stdout);
    fflush(stdout);
    if (rc == 0 && !rec.error) print_units(mdc_runtime_catalog(rt), &rec, cfg->doc);
    sb_free(&text);
    mdc_record_free(&rec);
    return rc;
}

int cmd_read(int argc, char **argv)
{
    read_args a = {.c = cli_common_defaults()};
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0) return rc;
    mdc_config *cfg;
    mdc_runtime *rt;
    rc = cli_load(&a.c, &cfg, &rt);
    if (rc) return rc;
    mdc_rt_device *dev = mdc_runtime_find_device(rt, a.device);
    if (!dev) {
        rc = no_device(rt, a.device, a.c.config);
    } else if (a.driver_only && strcmp(mdc_runtime_device_cfg(dev)->driver, a.driver_only) != 0) {
        fprintf(stderr, "mdc read: %s is for %s devices; %s is a %s device (mdc read --help)\n",
                a.driver_opt, a.driver_only, a.device, mdc_runtime_device_cfg(dev)->driver);
        rc = 2;
    } else {
        rc = read_device(&a, cfg, rt, dev);
    }
    mdc_runtime_free(rt);
    mdc_config_free(cfg);
    return rc;
}
