/* SPDX-License-Identifier: Apache-2.0 */
/* hems_args.h — the command line of hems-data-collector (research/hems.md §1), parsed the way
 * Python's argparse parses it: long options with "=VALUE" or a separate value, unique
 * prefixes of long options ("--out"), short options with attached values ("-fcsv"), a bare
 * "--output" taking zero or more values, the same error texts and exit code 2. Defaults come
 * from the environment (load .env first). */
#ifndef MDC_HEMS_ARGS_H
#define MDC_HEMS_ARGS_H

#include <stdbool.h>
#include <stdio.h>

enum { HEMS_OUT_STDOUT = 1, HEMS_OUT_FILE = 2, HEMS_OUT_GCLOUD = 4, HEMS_OUT_WEBHOOK = 8 };
enum { HEMS_MODE_SCHEDULE = 0, HEMS_MODE_INTERVAL = 1 };

typedef struct hems_args {
    const char *prog;   /* in usage and errors: "hems-data-collector" or "mdc hems" */
    unsigned outputs;   /* HEMS_OUT_* bits; 0: only log the records */
    const char *format; /* json | yaml | csv */
    const char *file;
    const char *gcp_project, *gcp_topic, *webhook_url, *port;
    long baudrate;
    const char *meter_channel, *meter_panid, *meter_ipv6; /* NULL when not given */
    int mode;
    const char *schedule;
    long interval;
    bool debug;
} hems_args;

/* Defaults, taken from the environment where the seed takes them. Returns 0, or 2 after
 * printing an error (SERIAL_RATE not an integer). */
int hems_args_defaults(hems_args *a, const char *prog, FILE *err);

/* Parses argv[1..argc). Returns -1 to go on, or the exit code: 0 after --help / --version
 * (printed to out; version_name is argv[0]'s basename), 2 after a usage error (usage and
 * error printed to err). */
int hems_args_parse(hems_args *a, int argc, char **argv, const char *version_name, FILE *out,
                    FILE *err);

void hems_print_usage(const char *prog, FILE *f);
void hems_print_help(const char *prog, FILE *f);
/* "usage: ...\nPROG: error: MSG\n"; returns 2. */
int hems_usage_error(const char *prog, FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
