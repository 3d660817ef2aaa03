/* SPDX-License-Identifier: Apache-2.0 */
/* Prometheus text rendering of /metrics, byte for byte, and the JSON helpers of the API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "format/json_out.h"
#include "http/metrics.h"

#include <math.h>
#include <string.h>

static const char expected[] =
    "# HELP mdc_build_info The mdc version; always 1.\n"
    "# TYPE mdc_build_info gauge\n"
    "mdc_build_info{version=\"1.2.3\"} 1\n"
    "# HELP mdc_device_up 1 if the device answered its last poll.\n"
    "# TYPE mdc_device_up gauge\n"
    "mdc_device_up{device=\"m-1\"} 1\n"
    "mdc_device_up{device=\"we\\\"ird\\\\\\n\"} 0\n"
    "# HELP mdc_device_status Machine status of the last record: 0 OFF, 1 ON, 2 PRODUCTION, -1 "
    "unknown.\n"
    "# TYPE mdc_device_status gauge\n"
    "mdc_device_status{device=\"m-1\"} 2\n"
    "mdc_device_status{device=\"we\\\"ird\\\\\\n\"} -1\n"
    "# HELP mdc_device_polls_total Polls made, failed ones included.\n"
    "# TYPE mdc_device_polls_total counter\n"
    "mdc_device_polls_total{device=\"m-1\"} 10\n"
    "mdc_device_polls_total{device=\"we\\\"ird\\\\\\n\"} 0\n"
    "# HELP mdc_device_poll_errors_total Failed polls.\n"
    "# TYPE mdc_device_poll_errors_total counter\n"
    "mdc_device_poll_errors_total{device=\"m-1\"} 1\n"
    "mdc_device_poll_errors_total{device=\"we\\\"ird\\\\\\n\"} 0\n"
    "# HELP mdc_device_missed_slots_total Schedule slots skipped because a poll overran.\n"
    "# TYPE mdc_device_missed_slots_total counter\n"
    "mdc_device_missed_slots_total{device=\"m-1\"} 3\n"
    "mdc_device_missed_slots_total{device=\"we\\\"ird\\\\\\n\"} 0\n"
    "# HELP mdc_device_records_total Records spooled.\n"
    "# TYPE mdc_device_records_total counter\n"
    "mdc_device_records_total{device=\"m-1\"} 10\n"
    "mdc_device_records_total{device=\"we\\\"ird\\\\\\n\"} 0\n"
    "# HELP mdc_device_discarded_replies_total Replies discarded because they could not answer "
    "the request waiting (late, another unit, out of step).\n"
    "# TYPE mdc_device_discarded_replies_total counter\n"
    "mdc_device_discarded_replies_total{device=\"m-1\"} 2\n"
    "mdc_device_discarded_replies_total{device=\"we\\\"ird\\\\\\n\"} 0\n"
    "# HELP mdc_device_poll_duration_seconds Time a poll of the device took.\n"
    "# TYPE mdc_device_poll_duration_seconds histogram\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"m-1\",le=\"0.001\"} 2\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"m-1\",le=\"0.0025\"} 2\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"m-1\",le=\"0.005\"} 7\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"m-1\",le=\"0.01\"} 7\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"m-1\",le=\"0.025\"} 7\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"m-1\",le=\"0.05\"} 7\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"m-1\",le=\"0.1\"} 7\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"m-1\",le=\"0.25\"} 7\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"m-1\",le=\"0.5\"} 7\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"m-1\",le=\"1.0\"} 9\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"m-1\",le=\"2.5\"} 9\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"m-1\",le=\"5.0\"} 9\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"m-1\",le=\"+Inf\"} 10\n"
    "mdc_device_poll_duration_seconds_sum{device=\"m-1\"} 12.0345\n"
    "mdc_device_poll_duration_seconds_count{device=\"m-1\"} 10\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"we\\\"ird\\\\\\n\",le=\"0.001\"} 0\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"we\\\"ird\\\\\\n\",le=\"0.0025\"} 0\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"we\\\"ird\\\\\\n\",le=\"0.005\"} 0\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"we\\\"ird\\\\\\n\",le=\"0.01\"} 0\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"we\\\"ird\\\\\\n\",le=\"0.025\"} 0\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"we\\\"ird\\\\\\n\",le=\"0.05\"} 0\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"we\\\"ird\\\\\\n\",le=\"0.1\"} 0\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"we\\\"ird\\\\\\n\",le=\"0.25\"} 0\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"we\\\"ird\\\\\\n\",le=\"0.5\"} 0\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"we\\\"ird\\\\\\n\",le=\"1.0\"} 0\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"we\\\"ird\\\\\\n\",le=\"2.5\"} 0\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"we\\\"ird\\\\\\n\",le=\"5.0\"} 0\n"
    "mdc_device_poll_duration_seconds_bucket{device=\"we\\\"ird\\\\\\n\",le=\"+Inf\"} 0\n"
    "mdc_device_poll_duration_seconds_sum{device=\"we\\\"ird\\\\\\n\"} 0.0\n"
    "mdc_device_poll_duration_seconds_count{device=\"we\\\"ird\\\\\\n\"} 0\n"
    "# HELP mdc_records_lost_total Records the spool could not take (the disk or its reserve was "
    "full, or an error).\n"
    "# TYPE mdc_records_lost_total counter\n"
    "mdc_records_lost_total{device=\"m-1\",reason=\"disk_full\"} 4\n"
    "mdc_records_lost_total{device=\"m-1\",reason=\"spool_error\"} 0\n"
    "mdc_records_lost_total{device=\"we\\\"ird\\\\\\n\",reason=\"disk_full\"} 0\n"
    "mdc_records_lost_total{device=\"we\\\"ird\\\\\\n\",reason=\"spool_error\"} 0\n"
    "# HELP mdc_sink_up 1 while the sink delivers, 0 while it fails.\n"
    "# TYPE mdc_sink_up gauge\n"
    "mdc_sink_up{sink=\"sqlite:data/mdc.db\",type=\"sqlite\"} 1\n"
    "mdc_sink_up{sink=\"mqtt:127.0.0.1:1883/mdc/{device}\",type=\"mqtt\"} 0\n"
    "# HELP mdc_sink_delivered_records_total Records the sink has taken.\n"
    "# TYPE mdc_sink_delivered_records_total counter\n"
    "mdc_sink_delivered_records_total{sink=\"sqlite:data/mdc.db\",type=\"sqlite\"} 10\n"
    "mdc_sink_delivered_records_total{sink=\"mqtt:127.0.0.1:1883/mdc/{device}\",type=\"mqtt\"} "
    "4\n"
    "# HELP mdc_sink_failures_total Failed opens and writes of the sink.\n"
    "# TYPE mdc_sink_failures_total counter\n"
    "mdc_sink_failures_total{sink=\"sqlite:data/mdc.db\",type=\"sqlite\"} 0\n"
    "mdc_sink_failures_total{sink=\"mqtt:127.0.0.1:1883/mdc/{device}\",type=\"mqtt\"} 7\n"
    "# HELP mdc_sink_backlog_records Spooled records the sink has not taken yet.\n"
    "# TYPE mdc_sink_backlog_records gauge\n"
    "mdc_sink_backlog_records{sink=\"sqlite:data/mdc.db\",type=\"sqlite\"} 0\n"
    "mdc_sink_backlog_records{sink=\"mqtt:127.0.0.1:1883/mdc/{device}\",type=\"mqtt\"} 6\n"
    "# HELP mdc_sink_rejected_records_total Records the sink refused for good, by reason (each "
    "refusal counts).\n"
    "# TYPE mdc_sink_rejected_records_total counter\n"
    "mdc_sink_rejected_records_total{sink=\"mqtt:127.0.0.1:1883/mdc/{device}\",type=\"mqtt\","
    "reason=\"payload\"} 3\n"
    "# HELP mdc_sink_dead_letters Records in the dead-letter table (mdc spool list).\n"
    "# TYPE mdc_sink_dead_letters gauge\n"
    "mdc_sink_dead_letters{sink=\"sqlite:data/mdc.db\",type=\"sqlite\"} 0\n"
    "mdc_sink_dead_letters{sink=\"mqtt:127.0.0.1:1883/mdc/{device}\",type=\"mqtt\"} 1\n"
    "# HELP mdc_spool_records Records in the spool.\n"
    "# TYPE mdc_spool_records gauge\n"
    "mdc_spool_records 6\n"
    "# HELP mdc_spool_dropped_records_total Undelivered records dropped because the spool was "
    "full.\n"
    "# TYPE mdc_spool_dropped_records_total counter\n"
    "mdc_spool_dropped_records_total 0\n"
    "# HELP mdc_http_event_clients Open /api/events streams.\n"
    "# TYPE mdc_http_event_clients gauge\n"
    "mdc_http_event_clients 2\n"
    "# HELP mdc_http_connections Open HTTP connections.\n"
    "# TYPE mdc_http_connections gauge\n"
    "mdc_http_connections 5\n"
    "# HELP mdc_http_header_timeouts_total HTTP connections closed for not sending a complete "
    "request head in time.\n"
    "# TYPE mdc_http_header_timeouts_total counter\n"
    "mdc_http_header_timeouts_total 3\n"
    "# HELP mdc_config_reloads_total Configuration reloads (SIGHUP).\n"
    "# TYPE mdc_config_reloads_total counter\n"
    "mdc_config_reloads_total{result=\"success\"} 1\n"
    "mdc_config_reloads_total{result=\"failure\"} 0\n"
    "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
    "# TYPE process_resident_memory_bytes gauge\n"
    "process_resident_memory_bytes 4194304\n"
    "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
    "# TYPE process_virtual_memory_bytes gauge\n"
    "process_virtual_memory_bytes 104857600\n"
    "# HELP process_cpu_seconds_total User and system CPU time in seconds.\n"
    "# TYPE process_cpu_seconds_total counter\n"
    "process_cpu_seconds_total 0.25\n"
    "# HELP process_start_time_seconds Start time of the process since the Unix epoch in "
    "seconds.\n"
    "# TYPE process_start_time_seconds gauge\n"
    "process_start_time_seconds 1795327205.5\n"
    "# HELP process_open_fds Open file descriptors.\n"
    "# TYPE process_open_fds gauge\n"
    "process_open_fds 12\n";

static void test_render(void **state)
{
    (void)state;
    mdc_metrics_device devs[2] = {
        {.id = "m-1",
         .up = true,
         .status = 2,
         .polls = 10,
         .errors = 1,
         .missed = 3,
         .records = 10,
         .lost_disk_full = 4,
         .discarded = 2,
         .hist = {2, 0, 5, 0, 0, 0, 0, 0, 0, 2, 0, 0, 1},
         .latency_sum_s = 12.0345},
        {.id = "we\"ird\\\n", .status = -1},
    };
    mdc_metrics_sink sinks[2] = {
        {.id = "sqlite:data/mdc.db", .type = "sqlite", .up = true, .delivered = 10},
        {.id = "mqtt:127.0.0.1:1883/mdc/{device}",
         .type = "mqtt",
         .delivered = 4,
         .failures = 7,
         .backlog = 6,
         .dead_letters = 1,
         .reasons = {"payload"},
         .rejected = {3},
         .nreasons = 1},
    };
    mdc_metrics m = {.version = "1.2.3",
                     .devices = devs,
                     .ndevices = 2,
                     .sinks = sinks,
                     .nsinks = 2,
                     .has_spool = true,
                     .spool_records = 6,
                     .event_clients = 2,
                     .http_connections = 5,
                     .http_header_timeouts = 3,
                     .reloads_ok = 1,
                     .process = {.valid = true,
                                 .rss_bytes = 4194304,
                                 .vm_bytes = 104857600,
                                 .open_fds = 12,
                                 .cpu_seconds = 0.25,
                                 .start_time_seconds = 1795327205.5}};
    strbuf out = STRBUF_INIT;
    mdc_metrics_render(&m, &out);
    assert_string_equal(sb_str(&out), expected);
    sb_free(&out);
}

static void test_render_without_runtime(void **state)
{
    (void)state;
    mdc_metrics m = {.version = "1.2.3"};
    strbuf out = STRBUF_INIT;
    mdc_metrics_render(&m, &out);
    /* families without samples keep their headers; no spool or process lines */
    assert_non_null(strstr(sb_str(&out), "# TYPE mdc_device_up gauge\n# HELP mdc_device_status"));
    assert_null(strstr(sb_str(&out), "mdc_spool_records"));
    assert_null(strstr(sb_str(&out), "process_"));
    assert_non_null(strstr(sb_str(&out), "mdc_config_reloads_total{result=\"failure\"} 0\n"));
    sb_free(&out);
}

