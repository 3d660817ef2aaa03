/* cmd_read.c — mdc read: one poll of one device, printed; for commissioning. */
#include "cli.h"

#include "format/display.h"
#include "format/format.h"

#include <stdio.h>
#include <string.h>

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

int cmd_read(int argc, char **argv)
{
    cli_common c = {0};
    const char *device = NULL;
    bool raw = false;
    char *extra[16];
    int nextra = 0;
    for (int i = 1; i < argc; i++) {
        int r = cli_common_option(&c, argc, argv, &i);
        if (r < 0) return 2;
        if (r) continue;
        if (!strcmp(argv[i], "--raw"))
            raw = true;
        else if (argv[i][0] == '-' && nextra < 16)
            extra[nextra++] = argv[i];
        else if (!device)
            device = argv[i];
        else if (nextra < 16)
            extra[nextra++] = argv[i];
    }
    if (!device) {
        fprintf(stderr, "usage: mdc read -c FILE DEVICE [--raw]\n");
        return 2;
    }
    mdc_config *cfg;
    mdc_runtime *rt;
    int rc = cli_load(&c, &cfg, &rt);
    if (rc) return rc;
    mdc_rt_device *dev = mdc_runtime_find_device(rt, device);
    if (!dev) {
        fprintf(stderr, "mdc read: no device \"%s\" in %s; devices:", device, c.config);
        for (size_t i = 0; i < mdc_runtime_device_count(rt); i++)
            fprintf(stderr, " %s", mdc_runtime_device(rt, i)->cfg->id);
        fprintf(stderr, "\n");
        rc = 2;
        goto out;
    }
    mdc_record rec;
    mdc_record_init(&rec);
    strbuf text = STRBUF_INIT;
    mdc_err err = {0};
    bool inspect = raw || nextra > 0;
    if (mdc_runtime_read_once(rt, dev, &rec, inspect ? &text : NULL, nextra, extra, &err) < 0) {
        sb_puts(&text, "");
        fprintf(stderr, "mdc read: %s: %s\n", device, err.msg);
        rc = 1;
    } else {
        mdc_format_record(MDC_FMT_JSON, MDC_STYLE_MDC, &rec, &text);
        rc = rec.error ? 1 : 0;
    }
    mdc_cfgdoc_mask(cfg->doc, &text);
    fputs(sb_str(&text), stdout);
    fflush(stdout);
    if (rc == 0 && !rec.error) print_units(mdc_runtime_catalog(rt), &rec, cfg->doc);
    sb_free(&text);
    mdc_record_free(&rec);
out:
    mdc_runtime_free(rt);
    mdc_config_free(cfg);
    return rc;
}
