/* SPDX-License-Identifier: Apache-2.0 */
/* SKSTACK-IP lines (both module families), the stream reader that cuts lines and ERXUDP
 * receptions in hex and binary form, and the command text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "drivers/broute/hex.h"
#include "drivers/broute/skcmd.h"
#include "drivers/broute/skline.h"
#include "drivers/broute/skrx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define METER "FE80:0000:0000:0000:021C:6400:030C:12A4"

static mdc_sk_line parse(const char *s)
{
    mdc_sk_line l;
    mdc_sk_line_parse(s, strlen(s), &l);
    return l;
}

static void test_ok_fail(void **state)
{
    (void)state;
    mdc_sk_line l = parse("OK");
    assert_int_equal(l.kind, MDC_SK_OK);
    assert_string_equal(l.text, "");
    l = parse("OK 01"); /* ROPT */
    assert_int_equal(l.kind, MDC_SK_OK);
    assert_string_equal(l.text, "01");
    l = parse("FAIL ER04");
    assert_int_equal(l.kind, MDC_SK_FAIL);
    assert_int_equal(l.code, 4);
    assert_string_equal(mdc_sk_fail_name(l.code), "unsupported command");
    l = parse("FAIL ER10");
    assert_int_equal(l.code, 10);
    assert_int_equal(parse("FAIL ERxx").kind, MDC_SK_UNKNOWN);
    assert_int_equal(parse("FAIL").kind, MDC_SK_UNKNOWN);
    assert_int_equal(parse("").kind, MDC_SK_EMPTY);
    assert_int_equal(parse("OKAY").kind, MDC_SK_UNKNOWN);
}

static void test_events(void **state)
{
    (void)state;
    /* BP35A1: EVENT num addr [param] */
    mdc_sk_line l = parse("EVENT 21 " METER " 00");
    assert_int_equal(l.kind, MDC_SK_EVENT);
    assert_int_equal(l.code, MDC_SK_EV_UDP_SENT);
    assert_string_equal(l.addr, METER);
    assert_int_equal(l.side, -1);
    assert_int_equal(l.param, 0);
    l = parse("EVENT 25 " METER);
    assert_int_equal(l.code, MDC_SK_EV_PANA_OK);
    assert_int_equal(l.param, -1);
    assert_int_equal(l.side, -1);
    l = parse("EVENT 29 " METER);
    assert_int_equal(l.code, 0x29);
    assert_string_equal(mdc_sk_event_name(l.code), "PANA session lifetime expired");
    /* BP35C0/C2: EVENT num addr side [param] */
    l = parse("EVENT 21 " METER " 0 01");
    assert_int_equal(l.side, 0);
    assert_int_equal(l.param, 1);
    l = parse("EVENT 22 FE80:0000:0000:0000:021D:1290:1234:5678 0");
    assert_int_equal(l.code, MDC_SK_EV_SCAN_DONE);
    assert_int_equal(l.side, 0);
    assert_int_equal(l.param, -1);
    l = parse("EVENT 1F");
    assert_int_equal(l.code, 0x1F);
    assert_int_equal(l.addr[0], '\0');
    assert_int_equal(parse("EVENT 21 " METER " 00 extra").kind, MDC_SK_UNKNOWN);
    assert_int_equal(parse("EVENT 123 " METER).kind, MDC_SK_UNKNOWN);
}

static void test_scan_lines(void **state)
{
    (void)state;
    /* the real BP35A1 trace: EPANDESC and two-space indented fields */
    assert_int_equal(parse("EPANDESC").kind, MDC_SK_EPANDESC);
    mdc_sk_line l = parse("  Channel:21");
    assert_int_equal(l.kind, MDC_SK_PANFIELD);
    assert_string_equal(l.key, "Channel");
    assert_string_equal(l.value, "21");
    l = parse("  Channel Page:09");
    assert_string_equal(l.key, "Channel Page");
    l = parse("  Pan ID:8888");
    assert_string_equal(l.key, "Pan ID");
    assert_string_equal(l.value, "8888");
    l = parse("  Addr:001C6400030C12A4");
    assert_string_equal(l.value, "001C6400030C12A4");
    l = parse("  PairID:030C12A4");
    assert_string_equal(l.key, "PairID");
    assert_int_equal(parse("Channel:21").kind, MDC_SK_UNKNOWN); /* not indented */
    /* SKLL64's answer */
    l = parse("FE80:0000:0000:0000:021C:6400:030C:12A4");
    assert_int_equal(l.kind, MDC_SK_IPV6);
    assert_string_equal(l.addr, METER);
    l = parse("EVER 1.2.10");
    assert_int_equal(l.kind, MDC_SK_EVER);
    assert_string_equal(l.text, "1.2.10");
    l = parse("ESREG 21");
    assert_int_equal(l.kind, MDC_SK_ESREG);
    assert_string_equal(l.text, "21");
}

