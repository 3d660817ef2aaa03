/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_import_belmc.h — mdc import-belmc: BELmc's collector settings → an mdc configuration. */
#ifndef MDC_CMD_IMPORT_BELMC_H
#define MDC_CMD_IMPORT_BELMC_H

int cmd_import_belmc(int argc, char **argv);

#endif
