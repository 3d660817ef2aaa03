/* SPDX-License-Identifier: Apache-2.0 */
/* credentials.c — secrets from $CREDENTIALS_DIRECTORY (credentials.h). */
#include "credentials.h"

#include "core/dotenv.h"
#include "core/strbuf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_VALUE (64 * 1024)

bool cli_under_systemd(void)
{
    const char *a = getenv("INVOCATION_ID"), *b = getenv("CREDENTIALS_DIRECTORY");
    return (a && *a) || (b && *b);
}

static bool variable_name(const char *s)
{
    if (!isalpha((unsigned char)*s) && *s != '_') return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_') return false;
    return true;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

/* NAME=contents of path (without one final newline), unless NAME is set. */
static int load_variable(const char *name, const char *path, mdc_err *err)
{
    if (getenv(name)) return 0;
    FILE *f = fopen(path, "rb");
    if (!f) return mdc_err_set(err, MDC_EIO, "credential %s: %s", path, strerror(errno));
    strbuf v = STRBUF_INIT;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0 && v.len <= MAX_VALUE)
        sb_append(&v, buf, n);
    fclose(f);
    int rc = 0;
    if (v.len > MAX_VALUE || memchr(sb_str(&v), '\0', v.len))
        rc = mdc_err_set(err, MDC_EINVAL, "credential %s: not a text of at most %d bytes", path,
                         MAX_VALUE);
    if (rc == 0 && v.len && v.buf[v.len - 1] == '\n') v.buf[--v.len] = '\0';
    if (rc == 0) setenv(name, sb_str(&v), 0);
    sb_free(&v);
    return rc;
}

static int load_one(const char *dir, const char *id, mdc_err *err)
{
    strbuf path = STRBUF_INIT;
    sb_printf(&path, "%s/%s", dir, id);
    struct stat st;
    int rc = 0;
    if (stat(sb_str(&path), &st) < 0 || !S_ISREG(st.st_mode))
        rc = 0; /* not a credential file */
    else if (ends_with(id, ".env"))
        rc = mdc_dotenv_load(sb_str(&path), err) < 0 ? -1 : 1;
    else if (variable_name(id))
        rc = load_variable(id, sb_str(&path), err) < 0 ? -1 : 1;
    sb_free(&path);
    return rc;
}

static int not_hidden(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

int cli_credentials_load(mdc_err *err)
{
    const char *dir = getenv("CREDENTIALS_DIRECTORY");
    if (!dir || !*dir) return 0;
    struct dirent **names;
    int n = scandir(dir, &names, not_hidden, alphasort); /* the same order every time */
    if (n < 0)
        return mdc_err_set(err, MDC_EIO, "credentials directory %s: %s", dir, strerror(errno));
    int used = 0;
    for (int i = 0; i < n; i++) {
        int rc = used < 0 ? 0 : load_one(dir, names[i]->d_name, err);
        used = rc < 0 ? -1 : used + rc;
        free(names[i]);
    }
    free(names);
    return used;
}
