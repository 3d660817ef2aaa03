/* SPDX-License-Identifier: Apache-2.0 */
/* reply.c — decoding of S_VR, S_PR, S_RI and S_MB payloads; PLC addressing; latin-1 text. */
#include "reply.h"
#include "telegram.h"

#include <stdio.h>
#include <string.h>

/* ---- text ---- */

static bool is_blank(uint8_t c)
{
    return c == ' ' || c == '\t';
}

size_t lsv2_latin1_to_utf8(const uint8_t *in, size_t n, char *out, size_t cap)
{
    size_t o = 0, i = 0;
    if (cap == 0) return 0;
    while (i < n && in[i] && is_blank(in[i]))
        i++;
    for (; i < n && in[i]; i++) {
        uint8_t c = in[i];
        size_t w = c < 0x80 ? 1 : 2;
        if (o + w >= cap) break;
        if (w == 1) {
            out[o++] = (char)c;
        } else {
            out[o++] = (char)(0xC0 | c >> 6);
            out[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    while (o > 0 && is_blank((uint8_t)out[o - 1]))
        o--;
    out[o] = '\0';
    return o;
}

/* The NUL-terminated string at p[*pos..len) into out; *pos moves past its NUL. Returns false
 * when no bytes are left. */
static bool next_string(const uint8_t *p, size_t len, size_t *pos, char *out, size_t cap)
{
    if (*pos >= len) {
        out[0] = '\0';
        return false;
    }
    const uint8_t *s = p + *pos;
    const uint8_t *nul = memchr(s, 0, len - *pos);
    size_t n = nul ? (size_t)(nul - s) : len - *pos;
    lsv2_latin1_to_utf8(s, n, out, cap);
    *pos += n + (nul ? 1 : 0);
    return true;
}

/* ---- state names ---- */

const char *lsv2_exec_state_name(int v)
{
    static const char *const names[] = {"MANUAL",      "MDI",       "PASS_REFERENCES",
                                        "SINGLE_STEP", "AUTOMATIC", "UNDEFINED"};
    return v >= 0 && v < 6 ? names[v] : "?";
}

const char *lsv2_pgm_state_name(int v)
{
    static const char *const names[] = {"STARTED",       "STOPPED",     "FINISHED",
                                        "CANCELLED",     "INTERRUPTED", "ERROR",
                                        "ERROR_CLEARED", "IDLE",        "UNDEFINED"};
    return v >= 0 && v < 9 ? names[v] : "?";
}

/* ---- replies ---- */

int lsv2_parse_version(const uint8_t *p, size_t len, lsv2_version *v, mdc_err *err)
{
    memset(v, 0, sizeof *v);
    size_t n = len;
    while (n > 0 && p[n - 1] == 0)
        n--;
    int fields = n ? 1 : 0;
    for (size_t i = 0; i < n; i++)
        fields += p[i] == 0;
    if (fields < 3 || fields > 5)
        return mdc_err_set(err, MDC_EPROTO,
                           "S_VR has %d field%s (expected 3 to 5: control, NC, PLC, [SPLC], "
                           "[options])",
                           fields, fields == 1 ? "" : "s");
    v->nfields = fields;
    char *dst[5] = {v->control, v->nc, v->plc, v->options, NULL};
    if (fields == 5) dst[3] = v->splc, dst[4] = v->options;
    size_t pos = 0;
    for (int i = 0; i < fields; i++)
        next_string(p, n, &pos, dst[i], LSV2_TEXT_MAX);
    return 0;
}

int lsv2_parse_params(const uint8_t *p, size_t len, lsv2_params *o, mdc_err *err)
{
    memset(o, 0, sizeof *o);
    if (len < 120)
        return mdc_err_set(err, MDC_EPROTO, "S_PR has %zu bytes (expected 120 or 124)", len);
    uint32_t *u32s[] = {&o->markers_start, &o->num_markers, &o->inputs_start,   &o->num_inputs,
                        &o->outputs_start, &o->num_outputs, &o->counters_start, &o->num_counters,
                        &o->timers_start,  &o->num_timers,  &o->words_start,    &o->num_words,
                        &o->strings_start, &o->num_strings};
    for (size_t i = 0; i < sizeof u32s / sizeof u32s[0]; i++)
        *u32s[i] = lsv2_be32(p + 4 * i);
    o->len = len;
    o->max_string_length = p[56];
    o->input_words_start = lsv2_be32(p + 64);
    o->num_input_words = lsv2_be32(p + 68);
    o->output_words_start = lsv2_be32(p + 72);
    o->num_output_words = lsv2_be32(p + 76);
    o->lsv2_version = p[96];
    o->lsv2_version_flags = p[97];
    o->max_block_length = lsv2_be16(p + 98);
    o->bin_version = p[100];
    o->bin_revision = p[101];
    o->iso_version = p[102];
    o->iso_revision = p[103];
    o->hardware_version = lsv2_be32(p + 104);
    o->lsv2_version_flags_ex = lsv2_be32(p + 108);
    o->max_trace_line = lsv2_be16(p + 112);
    return 0;
}

int lsv2_parse_state(const uint8_t *p, size_t len, uint16_t *out, mdc_err *err)
{
    if (len < 2)
        return mdc_err_set(err, MDC_EPROTO, "S_RI has %zu byte%s (expected a 2-byte state)", len,
                           len == 1 ? "" : "s");
    *out = lsv2_be16(p);
    return 0;
}

int lsv2_parse_stack(const uint8_t *p, size_t len, lsv2_stack *s, mdc_err *err)
{
    memset(s, 0, sizeof *s);
    if (len < 4)
        return mdc_err_set(err, MDC_EPROTO,
                           "S_RI 24 has %zu byte%s (expected a line number and program paths)", len,
                           len == 1 ? "" : "s");
    s->line = lsv2_be32(p);
    size_t pos = 4;
    next_string(p, len, &pos, s->main, sizeof s->main);
    if (!next_string(p, len, &pos, s->current, sizeof s->current))
        memcpy(s->current, s->main, sizeof s->current);
    return 0;
}

int lsv2_parse_overrides(const uint8_t *p, size_t len, lsv2_overrides *o, mdc_err *err)
{
    if (len < 12)
        return mdc_err_set(err, MDC_EPROTO,
                           "S_RI 25 has %zu byte%s (expected feed, spindle and rapid overrides)",
                           len, len == 1 ? "" : "s");
    o->feed = lsv2_be32(p);
    o->spindle = lsv2_be32(p + 4);
    o->rapid = lsv2_be32(p + 8);
    return 0;
}

int lsv2_parse_nc_error(const uint8_t *p, size_t len, lsv2_nc_error *e, mdc_err *err)
{
    memset(e, 0, sizeof *e);
    if (len < 8)
        return mdc_err_set(err, MDC_EPROTO,
                           "S_RI error record has %zu byte%s (expected class, group, number, "
                           "text)",
                           len, len == 1 ? "" : "s");
    e->cls = lsv2_be16(p);
    e->group = lsv2_be16(p + 2);
    e->number = (int32_t)lsv2_be32(p + 4);
    size_t pos = 8;
    next_string(p, len, &pos, e->text, sizeof e->text);
    return 0;
}

/* ---- PLC memory ---- */

static const struct {
    const char *name, *prefix;
    int size;
} mems[LSV2_MEM_COUNT] = {
    [LSV2_MEM_MARKER] = {"marker", "M", 1},
    [LSV2_MEM_INPUT] = {"input", "I", 1},
    [LSV2_MEM_OUTPUT] = {"output", "O", 1},
    [LSV2_MEM_COUNTER] = {"counter", "C", 1},
    [LSV2_MEM_TIMER] = {"timer", "T", 1},
    [LSV2_MEM_BYTE] = {"byte", "B", 1},
    [LSV2_MEM_WORD] = {"word", "W", 2},
    [LSV2_MEM_DWORD] = {"dword", "D", 4},
    [LSV2_MEM_INPUT_WORD] = {"input_word", "IW", 2},
    [LSV2_MEM_OUTPUT_WORD] = {"output_word", "OW", 2},
};

const char *lsv2_mem_name(lsv2_mem m)
{
    return (unsigned)m < LSV2_MEM_COUNT ? mems[m].name : "?";
}

const char *lsv2_mem_prefix(lsv2_mem m)
{
    return (unsigned)m < LSV2_MEM_COUNT ? mems[m].prefix : "?";
}

int lsv2_mem_size(lsv2_mem m)
{
    return (unsigned)m < LSV2_MEM_COUNT ? mems[m].size : 1;
}

bool lsv2_mem_is_bit(lsv2_mem m)
{
    return m <= LSV2_MEM_TIMER;
}

int lsv2_mem_parse(const char *s, lsv2_mem *out)
{
    for (int i = 0; i < LSV2_MEM_COUNT; i++)
        if (strcmp(s, mems[i].name) == 0) {
            *out = (lsv2_mem)i;
            return 0;
        }
    return -1;
}

int lsv2_plc_check_number(lsv2_mem m, uint32_t number, mdc_err *err)
{
    int size = lsv2_mem_size(m);
    if (number % (uint32_t)size != 0)
        return mdc_err_set(err, MDC_EINVAL,
                           "%s numbers are byte offsets as in the PLC program (%s%lu is not one): "
                           "they must be multiples of %d",
                           lsv2_mem_name(m), lsv2_mem_prefix(m), (unsigned long)number, size);
    return 0;
}

static void area_of(const lsv2_params *p, lsv2_mem m, uint32_t *start, uint32_t *count)
{
    switch (m) {
    case LSV2_MEM_MARKER:
        *start = p->markers_start, *count = p->num_markers;
        return;
    case LSV2_MEM_INPUT:
        *start = p->inputs_start, *count = p->num_inputs;
        return;
    case LSV2_MEM_OUTPUT:
        *start = p->outputs_start, *count = p->num_outputs;
        return;
    case LSV2_MEM_COUNTER:
        *start = p->counters_start, *count = p->num_counters;
        return;
    case LSV2_MEM_TIMER:
        *start = p->timers_start, *count = p->num_timers;
        return;
    case LSV2_MEM_INPUT_WORD:
        *start = p->input_words_start, *count = p->num_input_words;
        return;
    case LSV2_MEM_OUTPUT_WORD:
        *start = p->output_words_start, *count = p->num_output_words;
        return;
    default:
        *start = p->words_start, *count = p->num_words;
        return;
    }
}

int lsv2_plc_address(const lsv2_params *p, lsv2_mem m, uint32_t number, uint32_t *address,
                     mdc_err *err)
{
    if ((unsigned)m >= LSV2_MEM_COUNT)
        return mdc_err_set(err, MDC_EINVAL, "unknown PLC memory type %d", (int)m);
    if (lsv2_plc_check_number(m, number, err) < 0) return -1;
    uint32_t start, count;
    area_of(p, m, &start, &count);
    if (lsv2_mem_is_bit(m) && number >= count)
        return mdc_err_set(err, MDC_EINVAL, "%s%lu is beyond the control's %lu %ss (S_PR)",
                           lsv2_mem_prefix(m), (unsigned long)number, (unsigned long)count,
                           lsv2_mem_name(m));
    uint64_t a = (uint64_t)start + number;
    if (a + (uint64_t)lsv2_mem_size(m) > UINT32_MAX + 1ull)
        return mdc_err_set(err, MDC_EINVAL, "%s%lu: address 0x%llx is outside the 32-bit range",
                           lsv2_mem_prefix(m), (unsigned long)number, (unsigned long long)a);
    *address = (uint32_t)a;
    return 0;
}

int64_t lsv2_plc_value(lsv2_mem m, const uint8_t *p)
{
    switch (lsv2_mem_size(m)) {
    case 4:
        return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                         (uint32_t)p[3] << 24);
    case 2: {
        uint16_t w = (uint16_t)(p[0] | p[1] << 8);
        return m == LSV2_MEM_WORD ? (int16_t)w : w;
    }
    default:
        return lsv2_mem_is_bit(m) ? p[0] != 0 : (int8_t)p[0];
    }
}
