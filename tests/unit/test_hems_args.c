/* SPDX-License-Identifier: Apache-2.0 */
/* hems-data-collector's command line parsed like argparse (texts checked against Python 3.11's
 * argparse with the same options): values, prefixes, short forms,
 * --output with zero or more values, defaults from the environment, exact error texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* The parser lives in the mdc program (src/cli), which is not a library. */
#include "../../src/cli/hems_args.c"

#include <stdlib.h>
#include <string.h>

typedef struct result {
    int rc;
    hems_args a;
    char *out, *err;
} result;

static result parse(const char *line)
{
    static char copy[512];
    char *argv[32] = {"hems-data-collector"};
    int argc = 1;
    snprintf(copy, sizeof copy, "%s", line);
    for (char *t = strtok(copy, " "); t && argc < 31; t = strtok(NULL, " "))
        argv[argc++] = strcmp(t, "<sp>") == 0 ? "a b" : t;
    result r = {0};
    size_t no, ne;
    FILE *out = open_memstream(&r.out, &no), *err = open_memstream(&r.err, &ne);
    r.rc = hems_args_defaults(&r.a, "hems-data-collector", err);
    if (r.rc < 0) r.rc = hems_args_parse(&r.a, argc, argv, "hems-data-collector", out, err);
    fclose(out);
    fclose(err);
    return r;
}

static void done(result *r)
{
    free(r->out);
    free(r->err);
}

static const char *usage_text =
    "usage: hems-data-collector [-h] [-v]\n"
    "                           [--output [{stdout,file,gcloud,webhook} ...]]\n"
    "                           [--format {json,yaml,csv}] [--file FILE]\n"
    "                           [--gcp-project GCP_PROJECT] [--gcp-topic GCP_TOPIC]\n"
    "                           [--webhook-url WEBHOOK_URL] [--port PORT]\n"
    "                           [--baudrate BAUDRATE]\n"
    "                           [--meter-channel METER_CHANNEL]\n"
    "                           [--meter-panid METER_PANID]\n"
    "                           [--meter-ipv6 METER_IPV6]\n"
    "                           [--mode {schedule,interval}] [--schedule SCHEDULE]\n"
    "                           [--interval INTERVAL] [--debug]\n";

static void expect_error(const char *line, const char *msg)
{
    result r = parse(line);
    assert_int_equal(r.rc, 2);
    char want[1024];
    snprintf(want, sizeof want, "%shems-data-collector: error: %s\n", usage_text, msg);
    assert_string_equal(r.err, want);
    assert_string_equal(r.out, "");
    done(&r);
}

static void clear_env(void)
{
    static const char *const names[] = {"GCP_PROJECT_ID", "GCP_TOPIC_NAME", "WEBHOOK_URL",
                                        "SERIAL_PORT", "SERIAL_RATE"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        unsetenv(names[i]);
}

static void test_defaults(void **state)
{
    (void)state;
    clear_env();
    result r = parse("");
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.a.outputs, 0);
    assert_string_equal(r.a.format, "json");
    assert_string_equal(r.a.file, "hems_data.dat");
    assert_string_equal(r.a.gcp_project, "your-project-id");
    assert_string_equal(r.a.gcp_topic, "hems-data");
    assert_string_equal(r.a.webhook_url, "http://localhost:8000/webhook");
    assert_string_equal(r.a.port, "/dev/ttyUSB0");
    assert_int_equal(r.a.baudrate, 115200);
    assert_null(r.a.meter_channel);
    assert_int_equal(r.a.mode, HEMS_MODE_SCHEDULE);
    assert_string_equal(r.a.schedule, "*/5 * * * *");
    assert_int_equal(r.a.interval, 300);
    assert_false(r.a.debug);
    done(&r);
    setenv("SERIAL_PORT", "/dev/ttyACM0", 1);
    setenv("SERIAL_RATE", " 9600 ", 1);
    setenv("WEBHOOK_URL", "http://127.0.0.1:9/x", 1);
    r = parse("--port /dev/ttyS1");
    assert_string_equal(r.a.port, "/dev/ttyS1"); /* the option wins over the environment */
    assert_int_equal(r.a.baudrate, 9600);
    assert_string_equal(r.a.webhook_url, "http://127.0.0.1:9/x");
    done(&r);
    setenv("SERIAL_RATE", "fast", 1);
    r = parse("");
    assert_int_equal(r.rc, 2);
    assert_string_equal(r.err,
                        "hems-data-collector: error: SERIAL_RATE: invalid int value: 'fast'\n");
    done(&r);
    clear_env();
}

