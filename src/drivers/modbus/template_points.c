/* SPDX-License-Identifier: Apache-2.0 */
/* template_points.c — the points a modbus device reads, from its template and its own "points"
 * (template.h). */
#include "template.h"

#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int own_points(const mdc_cfgnode *dev, mdc_mb_point_nodes *pn, mdc_err *err)
{
    size_t n;
    if (cfg_array(dev, "points", &n, err) < 0) return -1;
    pn->nodes = xcalloc(n ? n : 1, sizeof *pn->nodes);
    for (size_t i = 0; i < n; i++, pn->n++)
        if (cfg_array_object(dev, "points", i, &pn->nodes[i], err) < 0) return -1;
    return 0;
}

static const char *point_name(json_t *p)
{
    const char *s = json_string_value(json_object_get(p, "name"));
    return s ? s : "";
}

static long find(const mdc_cfgnode *nodes, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(point_name(nodes[i].json), name) == 0) return (long)i;
    return -1;
}

/* "template_points": names of the template's points to read (all when missing). */
static int selection(const mdc_cfgnode *dev, json_t *tpoints, bool *chosen, mdc_err *err)
{
    size_t n, np = json_array_size(tpoints);
    if (!cfg_has(dev, "template_points")) {
        for (size_t i = 0; i < np; i++)
            chosen[i] = true;
        return 0;
    }
    if (cfg_array(dev, "template_points", &n, err) < 0) return -1;
    for (size_t k = 0; k < n; k++) {
        const char *name;
        if (cfg_array_string(dev, "template_points", k, &name, err) < 0) return -1;
        size_t i = 0;
        while (i < np && strcmp(point_name(json_array_get(tpoints, i)), name) != 0)
            i++;
        if (i == np) {
            strbuf all = STRBUF_INIT;
            for (size_t j = 0; j < np; j++)
                sb_printf(&all, "%s%s", j ? ", " : "", point_name(json_array_get(tpoints, j)));
            cfg_error(dev, "template_points", err, "the template has no point \"%s\"; it has: %s",
                      name, sb_str(&all));
            sb_free(&all);
            return -1;
        }
        chosen[i] = true;
    }
    return 0;
}

static void add(mdc_mb_point_nodes *pn, const mdc_cfgnode *dev, json_t *json, const char *path)
{
    mdc_cfgnode *n = &pn->nodes[pn->n++];
    n->doc = dev->doc;
    n->json = json;
    int w = snprintf(n->path, sizeof n->path, "%s", path);
    if (w < 0 || (size_t)w >= sizeof n->path) n->path[sizeof n->path - 1] = '\0';
}

/* Template points (changed by the device's points of the same name), then the others. */
static void merge(const mdc_cfgnode *dev, json_t *tpoints, const bool *chosen,
                  const mdc_mb_point_nodes *own, mdc_mb_point_nodes *pn)
{
    size_t np = json_array_size(tpoints);
    bool *used = xcalloc(own->n + 1, sizeof *used);
    char at[sizeof dev->path + 16];
    snprintf(at, sizeof at, "%s%stemplate", dev->path, dev->path[0] ? "." : "");
    pn->nodes = xcalloc(np + own->n + 1, sizeof *pn->nodes);
    pn->keep = json_array();
    for (size_t i = 0; i < np; i++) {
        if (!chosen[i]) continue;
        json_t *p = json_deep_copy(json_array_get(tpoints, i));
        long k = find(own->nodes, own->n, point_name(p));
        if (k >= 0) {
            json_object_update(p, own->nodes[k].json); /* the device's keys win */
            used[k] = true;
        }
        json_array_append_new(pn->keep, p);
        add(pn, dev, p, k >= 0 ? own->nodes[k].path : at);
    }
    for (size_t k = 0; k < own->n; k++)
        if (!used[k]) add(pn, dev, own->nodes[k].json, own->nodes[k].path);
    free(used);
}

static void device_defaults(json_t *tpl, mdc_mb_point_nodes *pn)
{
    json_t *d = json_object_get(tpl, "device");
    json_t *m = json_object_get(d, "max_registers_per_request"), *g = json_object_get(d, "max_gap");
    if (json_is_integer(m)) pn->max_registers = (int)json_integer_value(m);
    if (json_is_integer(g)) pn->max_gap = (int)json_integer_value(g);
}

static int from_template(const mdc_cfgnode *dev, mdc_mb_point_nodes *pn, mdc_err *err)
{
    const char *name;
    json_t *tpl = NULL;
    mdc_err e;
    if (cfg_required_string(dev, "template", &name, err) < 0) return -1;
    if (mdc_mb_template_get(name, &tpl, &e) < 0)
        return cfg_error(dev, "template", err, "%s", e.msg);
    json_t *tpoints = json_object_get(tpl, "points");
    bool *chosen = xcalloc(json_array_size(tpoints) + 1, sizeof *chosen);
    mdc_mb_point_nodes own = {0};
    int rc = own_points(dev, &own, err) < 0 || selection(dev, tpoints, chosen, err) < 0 ? -1 : 0;
    if (rc == 0) {
        merge(dev, tpoints, chosen, &own, pn);
        device_defaults(tpl, pn);
    }
    free(chosen);
    mdc_mb_point_nodes_free(&own);
    json_decref(tpl);
    return rc;
}

int mdc_mb_point_nodes_get(const mdc_cfgnode *dev, mdc_mb_point_nodes *out, mdc_err *err)
{
    memset(out, 0, sizeof *out);
    out->max_gap = -2;
    int rc;
    if (cfg_has(dev, "template"))
        rc = from_template(dev, out, err);
    else if (cfg_has(dev, "template_points"))
        rc = cfg_error(dev, "template_points", err, "only with \"template\"");
    else
        rc = own_points(dev, out, err);
    if (rc < 0) mdc_mb_point_nodes_free(out);
    return rc;
}

void mdc_mb_point_nodes_free(mdc_mb_point_nodes *pn)
{
    free(pn->nodes);
    json_decref(pn->keep);
    memset(pn, 0, sizeof *pn);
    pn->max_gap = -2;
}
