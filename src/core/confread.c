/* SPDX-License-Identifier: Apache-2.0 */
/* confread.c — see confread.h. */
#include "confread.h"
#include "redact.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mdc_cfgdoc {
    char *name;
    char *dir;
    json_t *root;
    char *text; /* kept to find where a key is when an error names it */
    size_t len;
    char **strings; /* expanded strings handed out */
    size_t nstrings, capstrings;
    char **secrets;
    size_t nsecrets, capsecrets;
};

/* ---- key positions: a small scanner over the (already valid) JSON text ---- */

typedef struct scanner {
    const char *s;
    size_t len, i;
    int line, col;
    const char *target; /* the path looked for */
    int found_line, found_col;
    int depth;
} scanner;

static void sc_adv(scanner *sc)
{
    if (sc->i >= sc->len) return;
    if (sc->s[sc->i] == '\n') {
        sc->line++;
        sc->col = 1;
    } else if (((unsigned char)sc->s[sc->i] & 0xC0) != 0x80) {
        sc->col++; /* count characters, not UTF-8 continuation bytes */
    }
    sc->i++;
}

static void sc_ws(scanner *sc)
{
    while (sc->i < sc->len && strchr(" \t\r\n", sc->s[sc->i]) && sc->s[sc->i])
        sc_adv(sc);
}

/* Records the position if `path` is the one looked for; returns -1 to stop the scan. */
static int at_path(scanner *sc, const char *path, int line, int col)
{
    if (strcmp(path, sc->target) != 0) return 0;
    sc->found_line = line;
    sc->found_col = col;
    return -1;
}

/* Reads a JSON string token into out (raw, escapes kept except \" and \\ simplified). */
static int sc_string(scanner *sc, strbuf *out)
{
    if (sc->i >= sc->len || sc->s[sc->i] != '"') return -1;
    sc_adv(sc);
    while (sc->i < sc->len && sc->s[sc->i] != '"') {
        if (sc->s[sc->i] == '\\' && sc->i + 1 < sc->len) {
            sc_adv(sc);
            if (out) sb_putc(out, sc->s[sc->i]);
        } else if (out) {
            sb_putc(out, sc->s[sc->i]);
        }
        sc_adv(sc);
    }
    if (sc->i >= sc->len) return -1;
    sc_adv(sc);
    return 0;
}

static int sc_value(scanner *sc, strbuf *path);

/* After an object member or array element: drops its part of path, then reads ',' (0: more
 * follow) or `close` (1: the end); -1 for anything else. */
static int sc_item_end(scanner *sc, strbuf *path, size_t base, char close)
{
    path->len = base;
    path->buf[base] = '\0';
    sc_ws(sc);
    if (sc->i >= sc->len) return -1;
    char c = sc->s[sc->i];
    sc_adv(sc);
    if (c == close) return 1;
    return c == ',' ? 0 : -1;
}

static int sc_object(scanner *sc, strbuf *path)
{
    sc_adv(sc); /* { */
    sc_ws(sc);
    if (sc->i < sc->len && sc->s[sc->i] == '}') {
        sc_adv(sc);
        return 0;
    }
    for (;;) {
        sc_ws(sc);
        int line = sc->line, col = sc->col;
        strbuf key = STRBUF_INIT;
        if (sc_string(sc, &key) < 0) {
            sb_free(&key);
            return -1;
        }
        size_t base = path->len;
        if (base) sb_putc(path, '.');
        sb_puts(path, sb_str(&key));
        sb_free(&key);
        if (at_path(sc, sb_str(path), line, col) < 0) return -1;
        sc_ws(sc);
        if (sc->i >= sc->len || sc->s[sc->i] != ':') return -1;
        sc_adv(sc);
        if (sc_value(sc, path) < 0) return -1;
        int end = sc_item_end(sc, path, base, '}');
        if (end != 0) return end < 0 ? -1 : 0;
    }
}

static int sc_array(scanner *sc, strbuf *path)
{
    sc_adv(sc); /* [ */
    sc_ws(sc);
    if (sc->i < sc->len && sc->s[sc->i] == ']') {
        sc_adv(sc);
        return 0;
    }
    for (size_t idx = 0;; idx++) {
        sc_ws(sc);
        size_t base = path->len;
        sb_printf(path, "[%zu]", idx);
        if (at_path(sc, sb_str(path), sc->line, sc->col) < 0 || sc_value(sc, path) < 0) return -1;
        int end = sc_item_end(sc, path, base, ']');
        if (end != 0) return end < 0 ? -1 : 0;
    }
}

