/* Declared configuration keys (core/keys.h): checking, defaults and limits from the table, and
 * the documentation: docs/configuration.md names every key of every declared set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/config.h"
#include "core/keys.h"
#include "http/http.h"
#include "runtime/runtime.h"

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

/* docs/configuration.md names every declared key, as `key` or "key". */
static void test_every_key_documented(void **state)
{
    (void)state;
    char path[4096]; /* this file is tests/unit/test_keys.c in the source tree */
    snprintf(path, sizeof path, "%s", __FILE__);
    char *cut = strstr(path, "tests/unit/test_keys.c");
    if (!cut) fail_msg("cannot find the source tree from %s", __FILE__);
    strcpy(cut, "docs/configuration.md");
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot read %s", path);
    static char doc[1 << 20];
    size_t len = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    doc[len] = '\0';
    int missing = 0;
    size_t nruntime = 0;
    while (mdc_keysets(nruntime))
        nruntime++;
    for (size_t i = 0;; i++) {
        const mdc_keyset *ks = i < nruntime ? mdc_keysets(i) : mdc_http_keysets[i - nruntime];
        if (!ks) break;
        for (const mdc_key *k = ks->keys; k->name; k++) {
            char a[128], b[128];
            snprintf(a, sizeof a, "`%s`", k->name);
            snprintf(b, sizeof b, "\"%s\"", k->name);
            if (!strstr(doc, a) && !strstr(doc, b)) {
                fprintf(stderr, "%s: key %s is not in docs/configuration.md\n", ks->name, k->name);
                missing++;
            }
        }
    }
    assert_int_equal(missing, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_values),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_every_key_documented),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