static void test_process(void **state)
{
    (void)state;
    mdc_metrics_process p;
    mdc_metrics_process_read(&p);
    assert_true(p.valid);
    assert_true(p.rss_bytes > 0);
    assert_true(p.vm_bytes >= p.rss_bytes);
    assert_true(p.open_fds >= 3);
    assert_true(p.start_time_seconds > 1.6e9);
}

static void test_json(void **state)
{
    (void)state;
    strbuf out = STRBUF_INIT;
    mdc_json_str(&out, "a\"b\\c\n\t\x01 \xc3\xa9 \xff \xed\xa0\x80 \xf0\x9f\x98\x80");
    assert_string_equal(sb_str(&out), "\"a\\\"b\\\\c\\n\\t\\u0001 \xc3\xa9 \xef\xbf\xbd "
                                      "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xf0\x9f\x98\x80\"");
    sb_reset(&out);
    mdc_json_str(&out, NULL);
    sb_putc(&out, ' ');
    mdc_json_double(&out, 0.1);
    sb_putc(&out, ' ');
    mdc_json_double(&out, NAN);
    sb_putc(&out, ' ');
    mdc_json_double(&out, 1e-7);
    mdc_json_key(&out, "k", 0);
    mdc_value v = {.type = MDC_INT, .u.i = -5};
    mdc_json_value(&out, &v);
    assert_string_equal(sb_str(&out), "null 0.1 null 1e-07, \"k\": -5");
    sb_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_render_without_runtime),
        cmocka_unit_test(test_process),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