static void test_einfo_echo_noise(void **state)
{
    (void)state;
    mdc_sk_line l =
        parse("EINFO FE80:0000:0000:0000:021D:1290:1234:5678 001D129012345678 21 8888 FFFE");
    assert_int_equal(l.kind, MDC_SK_EINFO);
    assert_int_equal(l.channel, 0x21);
    assert_int_equal(l.panid, 0x8888);
    assert_int_equal(l.addr16, 0xFFFE);
    assert_int_equal(l.side, -1);
    assert_string_equal(l.addr64, "001D129012345678");
    l = parse("EINFO FE80:0000:0000:0000:021D:1290:1234:5678 001D129012345678 21 8888 FFFE 0");
    assert_int_equal(l.side, 0);
    /* the module echoing commands */
    l = parse("SKSREG SFE 0");
    assert_int_equal(l.kind, MDC_SK_ECHO);
    assert_string_equal(l.text, "SKSREG");
    assert_int_equal(parse("ROPT").kind, MDC_SK_ECHO);
    assert_int_equal(parse("WOPT 01").kind, MDC_SK_ECHO);
    /* noise in front of a keyword */
    l = parse("\x01\xfe#%OK");
    assert_int_equal(l.kind, MDC_SK_OK);
    l = parse("zzEVENT 25 " METER);
    assert_int_equal(l.kind, MDC_SK_EVENT);
    assert_int_equal(l.code, 0x25);
    assert_int_equal(parse("\x80\x81 garbage").kind, MDC_SK_UNKNOWN);
}

static void test_ipv6(void **state)
{
    (void)state;
    char c[MDC_SK_IPV6_LEN + 1];
    assert_true(mdc_sk_is_ipv6(METER, strlen(METER)));
    assert_int_equal(mdc_sk_ipv6_canon("fe80:0:0:0:21c:6400:30c:12a4", 28, c), 0);
    assert_string_equal(c, METER);
    assert_false(mdc_sk_is_ipv6("FE80::1", 7));
    assert_false(mdc_sk_is_ipv6("FE80:0:0:0:0:0:0:0:1", 19));
    assert_false(mdc_sk_is_ipv6("FE80:0:0:0:0:0:0:12345", 22));
    assert_int_equal(mdc_sk_ipv6_canon("FE80:0:0:0:0:0:0:", 17, c), -1);
}

/* ---- the stream reader ---- */

typedef struct got {
    int n;
    mdc_sk_item_type type[16];
    char text[16][256];
    mdc_sk_erxudp udp[4];
    int nudp;
} got;

static void drain(mdc_sk_rx *rx, got *g)
{
    mdc_sk_item it;
    while (mdc_sk_rx_next(rx, &it)) {
        assert_true(g->n < 16);
        g->type[g->n] = it.type;
        snprintf(g->text[g->n], sizeof g->text[0], "%.*s", (int)it.len, it.line);
        if (it.type == MDC_SK_ITEM_UDP) g->udp[g->nudp++] = *it.udp;
        g->n++;
    }
}

/* Feeds in chunks of `chunk` bytes (0: all at once). */
static void feed(const char *data, size_t n, size_t chunk, got *g)
{
    static mdc_sk_rx rx;
    memset(g, 0, sizeof *g);
    mdc_sk_rx_init(&rx);
    if (!chunk) chunk = n;
    for (size_t i = 0; i < n; i += chunk) {
        size_t k = n - i < chunk ? n - i : chunk;
        assert_int_equal(mdc_sk_rx_feed(&rx, data + i, k), k);
        drain(&rx, g);
    }
}

