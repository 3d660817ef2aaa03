/* SPDX-License-Identifier: Apache-2.0 */
/* template.h — register maps of common energy meters for "template": "NAME" in a modbus device
 * (templates/modbus/NAME.json, built into the binary). A template names its source document
 * and holds points in the same form as a device's "points", plus the meter's factory line
 * settings ("line") and device defaults ("device": max_registers_per_request, max_gap).
 *
 * The points a device reads (mdc_mb_point_nodes_get): without a template its "points"; with
 * one, the template's points (all, or those named in "template_points"), each changed key by
 * key by a device point of the same name, then the device's other points. */
#ifndef MDC_MODBUS_TEMPLATE_H
#define MDC_MODBUS_TEMPLATE_H

#include "core/confread.h"
#include "core/err.h"

#include <jansson.h>
#include <stddef.h>

typedef struct mdc_mb_template_text {
    const char *name; /* "sdm630" */
    const char *json;
    size_t len;
} mdc_mb_template_text;

/* Every built-in template, by name; ended by an entry with name NULL. */
extern const mdc_mb_template_text mdc_mb_template_texts[];

/* The template `name`, parsed and checked (keys, points with unique names). *out is owned by
 * the caller (json_decref). An unknown name is MDC_EINVAL naming the closest and all names. */
int mdc_mb_template_get(const char *name, json_t **out, mdc_err *err);

typedef struct mdc_mb_point_nodes {
    mdc_cfgnode *nodes; /* owned; json borrowed from the document or from `keep` */
    size_t n;
    json_t *keep;      /* owns the merged point objects; NULL without a template */
    int max_registers; /* the template's max_registers_per_request; 0 = none */
    int max_gap;       /* the template's max_gap; -2 = none */
} mdc_mb_point_nodes;

/* The points of modbus device `dev` (see above); errors name the device's keys. */
int mdc_mb_point_nodes_get(const mdc_cfgnode *dev, mdc_mb_point_nodes *out, mdc_err *err);
void mdc_mb_point_nodes_free(mdc_mb_point_nodes *pn);

#endif
