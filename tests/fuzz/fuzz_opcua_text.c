/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: node ids in text ("ns=2;s=…", "i=", "g=", "b=", "nsu=…;"), endpoint URLs and
 * base64. A parsed node id must format to text that parses back to the same node id. */
#include "drivers/opcua/ua_text.h"
#include "drivers/opcua/ua_transport.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_nodeid(const char *text)
{
    ua_nodeid id, back;
    char *uri = NULL, *uri2 = NULL;
    mdc_err err;
    if (ua_nodeid_parse(text, &id, &uri, &err) < 0) return;
    strbuf t = STRBUF_INIT;
    if (uri) sb_printf(&t, "nsu=%s;", uri);
    ua_nodeid_format(&id, &t);
    if (uri) { /* the formatter writes ns=, the URI form is re-added above */
        t.len = 0;
        sb_printf(&t, "nsu=%s;", uri);
        ua_nodeid plain = id;
        plain.ns = 0;
        ua_nodeid_format(&plain, &t);
    }
    if (t.len > 4096) { /* longer than parsing accepts (base64 may grow by padding) */
        ua_nodeid_clear(&id);
        free(uri);
        sb_free(&t);
        return;
    }
    if (ua_nodeid_parse(sb_str(&t), &back, &uri2, &err) < 0) abort();
    if (!ua_nodeid_eq(&id, &back)) abort();
    if ((uri == NULL) != (uri2 == NULL) || (uri && strcmp(uri, uri2) != 0)) abort();
    ua_nodeid_clear(&id);
    ua_nodeid_clear(&back);
    free(uri);
    free(uri2);
    sb_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    check_nodeid(text);
    ua_url u;
    mdc_err err;
    ua_url_parse(text, &u, &err);
    strbuf b = STRBUF_INIT;
    ua_base64_decode(text, size, &b);
    sb_free(&b);
    free(text);
    return 0;
}
