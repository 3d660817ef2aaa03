/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the LSV2 telegram decoder on a byte stream (re-encoding what it accepts must give
 * the same bytes), and every reply parser on each payload and on the raw input: S_VR, S_PR,
 * S_RI states, program stack, overrides, NC error records, T_ER, PLC addresses and values,
 * latin-1 text. Checks the invariants the callers rely on. */
#include "drivers/lsv2/reply.h"
#include "drivers/lsv2/telegram.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_utf8(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    if (n >= cap) abort(); /* not terminated */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) continue;
        /* latin-1 only yields C2/C3 lead bytes followed by one continuation byte */
        if ((c != 0xC2 && c != 0xC3) || i + 1 >= n || ((unsigned char)s[i + 1] & 0xC0) != 0x80)
            abort();
        i++;
    }
    if (n && (s[0] == ' ' || s[n - 1] == ' ')) abort();
}

static void parse_all(const uint8_t *p, size_t n)
{
    mdc_err err;
    lsv2_version v;
    if (lsv2_parse_version(p, n, &v, &err) == 0) {
        if (v.nfields < 3 || v.nfields > 5) abort();
        check_utf8(v.control, sizeof v.control);
        check_utf8(v.nc, sizeof v.nc);
        check_utf8(v.plc, sizeof v.plc);
        check_utf8(v.splc, sizeof v.splc);
        check_utf8(v.options, sizeof v.options);
    }
    lsv2_params prm;
    if (lsv2_parse_params(p, n, &prm, &err) == 0) {
        if (n < 120 || prm.len != n) abort();
        for (int m = 0; m < LSV2_MEM_COUNT; m++) {
            uint32_t number = n >= 124 ? (uint32_t)p[120] << 8 | p[121] : 0, a;
            if (lsv2_plc_address(&prm, (lsv2_mem)m, number, &a, &err) == 0 &&
                (uint64_t)a + (uint64_t)lsv2_mem_size((lsv2_mem)m) > 0x100000000ull)
                abort();
        }
    }
    uint16_t st;
    if (lsv2_parse_state(p, n, &st, &err) == 0 && n < 2) abort();
    lsv2_stack stack;
    if (lsv2_parse_stack(p, n, &stack, &err) == 0) {
        check_utf8(stack.main, sizeof stack.main);
        check_utf8(stack.current, sizeof stack.current);
    }
    lsv2_overrides o;
    if (lsv2_parse_overrides(p, n, &o, &err) == 0 && n < 12) abort();
    lsv2_nc_error e;
    if (lsv2_parse_nc_error(p, n, &e, &err) == 0) check_utf8(e.text, sizeof e.text);
    lsv2_error te;
    char d[256];
    lsv2_parse_error(p, n, &te);
    lsv2_error_describe(&te, d, sizeof d);
    if (strnlen(d, sizeof d) >= sizeof d) abort();
    lsv2_error_describe(&te, d, 8); /* truncation */
    if (n >= 4)
        for (int m = 0; m < LSV2_MEM_COUNT; m++)
            (void)lsv2_plc_value((lsv2_mem)m, p);
    char small[5];
    lsv2_latin1_to_utf8(p, n, small, sizeof small);
    check_utf8(small, sizeof small);
}

static void decode_stream(const uint8_t *data, size_t size)
{
    size_t off = 0;
    size_t max = data[0] & 1 ? LSV2_MAX_PAYLOAD : 64;
    for (int k = 0; k < 64 && off < size; k++) {
        lsv2_telegram t;
        mdc_err err;
        long used = lsv2_decode(data + off, size - off, max, &t, &err);
        if (used <= 0) return;
        if ((size_t)used > size - off || (size_t)used != LSV2_HEADER_LEN + t.len || t.len > max)
            abort();
        uint8_t again[LSV2_HEADER_LEN + 4096];
        if (t.len <= 4096) {
            long n = lsv2_encode(t.code, t.payload, t.len, again, sizeof again, &err);
            if (n != used || memcmp(again, data + off, (size_t)n) != 0) abort();
        }
        parse_all(t.payload, t.len);
        off += (size_t)used;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    decode_stream(data, size);
    parse_all(data + 1, size - 1);
    return 0;
}
