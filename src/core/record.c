/* SPDX-License-Identifier: Apache-2.0 */
#include "record.h"
#include "xalloc.h"

#include <math.h>
#include <string.h>

void mdc_value_free(mdc_value *v)
{
    if (v->type == MDC_STRING) free(v->u.s);
    v->type = MDC_NULL;
    v->u.i = 0;
}

void mdc_value_copy(mdc_value *dst, const mdc_value *src)
{
    *dst = *src;
    if (src->type == MDC_STRING) dst->u.s = xstrdup(src->u.s);
}

bool mdc_value_as_double(const mdc_value *v, double *out)
{
    switch (v->type) {
    case MDC_BOOL:
        *out = v->u.b ? 1.0 : 0.0;
        return true;
    case MDC_INT:
        *out = (double)v->u.i;
        return true;
    case MDC_DOUBLE:
        *out = v->u.d;
        return !isnan(v->u.d);
    default:
        return false;
    }
}

bool mdc_value_equal(const mdc_value *a, const mdc_value *b)
{
    if (a->type != b->type) return false;
    switch (a->type) {
    case MDC_NULL:
        return true;
    case MDC_BOOL:
        return a->u.b == b->u.b;
    case MDC_INT:
        return a->u.i == b->u.i;
    case MDC_DOUBLE:
        return a->u.d == b->u.d || (isnan(a->u.d) && isnan(b->u.d));
    case MDC_STRING:
        return strcmp(a->u.s, b->u.s) == 0;
    }
    return false;
}

void mdc_record_init(mdc_record *r)
{
    memset(r, 0, sizeof *r);
    r->status = MDC_STATUS_NONE;
}

static void field_free(mdc_field *f)
{
    free(f->name);
    free(f->error);
    mdc_value_free(&f->v);
}

void mdc_record_free(mdc_record *r)
{
    for (size_t i = 0; i < r->nfields; i++)
        field_free(&r->fields[i]);
    for (size_t i = r->nfields; i < r->nkept; i++)
        free(r->fields[i].name);
    free(r->fields);
    free(r->device);
    free(r->error);
    mdc_record_init(r);
}

void mdc_record_copy(mdc_record *dst, const mdc_record *src)
{
    *dst = *src;
    dst->device = src->device ? xstrdup(src->device) : NULL;
    dst->error = src->error ? xstrdup(src->error) : NULL;
    dst->fields = src->nfields ? xcalloc(src->nfields, sizeof *dst->fields) : NULL;
    dst->cap = src->nfields;
    dst->nkept = 0;
    for (size_t i = 0; i < src->nfields; i++) {
        dst->fields[i].name = xstrdup(src->fields[i].name);
        dst->fields[i].error = src->fields[i].error ? xstrdup(src->fields[i].error) : NULL;
        mdc_value_copy(&dst->fields[i].v, &src->fields[i].v);
    }
}

void mdc_record_clear(mdc_record *r)
{
    for (size_t i = 0; i < r->nfields; i++) {
        free(r->fields[i].error);
        r->fields[i].error = NULL;
        mdc_value_free(&r->fields[i].v);
    }
    if (r->nfields > r->nkept) r->nkept = r->nfields;
    mdc_field *fields = r->fields;
    size_t cap = r->cap, nkept = r->nkept;
    free(r->device);
    free(r->error);
    mdc_record_init(r);
    r->fields = fields;
    r->cap = cap;
    r->nkept = nkept;
}

/* Sets a field's name, reusing the kept one when it is the same text. */
static void take_name(mdc_record *r, mdc_field *f, const char *name)
{
    bool kept = (size_t)(f - r->fields) < r->nkept;
    if (kept && strcmp(f->name, name) == 0) return;
    if (kept) free(f->name);
    f->name = xstrdup(name);
}

void mdc_record_assign(mdc_record *dst, const mdc_record *src)
{
    mdc_record_clear(dst);
    mdc_record_reserve(dst, src->nfields);
    for (size_t i = 0; i < src->nfields; i++) {
        mdc_field *f = mdc_record_add(dst, src->fields[i].name);
        f->error = src->fields[i].error ? xstrdup(src->fields[i].error) : NULL;
        mdc_value_copy(&f->v, &src->fields[i].v);
    }
    dst->seq = src->seq;
    dst->redelivered = src->redelivered;
    dst->ts_us = src->ts_us;
    dst->device = src->device ? xstrdup(src->device) : NULL;
    dst->has_machine_id = src->has_machine_id;
    dst->machine_id = src->machine_id;
    dst->status = src->status;
    dst->error = src->error ? xstrdup(src->error) : NULL;
    dst->shift_start_us = src->shift_start_us;
}

