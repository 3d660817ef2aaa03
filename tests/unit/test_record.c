/* SPDX-License-Identifier: Apache-2.0 */
/* Records reused from sample to sample: clear keeps names, assign copies into place, remove keeps
 * the kept names consistent. Run under ASan/valgrind these also catch double frees and leaks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/record.h"

#include <stdlib.h>
#include <string.h>

static void sample(mdc_record *r, double v)
{
    r->ts_us = 1000;
    mdc_record_set_device(r, "meter-1");
    r->status = 1;
    mdc_record_add_double(r, "voltage", v);
    mdc_record_add_string(r, "program", "PART.H");
    mdc_record_add_null(r, "current", "timeout");
}

static void clear_keeps_names_for_the_same_fields(void **state)
{
    (void)state;
    mdc_record r;
    mdc_record_init(&r);
    sample(&r, 230.1);
    const char *voltage_name = r.fields[0].name;
    mdc_field *fields = r.fields;
    mdc_record_clear(&r);
    assert_int_equal(r.nfields, 0);
    assert_null(r.device);
    assert_int_equal(r.status, MDC_STATUS_NONE);
    assert_int_equal(r.ts_us, 0);
    assert_int_equal(r.nkept, 3);
    sample(&r, 231.5);
    assert_ptr_equal(r.fields, fields);               /* same array */
    assert_ptr_equal(r.fields[0].name, voltage_name); /* same name, not copied again */
    assert_int_equal(r.nfields, 3);
    assert_true(r.fields[0].v.type == MDC_DOUBLE && r.fields[0].v.u.d == 231.5);
    assert_string_equal(r.fields[1].v.u.s, "PART.H");
    assert_string_equal(r.fields[2].error, "timeout");
    assert_null(r.fields[0].error);
    mdc_record_free(&r);
}

static void clear_then_other_names_replaces_them(void **state)
{
    (void)state;
    mdc_record r;
    mdc_record_init(&r);
    sample(&r, 1);
    mdc_record_clear(&r);
    mdc_record_add_int(&r, "parts", 7); /* a different first name */
    assert_string_equal(r.fields[0].name, "parts");
    assert_int_equal(r.nfields, 1);
    assert_int_equal(r.nkept, 3); /* "program" and "current" still kept behind */
    mdc_record_clear(&r);
    assert_int_equal(r.nkept, 3);
    mdc_record_free(&r); /* frees the kept names too */
    assert_int_equal(r.nkept, 0);
}

static void assign_copies_into_place(void **state)
{
    (void)state;
    mdc_record src, dst;
    mdc_record_init(&src);
    mdc_record_init(&dst);
    sample(&src, 230.1);
    src.seq = 42;
    mdc_record_set_error(&src, "unreachable");
    mdc_record_assign(&dst, &src);
    mdc_field *fields = dst.fields;
    assert_int_equal(dst.seq, 42);
    assert_string_equal(dst.device, "meter-1");
    assert_string_equal(dst.error, "unreachable");
    assert_int_equal(dst.nfields, 3);
    assert_ptr_not_equal(dst.fields[1].v.u.s, src.fields[1].v.u.s); /* a deep copy */
    src.fields[0].v.u.d = 232.0;
    mdc_record_assign(&dst, &src);
    assert_ptr_equal(dst.fields, fields);
    assert_true(dst.fields[0].v.u.d == 232.0);
    mdc_record_free(&src);
    mdc_record_free(&dst);
}

static void remove_keeps_order_and_kept_names(void **state)
{
    (void)state;
    mdc_record r;
    mdc_record_init(&r);
    mdc_record_add_int(&r, "a", 1);
    mdc_record_add_int(&r, "_hidden", 2);
    mdc_record_add_int(&r, "b", 3);
    mdc_record_add_int(&r, "c", 4);
    mdc_record_clear(&r); /* four names kept */
    mdc_record_add_int(&r, "a", 1);
    mdc_record_add_int(&r, "_hidden", 2); /* two in use, "b" and "c" kept behind */
    mdc_record_remove(&r, 1);
    assert_int_equal(r.nfields, 1);
    assert_int_equal(r.nkept, 3);
    assert_string_equal(r.fields[1].name, "b"); /* the kept tail moved down */
    mdc_record_add_int(&r, "b", 3);
    mdc_record_add_int(&r, "c", 4);
    mdc_record_add_int(&r, "d", 5);
    mdc_record_remove(&r, 0);
    assert_int_equal(r.nfields, 3);
    assert_string_equal(r.fields[0].name, "b");
    assert_string_equal(r.fields[2].name, "d");
    assert_int_equal(r.fields[2].v.u.i, 5);
    mdc_record_remove(&r, 2); /* the last one */
    assert_int_equal(r.nfields, 2);
    mdc_record_clear(&r);
    mdc_record_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clear_keeps_names_for_the_same_fields),
        cmocka_unit_test(clear_then_other_names_replaces_them),
        cmocka_unit_test(assign_copies_into_place),
        cmocka_unit_test(remove_keeps_order_and_kept_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
