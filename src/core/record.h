/* SPDX-License-Identifier: Apache-2.0 */
/* record.h — the unit of data that flows from derive, through the spool, to every sink.
 *
 * A record is one device poll: a UTC timestamp, the device identity, an optional status, and an
 * ordered list of named typed fields (configured points first, then derived fields). A field
 * whose value could not be read is MDC_NULL and carries an error message. A device that could
 * not be reached yields a record with status 0 and `error` set.
 *
 * Rendered as a flat object, in this order:
 *   timestamp, device (if set), machine_id (if set), status (if >= 0), fields..., errors, error
 *
 * Ownership: a record owns every string it points to. mdc_record_free() releases them.
 */
#ifndef MDC_RECORD_H
#define MDC_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum mdc_vtype {
    MDC_NULL = 0,
    MDC_BOOL,
    MDC_INT,
    MDC_DOUBLE,
    MDC_STRING,
} mdc_vtype;

typedef struct mdc_value {
    mdc_vtype type;
    union {
        bool b;
        int64_t i;
        double d;
        char *s; /* owned by whoever owns the value */
    } u;
} mdc_value;

typedef struct mdc_field {
    char *name;  /* owned */
    mdc_value v; /* string owned */
    char *error; /* owned; non-NULL iff the value could not be read (v is then MDC_NULL) */
} mdc_field;

enum { MDC_STATUS_NONE = -1, MDC_STATUS_OFF = 0, MDC_STATUS_ON = 1, MDC_STATUS_PRODUCTION = 2 };

typedef struct mdc_record {
    int64_t seq; /* spool sequence number, 0 before the record is spooled */
    /* offered again from the spool's dead-letter table: a sink must write it even though its
     * seq is at or below the position it has committed (in memory only, never encoded) */
    bool redelivered;
    int64_t ts_us; /* sample time, microseconds since the epoch, UTC */
    char *device;  /* NULL for bare records (the hems format has no device key) */
    bool has_machine_id;
    int64_t machine_id;
    int status; /* MDC_STATUS_NONE when the device has no status rules */
    mdc_field *fields;
    size_t nfields, cap;
    size_t nkept; /* fields[nfields..nkept) keep only their names, for reuse after a clear */
    char *error;  /* device-level error (unreachable, login failed); NULL otherwise */
    int64_t shift_start_us; /* start of the shift `ts_us` belongs to; 0 when unknown */
} mdc_record;

void mdc_value_free(mdc_value *v);
void mdc_value_copy(mdc_value *dst, const mdc_value *src);
/* Numeric view: bool → 0/1, int → double; returns false for null and strings. */
bool mdc_value_as_double(const mdc_value *v, double *out);
bool mdc_value_equal(const mdc_value *a, const mdc_value *b);

/* The machine state a record shows: "UNREACHABLE" (device-level error), "OFF", "ON",
 * "PRODUCTION", or "ONLINE" (reachable, no status rules). */
const char *mdc_record_state_name(const mdc_record *r);

void mdc_record_init(mdc_record *r);
void mdc_record_free(mdc_record *r);
void mdc_record_copy(mdc_record *dst, const mdc_record *src);
/* Empties r for the next sample of the same source, keeping its memory: the field array and
 * the field names, which mdc_record_add reuses when the same names come again in order. */
void mdc_record_clear(mdc_record *r);
/* dst (initialised) becomes a copy of src, reusing dst's memory. */
void mdc_record_assign(mdc_record *dst, const mdc_record *src);
/* Removes (and frees) field i, keeping the order of the others. */
void mdc_record_remove(mdc_record *r, size_t i);
void mdc_record_set_device(mdc_record *r, const char *device);
void mdc_record_set_error(mdc_record *r, const char *msg);

/* Makes room for n more fields. */
void mdc_record_reserve(mdc_record *r, size_t n);
/* Appends a field (name copied) and returns it; the value is null until set. */
mdc_field *mdc_record_add(mdc_record *r, const char *name);
mdc_field *mdc_record_add_null(mdc_record *r, const char *name, const char *error);
mdc_field *mdc_record_add_bool(mdc_record *r, const char *name, bool b);
mdc_field *mdc_record_add_int(mdc_record *r, const char *name, int64_t i);
mdc_field *mdc_record_add_double(mdc_record *r, const char *name, double d);
mdc_field *mdc_record_add_string(mdc_record *r, const char *name, const char *s);
mdc_field *mdc_record_find(const mdc_record *r, const char *name);
/* Number of fields with an error message. */
size_t mdc_record_error_count(const mdc_record *r);

/* Field setters (replace the current value, clear the error). */
void mdc_field_set_double(mdc_field *f, double d);
void mdc_field_set_int(mdc_field *f, int64_t i);
void mdc_field_set_bool(mdc_field *f, bool b);
void mdc_field_set_string(mdc_field *f, const char *s);
void mdc_field_set_error(mdc_field *f, const char *msg); /* value becomes null */

#endif