static void test_values(void **state)
{
    (void)state;
    result r = parse("--mode interval -i 2 --output stdout file -f csv --file out.csv --debug");
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.a.mode, HEMS_MODE_INTERVAL);
    assert_int_equal(r.a.interval, 2);
    assert_int_equal(r.a.outputs, HEMS_OUT_STDOUT | HEMS_OUT_FILE);
    assert_string_equal(r.a.format, "csv");
    assert_string_equal(r.a.file, "out.csv");
    assert_true(r.a.debug);
    done(&r);
    r = parse("--out=webhook -fyaml -s=*/10 --interv +30 --baud 9_600 --meter-c 21 --meter-p 8888 "
              "--meter-i FE80:0:0:0:21C:6400:30C:12A4 --gcp-p p --gcp-t t --web http://h/ --po /x");
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.a.outputs, HEMS_OUT_WEBHOOK);
    assert_string_equal(r.a.format, "yaml");
    assert_string_equal(r.a.schedule, "*/10");
    assert_int_equal(r.a.interval, 30);
    assert_int_equal(r.a.baudrate, 9600);
    assert_string_equal(r.a.meter_channel, "21");
    assert_string_equal(r.a.meter_panid, "8888");
    assert_string_equal(r.a.meter_ipv6, "FE80:0:0:0:21C:6400:30C:12A4");
    assert_string_equal(r.a.gcp_project, "p");
    assert_string_equal(r.a.gcp_topic, "t");
    assert_string_equal(r.a.webhook_url, "http://h/");
    assert_string_equal(r.a.port, "/x");
    done(&r);
    /* a bare --output, a repeated one, a negative number as a value */
    r = parse("-o stdout -o");
    assert_int_equal(r.a.outputs, 0);
    done(&r);
    r = parse("-o stdout file -o gcloud -i -5");
    assert_int_equal(r.a.outputs, HEMS_OUT_GCLOUD);
    assert_int_equal(r.a.interval, -5);
    done(&r);
    r = parse("-ostdout");
    assert_int_equal(r.a.outputs, HEMS_OUT_STDOUT);
    done(&r);
}

static void test_help_and_version(void **state)
{
    (void)state;
    result r = parse("-v --bogus");
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, "hems-data-collector " MDC_VERSION "\n");
    done(&r);
    r = parse("--format csv --help");
    assert_int_equal(r.rc, 0);
    assert_memory_equal(r.out, usage_text, strlen(usage_text));
    assert_non_null(strstr(r.out, "\noptions:\n  -h, --help            show this help message and "
                                  "exit\n"));
    assert_string_equal(r.err, "");
    done(&r);
    r = parse("-hv");
    assert_int_equal(r.rc, 0);
    assert_memory_equal(r.out, "usage: ", 7);
    done(&r);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("--format xml",
                 "argument --format/-f: invalid choice: 'xml' (choose from 'json', 'yaml', 'csv')");
    expect_error("-o stdout email", "argument --output/-o: invalid choice: 'email' (choose from "
                                    "'stdout', 'file', 'gcloud', 'webhook')");
    expect_error("--mode daily",
                 "argument --mode: invalid choice: 'daily' (choose from 'schedule', 'interval')");
    expect_error("--interval 5s", "argument --interval/-i: invalid int value: '5s'");
    expect_error("--baudrate", "argument --baudrate: expected one argument");
    expect_error("-f --debug", "argument --format/-f: expected one argument");
    expect_error("--meter 21", "ambiguous option: --meter could match --meter-channel, "
                               "--meter-panid, --meter-ipv6");
    expect_error("--m x", "ambiguous option: --m could match --meter-channel, "
                          "--meter-panid, --meter-ipv6, --mode");
    expect_error("--debug=yes", "argument --debug: ignored explicit argument 'yes'");
    expect_error("extra --bogus <sp> -x", "unrecognized arguments: extra --bogus a b -x");
    expect_error("-- --debug", "unrecognized arguments: -- --debug");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
