/* SPDX-License-Identifier: Apache-2.0 */
/* dotenv.h — loads KEY=VALUE lines from a .env file into the environment without overriding
 * variables that are already set (the python-dotenv rules users know):
 *   # comments, blank lines, optional "export ", values unquoted (trailing " # comment"
 *   stripped), 'single-quoted' (literal) or "double-quoted" (\n \t \" \\ escapes);
 *   ${NAME} in unquoted and double-quoted values expands from the environment.
 */
#ifndef MDC_DOTENV_H
#define MDC_DOTENV_H

#include "err.h"

#include <stddef.h>

/* Returns 1 if loaded, 0 if the file does not exist, -1 on a syntax/read error (err names
 * file:line). */
int mdc_dotenv_load(const char *path, mdc_err *err);
/* Parses text (for tests and fuzzing); `name` is used in errors. Same return convention. */
int mdc_dotenv_parse(const char *name, const char *text, size_t len, mdc_err *err);

#endif
