/* SPDX-License-Identifier: Apache-2.0 */
/* Credentials masked by field (core/redact.h), never by searching for a secret's text: a short
 * secret ("5") leaves the rest of the text alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/confread.h"
#include "core/redact.h"

#include <stdlib.h>
#include <string.h>

static void expect(const char *in, const char *want)
{
    strbuf s = STRBUF_INIT;
    sb_puts(&s, in);
    mdc_redact(&s);
    assert_string_equal(sb_str(&s), want);
    sb_free(&s);
}

static void test_fields(void **state)
{
    (void)state;
    expect("host=db port=5432 user=mdc password=s3cr3t dbname=x",
           "host=db port=5432 user=mdc password=*** dbname=x");
    expect("password='a b c' user=x", "password=*** user=x");
    expect("postgresql://mdc:pw%40x@db:5432/mes", "postgresql://mdc:***@db:5432/mes");
    expect("POST http://u:p@h:1/hook?token=abc&a=1&access_token=xyz failed",
           "POST http://u:***@h:1/hook?token=***&a=1&access_token=*** failed");
    expect("{\"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIE\\n\", \"type\": \"sa\"}",
           "{\"private_key\": \"***\", \"type\": \"sa\"}");
    expect("{\"access_token\":\"ya29.abc\",\"expires_in\":3600}",
           "{\"access_token\":\"***\",\"expires_in\":3600}");
    expect("Authorization: Bearer abc.def\r\nX-Api-Key: k1\r\nAccept: */*\r\n",
           "Authorization: ***\r\nX-Api-Key: ***\r\nAccept: */*\r\n");
    expect("{\"password\": 5}", "{\"password\": 5}"); /* not a string: not a credential's text */
}

static void test_free_text_untouched(void **state)
{
    (void)state;
    const char *plain[] = {
        "unit 1 FC4 addr 4519 count 2: exception 02 illegal data address",
        "Pub/Sub access token: token request refused (HTTP 400): invalid_grant: bad assertion",
        "postgres(belmc) 172.18.7.91:5432/BEL_MES4_150925 as postgres",
        "webhook http://127.0.0.1:8080/hook: HTTP 500",
        "unknown key \"typ\" (did you mean \"type\"?)",
        "keys=4 passes: 2 pass 3",
        NULL};
    for (size_t i = 0; plain[i]; i++)
        expect(plain[i], plain[i]);
}

/* mdc check's masking: a secret "5" (DB_PASSWORD=5) no longer turns addresses into "4***19". */
static void test_cfgdoc_mask_by_field(void **state)
{
    (void)state;
    setenv("MDC_T_PW", "5", 1);
    const char *text = "{\"password\": \"${MDC_T_PW}\"}";
    mdc_cfgdoc *doc;
    mdc_err err;
    assert_int_equal(mdc_cfgdoc_load_string("s.json", text, strlen(text), &doc, &err), 0);
    mdc_cfgnode root = mdc_cfgdoc_root(doc);
    const char *pw;
    assert_int_equal(cfg_secret(&root, "password", NULL, &pw, &err), 0);
    strbuf s = STRBUF_INIT;
    sb_puts(&s, "point v FC4 addr 4519 float32; host=db password=5 port=5432");
    mdc_cfgdoc_mask(doc, &s);
    assert_string_equal(sb_str(&s),
                        "point v FC4 addr 4519 float32; host=db password=*** port=5432");
    sb_free(&s);
    mdc_cfgdoc_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_free_text_untouched),
        cmocka_unit_test(test_cfgdoc_mask_by_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
