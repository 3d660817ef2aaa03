/* SPDX-License-Identifier: Apache-2.0 */
/* inspect.c — `mdc read -c FILE DEVICE --raw [--plc KIND:NUMBER[:COUNT]]...`: what the
 * control says about itself (version, parameters, states, program stack, errors) and any PLC
 * memory range, for commissioning without TNCremo. */
#include "driver_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RANGE 1024

typedef struct plc_range {
    lsv2_mem mem;
    uint32_t number, count;
} plc_range;

/* "marker:4170:8", "dword:10368", "M4170:8", "D10368" */
static int parse_kind(const char *s, size_t n, lsv2_mem *m)
{
    char k[16];
    if (n == 0 || n >= sizeof k) return -1;
    memcpy(k, s, n);
    k[n] = '\0';
    if (lsv2_mem_parse(k, m) == 0) return 0;
    for (int i = 0; i < LSV2_MEM_COUNT; i++)
        if (strcasecmp(k, lsv2_mem_prefix((lsv2_mem)i)) == 0) {
            *m = (lsv2_mem)i;
            return 0;
        }
    return -1;
}

static int parse_u32(const char *s, char **end, uint32_t *out)
{
    if (*s < '0' || *s > '9') return -1;
    unsigned long long v = strtoull(s, end, 10);
    if (v > UINT32_MAX) return -1;
    *out = (uint32_t)v;
    return 0;
}

static int parse_range(const char *spec, plc_range *r, mdc_err *err)
{
    const char *p = spec;
    size_t kn = strcspn(p, ":0123456789");
    char *end;
    if (parse_kind(p, kn, &r->mem) < 0) goto bad;
    p += kn;
    if (*p == ':') p++;
    if (parse_u32(p, &end, &r->number) < 0) goto bad;
    r->count = 1;
    if (*end == ':' && parse_u32(end + 1, &end, &r->count) < 0) goto bad;
    if (*end || r->count == 0 || r->count > MAX_RANGE) goto bad;
    mdc_err e;
    if (lsv2_plc_check_number(r->mem, r->number, &e) < 0)
        return mdc_err_set(err, MDC_EINVAL, "--plc %s: %s", spec, e.msg);
    return 0;
bad:
    return mdc_err_set(err, MDC_EINVAL,
                       "--plc %s: expected KIND:NUMBER[:COUNT] (KIND marker, input, output, "
                       "counter, timer, byte, word, dword, input_word, output_word, or M, I, O, "
                       "C, T, B, W, D, IW, OW; COUNT 1..%d), e.g. marker:4170:8 or D10368",
                       spec, MAX_RANGE);
}

static void print_version(const lsv2_session *s, strbuf *out)
{
    const lsv2_version *v = lsv2_version_info(s);
    sb_printf(out, "control:      %s (%s)\n", v->control, lsv2_peer(s));
    sb_printf(out, "NC software:  %s\n", v->nc);
    sb_printf(out, "PLC software: %s\n", v->plc);
    if (v->nfields == 5) sb_printf(out, "SPLC:         %s\n", v->splc);
    if (v->nfields >= 4)
        sb_printf(out, "options:      %s\n", v->options[0] ? v->options : "(empty)");
    sb_printf(out, "version answer: %d fields\n", v->nfields);
}

static void print_params(const lsv2_session *s, strbuf *out)
{
    const lsv2_params *p = lsv2_params_info(s);
    sb_printf(
        out, "parameters:   %zu bytes; LSV2 version %u flags 0x%02x; max block %u; buffer %d\n",
        p->len, p->lsv2_version, p->lsv2_version_flags, p->max_block_length, lsv2_buffer_size(s));
    const struct {
        const char *what;
        uint32_t start, count;
    } areas[] = {
        {"markers (M)", p->markers_start, p->num_markers},
        {"inputs (I)", p->inputs_start, p->num_inputs},
        {"outputs (O)", p->outputs_start, p->num_outputs},
        {"counters (C)", p->counters_start, p->num_counters},
        {"timers (T)", p->timers_start, p->num_timers},
        {"words (B/W/D)", p->words_start, p->num_words},
        {"strings (S)", p->strings_start, p->num_strings},
        {"input words", p->input_words_start, p->num_input_words},
        {"output words", p->output_words_start, p->num_output_words},
    };
    for (size_t i = 0; i < sizeof areas / sizeof areas[0]; i++)
        sb_printf(out, "  %-14s start 0x%08lx count %lu\n", areas[i].what,
                  (unsigned long)areas[i].start, (unsigned long)areas[i].count);
    sb_printf(out, "  string length %u\n", p->max_string_length);
}

