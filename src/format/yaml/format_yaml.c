/* SPDX-License-Identifier: Apache-2.0 */
/* format_yaml.c — YAML rendering through libyaml's emitter, block style (the yaml module:
 * format_module.h; a site that writes no YAML maps no libyaml).
 *
 * PyYAML's emitter is a port of libyaml's, so with the same settings (width 80, indent 2, no
 * unicode) libyaml writes what yaml.dump writes — provided it gets the same hints. PyYAML lets
 * a string be plain only when its plain form would read back as a string under the YAML 1.1
 * implicit resolvers (bool, int, float, null, timestamp, merge, value); otherwise it is quoted.
 * yaml_resolves_implicitly() reproduces those resolvers' regular expressions; a string that
 * matches one is emitted with plain_implicit = 0, which makes libyaml single-quote it (or
 * double-quote it when single quotes cannot represent it), exactly as PyYAML does.
 *
 * Checked against PyYAML 6 on thousands of random and hand-picked strings and doubles. Known
 * divergences, none reachable with hems records (ASCII keys, numbers and timestamps):
 *   - a double-quoted string wider than 80 columns: PyYAML may also fold it right after an
 *     escape sequence, libyaml only at spaces (both read back the same);
 *   - a key containing CR, or an empty key: libyaml writes it as a simple key, PyYAML as
 *     "? key".
 */
#include "format/float_repr.h"
#include "format/format.h"
#include "format/format_module.h"

#include <yaml.h>

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- YAML 1.1 implicit resolvers (PyYAML resolver.py), as hand-written matchers ---- */

static bool dig(char c)
{
    return c >= '0' && c <= '9';
}

static bool in_set(char c, const char *set)
{
    return c && strchr(set, c) != NULL;
}

static const char *skip_set(const char *p, const char *set)
{
    while (in_set(*p, set))
        p++;
    return p;
}

static const char *opt_sign(const char *p)
{
    return (*p == '-' || *p == '+') ? p + 1 : p;
}

static bool one_of(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0) return true;
    return false;
}

static bool is_bool(const char *s)
{
    static const char *const w[] = {"yes",  "Yes",  "YES",   "no",    "No",    "NO", "true",
                                    "True", "TRUE", "false", "False", "FALSE", "on", "On",
                                    "ON",   "off",  "Off",   "OFF",   NULL};
    return one_of(s, w);
}

static bool is_null_merge_value(const char *s)
{
    static const char *const w[] = {"", "~", "null", "Null", "NULL", "<<", "=", NULL};
    return one_of(s, w);
}

/* (?::[0-5]?[0-9])+ ; returns the end or NULL when not even one group matches. */
static const char *sexagesimal(const char *p)
{
    const char *ok = NULL;
    while (*p == ':') {
        const char *q = p + 1;
        if (dig(q[0]) && dig(q[1]) && q[0] <= '5')
            q += 2;
        else if (dig(q[0]))
            q += 1;
        else
            break;
        ok = p = q;
    }
    return ok;
}

/* [eE][-+][0-9]+ optional; returns the end (p itself when absent). */
static const char *opt_exponent(const char *p)
{
    if ((*p == 'e' || *p == 'E') && (p[1] == '-' || p[1] == '+') && dig(p[2]))
        return skip_set(p + 3, "0123456789");
    return p;
}

static bool is_int(const char *s)
{
    const char *p = opt_sign(s);
    if (p[0] == '0' && p[1] == 'b' && in_set(p[2], "01_")) return *skip_set(p + 2, "01_") == '\0';
    if (p[0] == '0' && p[1] == 'x' && in_set(p[2], "0123456789abcdefABCDEF_"))
        return *skip_set(p + 2, "0123456789abcdefABCDEF_") == '\0';
    if (p[0] == '0') return p[1] == '\0' || *skip_set(p + 1, "01234567_") == '\0';
    if (p[0] < '1' || p[0] > '9') return false;
    p = skip_set(p + 1, "0123456789_");
    if (*p == '\0') return true;
    p = sexagesimal(p);
    return p && *p == '\0';
}

