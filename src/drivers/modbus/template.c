/* SPDX-License-Identifier: Apache-2.0 */
/* template.c — the built-in register maps: lookup and checks (template.h). */
#include "template.h"

#include <stdio.h>
#include <string.h>

static const char *const top_keys[] = {"template", "title",  "source", "notes", "line",
                                       "tcp_port", "device", "points", NULL};

static void list_names(strbuf *out)
{
    for (const mdc_mb_template_text *t = mdc_mb_template_texts; t->name; t++)
        sb_printf(out, "%s%s", t == mdc_mb_template_texts ? "" : ", ", t->name);
}

static int unknown(const char *name, mdc_err *err)
{
    const char *names[64];
    size_t n = 0;
    for (const mdc_mb_template_text *t = mdc_mb_template_texts; t->name && n < 63; t++)
        names[n++] = t->name;
    names[n] = NULL;
    const char *near = mdc_did_you_mean(name, names);
    strbuf all = STRBUF_INIT;
    list_names(&all);
    if (near)
        mdc_err_set(err, MDC_EINVAL,
                    "unknown template \"%s\" (did you mean \"%s\"?); templates: %s", name, near,
                    sb_str(&all));
    else
        mdc_err_set(err, MDC_EINVAL, "unknown template \"%s\"; templates: %s", name, sb_str(&all));
    sb_free(&all);
    return -1;
}

/* The built-in files are checked by the tests; this catches an edited one early. */
static int check(const char *name, json_t *t, mdc_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(t, key, v)
    {
        bool ok = false;
        for (size_t i = 0; top_keys[i] && !ok; i++)
            ok = strcmp(key, top_keys[i]) == 0;
        if (!ok) return mdc_err_set(err, MDC_EINVAL, "template %s: unknown key \"%s\"", name, key);
    }
    json_t *points = json_object_get(t, "points");
    if (!json_is_string(json_object_get(t, "source")) || !json_is_array(points) ||
        json_array_size(points) == 0)
        return mdc_err_set(err, MDC_EINVAL, "template %s: needs \"source\" and \"points\"", name);
    for (size_t i = 0; i < json_array_size(points); i++) {
        const char *pn = json_string_value(json_object_get(json_array_get(points, i), "name"));
        if (!pn) return mdc_err_set(err, MDC_EINVAL, "template %s: point %zu has no name", name, i);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(pn, json_string_value(json_object_get(json_array_get(points, j), "name"))))
                return mdc_err_set(err, MDC_EINVAL, "template %s: two points \"%s\"", name, pn);
    }
    return 0;
}

int mdc_mb_template_get(const char *name, json_t **out, mdc_err *err)
{
    for (const mdc_mb_template_text *t = mdc_mb_template_texts; t->name; t++) {
        if (strcmp(t->name, name) != 0) continue;
        json_error_t je;
        json_t *root = json_loadb(t->json, t->len, JSON_REJECT_DUPLICATES, &je);
        if (!root || !json_is_object(root)) {
            json_decref(root);
            return mdc_err_set(err, MDC_EINVAL, "template %s:%d:%d: %s", name, je.line, je.column,
                               je.text);
        }
        if (check(name, root, err) < 0) {
            json_decref(root);
            return -1;
        }
        *out = root;
        return 0;
    }
    return unknown(name, err);
}