static void print_states(lsv2_session *s, strbuf *out)
{
    mdc_err e;
    int v;
    if (lsv2_read_exec_state(s, &v, &e) == 0)
        sb_printf(out, "execution:    %d %s\n", v, lsv2_exec_state_name(v));
    else
        sb_printf(out, "execution:    error: %s\n", e.msg);
    if (lsv2_read_pgm_state(s, &v, &e) == 0)
        sb_printf(out, "program:      %d %s\n", v, lsv2_pgm_state_name(v));
    else
        sb_printf(out, "program:      error: %s\n", e.msg);
    lsv2_stack st;
    if (lsv2_read_stack(s, &st, &e) == 0)
        sb_printf(out, "stack:        line %lu, main \"%s\", current \"%s\"\n",
                  (unsigned long)st.line, st.main, st.current);
    else
        sb_printf(out, "stack:        error: %s\n", e.msg);
    lsv2_overrides o;
    if (lsv2_read_overrides(s, &o, &e) == 0)
        sb_printf(out, "overrides:    feed %.2f %%, spindle %.2f %%, rapid %.2f %%\n",
                  o.feed / 100.0, o.spindle / 100.0, o.rapid / 100.0);
    else
        sb_printf(out, "overrides:    error: %s\n", e.msg);
}

static void print_errors(lsv2_session *s, strbuf *out)
{
    lsv2_nc_error list[LSV2_MAX_ALARMS];
    size_t n;
    mdc_err e;
    if (lsv2_read_nc_errors(s, list, LSV2_MAX_ALARMS, &n, &e) < 0) {
        sb_printf(out, "NC errors:    error: %s\n", e.msg);
        return;
    }
    if (n == 0) sb_puts(out, "NC errors:    none\n");
    for (size_t i = 0; i < n; i++)
        sb_printf(out, "NC error:     class %u group %u number %ld: %s\n", list[i].cls,
                  list[i].group, (long)list[i].number, list[i].text);
}

static int print_range(lsv2_session *s, const plc_range *r, strbuf *out, mdc_err *err)
{
    int64_t *v = calloc(r->count, sizeof *v);
    if (!v) return mdc_err_set(err, MDC_ENOMEM, "out of memory");
    lsv2_operand op = {.mem = r->mem, .number = r->number};
    char name[32];
    lsv2_operand_format(&op, name, sizeof name);
    uint32_t address = 0;
    mdc_err e;
    if (lsv2_plc_address(lsv2_params_info(s), r->mem, r->number, &address, &e) < 0 ||
        lsv2_read_plc(s, r->mem, r->number, r->count, v, &e) < 0) {
        sb_printf(out, "plc %s x%lu: error: %s\n", name, (unsigned long)r->count, e.msg);
        free(v);
        if (lsv2_health_of(s) == LSV2_OK) return 0;
        *err = e;
        return -1;
    }
    sb_printf(out, "plc %s x%lu (%s at 0x%08lx):\n", name, (unsigned long)r->count,
              lsv2_mem_name(r->mem), (unsigned long)address);
    uint32_t step = lsv2_mem_is_bit(r->mem) ? 1 : (uint32_t)lsv2_mem_size(r->mem);
    for (uint32_t i = 0; i < r->count; i++) {
        op.number = r->number + i * step;
        lsv2_operand_format(&op, name, sizeof name);
        sb_printf(out, "  %-8s %lld\n", name, (long long)v[i]);
    }
    free(v);
    return 0;
}

int lsv2_drv_inspect(void *bus, const void *cfg, int argc, char **argv, strbuf *out, mdc_err *err)
{
    (void)cfg;
    lsv2_bus *b = bus;
    plc_range ranges[16];
    int n = 0;
    for (int i = 0; i < argc; i++) {
        const char *spec = NULL;
        if (strcmp(argv[i], "--plc") == 0 && i + 1 < argc)
            spec = argv[++i];
        else if (strncmp(argv[i], "--plc=", 6) == 0)
            spec = argv[i] + 6;
        else
            return mdc_err_set(err, MDC_EINVAL,
                               "unknown option \"%s\"; the lsv2 driver takes --plc "
                               "KIND:NUMBER[:COUNT] (e.g. --plc marker:4170:8)",
                               argv[i]);
        if (n == 16) return mdc_err_set(err, MDC_EINVAL, "at most 16 --plc ranges");
        if (parse_range(spec, &ranges[n++], err) < 0) return -1;
    }
    if (!b->s) return mdc_err_set(err, MDC_ESTATE, "not connected");
    print_version(b->s, out);
    print_params(b->s, out);
    print_states(b->s, out);
    print_errors(b->s, out);
    for (int i = 0; i < n; i++)
        if (print_range(b->s, &ranges[i], out, err) < 0) return -1;
    if (lsv2_health_of(b->s) != LSV2_OK)
        return mdc_err_set(err, MDC_EIO, "%s: the connection broke during inspection",
                           lsv2_peer(b->s));
    return 0;
}