static int sc_value(scanner *sc, strbuf *path)
{
    sc_ws(sc);
    if (sc->i >= sc->len || ++sc->depth > 512) return -1;
    int rc = 0;
    char c = sc->s[sc->i];
    if (c == '{')
        rc = sc_object(sc, path);
    else if (c == '[')
        rc = sc_array(sc, path);
    else if (c == '"')
        rc = sc_string(sc, NULL);
    else
        while (sc->i < sc->len && !strchr(",]} \t\r\n", sc->s[sc->i]) && sc->s[sc->i])
            sc_adv(sc);
    sc->depth--;
    return rc;
}

/* Where the key (or array element) at `path` starts; false if not found. */
static bool find_pos(const mdc_cfgdoc *doc, const char *path, int *line, int *col)
{
    if (!doc->text) return false;
    scanner sc = {.s = doc->text, .len = doc->len, .line = 1, .col = 1, .target = path};
    strbuf p = STRBUF_INIT;
    sb_puts(&p, "");
    (void)sc_value(&sc, &p); /* best effort; jansson already validated the text */
    sb_free(&p);
    *line = sc.found_line;
    *col = sc.found_col;
    return sc.found_line > 0;
}

/* ---- loading ---- */

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return xstrdup(".");
    if (slash == path) return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

int mdc_cfgdoc_load_string(const char *name, const char *text, size_t len, mdc_cfgdoc **out,
                           mdc_err *err)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!root)
        return mdc_err_set(err, MDC_EINVAL, "%s:%d:%d: invalid JSON: %s", name, je.line, je.column,
                           je.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return mdc_err_set(err, MDC_EINVAL,
                           "%s:1:1: the configuration must be a JSON object ({ ... })", name);
    }
    mdc_cfgdoc *doc = xcalloc(1, sizeof *doc);
    doc->name = xstrdup(name);
    doc->dir = dir_of(name);
    doc->root = root;
    doc->text = xstrndup(text, len);
    doc->len = len;
    *out = doc;
    return 0;
}

int mdc_cfgdoc_load_file(const char *path, mdc_cfgdoc **out, mdc_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return mdc_err_set(err, MDC_EIO, "cannot open configuration %s: %s", path, strerror(errno));
    strbuf text = STRBUF_INIT;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        sb_append(&text, buf, n);
        if (text.len > 64u << 20) {
            fclose(f);
            sb_free(&text);
            return mdc_err_set(err, MDC_EINVAL, "%s: configuration larger than 64 MiB", path);
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        sb_free(&text);
        return mdc_err_set(err, MDC_EIO, "cannot read configuration %s", path);
    }
    int rc = mdc_cfgdoc_load_string(path, sb_str(&text), text.len, out, err);
    sb_free(&text);
    return rc;
}

void mdc_cfgdoc_free(mdc_cfgdoc *doc)
{
    if (!doc) return;
    free(doc->text);
    for (size_t i = 0; i < doc->nstrings; i++)
        free(doc->strings[i]);
    free(doc->strings);
    free(doc->secrets); /* secrets point into strings */
    json_decref(doc->root);
    free(doc->name);
    free(doc->dir);
    free(doc);
}

void mdc_cfgdoc_drop_tree(mdc_cfgdoc *doc)
{
    free(doc->text);
    doc->text = NULL;
    json_decref(doc->root);
    doc->root = NULL;
}

mdc_cfgnode mdc_cfgdoc_root(mdc_cfgdoc *doc)
{
    mdc_cfgnode n = {.doc = doc, .json = doc->root};
    n.path[0] = '\0';
    return n;
}

const char *mdc_cfgdoc_name(const mdc_cfgdoc *doc)
{
    return doc->name;
}

const char *mdc_cfgdoc_dir(const mdc_cfgdoc *doc)
{
    return doc->dir;
}

void mdc_cfgdoc_mask(const mdc_cfgdoc *doc, strbuf *text)
{
    (void)doc; /* by field, not by the secrets' text (redact.h) */
    mdc_redact(text);
}

/* ---- errors ---- */

/* The path of n's member `key` ("devices[0].points[2].type"). A path longer than the buffer
 * is cut and ends in "..." (it only names the place in messages). */
