/* SPDX-License-Identifier: Apache-2.0 */
/* modbus_impl.h — the "modbus" driver's own types, shared by its files (private to this
 * directory):
 *   modbus_config.c  a device's keys → mdc_mb_dev
 *   modbus_points.c  points → formats, spans, the request plan (a point set, shared by every
 *                    device that names the same points_file)
 *   modbus_values.c  a poll's record: one field per point, filled request by request
 *   modbus_driver.c  the blocking bus (a thread per TCP endpoint or serial line; `mdc read`)
 *   modbus_async.c   the event-driven TCP bus (tcp_conn.c) for the runtime's event threads
 */
#ifndef MDC_MODBUS_IMPL_H
#define MDC_MODBUS_IMPL_H

#include "decode.h"
#include "core/catalog.h"
#include "drivers/driver.h"
#include "link.h"
#include "plan.h"

typedef struct mdc_mb_point {
    const char *name; /* owned by the configuration document of the point set */
    const char *unit;
    mdc_field_info info; /* unit, label, decimals, enum for the catalog (enum owned) */
    mdc_mb_format fmt;
    mdc_mb_span span;
} mdc_mb_point;

/* Parsed points and their plan. Shared (reference-counted) between the devices that read the
 * same points_file with the same plan options; a device with inline points has its own. */
typedef struct mdc_mb_pointset {
    mdc_mb_point *points;
    size_t npoints;
    const char **fields; /* point names, NULL-terminated */
    mdc_mb_span *spans;
    mdc_mb_plan plan;
    uint16_t max_count; /* largest request of the plan (values) */
    /* sharing */
    unsigned refs;
    char *key;       /* points_file: "realpath|bpr|rounding|max_regs|max_bits|max_gap";
                      * NULL when inline */
    mdc_cfgdoc *doc; /* points_file: the file's document (owns the strings) */
} mdc_mb_pointset;

typedef enum { MDC_MB_ENGINE_EVENT = 0, MDC_MB_ENGINE_BLOCKING = 1 } mdc_mb_engine;

/* One configured device. */
typedef struct mdc_mb_dev {
    mdc_mb_link_cfg link;
    char *bus_key; /* "tcp:HOST:PORT" or "serial:DEVICE" */
    int unit_id;
    mdc_mb_engine engine; /* TCP only */
    int max_outstanding;  /* TCP event engine: requests on the wire per connection */
    mdc_mb_pointset *ps;
} mdc_mb_dev;

/* modbus_config.c */
int mdc_mb_dev_parse(const mdc_device_cfg *dev, mdc_mb_dev **out, mdc_err *err);
void mdc_mb_dev_free(mdc_mb_dev *c); /* NULL is fine */
void mdc_mb_dev_describe(const mdc_mb_dev *c, strbuf *out);

/* What the device gives every point unless the point says otherwise. */
typedef struct mdc_mb_point_defaults {
    int bpr;                  /* "bytes_per_register" */
    mdc_mb_rounding rounding; /* "rounding" */
} mdc_mb_point_defaults;

/* The names of mdc_mb_rounding's values, as "rounding" takes them (NULL-terminated). */
extern const char *const mdc_mb_roundings[];
/* The keys of a device, its "connection", a point and a points_file (core/keys.h). */
struct mdc_keyset;
extern const struct mdc_keyset mdc_mb_device_keyset, mdc_mb_connection_keyset, mdc_mb_point_keyset,
    mdc_mb_points_file_keyset;

/* modbus_points.c: `node` holds "points" (the device, or a points file's root). */
int mdc_mb_points_parse(const mdc_cfgnode *node, const mdc_mb_point_defaults *pd,
                        const mdc_mb_plan_opts *opts, mdc_mb_pointset **out, mdc_err *err);
/* The same from a list of point nodes (template.h: a template's points merged with the
 * device's); errors about the whole set name `dev`. */
int mdc_mb_points_parse_nodes(const mdc_cfgnode *dev, const mdc_cfgnode *nodes, size_t n,
                              const mdc_mb_point_defaults *pd, const mdc_mb_plan_opts *opts,
                              mdc_mb_pointset **out, mdc_err *err);
/* The point set of a points_file (relative to the configuration file's directory), loaded once
 * per distinct file, defaults and options, and shared. */
int mdc_mb_points_file(const mdc_cfgnode *dev, const char *path, const mdc_mb_point_defaults *pd,
                       const mdc_mb_plan_opts *opts, mdc_mb_pointset **out, mdc_err *err);
void mdc_mb_points_release(mdc_mb_pointset *ps); /* NULL is fine */

/* modbus_values.c */
/* Starts a poll's record: one null field per point (plus room for derived fields). */
void mdc_mb_rec_begin(const mdc_mb_dev *c, mdc_record *rec);
/* Decodes the points of request r from its values. */
void mdc_mb_rec_store(const mdc_mb_dev *c, size_t r, const uint16_t *values, mdc_record *rec);
/* Marks the points of requests [from, to) as not read, with msg. */
void mdc_mb_rec_fail(const mdc_mb_dev *c, size_t from, size_t to, const char *msg, mdc_record *rec);

/* modbus_async.c */
extern const mdc_async_ops mdc_mb_async_ops;

#endif
