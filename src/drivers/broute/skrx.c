/* SPDX-License-Identifier: Apache-2.0 */
/* skrx.c — lines and length-delimited ERXUDP receptions out of a SKSTACK-IP byte stream. */
#include "skrx.h"
#include "hex.h"
#include "skline.h"

#include <string.h>

#define KEY     "ERXUDP "
#define KEY_LEN 7

void mdc_sk_rx_init(mdc_sk_rx *rx)
{
    rx->len = rx->consumed = 0;
}

static void compact(mdc_sk_rx *rx)
{
    if (!rx->consumed) return;
    memmove(rx->buf, rx->buf + rx->consumed, rx->len - rx->consumed);
    rx->len -= rx->consumed;
    rx->consumed = 0;
}

size_t mdc_sk_rx_space(const mdc_sk_rx *rx)
{
    return MDC_SK_RX_CAP - rx->len + rx->consumed;
}

size_t mdc_sk_rx_feed(mdc_sk_rx *rx, const void *data, size_t n)
{
    compact(rx);
    size_t k = MDC_SK_RX_CAP - rx->len;
    if (k > n) k = n;
    memcpy(rx->buf + rx->len, data, k);
    rx->len += k;
    return k;
}

/* One space-terminated token at s[*at..n) of at most max bytes. 1 = got it, 0 = need more,
 * -1 = too long or empty. */
static int token(const char *s, size_t n, size_t *at, size_t max, const char **t, size_t *tlen)
{
    size_t i = *at;
    while (i < n && s[i] != ' ' && i - *at <= max) {
        if (s[i] == '\r' || s[i] == '\n') return -1; /* a header never spans lines */
        i++;
    }
    if (i - *at > max || (i < n && i == *at)) return -1;
    if (i == n) return 0;
    *t = s + *at;
    *tlen = i - *at;
    *at = i + 1;
    return 1;
}