static const char frame_hex[] = "1081000102880105FF017201E10102";

static void test_rx_text_mode(void **state)
{
    (void)state;
    /* BP35A1 hex ERXUDP among other lines */
    const char in[] = "EVENT 21 " METER " 00\r\nOK\r\nERXUDP " METER
                      " FE80:0000:0000:0000:021D:1290:1234:5678 0E1A 0E1A 001C6400030C12A4 1 000F "
                      "1081000102880105FF017201E10102\r\n";
    for (size_t chunk = 0; chunk < 8; chunk++) {
        got g;
        feed(in, sizeof in - 1, chunk, &g);
        assert_int_equal(g.n, 3);
        assert_int_equal(g.type[0], MDC_SK_ITEM_LINE);
        assert_string_equal(g.text[1], "OK");
        assert_int_equal(g.type[2], MDC_SK_ITEM_UDP);
        mdc_sk_erxudp *u = &g.udp[0];
        assert_string_equal(u->sender, METER);
        assert_int_equal(u->rport, 0x0E1A);
        assert_int_equal(u->lport, 0x0E1A);
        assert_string_equal(u->senderlla, "001C6400030C12A4");
        assert_int_equal(u->secured, 1);
        assert_int_equal(u->lqi, -1);
        assert_int_equal(u->side, -1);
        assert_true(u->hex);
        assert_int_equal(u->len, 15);
        char hex[64];
        mdc_brt_hex_encode(u->data, u->len, hex);
        assert_string_equal(hex, frame_hex);
    }
}

static void test_rx_binary_mode(void **state)
{
    (void)state;
    /* BP35C0: LQI, SECURED, SIDE, then DATALEN raw bytes holding CR and LF */
    char in[512];
    int n = snprintf(in, sizeof in,
                     "ERXUDP " METER " FE80:0000:0000:0000:021D:1290:1234:5678 0E1A 0E1A "
                     "001C6400030C12A4 98 1 0 0006 ");
    memcpy(in + n, "\x10\x81\r\n\x0d\x0a\r\nOK\r\n", 12);
    size_t len = (size_t)n + 12;
    for (size_t chunk = 0; chunk < 6; chunk++) {
        got g;
        feed(in, len, chunk, &g);
        assert_int_equal(g.n, 2);
        assert_int_equal(g.type[0], MDC_SK_ITEM_UDP);
        mdc_sk_erxudp *u = &g.udp[0];
        assert_false(u->hex);
        assert_int_equal(u->lqi, 0x98);
        assert_int_equal(u->secured, 1);
        assert_int_equal(u->side, 0);
        assert_int_equal(u->len, 6);
        assert_memory_equal(u->data, "\x10\x81\r\n\r\n", 6);
        assert_string_equal(g.text[1], "OK");
    }
    /* BP35A1 binary mode (ROPT 00): SECURED only; data that looks like hex digits */
    n = snprintf(in, sizeof in,
                 "ERXUDP " METER " " METER
                 " 0E1A 0E1A 001C6400030C12A4 1 0004 ABCD\r\nEVENT 25 " METER "\r\n");
    got g;
    feed(in, (size_t)n, 0, &g);
    assert_int_equal(g.n, 2);
    assert_false(g.udp[0].hex);
    assert_memory_equal(g.udp[0].data, "ABCD", 4);
    /* the same bytes as hex: 0002 -> "ABCD" decodes to two bytes */
    n = snprintf(in, sizeof in,
                 "ERXUDP " METER " " METER " 0E1A 0E1A 001C6400030C12A4 1 0002 ABCD\r\n");
    feed(in, (size_t)n, 0, &g);
    assert_true(g.udp[0].hex);
    assert_int_equal(g.udp[0].len, 2);
    assert_memory_equal(g.udp[0].data, "\xAB\xCD", 2);
}