static void child_path(const mdc_cfgnode *n, const char *key, char *out, size_t len)
{
    int w;
    if (!key)
        w = snprintf(out, len, "%s", n->path);
    else if (key[0] == '[')
        w = snprintf(out, len, "%s%s", n->path, key);
    else if (n->path[0])
        w = snprintf(out, len, "%s.%s", n->path, key);
    else
        w = snprintf(out, len, "%s", key);
    if (w >= 0 && (size_t)w >= len && len > 4) memcpy(out + len - 4, "...", 4);
}

static int verror(const mdc_cfgnode *n, const char *key, mdc_err *err, const char *fmt, va_list ap)
{
    char path[256];
    child_path(n, key, path, sizeof path);
    int line = 1, col = 1;
    if (!find_pos(n->doc, path, &line, &col)) /* a missing key: point at its object */
        find_pos(n->doc, n->path, &line, &col);
    if (line == 0) line = col = 1;
    char msg[MDC_ERR_MSG_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (path[0])
        return mdc_err_set(err, MDC_EINVAL, "%s:%d:%d: %s: %s", n->doc->name, line, col, path, msg);
    return mdc_err_set(err, MDC_EINVAL, "%s:%d:%d: %s", n->doc->name, line, col, msg);
}

int cfg_error(const mdc_cfgnode *n, const char *key, mdc_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(n, key, err, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- did you mean ---- */

/* Optimal string alignment distance (Levenshtein plus adjacent transpositions), ignoring
 * case: "jsno" is one edit from "json". */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) return SIZE_MAX;
    size_t d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

const char *mdc_did_you_mean(const char *word, const char *const *candidates)
{
    const char *best = NULL;
    size_t bestd = SIZE_MAX;
    for (size_t i = 0; candidates[i]; i++) {
        size_t d = edit_distance(word, candidates[i]);
        if (d < bestd) {
            bestd = d;
            best = candidates[i];
        }
    }
    size_t wl = strlen(word);
    size_t limit = wl <= 4 ? 1 : wl <= 8 ? 2 : 3;
    return bestd <= limit ? best : NULL;
}

static void join_names(const char *const *names, strbuf *out)
{
    for (size_t i = 0; names[i]; i++) {
        if (i) sb_puts(out, ", ");
        sb_puts(out, names[i]);
    }
}

/* "_comment": notes beside the settings (mdc init writes them): a string or strings. */
static int check_comment(const mdc_cfgnode *n, json_t *v, mdc_err *err)
{
    bool ok = json_is_string(v) || json_is_array(v);
    for (size_t i = 0; ok && json_is_array(v) && i < json_array_size(v); i++)
        ok = json_is_string(json_array_get(v, i));
    if (ok) return 0;
    return cfg_error(n, "_comment", err, "a comment must be a string or an array of strings");
}

int cfg_check_keys(const mdc_cfgnode *n, const char *const *allowed, mdc_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(n->json, key, v)
    {
        if (strcmp(key, "_comment") == 0) {
            if (check_comment(n, v, err) < 0) return -1;
            continue;
        }
        bool ok = false;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (ok) continue;
        const char *near = mdc_did_you_mean(key, allowed);
        strbuf names = STRBUF_INIT;
        join_names(allowed, &names);
        if (near)
            cfg_error(n, key, err, "unknown key \"%s\" (did you mean \"%s\"?); allowed: %s", key,
                      near, sb_str(&names));
        else
            cfg_error(n, key, err, "unknown key \"%s\"; allowed: %s", key, sb_str(&names));
        sb_free(&names);
        return -1;
    }
    return 0;
}

bool cfg_has(const mdc_cfgnode *n, const char *key)
{
    return json_object_get(n->json, key) != NULL;
}

/* ---- environment expansion ---- */

int mdc_expand_env(const char *in, strbuf *out, mdc_err *err)
{
    sb_puts(out, "");
    for (const char *p = in; *p;) {
        if (p[0] == '$' && p[1] == '$') {
            sb_putc(out, '$');
            p += 2;
            continue;
        }
        if (p[0] != '$' || p[1] != '{') {
            sb_putc(out, *p++);
            continue;
        }
        const char *end = strchr(p + 2, '}');
        if (!end) return mdc_err_set(err, MDC_EINVAL, "unterminated \"${\" in \"%s\"", in);
        char name[256];
        size_t nl = (size_t)(end - (p + 2));
        if (nl == 0 || nl >= sizeof name)
            return mdc_err_set(err, MDC_EINVAL, "bad variable reference in \"%s\"", in);
        memcpy(name, p + 2, nl);
        name[nl] = '\0';
        const char *def = NULL;
        char *colon = strstr(name, ":-");
        if (colon) {
            *colon = '\0';
            def = colon + 2;
        }
        for (const char *c = name; *c; c++)
            if (!(isalnum((unsigned char)*c) || *c == '_'))
                return mdc_err_set(err, MDC_EINVAL,
                                   "bad environment variable name \"%s\" (use letters, digits, _)",
                                   name);
        const char *val = getenv(name);
        if (!val || (!*val && def)) val = def;
        if (!val)
            return mdc_err_set(err, MDC_EINVAL,
                               "environment variable %s is not set (set it, or put it in a .env "
                               "file beside the configuration)",
                               name);
        sb_puts(out, val);
        p = end + 1;
    }
    return 0;
}

static const char *keep_string(mdc_cfgdoc *doc, char *s)
{
    xgrow(&doc->strings, &doc->capstrings, doc->nstrings + 1, sizeof *doc->strings);
    doc->strings[doc->nstrings++] = s;
    return s;
}

/* Expands a JSON string value; the result is owned by the document. */
static int expand_value(const mdc_cfgnode *n, const char *key, const char *raw, const char **out,
                        mdc_err *err)
{
    strbuf sb = STRBUF_INIT;
    mdc_err e;
    if (mdc_expand_env(raw, &sb, &e) < 0) {
        sb_free(&sb);
        return cfg_error(n, key, err, "%s", e.msg);
    }
    *out = keep_string(n->doc, sb_detach(&sb));
    return 0;
}

/* ---- getters ---- */

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

int cfg_string(const mdc_cfgnode *n, const char *key, const char *def, const char **out,
               mdc_err *err)
{
    json_t *v = json_object_get(n->json, key);
    if (!v) {
        *out = def;
        return 0;
    }
    if (!json_is_string(v))
        return cfg_error(n, key, err, "expected a string, got %s", type_name(v));
    return expand_value(n, key, json_string_value(v), out, err);
}

int cfg_required_string(const mdc_cfgnode *n, const char *key, const char **out, mdc_err *err)
{
    if (!cfg_has(n, key)) return cfg_error(n, NULL, err, "missing required key \"%s\"", key);
    if (cfg_string(n, key, NULL, out, err) < 0) return -1;
    if (!**out) return cfg_error(n, key, err, "must not be empty");
    return 0;
}

int cfg_secret(const mdc_cfgnode *n, const char *key, const char *def, const char **out,
               mdc_err *err)
{
    json_t *v = json_object_get(n->json, key);
    if (v && !json_is_string(v)) /* never echo the value of a secret */
        return cfg_error(n, key, err, "expected a string, got %s", type_name(v));
    if (cfg_string(n, key, def, out, err) < 0) return -1;
    if (*out && **out) {
        mdc_cfgdoc *doc = n->doc;
        xgrow(&doc->secrets, &doc->capsecrets, doc->nsecrets + 1, sizeof *doc->secrets);
        doc->secrets[doc->nsecrets++] = (char *)*out;
    }
    return 0;
}

/* A number, or a string that expands to one. */
static int number_text(const mdc_cfgnode *n, const char *key, json_t *v, const char **text,
                       mdc_err *err)
{
    if (json_is_string(v)) return expand_value(n, key, json_string_value(v), text, err);
    *text = NULL;
    return 0;
}

int cfg_int(const mdc_cfgnode *n, const char *key, int64_t def, int64_t min, int64_t max,
            int64_t *out, mdc_err *err)
{
    json_t *v = json_object_get(n->json, key);
    if (!v) {
        *out = def;
        return 0;
    }
    const char *text;
    if (number_text(n, key, v, &text, err) < 0) return -1;
    long long x;
    if (text) {
        char *end;
        errno = 0;
        x = strtoll(text, &end, 0);
        if (errno || end == text || *end)
            return cfg_error(n, key, err, "expected an integer, got \"%s\"", text);
    } else if (json_is_integer(v)) {
        x = json_integer_value(v);
    } else if (json_is_real(v) && floor(json_real_value(v)) == json_real_value(v) &&
               fabs(json_real_value(v)) < 9e15) {
        x = (long long)json_real_value(v);
    } else {
        return cfg_error(n, key, err, "expected an integer, got %s", type_name(v));
    }
    if (x < min || x > max)
        return cfg_error(n, key, err, "%lld is out of range; allowed %lld..%lld", x, (long long)min,
                         (long long)max);
    *out = x;
    return 0;
}

int cfg_double(const mdc_cfgnode *n, const char *key, double def, double *out, mdc_err *err)
{
    json_t *v = json_object_get(n->json, key);
    if (!v) {
        *out = def;
        return 0;
    }
    const char *text;
    if (number_text(n, key, v, &text, err) < 0) return -1;
    if (text) {
        char *end;
        errno = 0;
        double x = strtod(text, &end);
        if (errno || end == text || *end || !isfinite(x))
            return cfg_error(n, key, err, "expected a number, got \"%s\"", text);
        *out = x;
        return 0;
    }
    if (!json_is_number(v))
        return cfg_error(n, key, err, "expected a number, got %s", type_name(v));
    *out = json_number_value(v);
    return 0;
}

int cfg_bool(const mdc_cfgnode *n, const char *key, bool def, bool *out, mdc_err *err)
{
    json_t *v = json_object_get(n->json, key);
    if (!v) {
        *out = def;
        return 0;
    }
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 0;
    }
    const char *text;
    if (json_is_string(v) && number_text(n, key, v, &text, err) == 0) {
        if (!strcmp(text, "true") || !strcmp(text, "1") || !strcmp(text, "yes")) {
            *out = true;
            return 0;
        }
        if (!strcmp(text, "false") || !strcmp(text, "0") || !strcmp(text, "no")) {
            *out = false;
            return 0;
        }
        return cfg_error(n, key, err, "expected true or false, got \"%s\"", text);
    }
    return cfg_error(n, key, err, "expected true or false, got %s", type_name(v));
}

/* The microseconds a duration text means, before any range check; -1 if it is not one. */
static int duration_text_us(const char *s, double *us)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (errno || end == s || !isfinite(x) || x <= 0) return -1;
    static const struct {
        const char *unit;
        double mult;
    } units[] = {{"", 1e6},   {"s", 1e6},    {"ms", 1e3},   {"us", 1},
                 {"m", 60e6}, {"min", 60e6}, {"h", 3600e6}, {"d", 86400e6}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (!strcmp(end, units[i].unit)) {
            *us = x * units[i].mult;
            return 0;
        }
    return -1;
}

int mdc_parse_duration_us(const char *s, int64_t *out)
{
    double us;
    if (duration_text_us(s, &us) < 0 || llround(us) < 1 || us > 366.0 * 86400e6) return -1;
    *out = (int64_t)llround(us);
    return 0;
}

int cfg_duration_us(const mdc_cfgnode *n, const char *key, int64_t def, int64_t *out, mdc_err *err)
{
    json_t *v = json_object_get(n->json, key);
    if (!v) {
        *out = def;
        return 0;
    }
    const char *text;
    if (json_is_string(v)) {
        if (expand_value(n, key, json_string_value(v), &text, err) < 0) return -1;
        if (mdc_parse_duration_us(text, out) == 0) return 0;
        double us;
        if (duration_text_us(text, &us) == 0 && us < 1)
            return cfg_error(n, key, err,
                             "duration \"%s\" is below the resolution of 1 microsecond", text);
        return cfg_error(n, key, err,
                         "bad duration \"%s\"; use seconds (5) or a string like \"500ms\", "
                         "\"5s\", \"2m\", \"1h\"",
                         text);
    }
    if (json_is_number(v)) {
        double s = json_number_value(v);
        if (s > 0 && s <= 366.0 * 86400 && llround(s * 1e6) >= 1) {
            *out = (int64_t)llround(s * 1e6);
            return 0;
        }
        if (s > 0 && s < 1e-6)
            return cfg_error(n, key, err, "duration %g s is below the resolution of 1 microsecond",
                             s);
        return cfg_error(n, key, err, "duration must be > 0 seconds (and at most a year)");
    }
    return cfg_error(n, key, err, "expected a duration (number of seconds or \"5s\"), got %s",
                     type_name(v));
}

int mdc_parse_size(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (errno || end == s || !isfinite(x) || x < 0) return -1;
    while (*end == ' ')
        end++;
    static const struct {
        const char *unit;
        double mult;
    } units[] = {{"", 1},
                 {"B", 1},
                 {"kB", 1e3},
                 {"KB", 1e3},
                 {"MB", 1e6},
                 {"GB", 1e9},
                 {"TB", 1e12},
                 {"KiB", 1024.0},
                 {"MiB", 1048576.0},
                 {"GiB", 1073741824.0},
                 {"TiB", 1099511627776.0}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(end, units[i].unit) == 0) {
            double b = x * units[i].mult;
            if (b > 9e18) return -1;
            *out = (int64_t)llround(b);
            return 0;
        }
    return -1;
}

int cfg_size_bytes(const mdc_cfgnode *n, const char *key, int64_t def, int64_t *out, mdc_err *err)
{
    json_t *v = json_object_get(n->json, key);
    if (!v) {
        *out = def;
        return 0;
    }
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = json_integer_value(v);
        return 0;
    }
    const char *text;
    if (json_is_string(v)) {
        if (expand_value(n, key, json_string_value(v), &text, err) < 0) return -1;
        if (mdc_parse_size(text, out) == 0) return 0;
        return cfg_error(n, key, err,
                         "bad size \"%s\"; use bytes (1048576) or a string like \"512MB\", "
                         "\"2GiB\"",
                         text);
    }
    return cfg_error(n, key, err, "expected a size (bytes, or \"512MB\"), got %s", type_name(v));
}