static bool is_float(const char *s)
{
    if (strcmp(s, ".nan") == 0 || strcmp(s, ".NaN") == 0 || strcmp(s, ".NAN") == 0) return true;
    const char *p = opt_sign(s);
    if (strcmp(p, ".inf") == 0 || strcmp(p, ".Inf") == 0 || strcmp(p, ".INF") == 0) return true;
    if (s[0] == '.' && dig(s[1])) /* \.[0-9][0-9_]*(exp)? — no sign */
        return *opt_exponent(skip_set(s + 2, "0123456789_")) == '\0';
    if (!dig(*p)) return false;
    p = skip_set(p + 1, "0123456789_");
    if (*p == '.') /* [0-9][0-9_]*\.[0-9_]*(exp)? */
        return *opt_exponent(skip_set(p + 1, "0123456789_")) == '\0';
    p = sexagesimal(p); /* [0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]* */
    return p && *p == '.' && *skip_set(p + 1, "0123456789_") == '\0';
}

/* [0-9][0-9]? ; returns the end or NULL. */
static const char *one_or_two_digits(const char *p)
{
    if (!dig(*p)) return NULL;
    return dig(p[1]) ? p + 2 : p + 1;
}

static bool is_timestamp(const char *s)
{
    if (!(dig(s[0]) && dig(s[1]) && dig(s[2]) && dig(s[3]) && s[4] == '-')) return false;
    if (dig(s[5]) && dig(s[6]) && s[7] == '-' && dig(s[8]) && dig(s[9]) && s[10] == '\0')
        return true;
    const char *p = one_or_two_digits(s + 5);
    if (!p || *p != '-' || !(p = one_or_two_digits(p + 1))) return false;
    if (*p == 'T' || *p == 't')
        p++;
    else if (*p == ' ' || *p == '\t')
        p = skip_set(p, " \t");
    else
        return false;
    if (!(p = one_or_two_digits(p)) || p[0] != ':' || !dig(p[1]) || !dig(p[2]) || p[3] != ':' ||
        !dig(p[4]) || !dig(p[5]))
        return false;
    p += 6;
    if (*p == '.') p = skip_set(p + 1, "0123456789");
    if (*p == '\0') return true;
    p = skip_set(p, " \t");
    if (*p == 'Z') return p[1] == '\0';
    if (*p != '-' && *p != '+') return false;
    if (!(p = one_or_two_digits(p + 1))) return false;
    if (p[0] == ':' && dig(p[1]) && dig(p[2])) p += 3;
    return *p == '\0';
}

/* True when the plain scalar s would be read back as something other than a string. */
static bool yaml_resolves_implicitly(const char *s)
{
    return is_null_merge_value(s) || is_bool(s) || is_int(s) || is_float(s) || is_timestamp(s);
}

/* ---- emitting ---- */

typedef struct {
    yaml_emitter_t em;
    strbuf tmp; /* UTF-8 repair */
    bool ok;
} yctx;

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
    sb_append(data, (const char *)buffer, size);
    return 1;
}

/* Hands an initialized event to the emitter (which then owns it), or frees it after an
 * earlier failure. */
static void emit(yctx *y, yaml_event_t *ev, int initialized)
{
    if (!initialized)
        y->ok = false;
    else if (!y->ok)
        yaml_event_delete(ev);
    else if (!yaml_emitter_emit(&y->em, ev))
        y->ok = false;
}

static bool valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    while (n) {
        uint32_t cp;
        size_t k = mdc_fmt_utf8_next(p, n, &cp);
        if (cp == 0xFFFD && !(k == 3 && p[0] == 0xEF)) return false;
        p += k;
        n -= k;
    }
    return true;
}

/* A plain, untagged scalar such as 12, 1.5, true, null. */
static void emit_plain(yctx *y, const char *s)
{
    yaml_event_t ev;
    int ok = yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
                                          YAML_PLAIN_SCALAR_STYLE);
    emit(y, &ev, ok);
}

/* A string: plain when that reads back as a string, quoted otherwise. */
static void emit_str(yctx *y, const char *s)
{
    if (!valid_utf8(s)) {
        sb_reset(&y->tmp);
        mdc_fmt_utf8_clean(&y->tmp, s);
        s = sb_str(&y->tmp);
    }
    yaml_event_t ev;
    int plain_implicit = !yaml_resolves_implicitly(s);
    int ok = yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s),
                                          plain_implicit, 1, YAML_ANY_SCALAR_STYLE);
    emit(y, &ev, ok);
}

/* PyYAML's represent_float: repr(), lower-cased, ".0" added before a bare exponent. */
static void yaml_float(double d, char *b, size_t n)
{
    if (isnan(d)) {
        snprintf(b, n, ".nan");
    } else if (isinf(d)) {
        snprintf(b, n, d > 0 ? ".inf" : "-.inf");
    } else {
        char r[MDC_FLOAT_REPR_MAX];
        mdc_float_repr(d, r, sizeof r);
        char *e = strchr(r, 'e');
        if (e && !strchr(r, '.'))
            snprintf(b, n, "%.*s.0%s", (int)(e - r), r, e);
        else
            snprintf(b, n, "%s", r);
    }
}

