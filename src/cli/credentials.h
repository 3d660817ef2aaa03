/* SPDX-License-Identifier: Apache-2.0 */
/* credentials.h — secrets handed over by systemd. A unit's LoadCredential=ID:PATH puts a copy
 * of PATH, readable by the service's user only, in $CREDENTIALS_DIRECTORY/ID, even when PATH is
 * readable by root alone (systemd.exec(5), "Credentials"). mdc takes them as environment
 * variables for ${NAME} references and the hems options:
 *   ID a variable name (DB_PASSWORD)   the variable, its value the file (one final newline cut)
 *   ID ending in ".env" (mdc.env)      a .env file: its KEY=VALUE lines (dotenv.h rules)
 *   any other ID (gcp-key.json)        left alone (pass its path: %d/gcp-key.json in the unit)
 * Variables already set are never overridden, as with .env files. */
#ifndef MDC_CLI_CREDENTIALS_H
#define MDC_CLI_CREDENTIALS_H

#include "core/err.h"

#include <stdbool.h>

/* Loads every credential (nothing when $CREDENTIALS_DIRECTORY is unset). Returns the number of
 * credentials used, or -1 with err naming the file. */
int cli_credentials_load(mdc_err *err);
/* Started by systemd (INVOCATION_ID or CREDENTIALS_DIRECTORY set). */
bool cli_under_systemd(void);

#endif
