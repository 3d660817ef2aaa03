/* SPDX-License-Identifier: Apache-2.0 */
/* Declared configuration keys (core/keys.h): checking, defaults and limits from the table, and
 * the documentation: docs/configuration.md names every key of every declared set and no key of
 * none, and every driver's README names its keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/config.h"
#include "core/keys.h"
#include "http/http.h"
#include "runtime/runtime.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const colours[] = {"red", "green", NULL};

static const mdc_key test_keys[] = {
    {.name = "url", .type = MDC_KEY_STRING, .required = true, .help = "where"},
    {.name = "password", .type = MDC_KEY_SECRET},
    {.name = "count", .type = MDC_KEY_INT, .def = "7", .min = 1, .max = 10},
    {.name = "ratio", .type = MDC_KEY_NUMBER, .def = "0.5"},
    {.name = "on", .type = MDC_KEY_BOOL, .def = "true"},
    {.name = "timeout", .type = MDC_KEY_DURATION, .def = "1500ms"},
    {.name = "limit", .type = MDC_KEY_SIZE, .def = "2MiB"},
    {.name = "colour", .type = MDC_KEY_ENUM, .def = "green", .choices = colours},
    {0},
};
static const mdc_key shared_keys[] = {{.name = "type", .type = MDC_KEY_STRING}, {0}};
static const mdc_keyset shared = {"shared", shared_keys, NULL};
static const mdc_keyset tset = {"test", test_keys, &shared};

static mdc_cfgdoc *load(const char *json, mdc_cfgnode *root)
{
    mdc_cfgdoc *doc;
    mdc_err err = {0};
    if (mdc_cfgdoc_load_string("t.json", json, strlen(json), &doc, &err) < 0)
        fail_msg("%s", err.msg);
    *root = mdc_cfgdoc_root(doc);
    return doc;
}

static void test_defaults_and_values(void **state)
{
    (void)state;
    mdc_cfgnode n;
    mdc_cfgdoc *doc = load("{\"url\": \"x\", \"type\": \"t\", \"count\": 3}", &n);
    mdc_err err = {0};
    assert_int_equal(mdc_keys_check(&n, &tset, &err), 0);
    int64_t count, timeout, limit;
    double ratio;
    bool on;
    int colour;
    const char *pw;
    assert_int_equal(mdc_key_int(&n, &tset, "count", &count, &err), 0);
    assert_int_equal(mdc_key_number(&n, &tset, "ratio", &ratio, &err), 0);
    assert_int_equal(mdc_key_bool(&n, &tset, "on", &on, &err), 0);
    assert_int_equal(mdc_key_duration(&n, &tset, "timeout", &timeout, &err), 0);
    assert_int_equal(mdc_key_size(&n, &tset, "limit", &limit, &err), 0);
    assert_int_equal(mdc_key_enum(&n, &tset, "colour", &colour, &err), 0);
    assert_int_equal(mdc_key_string(&n, &tset, "password", &pw, &err), 0);
    assert_true(count == 3 && ratio == 0.5 && on && timeout == 1500000 && limit == 2097152 &&
                colour == 1 && pw == NULL);
    mdc_cfgdoc_free(doc);
}

static void expect_error(const char *json, const char *key, const char *want)
{
    mdc_cfgnode n;
    mdc_cfgdoc *doc = load(json, &n);
    mdc_err err = {0};
    int rc = mdc_keys_check(&n, &tset, &err);
    if (rc == 0 && key) {
        int64_t v;
        rc = mdc_key_int(&n, &tset, key, &v, &err);
    }
    assert_int_equal(rc, -1);
    assert_string_equal(err.msg, want);
    mdc_cfgdoc_free(doc);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("{\"url\": \"x\", \"cuont\": 3}", NULL,
                 "t.json:1:14: cuont: unknown key \"cuont\" (did you mean \"count\"?); allowed: "
                 "url, password, count, ratio, on, timeout, limit, colour, type");
    expect_error("{\"count\": 3}", NULL, "t.json:1:1: missing required key \"url\"");
    expect_error("{\"url\": \"x\", \"count\": 11}", "count",
                 "t.json:1:14: count: 11 is out of range; allowed 1..10");
}

/* A required string, or one declared nonempty, may not be "" (an optional one may). */
static void test_empty_strings(void **state)
{
    (void)state;
    static const mdc_key keys[] = {
        {.name = "url", .type = MDC_KEY_STRING, .required = true},
        {.name = "host", .type = MDC_KEY_STRING, .nonempty = true},
        {.name = "note", .type = MDC_KEY_STRING},
        {0},
    };
    static const mdc_keyset ks = {"empty", keys, NULL};
    const char *cases[][3] = {
        {"{\"url\": \"\"}", "url", "t.json:1:2: url: must not be empty"},
        {"{\"url\": \"u\", \"host\": \"\"}", "host", "t.json:1:14: host: must not be empty"},
        {"{\"url\": \"u\", \"note\": \"\"}", "note", NULL},
        {"{\"url\": \"u\"}", "host", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mdc_cfgnode n;
        mdc_cfgdoc *doc = load(cases[i][0], &n);
        mdc_err err = {0};
        const char *v = "unset";
        int rc = mdc_key_string(&n, &ks, cases[i][1], &v, &err);
        if (cases[i][2]) {
            assert_int_equal(rc, -1);
            assert_string_equal(err.msg, cases[i][2]);
        } else {
            assert_int_equal(rc, 0);
            assert_true(strcmp(cases[i][1], "note") == 0 ? strcmp(v, "") == 0 : v == NULL);
        }
        mdc_cfgdoc_free(doc);
    }
}

/* The i-th declared key set: the runtime's, then the HTTP server's (as `mdc keys` lists them). */
static const mdc_keyset *any_keyset(size_t i)
{
    size_t nruntime = 0;
    while (mdc_keysets(nruntime))
        nruntime++;
    return i < nruntime ? mdc_keysets(i) : mdc_http_keysets[i - nruntime];
}

/* The text of a file of the source tree (this file is tests/unit/test_keys.c in it); NULL when
 * it does not exist. Caller frees. */
static char *source_file(const char *rel)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", __FILE__);
    char *cut = strstr(path, "tests/unit/test_keys.c");
    if (!cut) fail_msg("cannot find the source tree from %s", __FILE__);
    snprintf(cut, sizeof path - (size_t)(cut - path), "%s", rel);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 20;
    char *text = malloc(cap);
    size_t len = fread(text, 1, cap - 1, f);
    fclose(f);
    text[len] = '\0';
    return text;
}