static void copy(char *dst, size_t cap, const char *src, size_t n)
{
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int hex_field(const char *t, size_t len, size_t want, uint32_t *v)
{
    return len == want && mdc_brt_hex_u32(t, len, v) == 0 ? 0 : -1;
}

/* The fields between the sender's link-local address and DATALEN. */
static int small_fields(mdc_sk_erxudp *u, const uint32_t *v, const size_t *len, int k)
{
    u->lqi = u->side = -1;
    switch (k) {
    case 1:
        u->secured = (int)v[0];
        return len[0] == 1 ? 0 : -1;
    case 2:
        if (len[0] == 2) {
            u->lqi = (int)v[0];
            u->secured = (int)v[1];
        } else {
            u->secured = (int)v[0];
            u->side = (int)v[1];
        }
        return len[1] == 1 ? 0 : -1;
    case 3:
        u->lqi = (int)v[0];
        u->secured = (int)v[1];
        u->side = (int)v[2];
        return len[0] == 2 && len[1] == 1 && len[2] == 1 ? 0 : -1;
    }
    return -1;
}

/* Header up to and including DATALEN's space. 1 = done (*at = payload start), 0, -1. */
static int header(const char *s, size_t n, mdc_sk_erxudp *u, size_t *at, size_t *datalen)
{
    const char *t;
    size_t tl, lens[3];
    uint32_t v, vals[3];
    int rc;
    *at = KEY_LEN;
    for (int f = 0; f < 5; f++) {
        static const size_t maxlen[] = {39, 39, 4, 4, 16};
        if ((rc = token(s, n, at, maxlen[f], &t, &tl)) != 1) return rc;
        if (f < 2 && !mdc_sk_is_ipv6(t, tl)) return -1;
        if (f == 0) copy(u->sender, sizeof u->sender, t, tl);
        if (f == 1) copy(u->dest, sizeof u->dest, t, tl);
        if ((f == 2 || f == 3) && hex_field(t, tl, 4, &v) < 0) return -1;
        if (f == 2) u->rport = (uint16_t)v;
        if (f == 3) u->lport = (uint16_t)v;
        if (f == 4 && (tl != 16 || !mdc_brt_is_hex(t, tl))) return -1;
        if (f == 4) copy(u->senderlla, sizeof u->senderlla, t, tl);
    }
    for (int k = 0; k <= 3; k++) {
        if ((rc = token(s, n, at, 4, &t, &tl)) != 1) return rc;
        if (mdc_brt_hex_u32(t, tl, &v) < 0) return -1;
        if (tl == 4) {
            *datalen = v;
            return small_fields(u, vals, lens, k) < 0 || v > MDC_SK_UDP_MAX ? -1 : 1;
        }
        if (k == 3) return -1;
        vals[k] = v;
        lens[k] = tl;
    }
    return -1;
}

/* Length of a line end at s[0..n): 2 for CRLF, 1 for LF, 0 for none, -1 when more is needed. */
static int line_end(const char *s, size_t n)
{
    if (n == 0) return -1;
    if (s[0] == '\n') return 1;
    if (s[0] != '\r') return 0;
    if (n < 2) return -1;
    return s[1] == '\n' ? 2 : 0;
}

int mdc_sk_erxudp_parse(const char *s, size_t n, mdc_sk_erxudp *u, size_t *used)
{
    if (n < KEY_LEN) return memcmp(s, KEY, n) == 0 ? 0 : -1;
    if (memcmp(s, KEY, KEY_LEN) != 0) return -1;
    size_t at, dl;
    int rc = header(s, n, u, &at, &dl);
    if (rc != 1) return rc;
    if (n - at < dl) return 0;
    int e = line_end(s + at + dl, n - at - dl);
    if (e < 0) return 0;
    if (e > 0) { /* binary */
        u->hex = false;
        u->len = dl;
        memcpy(u->data, s + at, dl);
        *used = at + dl + (size_t)e;
        return 1;
    }
    size_t have = n - at < 2 * dl ? n - at : 2 * dl;
    if (!mdc_brt_is_hex(s + at, have)) return -1;
    if (have < 2 * dl) return 0;
    e = line_end(s + at + 2 * dl, n - at - 2 * dl);
    if (e <= 0) return e < 0 ? 0 : -1;
    mdc_brt_hex_decode(s + at, dl, u->data);
    u->hex = true;
    u->len = dl;
    *used = at + 2 * dl + (size_t)e;
    return 1;
}

static int give(mdc_sk_rx *rx, mdc_sk_item *it, mdc_sk_item_type type, size_t len, size_t used)
{
    it->type = type;
    it->line = rx->buf;
    it->len = len;
    it->udp = type == MDC_SK_ITEM_UDP ? &rx->udp : NULL;
    rx->consumed = used;
    return 1;
}

static const char *find_key(const char *s, size_t n)
{
    for (size_t i = 0; i + KEY_LEN <= n; i++)
        if (s[i] == 'E' && memcmp(s + i, KEY, KEY_LEN) == 0) return s + i;
    return NULL;
}

int mdc_sk_rx_next(mdc_sk_rx *rx, mdc_sk_item *it)
{
    compact(rx);
    if (rx->len == 0) return 0;
    const char *lf = memchr(rx->buf, '\n', rx->len);
    size_t scan = lf ? (size_t)(lf - rx->buf) : rx->len;
    const char *k = find_key(rx->buf, scan);
    if (k && k > rx->buf)
        return give(rx, it, MDC_SK_ITEM_NOISE, (size_t)(k - rx->buf), (size_t)(k - rx->buf));
    if (k) {
        size_t used;
        int rc = mdc_sk_erxudp_parse(rx->buf, rx->len, &rx->udp, &used);
        if (rc == 1) return give(rx, it, MDC_SK_ITEM_UDP, used, used);
        if (rc == 0 && rx->len < MDC_SK_RX_CAP) return 0;
        return give(rx, it, MDC_SK_ITEM_NOISE, KEY_LEN, KEY_LEN); /* resynchronize */
    }
    if (lf) {
        size_t len = scan;
        if (len > 0 && rx->buf[len - 1] == '\r') len--;
        if (len > MDC_SK_LINE_MAX) return give(rx, it, MDC_SK_ITEM_NOISE, scan + 1, scan + 1);
        return give(rx, it, MDC_SK_ITEM_LINE, len, scan + 1);
    }
    if (rx->len > MDC_SK_LINE_MAX) { /* keep a tail that may begin "ERXUDP " */
        size_t drop = rx->len - (KEY_LEN - 1);
        return give(rx, it, MDC_SK_ITEM_NOISE, drop, drop);
    }
    return 0;
}
