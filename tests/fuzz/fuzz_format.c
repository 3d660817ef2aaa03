/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_format — renders fuzzer-built records in every format and style and reads them back:
 *   JSON: printable ASCII on one line; mdc style parses (jansson) and keeps the string "fz".
 *   YAML: parses (libyaml) and the scalar after the key "fz" is the string, UTF-8-repaired.
 *   CSV:  every row has as many fields as its header.
 * Input: 8 bytes of timestamp, 1 byte of flags, then NUL-separated segments; the first is the
 * "fz" string, each later one a field "k_<segment>" whose type comes from its first byte. */
#include "format/float_repr.h"
#include "format/format.h"

#include <jansson.h>
#include <yaml.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void add_field(mdc_record *r, const char *seg, size_t n)
{
    char key[80];
    snprintf(key, sizeof key, "k_%.*s", (int)(n > 60 ? 60 : n), seg);
    mdc_field *f = mdc_record_add(r, key);
    uint64_t bits = 0;
    memcpy(&bits, seg, n > 8 ? 8 : n);
    switch (n ? seg[0] % 6 : 0) {
    case 0:
        break; /* null */
    case 1:
        mdc_field_set_error(f, seg);
        break;
    case 2:
        mdc_field_set_int(f, (int64_t)bits);
        break;
    case 3:
        mdc_field_set_bool(f, bits & 1);
        break;
    case 4: /* any double, NaN and infinities included */
        f->v.type = MDC_DOUBLE;
        memcpy(&f->v.u.d, &bits, sizeof f->v.u.d);
        break;
    default:
        mdc_field_set_string(f, seg);
        break;
    }
}

static void build(const uint8_t *data, size_t size, mdc_record *r, char **fz)
{
    mdc_record_init(r);
    int64_t ts = 0;
    memcpy(&ts, data, 8);
    r->ts_us = ts % (INT64_C(1) << 50); /* years 1934..2005 and on: 4-digit years */
    uint8_t flags = data[8];
    char *text = malloc(size - 9 + 1);
    memcpy(text, data + 9, size - 9);
    text[size - 9] = '\0';
    size_t len = size - 9;
    if (flags & 1) mdc_record_set_device(r, "dev");
    if (flags & 2) {
        r->has_machine_id = true;
        r->machine_id = (int64_t)ts;
    }
    if (flags & 4) r->status = flags >> 6;
    if (flags & 8) mdc_record_set_error(r, text);
    *fz = strdup(text);
    mdc_record_add_string(r, "fz", text);
    size_t first = strlen(text);
    for (size_t p = first + 1; p < len; p += strlen(text + p) + 1)
        add_field(r, text + p, strlen(text + p));
    free(text);
}

static void check_json(mdc_format_style st, const mdc_record *r, const char *clean)
{
    strbuf sb = STRBUF_INIT;
    mdc_format_record(MDC_FMT_JSON, st, r, &sb);
    for (size_t i = 0; i + 1 < sb.len; i++)
        if (sb.buf[i] < 0x20 || sb.buf[i] > 0x7e) abort();
    if (sb.len < 3 || sb.buf[sb.len - 1] != '\n') abort();
    if (st == MDC_STYLE_MDC) {
        json_error_t je;
        json_t *j = json_loads(sb.buf, 0, &je);
        if (!j) abort();
        const char *got = json_string_value(json_object_get(j, "fz"));
        if (!got || strcmp(got, clean) != 0) abort();
        json_decref(j);
    }
    sb_free(&sb);
}

static void check_yaml(mdc_format_style st, const mdc_record *r, const char *clean)
{
    strbuf sb = STRBUF_INIT;
    mdc_format_record(MDC_FMT_YAML, st, r, &sb);
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *)sb.buf, sb.len);
    int depth = 0, found = 0, is_key = 1, after_fz = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) abort(); /* our output must always parse */
        yaml_event_type_t t = ev.type;
        if (t == YAML_MAPPING_START_EVENT) {
            depth++;
            is_key = 1;
        } else if (t == YAML_MAPPING_END_EVENT) {
            depth--;
            is_key = 1;
        } else if (t == YAML_SCALAR_EVENT && depth == 1) {
            const char *v = (const char *)ev.data.scalar.value;
            if (!is_key && after_fz) {
                if (strcmp(v, clean) != 0) abort();
                found = 1;
            }
            after_fz = is_key && strcmp(v, "fz") == 0;
            is_key = !is_key;
        }
        yaml_event_delete(&ev);
        if (t == YAML_STREAM_END_EVENT) break;
    }
    yaml_parser_delete(&p);
    if (!found) abort();
    sb_free(&sb);
}

/* Number of fields in the first CSV record of s (RFC 4180), and where it ends. */
static size_t csv_fields(const char *s, const char **end)
{
    size_t n = 1;
    int q = 0;
    for (; *s; s++) {
        if (q) {
            if (*s == '"' && s[1] == '"')
                s++;
            else if (*s == '"')
                q = 0;
        } else if (*s == '"') {
            q = 1;
        } else if (*s == ',') {
            n++;
        } else if (*s == '\n') {
            break;
        }
    }
    *end = *s ? s + 1 : s;
    return n;
}

static void check_csv(mdc_format_style st, const mdc_record *r)
{
    strbuf sb = STRBUF_INIT;
    mdc_format_csv_header(st, r, &sb);
    mdc_format_record(MDC_FMT_CSV, st, r, &sb);
    const char *rest;
    size_t nh = csv_fields(sb.buf, &rest);
    size_t nr = csv_fields(rest, &rest);
    if (nh != nr || *rest) abort();
    sb_free(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 9 || size > 4096) return 0;
    mdc_record r;
    char *fz;
    build(data, size, &r, &fz);
    strbuf clean = STRBUF_INIT;
    mdc_fmt_utf8_clean(&clean, fz);
    for (int st = MDC_STYLE_MDC; st <= MDC_STYLE_HEMS; st++) {
        check_json((mdc_format_style)st, &r, sb_str(&clean));
        check_yaml((mdc_format_style)st, &r, sb_str(&clean));
        check_csv((mdc_format_style)st, &r);
    }
    char b[MDC_FLOAT_REPR_MAX];
    double d;
    memcpy(&d, data, sizeof d);
    if (mdc_float_repr(d, b, sizeof b) >= sizeof b) abort();
    if (d == d && strtod(b, NULL) != d) abort();
    sb_free(&clean);
    free(fz);
    mdc_record_free(&r);
    return 0;
}