static bool names_key(const char *text, const char *key)
{
    char a[128], b[128];
    snprintf(a, sizeof a, "`%s`", key);
    snprintf(b, sizeof b, "\"%s\"", key);
    return strstr(text, a) || strstr(text, b);
}

/* docs/configuration.md names every declared key, as `key` or "key". */
static void test_every_key_documented(void **state)
{
    (void)state;
    char *doc = source_file("docs/configuration.md");
    assert_non_null(doc);
    int missing = 0;
    for (size_t i = 0; any_keyset(i); i++) {
        const mdc_keyset *ks = any_keyset(i);
        for (const mdc_key *k = ks->keys; k->name; k++)
            if (!names_key(doc, k->name)) {
                fprintf(stderr, "%s: key %s is not in docs/configuration.md\n", ks->name, k->name);
                missing++;
            }
    }
    free(doc);
    assert_int_equal(missing, 0);
}

/* Whether one declared set (with the sets it shares) has every name in names. */
static bool one_set_has_all(char names[][64], size_t n)
{
    for (size_t i = 0; any_keyset(i); i++) {
        size_t found = 0;
        while (found < n && mdc_keys_find(any_keyset(i), names[found]))
            found++;
        if (found == n) return true;
    }
    return false;
}

/* The `names` in the first cell of a table row ("| `a`, `b` | ..."); their count. */
static size_t row_names(const char *row, char names[][64], size_t max)
{
    const char *end = strchr(row + 1, '|');
    size_t n = 0;
    for (const char *p = strchr(row, '`'); p && end && p < end && n < max; p = strchr(p + 1, '`')) {
        const char *q = strchr(p + 1, '`');
        if (!q || q > end) break;
        snprintf(names[n++], 64, "%.*s", (int)(q - p - 1), p + 1);
        p = q;
    }
    return n;
}

/* No stale keys: the keys of each "| key | ..." table in docs/configuration.md are those of one
 * declared set, so a key removed or renamed in its table cannot linger in the documentation. */
static void test_no_stale_key_documented(void **state)
{
    (void)state;
    char *doc = source_file("docs/configuration.md");
    assert_non_null(doc);
    int stale = 0, line = 1, tables = 0;
    bool in_table = false;
    char names[256][64];
    size_t n = 0;
    for (char *l = doc; l && *l; line++) {
        char *nl = strchr(l, '\n');
        if (nl) *nl = '\0';
        if (strncmp(l, "| key |", 7) == 0) {
            in_table = true;
            tables++;
            n = 0;
        } else if (in_table && l[0] == '|' && strncmp(l, "|---", 4) != 0) {
            size_t before = n;
            n += row_names(l, names + n, 256 - n);
            if (!one_set_has_all(names, n)) {
                fprintf(stderr,
                        "docs/configuration.md:%d: %s is not a key of the set the table "
                        "documents (or of any)\n",
                        line, names[before]);
                stale++;
                n = before;
            }
        } else if (l[0] != '|') {
            in_table = false;
        }
        l = nl ? nl + 1 : NULL;
    }
    free(doc);
    assert_true(tables >= 8); /* the tables are there at all */
    assert_int_equal(stale, 0);
}

/* Every driver's folder has a README.md that names each of its keys and says how it is tested. */
static void test_driver_readmes(void **state)
{
    (void)state;
    int missing = 0;
    for (const char *const *name = mdc_driver_names(); *name; name++) {
        const mdc_driver *d = mdc_driver_find(*name);
        char rel[256];
        snprintf(rel, sizeof rel, "src/drivers/%s/README.md", *name);
        char *text = source_file(rel);
        if (!text || !strstr(text, "## Tests")) {
            fprintf(stderr, "%s: missing, or without a \"## Tests\" section\n", rel);
            missing++;
            free(text);
            continue;
        }
        for (size_t i = 0; d->keys && (i == 0 || (d->nested_keys && d->nested_keys[i - 1])); i++) {
            const mdc_keyset *ks = i == 0 ? d->keys : d->nested_keys[i - 1];
            for (const mdc_key *k = ks->keys; k->name; k++)
                if (!names_key(text, k->name)) {
                    fprintf(stderr, "%s: key %s (%s) is not named\n", rel, k->name, ks->name);
                    missing++;
                }
        }
        free(text);
    }
    assert_int_equal(missing, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_values),     cmocka_unit_test(test_errors),
        cmocka_unit_test(test_empty_strings),           cmocka_unit_test(test_every_key_documented),
        cmocka_unit_test(test_no_stale_key_documented), cmocka_unit_test(test_driver_readmes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
