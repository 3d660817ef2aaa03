/* SPDX-License-Identifier: Apache-2.0 */
/* Modules (core/module.h): a module linked into the program is used as is, once; one of another
 * build or under another name is refused; one that is nowhere gives the exact error naming
 * what was tried and what to do. (Loading from a folder: tests/integration/test_modules.sh.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/module.h"
#include "sinks/sink_config.h"
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Found by dlsym() in this program, which exports its symbols (as mdc does). */
extern const mdc_module_head mdc_module_oldbuild, mdc_module_misnamed;
const mdc_module_head mdc_module_oldbuild = {"oldbuild", "0.0.1"};
const mdc_module_head mdc_module_misnamed = {"other", MDC_VERSION};

static void test_linked_in_once(void **state)
{
    (void)state;
    mdc_err err = {0};
    const mdc_sink_module *m = (const mdc_sink_module *)mdc_module_entry("postgres", &err);
    assert_non_null(m);
    assert_string_equal(m->head.name, "postgres");
    assert_string_equal(m->head.version, MDC_VERSION);
    assert_string_equal(m->types[0].name, "postgres");
    assert_ptr_equal(m, mdc_module_entry("postgres", &err)); /* kept, not looked up again */
}

static void test_other_build_refused(void **state)
{
    (void)state;
    mdc_err err = {0};
    assert_null(mdc_module_entry("oldbuild", &err));
    assert_string_equal(err.msg, "the oldbuild module linked in is of mdc 0.0.1, this program is "
                                 "mdc " MDC_VERSION ": install the modules of the same build (or "
                                 "set MDC_MODULE_DIR to them)");
    assert_null(mdc_module_entry("misnamed", &err));
    assert_string_equal(err.msg, "the misnamed module linked in calls itself \"other\": install "
                                 "the modules of this build (or set MDC_MODULE_DIR to them)");
}

static void test_missing_names_what_was_tried(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    setenv("MDC_MODULE_DIR", dir, 1);
    mdc_err err = {0};
    assert_null(mdc_module_entry("nosuch", &err));
    char want[1024];
    snprintf(want, sizeof want,
             "cannot load the nosuch module: tried %s/nosuch.so (No such file or directory); "
             "MDC_MODULE_DIR must name the folder that holds mdc's modules (unset, mdc uses the "
             "installed ones in %s)",
             dir, mdc_module_install_dir());
    assert_string_equal(err.msg, want);
    /* a file that is no shared object: the loader's reason, still no entry */
    char path[600];
    snprintf(path, sizeof path, "%s/broken.so", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("not an ELF file\n", f);
    fclose(f);
    assert_null(mdc_module_entry("broken", &err));
    snprintf(want, sizeof want, "cannot load the broken module: tried %s/broken.so (", dir);
    assert_memory_equal(err.msg, want, strlen(want));
    unsetenv("MDC_MODULE_DIR");
    tu_rmdir(dir);
}

static void test_name_too_long(void **state)
{
    (void)state;
    mdc_err err = {0};
    assert_null(mdc_module_entry("a_module_name_much_longer_than_allowed", &err));
    assert_string_equal(err.msg, "module name too long: a_module_name_much_longer_than_allowed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linked_in_once),
        cmocka_unit_test(test_other_build_refused),
        cmocka_unit_test(test_missing_names_what_was_tried),
        cmocka_unit_test(test_name_too_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