void mdc_record_remove(mdc_record *r, size_t i)
{
    field_free(&r->fields[i]);
    size_t end = r->nkept > r->nfields ? r->nkept : r->nfields;
    memmove(&r->fields[i], &r->fields[i + 1], (end - i - 1) * sizeof *r->fields);
    r->nfields--;
    if (r->nkept > r->nfields) r->nkept--; /* the kept tail moved down by one */
}

void mdc_record_set_device(mdc_record *r, const char *device)
{
    free(r->device);
    r->device = device ? xstrdup(device) : NULL;
}

void mdc_record_set_error(mdc_record *r, const char *msg)
{
    free(r->error);
    r->error = msg ? xstrdup(msg) : NULL;
}

void mdc_record_reserve(mdc_record *r, size_t n)
{
    xgrow(&r->fields, &r->cap, r->nfields + n, sizeof *r->fields);
}

mdc_field *mdc_record_add(mdc_record *r, const char *name)
{
    xgrow(&r->fields, &r->cap, r->nfields + 1, sizeof *r->fields);
    mdc_field *f = &r->fields[r->nfields];
    take_name(r, f, name);
    f->v = (mdc_value){0};
    f->error = NULL;
    r->nfields++;
    return f;
}

mdc_field *mdc_record_add_null(mdc_record *r, const char *name, const char *error)
{
    mdc_field *f = mdc_record_add(r, name);
    if (error) f->error = xstrdup(error);
    return f;
}

mdc_field *mdc_record_add_bool(mdc_record *r, const char *name, bool b)
{
    mdc_field *f = mdc_record_add(r, name);
    mdc_field_set_bool(f, b);
    return f;
}

mdc_field *mdc_record_add_int(mdc_record *r, const char *name, int64_t i)
{
    mdc_field *f = mdc_record_add(r, name);
    mdc_field_set_int(f, i);
    return f;
}

mdc_field *mdc_record_add_double(mdc_record *r, const char *name, double d)
{
    mdc_field *f = mdc_record_add(r, name);
    mdc_field_set_double(f, d);
    return f;
}

mdc_field *mdc_record_add_string(mdc_record *r, const char *name, const char *s)
{
    mdc_field *f = mdc_record_add(r, name);
    mdc_field_set_string(f, s);
    return f;
}

mdc_field *mdc_record_find(const mdc_record *r, const char *name)
{
    for (size_t i = 0; i < r->nfields; i++)
        if (strcmp(r->fields[i].name, name) == 0) return &r->fields[i];
    return NULL;
}

size_t mdc_record_error_count(const mdc_record *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nfields; i++)
        n += r->fields[i].error != NULL;
    return n;
}

static void field_reset(mdc_field *f)
{
    mdc_value_free(&f->v);
    free(f->error);
    f->error = NULL;
}

void mdc_field_set_double(mdc_field *f, double d)
{
    field_reset(f);
    if (isnan(d) || isinf(d)) {
        f->error = xstrdup(isnan(d) ? "value is NaN" : "value is infinite");
        return;
    }
    f->v.type = MDC_DOUBLE;
    f->v.u.d = d;
}

void mdc_field_set_int(mdc_field *f, int64_t i)
{
    field_reset(f);
    f->v.type = MDC_INT;
    f->v.u.i = i;
}

void mdc_field_set_bool(mdc_field *f, bool b)
{
    field_reset(f);
    f->v.type = MDC_BOOL;
    f->v.u.b = b;
}

void mdc_field_set_string(mdc_field *f, const char *s)
{
    field_reset(f);
    f->v.type = MDC_STRING;
    f->v.u.s = xstrdup(s ? s : "");
}

void mdc_field_set_error(mdc_field *f, const char *msg)
{
    field_reset(f);
    f->error = xstrdup(msg ? msg : "error");
}

const char *mdc_record_state_name(const mdc_record *r)
{
    if (r->error) return "UNREACHABLE";
    switch (r->status) {
    case MDC_STATUS_OFF:
        return "OFF";
    case MDC_STATUS_ON:
        return "ON";
    case MDC_STATUS_PRODUCTION:
        return "PRODUCTION";
    default:
        return "ONLINE";
    }
}
