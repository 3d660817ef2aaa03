/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_extra.h — the commands that start a site: init (a starter configuration), scan (what
 * answers on a Modbus line or host), templates (the built-in register maps). Each returns the
 * process exit code (cli.h). */
#ifndef MDC_CLI_CMD_EXTRA_H
#define MDC_CLI_CMD_EXTRA_H

int cmd_init(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_templates(int argc, char **argv);

#endif
