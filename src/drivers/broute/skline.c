/* SPDX-License-Identifier: Apache-2.0 */
/* skline.c — classification and field splitting of SKSTACK-IP text lines. */
#include "skline.h"
#include "hex.h"

#include <stdio.h>
#include <string.h>

#define MAXTOK 12

typedef struct toks {
    const char *p[MAXTOK];
    size_t len[MAXTOK];
    int n;
} toks;

/* Splits on spaces; returns -1 when there are more than MAXTOK words. */
static int split(const char *s, size_t n, toks *t)
{
    t->n = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && s[i] == ' ')
            i++;
        if (i == n) break;
        if (t->n == MAXTOK) return -1;
        t->p[t->n] = s + i;
        while (i < n && s[i] != ' ')
            i++;
        t->len[t->n] = (size_t)(s + i - t->p[t->n]);
        t->n++;
    }
    return 0;
}

static bool tok_is(const toks *t, int i, const char *word)
{
    size_t l = strlen(word);
    return i < t->n && t->len[i] == l && memcmp(t->p[i], word, l) == 0;
}

static void copy(char *dst, size_t cap, const char *src, size_t n)
{
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

bool mdc_sk_is_ipv6(const char *s, size_t n)
{
    int groups = 0;
    size_t i = 0;
    while (groups < 8) {
        size_t start = i;
        while (i < n && i - start < 5 && mdc_brt_hexval((unsigned char)s[i]) >= 0)
            i++;
        size_t len = i - start;
        if (len < 1 || len > 4) return false;
        groups++;
        if (groups == 8) break;
        if (i >= n || s[i] != ':') return false;
        i++;
    }
    return i == n;
}

int mdc_sk_ipv6_canon(const char *s, size_t n, char out[MDC_SK_IPV6_LEN + 1])
{
    if (!mdc_sk_is_ipv6(s, n)) return -1;
    size_t i = 0, o = 0;
    for (int g = 0; g < 8; g++) {
        size_t start = i;
        while (i < n && s[i] != ':')
            i++;
        for (size_t pad = i - start; pad < 4; pad++)
            out[o++] = '0';
        for (size_t k = start; k < i; k++)
            out[o++] = (char)(s[k] >= 'a' && s[k] <= 'f' ? s[k] - 32 : s[k]);
        if (g < 7) out[o++] = ':';
        i++;
    }
    out[o] = '\0';
    return 0;
}

static bool parse_small_hex(const toks *t, int i, size_t len, int *out)
{
    uint32_t v;
    if (i >= t->n || t->len[i] != len || mdc_brt_hex_u32(t->p[i], len, &v) < 0) return false;
    *out = (int)v;
    return true;
}

static bool parse_event(const toks *t, mdc_sk_line *o)
{
    int code;
    if (t->n < 2 || t->len[1] > 2 || !parse_small_hex(t, 1, t->len[1], &code)) return false;
    o->code = code;
    int i = 2;
    if (i < t->n && mdc_sk_is_ipv6(t->p[i], t->len[i])) {
        copy(o->addr, sizeof o->addr, t->p[i], t->len[i]);
        i++;
    }
    if (parse_small_hex(t, i, 1, &o->side)) i++;
    if (parse_small_hex(t, i, 2, &o->param)) i++;
    if (i != t->n) return false;
    o->kind = MDC_SK_EVENT;
    return true;
}

static bool parse_fail(const toks *t, mdc_sk_line *o)
{
    if (t->n != 2 || t->len[1] < 3 || t->len[1] > 5 || memcmp(t->p[1], "ER", 2) != 0) return false;
    int v = 0;
    for (size_t i = 2; i < t->len[1]; i++) {
        if (t->p[1][i] < '0' || t->p[1][i] > '9') return false;
        v = v * 10 + (t->p[1][i] - '0');
    }
    o->kind = MDC_SK_FAIL;
    o->code = v;
    return true;
}

static bool parse_einfo(const toks *t, mdc_sk_line *o)
{
    if (t->n != 6 && t->n != 7) return false;
    if (!mdc_sk_is_ipv6(t->p[1], t->len[1]) || t->len[2] != 16 || !mdc_brt_is_hex(t->p[2], 16) ||
        mdc_brt_hex_u32(t->p[3], t->len[3], &o->channel) < 0 ||
        mdc_brt_hex_u32(t->p[4], t->len[4], &o->panid) < 0 ||
        mdc_brt_hex_u32(t->p[5], t->len[5], &o->addr16) < 0)
        return false;
    copy(o->addr, sizeof o->addr, t->p[1], t->len[1]);
    copy(o->addr64, sizeof o->addr64, t->p[2], t->len[2]);
    if (t->n == 7 && !parse_small_hex(t, 6, 1, &o->side)) return false;
    o->kind = MDC_SK_EINFO;
    return true;
}

static bool is_echo(const char *s, size_t n)
{
    static const char *const words[] = {"ROPT", "WOPT", "RUART", "WUART"};
    if (n >= 3 && s[0] == 'S' && s[1] == 'K' && s[2] >= 'A' && s[2] <= 'Z') return true;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t l = strlen(words[i]);
        if (n >= l && memcmp(s, words[i], l) == 0 && (n == l || s[l] == ' ')) return true;
    }
    return false;
}