int cfg_enum(const mdc_cfgnode *n, const char *key, const char *const *names, int def, int *out,
             mdc_err *err)
{
    const char *s;
    if (cfg_string(n, key, NULL, &s, err) < 0) return -1;
    if (!s) {
        *out = def;
        return 0;
    }
    for (int i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return 0;
        }
    strbuf all = STRBUF_INIT;
    join_names(names, &all);
    const char *near = mdc_did_you_mean(s, names);
    if (near)
        cfg_error(n, key, err, "unknown value \"%s\" (did you mean \"%s\"?); allowed: %s", s, near,
                  sb_str(&all));
    else
        cfg_error(n, key, err, "unknown value \"%s\"; allowed: %s", s, sb_str(&all));
    sb_free(&all);
    return -1;
}

static void make_child(const mdc_cfgnode *n, const char *key, json_t *v, mdc_cfgnode *out)
{
    out->doc = n->doc;
    out->json = v;
    child_path(n, key, out->path, sizeof out->path);
}

int cfg_object(const mdc_cfgnode *n, const char *key, mdc_cfgnode *out, bool *present, mdc_err *err)
{
    json_t *v = json_object_get(n->json, key);
    memset(out, 0, sizeof *out);
    out->doc = n->doc;
    if (present) *present = v != NULL;
    if (!v) return 0;
    if (!json_is_object(v))
        return cfg_error(n, key, err, "expected an object ({ ... }), got %s", type_name(v));
    make_child(n, key, v, out);
    return 0;
}

