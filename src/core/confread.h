/* SPDX-License-Identifier: Apache-2.0 */
/* confread.h — typed, validated access to the JSON configuration with precise error messages.
 *
 * A configuration document is parsed once (jansson) and scanned once more to remember where
 * every key sits, so every error names "FILE:LINE:COL: path.to.key: what is wrong; what is
 * allowed". String values are expanded (${NAME} from the environment) when read. A number may
 * also be given as a string that expands to a number ("baud": "${BAUD}").
 *
 * Every getter returns 0 on success and -1 with err filled. Strings returned are owned by the
 * document and live until mdc_cfgdoc_free(). Values read with cfg_secret() are remembered so
 * that they can be masked in any text shown to the user (mdc_cfgdoc_mask()).
 */
#ifndef MDC_CONFREAD_H
#define MDC_CONFREAD_H

#include "err.h"
#include "strbuf.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct mdc_cfgdoc mdc_cfgdoc;

typedef struct mdc_cfgnode {
    mdc_cfgdoc *doc;
    json_t *json;   /* borrowed from the document */
    char path[192]; /* "devices[0].points[2]"; "" for the root */
} mdc_cfgnode;

int mdc_cfgdoc_load_file(const char *path, mdc_cfgdoc **out, mdc_err *err);
/* `name` is what errors call the text (a file name or "<string>"). */
int mdc_cfgdoc_load_string(const char *name, const char *text, size_t len, mdc_cfgdoc **out,
                           mdc_err *err);
void mdc_cfgdoc_free(mdc_cfgdoc *doc);
mdc_cfgnode mdc_cfgdoc_root(mdc_cfgdoc *doc);
const char *mdc_cfgdoc_name(const mdc_cfgdoc *doc);
/* Directory of the file ("." for strings); relative paths in the config are resolved by users. */
const char *mdc_cfgdoc_dir(const mdc_cfgdoc *doc);
/* Frees the parsed JSON tree and the key positions once everything has been read (strings
 * handed out stay valid). Nodes of this document must not be used afterwards. */
void mdc_cfgdoc_drop_tree(mdc_cfgdoc *doc);
/* Masks credentials in `text` (in place) by field — a URL's password, NAME=VALUE, "NAME":
 * "VALUE" and headers of credential names (redact.h) — never by searching for the secrets
 * read (which would mask every "5" of a text when a password is "5"). What mdc prints is built
 * without secrets; this is the safety net for text from elsewhere. */
void mdc_cfgdoc_mask(const mdc_cfgdoc *doc, strbuf *text);

/* Formats "FILE:LINE:COL: path.key: message". key may be NULL (the node itself). Returns -1. */
int cfg_error(const mdc_cfgnode *n, const char *key, mdc_err *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Fails on any key of n not in `allowed` (NULL-terminated), suggesting the closest one. Every
 * checked object may also hold "_comment" (a string or an array of strings): notes beside the
 * settings, as `mdc init` writes them; any other type is an error. */
int cfg_check_keys(const mdc_cfgnode *n, const char *const *allowed, mdc_err *err);
bool cfg_has(const mdc_cfgnode *n, const char *key);

/* Optional string: *out = def when the key is missing (def may be NULL). */
int cfg_string(const mdc_cfgnode *n, const char *key, const char *def, const char **out,
               mdc_err *err);
int cfg_required_string(const mdc_cfgnode *n, const char *key, const char **out, mdc_err *err);
/* Like cfg_string, and the value is masked in any output. */
int cfg_secret(const mdc_cfgnode *n, const char *key, const char *def, const char **out,
               mdc_err *err);
int cfg_int(const mdc_cfgnode *n, const char *key, int64_t def, int64_t min, int64_t max,
            int64_t *out, mdc_err *err);
int cfg_double(const mdc_cfgnode *n, const char *key, double def, double *out, mdc_err *err);
int cfg_bool(const mdc_cfgnode *n, const char *key, bool def, bool *out, mdc_err *err);
/* A number of seconds or a string "500ms", "5s", "2m", "1h" (also "1.5s"); must be > 0. */
int cfg_duration_us(const mdc_cfgnode *n, const char *key, int64_t def, int64_t *out, mdc_err *err);
/* A number of bytes or a string "512MB", "2GiB", "100kB" (decimal and binary units); >= 0. */
int cfg_size_bytes(const mdc_cfgnode *n, const char *key, int64_t def, int64_t *out, mdc_err *err);
int mdc_parse_size(const char *s, int64_t *out);
/* One of `names` (NULL-terminated); *out = index. Missing → def. */
int cfg_enum(const mdc_cfgnode *n, const char *key, const char *const *names, int def, int *out,
             mdc_err *err);
/* Object member: *present=false (and out->json NULL) when missing. */
int cfg_object(const mdc_cfgnode *n, const char *key, mdc_cfgnode *out, bool *present,
               mdc_err *err);
/* Array member length (0 when missing); fails if the member is not an array. */
int cfg_array(const mdc_cfgnode *n, const char *key, size_t *count, mdc_err *err);
/* Element i of array member `key`, which must be an object. */
int cfg_array_object(const mdc_cfgnode *n, const char *key, size_t i, mdc_cfgnode *out,
                     mdc_err *err);
/* Element i of array member `key`, which must be a string (expanded). */
int cfg_array_string(const mdc_cfgnode *n, const char *key, size_t i, const char **out,
                     mdc_err *err);

/* Shared helpers, also used outside JSON (CLI flags, env): */
/* Parses "500ms", "5s", "2m", "1h", "1.5" (seconds). Returns -1 if invalid or <= 0. */
int mdc_parse_duration_us(const char *s, int64_t *out);
/* Expands ${NAME} (and ${NAME:-default}) from the environment; "$$" is a literal "$".
 * On an unset variable without default returns -1 and names it in err. */
int mdc_expand_env(const char *in, strbuf *out, mdc_err *err);
/* The candidate closest to `word` by edit distance if close enough, else NULL. */
const char *mdc_did_you_mean(const char *word, const char *const *candidates);

#endif