static bool parse_panfield(const char *s, size_t n, mdc_sk_line *o)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    const char *colon = memchr(s + i, ':', n - i);
    if (i == 0 || !colon || colon == s + i) return false;
    size_t klen = (size_t)(colon - (s + i));
    if (klen >= sizeof o->key) return false;
    for (size_t k = i; k < i + klen; k++)
        if (s[k] < ' ' || s[k] > '~') return false; /* a key is printable text */
    copy(o->key, sizeof o->key, s + i, klen);
    copy(o->value, sizeof o->value, colon + 1, (size_t)(s + n - colon - 1));
    o->kind = MDC_SK_PANFIELD;
    return true;
}

static bool parse_text(const toks *t, mdc_sk_kind kind, int maxtok, mdc_sk_line *o)
{
    if (t->n > maxtok) return false;
    if (t->n > 1)
        copy(o->text, sizeof o->text, t->p[1],
             (size_t)(t->p[t->n - 1] + t->len[t->n - 1] - t->p[1]));
    o->kind = kind;
    return true;
}

/* Parses s[0..n) when it starts with a known form; false otherwise. */
static bool parse_at(const char *s, size_t n, mdc_sk_line *o)
{
    if (n > 0 && (s[0] == ' ' || s[0] == '\t')) return parse_panfield(s, n, o);
    toks t;
    if (split(s, n, &t) < 0 || t.n == 0) return false;
    if (tok_is(&t, 0, "OK")) return parse_text(&t, MDC_SK_OK, 2, o);
    if (tok_is(&t, 0, "FAIL")) return parse_fail(&t, o);
    if (tok_is(&t, 0, "EVENT")) return parse_event(&t, o);
    if (tok_is(&t, 0, "EPANDESC")) {
        o->kind = MDC_SK_EPANDESC;
        return t.n == 1;
    }
    if (tok_is(&t, 0, "EVER")) return parse_text(&t, MDC_SK_EVER, 2, o);
    if (tok_is(&t, 0, "EAPPVER")) return parse_text(&t, MDC_SK_EAPPVER, 8, o);
    if (tok_is(&t, 0, "ESREG")) return parse_text(&t, MDC_SK_ESREG, 2, o);
    if (tok_is(&t, 0, "EINFO")) return parse_einfo(&t, o);
    if (t.n == 1 && mdc_sk_is_ipv6(t.p[0], t.len[0])) {
        copy(o->addr, sizeof o->addr, t.p[0], t.len[0]);
        o->kind = MDC_SK_IPV6;
        return true;
    }
    if (is_echo(s, n)) {
        copy(o->text, sizeof o->text, t.p[0], t.len[0]);
        o->kind = MDC_SK_ECHO;
        return true;
    }
    return false;
}

static void reset(mdc_sk_line *o)
{
    memset(o, 0, sizeof *o);
    o->side = o->param = -1;
}

void mdc_sk_line_parse(const char *line, size_t n, mdc_sk_line *out)
{
    static const char *const keys[] = {"EVENT ", "FAIL ER", "EPANDESC", "EVER ",
                                       "EINFO ", "ESREG ",  "EAPPVER ", "OK"};
    reset(out);
    size_t i = 0;
    while (i < n && (line[i] == '\r' || line[i] == '\n'))
        i++;
    if (i == n) {
        out->kind = MDC_SK_EMPTY;
        return;
    }
    if (parse_at(line + i, n - i, out)) return;
    /* noise in front of a keyword: parse from the leftmost keyword that gives a valid line */
    for (size_t at = i + 1; at < n; at++)
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            size_t l = strlen(keys[k]);
            if (n - at < l || memcmp(line + at, keys[k], l) != 0) continue;
            reset(out);
            if (parse_at(line + at, n - at, out) && out->kind != MDC_SK_PANFIELD) return;
        }
    reset(out);
    out->kind = MDC_SK_UNKNOWN;
}

const char *mdc_sk_fail_name(int code)
{
    switch (code) {
    case 4:
        return "unsupported command";
    case 5:
        return "invalid number of arguments";
    case 6:
        return "invalid argument format or value";
    case 9:
        return "UART input error";
    case 10:
        return "command accepted but it failed";
    }
    return "reserved error code";
}

const char *mdc_sk_event_name(int code)
{
    switch (code) {
    case MDC_SK_EV_NS:
        return "neighbour solicitation received";
    case MDC_SK_EV_BEACON:
        return "beacon received";
    case MDC_SK_EV_UDP_SENT:
        return "UDP transmission done";
    case MDC_SK_EV_SCAN_DONE:
        return "active scan finished";
    case MDC_SK_EV_PANA_FAIL:
        return "PANA connection failed";
    case MDC_SK_EV_PANA_OK:
        return "PANA connection established";
    case MDC_SK_EV_TERM_REQ:
        return "the meter asked to end the session";
    case MDC_SK_EV_TERM_OK:
        return "session ended";
    case MDC_SK_EV_TERM_TIMEOUT:
        return "session end timed out";
    case MDC_SK_EV_EXPIRED:
        return "PANA session lifetime expired";
    case MDC_SK_EV_TX_LIMIT:
        return "transmission-time limit reached";
    case MDC_SK_EV_TX_OK:
        return "transmission-time limit lifted";
    }
    return "event";
}