int cfg_array(const mdc_cfgnode *n, const char *key, size_t *count, mdc_err *err)
{
    json_t *v = json_object_get(n->json, key);
    *count = 0;
    if (!v) return 0;
    if (!json_is_array(v))
        return cfg_error(n, key, err, "expected an array ([ ... ]), got %s", type_name(v));
    *count = json_array_size(v);
    return 0;
}

int cfg_array_object(const mdc_cfgnode *n, const char *key, size_t i, mdc_cfgnode *out,
                     mdc_err *err)
{
    json_t *a = json_object_get(n->json, key);
    json_t *v = json_array_get(a, i);
    mdc_cfgnode arr;
    make_child(n, key, a, &arr);
    char idx[32];
    snprintf(idx, sizeof idx, "[%zu]", i);
    if (!v) return cfg_error(&arr, idx, err, "missing element");
    if (!json_is_object(v))
        return cfg_error(&arr, idx, err, "expected an object ({ ... }), got %s", type_name(v));
    make_child(&arr, idx, v, out);
    return 0;
}

int cfg_array_string(const mdc_cfgnode *n, const char *key, size_t i, const char **out,
                     mdc_err *err)
{
    json_t *a = json_object_get(n->json, key);
    json_t *v = json_array_get(a, i);
    mdc_cfgnode arr;
    make_child(n, key, a, &arr);
    char idx[32];
    snprintf(idx, sizeof idx, "[%zu]", i);
    if (!v || !json_is_string(v))
        return cfg_error(&arr, idx, err, "expected a string, got %s", v ? type_name(v) : "nothing");
    return expand_value(&arr, idx, json_string_value(v), out, err);
}
