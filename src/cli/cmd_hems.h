/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_hems.h — `mdc hems`, also installed as `hems-data-collector` (main.c dispatches on the
 * name the program was started as). */
#ifndef MDC_CMD_HEMS_H
#define MDC_CMD_HEMS_H

/* argv[0] is the command name; prog names the program in usage and errors, version_name is
 * what --version prints before the version. Returns the exit code. */
int cmd_hems_as(int argc, char **argv, const char *prog, const char *version_name);
/* `mdc hems ...` (argv[0] = "hems"). */
int cmd_hems(int argc, char **argv);

#endif