static void test_rx_noise(void **state)
{
    (void)state;
    char in[512];
    /* noise in front of ERXUDP on the same line, then a header that does not parse */
    int n = snprintf(in, sizeof in,
                     "\xff\x01garbage ERXUDP " METER " " METER
                     " 0E1A 0E1A 001C6400030C12A4 1 0001 7F\r\nERXUDP nonsense\r\nOK\r\n");
    got g;
    feed(in, (size_t)n, 0, &g);
    assert_int_equal(g.type[0], MDC_SK_ITEM_NOISE);
    assert_int_equal(g.type[1], MDC_SK_ITEM_UDP);
    assert_int_equal(g.udp[0].data[0], 0x7F);
    assert_int_equal(g.type[2], MDC_SK_ITEM_NOISE); /* "ERXUDP " */
    assert_int_equal(g.type[3], MDC_SK_ITEM_LINE);  /* "nonsense" */
    assert_string_equal(g.text[3], "nonsense");
    assert_string_equal(g.text[4], "OK");
    /* a header cut by a line end */
    n = snprintf(in, sizeof in, "ERXUDP " METER "\r\nOK\r\n");
    feed(in, (size_t)n, 0, &g);
    assert_int_equal(g.type[0], MDC_SK_ITEM_NOISE);
    assert_string_equal(g.text[g.n - 1], "OK");
    /* DATALEN above the module's limit */
    n = snprintf(in, sizeof in,
                 "ERXUDP " METER " " METER " 0E1A 0E1A 001C6400030C12A4 1 04D1 \r\nOK\r\n");
    feed(in, (size_t)n, 0, &g);
    assert_int_equal(g.type[0], MDC_SK_ITEM_NOISE);
    assert_string_equal(g.text[g.n - 1], "OK");
    /* a line longer than any the module prints becomes noise */
    static char big[3000];
    memset(big, 'x', sizeof big);
    memcpy(big + sizeof big - 4, "\r\nOK", 4);
    feed(big, sizeof big, 0, &g);
    assert_int_equal(g.type[0], MDC_SK_ITEM_NOISE);
    /* LF-only line ends and an incomplete last line */
    feed("OK\nEVENT 22 " METER, 12 + sizeof METER - 1, 0, &g);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.text[0], "OK");
}

static void test_commands(void **state)
{
    (void)state;
    char b[128];
    assert_int_equal(mdc_sk_cmd_setpwd(b, sizeof b, "0123456789AB"), 25);
    assert_string_equal(b, "SKSETPWD C 0123456789AB\r\n");
    mdc_sk_cmd_setpwd(b, sizeof b, "0123456789ABCDEF0123456789ABCDEF");
    assert_string_equal(b, "SKSETPWD 20 0123456789ABCDEF0123456789ABCDEF\r\n");
    mdc_sk_cmd_setpwd(b, sizeof b, "x");
    assert_string_equal(b, "SKSETPWD 1 x\r\n");
    assert_int_equal(mdc_sk_cmd_setpwd(b, sizeof b, ""), 0);
    assert_int_equal(mdc_sk_cmd_setpwd(b, 10, "0123456789AB"), 0);
    mdc_sk_cmd_scan(b, sizeof b, 6, false);
    assert_string_equal(b, "SKSCAN 2 FFFFFFFF 6\r\n");
    mdc_sk_cmd_scan(b, sizeof b, 10, true);
    assert_string_equal(b, "SKSCAN 2 FFFFFFFF A 0\r\n");
    assert_int_equal(mdc_sk_cmd_sendto(b, sizeof b, METER, 0x0E1A, false, 14), 63);
    assert_string_equal(b, "SKSENDTO 1 " METER " 0E1A 1 000E ");
    mdc_sk_cmd_sendto(b, sizeof b, METER, 0x0E1A, true, 15);
    assert_string_equal(b, "SKSENDTO 1 " METER " 0E1A 1 0 000F ");
    assert_int_equal(mdc_sk_scan_us(6), 28 * 9600 * 65);
    assert_true(mdc_brt_module_has_side(MDC_BRT_MODULE_RL7023));
    assert_false(mdc_brt_module_has_side(MDC_BRT_MODULE_BP35A1));
    assert_string_equal(mdc_brt_module_name(MDC_BRT_MODULE_BP35C0), "bp35c0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ok_fail),        cmocka_unit_test(test_events),
        cmocka_unit_test(test_scan_lines),     cmocka_unit_test(test_einfo_echo_noise),
        cmocka_unit_test(test_ipv6),           cmocka_unit_test(test_rx_text_mode),
        cmocka_unit_test(test_rx_binary_mode), cmocka_unit_test(test_rx_noise),
        cmocka_unit_test(test_commands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
