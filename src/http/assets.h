/* SPDX-License-Identifier: Apache-2.0 */
/* assets.h — the dashboard's files (web/), embedded in the binary at build time (CMake writes
 * web_assets.c), so that the dashboard works without any network or installed files. */
#ifndef MDC_HTTP_ASSETS_H
#define MDC_HTTP_ASSETS_H

#include <stddef.h>

typedef struct mdc_http_asset {
    const char *name; /* "index.html" */
    const char *type; /* Content-Type */
    const unsigned char *data;
    size_t len;
} mdc_http_asset;

/* Terminated by an entry with name NULL. */
extern const mdc_http_asset mdc_http_assets[];

const mdc_http_asset *mdc_http_asset_find(const char *name);

#endif