static void emit_value(yctx *y, const mdc_value *v)
{
    char b[48];
    switch (v->type) {
    case MDC_NULL:
        emit_plain(y, "null");
        return;
    case MDC_BOOL:
        emit_plain(y, v->u.b ? "true" : "false");
        return;
    case MDC_INT:
        snprintf(b, sizeof b, "%" PRId64, v->u.i);
        break;
    case MDC_DOUBLE:
        yaml_float(v->u.d, b, sizeof b);
        break;
    case MDC_STRING:
        emit_str(y, v->u.s ? v->u.s : "");
        return;
    }
    emit_plain(y, b);
}

static void mapping_start(yctx *y)
{
    yaml_event_t ev;
    int ok = yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
    emit(y, &ev, ok);
}

static void mapping_end(yctx *y)
{
    yaml_event_t ev;
    emit(y, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void emit_errors(yctx *y, const mdc_record *r)
{
    if (mdc_record_error_count(r) == 0) return;
    emit_str(y, "errors");
    mapping_start(y);
    for (size_t i = 0; i < r->nfields; i++) {
        if (r->fields[i].error) {
            emit_str(y, r->fields[i].name);
            emit_str(y, r->fields[i].error);
        }
    }
    mapping_end(y);
}

static int kv_cmp(const void *a, const void *b)
{
    return strcmp(((const mdc_fmt_kv *)a)->key, ((const mdc_fmt_kv *)b)->key);
}

static void emit_body(yctx *y, mdc_format_style st, const mdc_record *r)
{
    char ts[MDC_FMT_TS_MAX];
    mdc_fmt_kv *kv;
    size_t n = mdc_fmt_collect(st, r, ts, &kv);
    if (st == MDC_STYLE_HEMS && r->error) { /* sorted in among the others */
        kv[n].key = "error";
        kv[n].v.type = MDC_STRING;
        kv[n++].v.u.s = r->error;
    }
    if (st == MDC_STYLE_HEMS) qsort(kv, n, sizeof *kv, kv_cmp);
    mapping_start(y);
    for (size_t i = 0; i < n; i++) {
        if (kv[i].missing) continue;
        emit_str(y, kv[i].key);
        emit_value(y, &kv[i].v);
    }
    if (st == MDC_STYLE_MDC) {
        emit_errors(y, r);
        if (r->error) {
            emit_str(y, "error");
            emit_str(y, r->error);
        }
    }
    mapping_end(y);
    free(kv);
}

static void emit_document(yctx *y, mdc_format_style st, const mdc_record *r)
{
    yaml_event_t ev;
    int ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    emit(y, &ev, ok);
    ok = yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, st == MDC_STYLE_HEMS);
    emit(y, &ev, ok);
    emit_body(y, st, r);
    emit(y, &ev, yaml_document_end_event_initialize(&ev, 1));
    emit(y, &ev, yaml_stream_end_event_initialize(&ev));
}

static void yaml_record(mdc_format_style st, const mdc_record *r, strbuf *out)
{
    size_t start = out->len;
    yctx y = {.ok = true};
    sb_init(&y.tmp);
    if (!yaml_emitter_initialize(&y.em)) {
        y.ok = false;
    } else {
        yaml_emitter_set_output(&y.em, write_handler, out);
        yaml_emitter_set_encoding(&y.em, YAML_UTF8_ENCODING);
        yaml_emitter_set_unicode(&y.em, 0);
        yaml_emitter_set_width(&y.em, 80);
        yaml_emitter_set_indent(&y.em, 2);
        yaml_emitter_set_break(&y.em, YAML_LN_BREAK);
        emit_document(&y, st, r);
        if (y.ok && !yaml_emitter_flush(&y.em)) y.ok = false;
        yaml_emitter_delete(&y.em);
    }
    sb_free(&y.tmp);
    if (!y.ok) {
        /* Only an allocation failure inside libyaml gets here. */
        out->len = start;
        if (out->buf) out->buf[start] = '\0';
        mdc_fmt_yaml_as_json(st, r, out);
        return;
    }
    if (st == MDC_STYLE_HEMS)
        sb_putc(out, '\n'); /* print() after a dump that already ends in "\n" */
}

const mdc_format_module mdc_module_yaml = {{"yaml", MDC_VERSION}, yaml_record};
