/* SPDX-License-Identifier: Apache-2.0 */
/* module.c — the simulated SKSTACK-IP module: input cut into commands (SKSENDTO carries binary
 * data after its header), the commands, the events they cause, and the injected faults. */
#include "bsim.h"
#include "drivers/broute/hex.h"
#include "drivers/broute/skline.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define OWN_MAC "001D129012345678"
#define MAXTOK  10
#define LQI     0x98

typedef struct toks {
    char *t[MAXTOK];
    int n;
} toks;

static void ipv6_of(const char *mac, char out[40])
{
    uint8_t b[8];
    mdc_brt_hex_decode(mac, 8, b);
    b[0] ^= 0x02;
    snprintf(out, 40, "FE80:0000:0000:0000:%02X%02X:%02X%02X:%02X%02X:%02X%02X", b[0], b[1], b[2],
             b[3], b[4], b[5], b[6], b[7]);
}

static void meter_ip(const bsim *s, char out[40])
{
    ipv6_of(s->o.mac, out);
}

static void own_ip(char out[40])
{
    ipv6_of(OWN_MAC, out);
}

const char *bsim_sess_name(int sess)
{
    static const char *const names[] = {"none", "joining", "up", "re-authenticating", "down"};
    return sess >= 0 && sess <= BSIM_SESS_DOWN ? names[sess] : "?";
}

void bsim_module_reset(bsim *s)
{
    s->echo = true;
    s->s2 = s->s3 = -1;
    s->rbid[0] = s->pwd[0] = '\0';
    s->sess = BSIM_SESS_NONE;
    s->ever_joined = false;
    s->held_len = 0;
}

void bsim_module_action(bsim *s, int action)
{
    switch (action) {
    case BSIM_ACT_UP:
        s->sess = BSIM_SESS_UP;
        s->ever_joined = true;
        break;
    case BSIM_ACT_DOWN:
        s->sess = BSIM_SESS_DOWN;
        break;
    case BSIM_ACT_REAUTH:
        s->sess = BSIM_SESS_REAUTH;
        break;
    }
}

/* ---- output helpers ---- */

static void line(bsim *s, int64_t t, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void line(bsim *s, int64_t t, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 2, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n > sizeof buf - 3) n = (int)sizeof buf - 3;
    memcpy(buf + n, "\r\n", 2);
    bsim_emit(s, t, buf, (size_t)n + 2, BSIM_ACT_NONE);
}

static void fail(bsim *s, int64_t t, int code)
{
    line(s, t, "FAIL ER%02d", code);
}

static void event(bsim *s, int64_t t, int num, const char *ip, int param, int action)
{
    char buf[128];
    int n = snprintf(buf, sizeof buf, "EVENT %02X %s%s", num, ip, bsim_has_side(&s->o) ? " 0" : "");
    if (param >= 0) n += snprintf(buf + n, sizeof buf - (size_t)n, " %02X", param);
    n += snprintf(buf + n, sizeof buf - (size_t)n, "\r\n");
    bsim_emit(s, t, buf, (size_t)n, action);
}

static void erxudp(bsim *s, int64_t t, const char *dst, int port, int secured, const uint8_t *data,
                   size_t n)
{
    char src[40];
    uint8_t buf[3000];
    meter_ip(s, src);
    int h = bsim_has_side(&s->o)
                ? snprintf((char *)buf, 200, "ERXUDP %s %s %04X %04X %s %02X %d 0 %04zX ", src, dst,
                           port, port, s->o.mac, LQI, secured, n)
                : snprintf((char *)buf, 200, "ERXUDP %s %s %04X %04X %s %d %04zX ", src, dst, port,
                           port, s->o.mac, secured, n);
    size_t len = (size_t)h;
    if (bsim_has_side(&s->o)) {
        memcpy(buf + len, data, n);
        len += n;
    } else {
        mdc_brt_hex_encode(data, n, (char *)buf + len);
        len += 2 * n;
    }
    memcpy(buf + len, "\r\n", 2);
    bsim_emit(s, t, buf, len + 2, BSIM_ACT_NONE);
}

void bsim_module_garbage(bsim *s, size_t n, int64_t now_us)
{
    uint8_t buf[514];
    if (n > 512) n = 512;
    for (size_t i = 0; i < n; i++) {
        s->rng = s->rng * 6364136223846793005ull + 1442695040888963407ull;
        uint8_t c = (uint8_t)(s->rng >> 56);
        buf[i] = c == '\r' || c == '\n' ? (uint8_t)'#' : c;
    }
    memcpy(buf + n, "\r\n", 2);
    bsim_emit(s, now_us, buf, n + 2, BSIM_ACT_NONE);
}

/* ---- faults ---- */

static bool take(int *counter)
{
    if (*counter <= 0) return false;
    (*counter)--;
    return true;
}

/* FAIL code to inject for command `name`, or 0. */
static int injected_fail(bsim *s, const char *name)
{
    if (s->ctl_fail_cmd[0] && strcmp(s->ctl_fail_cmd, name) == 0) {
        s->ctl_fail_cmd[0] = '\0';
        return s->ctl_fail_code;
    }
    if (s->o.fail_cmd[0] && strcmp(s->o.fail_cmd, name) == 0 && ++s->fail_seen == s->o.fail_cmd_nth)
        return 4;
    return 0;
}

/* ---- commands ---- */

/* The session state when a command that arrived at t is processed: events already queued to
 * go out before then (EVENT 25, 24, 29...) have taken effect by that time. */
static int sess_at(const bsim *s, int64_t t)
{
    int sess = s->sess;
    int64_t last_ready = INT64_MIN;
    uint64_t last_seq = 0;
    for (;;) {
        const bsim_item *next = NULL;
        for (size_t i = 0; i < s->q.n; i++) {
            const bsim_item *it = &s->q.items[i];
            bool after =
                it->ready_us > last_ready || (it->ready_us == last_ready && it->seq > last_seq);
            if (!it->action || it->ready_us > t || !after) continue;
            if (!next || it->ready_us < next->ready_us ||
                (it->ready_us == next->ready_us && it->seq < next->seq))
                next = it;
        }
        if (!next) return sess;
        sess = next->action == BSIM_ACT_UP     ? BSIM_SESS_UP
               : next->action == BSIM_ACT_DOWN ? BSIM_SESS_DOWN
                                               : BSIM_SESS_REAUTH;
        last_ready = next->ready_us;
        last_seq = next->seq;
    }
}

static bool creds_ok(const bsim *s)
{
    return strcmp(s->rbid, s->o.rbid) == 0 && strcmp(s->pwd, s->o.password) == 0;
}

static void pana_end(bsim *s, int64_t t, bool ok)
{
    char ip[40];
    meter_ip(s, ip);
    static const uint8_t pana[] = {0x00, 0x00, 0x00, 0x10, 0x80, 0x02, 0x00, 0x00,
                                   0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02};
    event(s, t - s->o.join_delay_us / 2, MDC_SK_EV_UDP_SENT, ip, 0, BSIM_ACT_NONE);
    erxudp(s, t - s->o.join_delay_us / 3, ip, 0x02CC, 0, pana, sizeof pana);
    event(s, t, ok ? MDC_SK_EV_PANA_OK : MDC_SK_EV_PANA_FAIL, ip, -1,
          ok ? BSIM_ACT_UP : BSIM_ACT_DOWN);
    if (!ok) return;
    uint8_t inf[64];
    size_t n = bsim_meter_instance_list(inf, sizeof inf);
    erxudp(s, t + 1000, "FF02:0000:0000:0000:0000:0000:0000:0001", 0x0E1A, 0, inf, n);
}

static void cmd_join(bsim *s, const toks *k, int64_t t)
{
    char ip[40], want[40];
    if (k->n != 2 || mdc_sk_ipv6_canon(k->t[1], strlen(k->t[1]), ip) < 0) {
        fail(s, t, 6);
        return;
    }
    int sess = sess_at(s, t);
    if (sess == BSIM_SESS_JOINING || sess == BSIM_SESS_UP || sess == BSIM_SESS_REAUTH) {
        fail(s, t, 10);
        return;
    }
    line(s, t, "OK");
    s->joins++;
    meter_ip(s, want);
    bool ok = creds_ok(s) && s->s2 == s->o.channel && s->s3 == s->o.panid && strcmp(ip, want) == 0;
    bool rejected = s->joins <= s->o.reject_join || take(&s->ctl_reject);
    s->sess = BSIM_SESS_JOINING;
    pana_end(s, t + s->o.join_delay_us, ok && !rejected);
}

static void cmd_rejoin(bsim *s, const toks *k, int64_t t)
{
    if (k->n != 1) {
        fail(s, t, 6);
        return;
    }
    if (!s->ever_joined || sess_at(s, t) == BSIM_SESS_JOINING) {
        fail(s, t, 10);
        return;
    }
    line(s, t, "OK");
    s->sess = BSIM_SESS_JOINING;
    pana_end(s, t + s->o.join_delay_us, creds_ok(s));
}

static void cmd_term(bsim *s, int64_t t)
{
    char ip[40];
    if (sess_at(s, t) != BSIM_SESS_UP) {
        fail(s, t, 10);
        return;
    }
    meter_ip(s, ip);
    line(s, t, "OK");
    event(s, t + s->o.join_delay_us / 4, MDC_SK_EV_TERM_OK, ip, -1, BSIM_ACT_DOWN);
}

static void cmd_scan(bsim *s, const toks *k, int64_t t)
{
    uint32_t mode, d;
    char ip[40], own[40];
    if (k->n != (bsim_has_side(&s->o) ? 5 : 4) ||
        mdc_brt_hex_u32(k->t[1], strlen(k->t[1]), &mode) < 0 ||
        mdc_brt_hex_u32(k->t[3], strlen(k->t[3]), &d) < 0 || d > 14 || (mode != 2 && mode != 3)) {
        fail(s, t, 6);
        return;
    }
    line(s, t, "OK");
    s->scans++;
    bool beacon = s->scans > s->o.no_beacon && !take(&s->ctl_no_beacon);
    int64_t scan = (int64_t)(9600.0 * (double)((1u << d) + 1) * 28 * s->o.scan_scale);
    meter_ip(s, ip);
    own_ip(own);
    if (beacon) {
        int64_t at = t + scan * (s->o.channel - 32) / 28;
        event(s, at, MDC_SK_EV_BEACON, ip, -1, BSIM_ACT_NONE);
        line(s, at, "EPANDESC");
        line(s, at, "  Channel:%02X", s->o.channel);
        line(s, at, "  Channel Page:09");
        line(s, at, "  Pan ID:%04X", s->o.panid);
        line(s, at, "  Addr:%s", s->o.mac);
        line(s, at, "  LQI:%02X", LQI);
        if (bsim_has_side(&s->o)) line(s, at, "  Side:0");
        if (mode == 2) line(s, at, "  PairID:%.8s", s->o.mac + 8);
    }
    event(s, t + scan, MDC_SK_EV_SCAN_DONE, own, -1, BSIM_ACT_NONE);
}

static void cmd_sreg(bsim *s, const toks *k, int64_t t)
{
    uint32_t v;
    if (k->n == 2) {
        if (strcmp(k->t[1], "S2") == 0)
            line(s, t, "ESREG %02X", s->s2 < 0 ? 0 : s->s2);
        else if (strcmp(k->t[1], "S3") == 0)
            line(s, t, "ESREG %04X", s->s3 < 0 ? 0xFFFF : s->s3);
        else
            line(s, t, "ESREG %d", s->echo ? 1 : 0);
        line(s, t, "OK");
        return;
    }
    if (k->n != 3 || mdc_brt_hex_u32(k->t[2], strlen(k->t[2]), &v) < 0) {
        fail(s, t, 6);
        return;
    }
    if (strcmp(k->t[1], "SFE") == 0) s->echo = v != 0;
    if (strcmp(k->t[1], "S2") == 0) s->s2 = (int)v;
    if (strcmp(k->t[1], "S3") == 0) s->s3 = (int)v;
    line(s, t, "OK");
}

static void cmd_info(bsim *s, int64_t t)
{
    char own[40];
    own_ip(own);
    line(s, t, "EINFO %s %s %02X %04X FFFE%s", own, OWN_MAC, s->s2 < 0 ? 0 : s->s2,
         s->s3 < 0 ? 0xFFFF : s->s3, bsim_has_side(&s->o) ? " 0" : "");
    line(s, t, "OK");
}

static void cmd_credentials(bsim *s, const toks *k, int64_t t)
{
    if (strcmp(k->t[0], "SKSETRBID") == 0) {
        if (k->n != 2 || strlen(k->t[1]) != 32) {
            fail(s, t, 6);
            return;
        }
        snprintf(s->rbid, sizeof s->rbid, "%s", k->t[1]);
        line(s, t, "OK");
        return;
    }
    uint32_t len;
    if (k->n != 3 || mdc_brt_hex_u32(k->t[1], strlen(k->t[1]), &len) < 0 || len < 1 || len > 32 ||
        strlen(k->t[2]) != len) {
        fail(s, t, 6);
        return;
    }
    snprintf(s->pwd, sizeof s->pwd, "%s", k->t[2]);
    line(s, t, "OK");
}

static void cmd_reset(bsim *s, const toks *k, int64_t t)
{
    (void)k;
    bsim_module_reset(s);
    line(s, t, "OK");
}

static void cmd_ver(bsim *s, const toks *k, int64_t t)
{
    (void)k;
    line(s, t, "EVER %s", s->o.profile == BSIM_BP35A1 ? "1.2.10" : "1.5.2");
    line(s, t, "OK");
}

static void cmd_appver(bsim *s, const toks *k, int64_t t)
{
    (void)k;
    line(s, t, "EAPPVER rev%s", s->o.profile == BSIM_RL7023 ? "RL7023-sim" : "BP35-sim");
    line(s, t, "OK");
}

static void cmd_ll64(bsim *s, const toks *k, int64_t t)
{
    char ip[40];
    if (k->n != 2 || strlen(k->t[1]) != 16 || !mdc_brt_is_hex(k->t[1], 16)) {
        fail(s, t, 6);
        return;
    }
    ipv6_of(k->t[1], ip);
    line(s, t, "%s", ip);
}

static void cmd_ropt(bsim *s, const toks *k, int64_t t)
{
    (void)k;
    line(s, t, "OK %s", bsim_has_side(&s->o) ? "00" : "01");
}

static void cmd_wopt(bsim *s, const toks *k, int64_t t)
{
    (void)k;
    line(s, t, "OK");
}

static void cmd_info_k(bsim *s, const toks *k, int64_t t)
{
    (void)k;
    cmd_info(s, t);
}

static void cmd_term_k(bsim *s, const toks *k, int64_t t)
{
    (void)k;
    cmd_term(s, t);
}

static void command(bsim *s, toks *k, int64_t t)
{
    static const struct {
        const char *name;
        void (*run)(bsim *s, const toks *k, int64_t t);
    } commands[] = {
        {"SKRESET", cmd_reset},
        {"SKVER", cmd_ver},
        {"SKAPPVER", cmd_appver},
        {"SKINFO", cmd_info_k},
        {"SKSREG", cmd_sreg},
        {"SKSETRBID", cmd_credentials},
        {"SKSETPWD", cmd_credentials},
        {"SKSCAN", cmd_scan},
        {"SKLL64", cmd_ll64},
        {"SKJOIN", cmd_join},
        {"SKREJOIN", cmd_rejoin},
        {"SKTERM", cmd_term_k},
        {"ROPT", cmd_ropt},
        {"WOPT", cmd_wopt},
    };
    int code = injected_fail(s, k->t[0]);
    if (code) {
        fail(s, t, code);
        return;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(k->t[0], commands[i].name) == 0) {
            commands[i].run(s, k, t);
            return;
        }
    fail(s, t, 4);
}

/* ---- SKSENDTO ---- */

static void reply(bsim *s, int r, const uint8_t *req, size_t n, int64_t t)
{
    uint8_t out[1300];
    char own[40];
    own_ip(own);
    t += s->o.meter_delay_us;
    if (s->held_len) { /* the late reply goes out first, with its old TID */
        erxudp(s, t, own, 0x0E1A, 1, s->held, s->held_len);
        s->held_len = 0;
    }
    if (r == s->o.drop_reply || take(&s->ctl_drop)) {
        if (s->o.verbose) bsim_say("request %d: reply dropped", r);
        return;
    }
    bool late = r == s->o.late_reply || take(&s->ctl_late);
    size_t len = bsim_meter_serve(&s->meter, req, n, out, sizeof out, late);
    if (len == 0) return;
    if (late) {
        memcpy(s->held, out, len);
        s->held_len = len;
        if (s->o.verbose) bsim_say("request %d: reply held back", r);
        return;
    }
    if (r == s->o.garbage_reply || take(&s->ctl_garbage)) bsim_module_garbage(s, 40, t);
    erxudp(s, t, own, 0x0E1A, 1, out, len);
    if (take(&s->ctl_dup)) erxudp(s, t, own, 0x0E1A, 1, out, len);
    if (r == s->o.expire_after) bsim_module_expire(s, s->o.expire_fail, t);
}

static void sendto(bsim *s, const toks *k, const uint8_t *data, size_t n, int64_t t)
{
    char ip[40], want[40];
    int code = injected_fail(s, "SKSENDTO");
    int r = ++s->sendtos;
    if (k->n != (bsim_has_side(&s->o) ? 7 : 6) ||
        mdc_sk_ipv6_canon(k->t[2], strlen(k->t[2]), ip) < 0) {
        fail(s, t, 6);
        return;
    }
    if (code) {
        fail(s, t, code);
        return;
    }
    if (sess_at(s, t) != BSIM_SESS_UP) {
        fail(s, t, 10);
        return;
    }
    meter_ip(s, want);
    event(s, t, MDC_SK_EV_UDP_SENT, ip, 0, BSIM_ACT_NONE);
    line(s, t, "OK");
    if (strcmp(ip, want) == 0 && strcmp(k->t[3], "0E1A") == 0) reply(s, r, data, n, t);
}

void bsim_module_expire(bsim *s, bool failing, int64_t now_us)
{
    char ip[40];
    meter_ip(s, ip);
    event(s, now_us, MDC_SK_EV_EXPIRED, ip, -1, BSIM_ACT_REAUTH);
    event(s, now_us + s->o.join_delay_us, failing ? MDC_SK_EV_PANA_FAIL : MDC_SK_EV_PANA_OK, ip, -1,
          failing ? BSIM_ACT_DOWN : BSIM_ACT_UP);
}

/* ---- input ---- */

static int split(char *p, size_t n, toks *k)
{
    k->n = 0;
    char *end = p + n;
    while (p < end) {
        while (p < end && *p == ' ')
            *p++ = '\0';
        if (p == end) break;
        if (k->n == MAXTOK) return -1;
        k->t[k->n++] = p;
        while (p < end && *p != ' ')
            p++;
    }
    return k->n ? 0 : -1;
}

/* Length of a SKSENDTO header up to its data, 0 when incomplete, -1 when malformed. */
static long sendto_header(const uint8_t *p, size_t n, size_t *datalen)
{
    int tok = 0;
    size_t i = 0;
    while (i < n) {
        size_t start = i;
        while (i < n && p[i] != ' ' && p[i] != '\r' && p[i] != '\n' && i - start < 40)
            i++;
        if (i == n) return 0;
        if (p[i] != ' ') return -1;
        tok++;
        uint32_t v;
        if (tok >= 5 && i - start == 4 && mdc_brt_hex_u32((const char *)p + start, 4, &v) == 0) {
            *datalen = v;
            return (long)i + 1;
        }
        if (tok > 7) return -1;
        i++;
    }
    return 0;
}

static void echo(bsim *s, const uint8_t *p, size_t n, int64_t t)
{
    uint8_t buf[3000];
    if (!s->echo || n + 2 > sizeof buf) return;
    memcpy(buf, p, n);
    memcpy(buf + n, "\r\n", 2);
    bsim_emit(s, t, buf, n + 2, BSIM_ACT_NONE);
}

static void verbose(bsim *s, const char *text)
{
    if (!s->o.verbose) return;
    if (strncmp(text, "SKSETPWD", 8) == 0) text = "SKSETPWD ***";
    bsim_say("command: %s (session %s)", text, bsim_sess_name(s->sess));
}

/* One SKSENDTO; returns the bytes used, 0 when incomplete. */
static size_t take_sendto(bsim *s, int64_t now)
{
    size_t dl = 0;
    long h = sendto_header(s->in, s->inlen, &dl);
    if (h == 0 || (h > 0 && s->inlen < (size_t)h + dl)) return 0;
    if (h < 0) { /* malformed: drop the line */
        uint8_t *lf = memchr(s->in, '\n', s->inlen);
        if (!lf) return 0;
        fail(s, now, 6);
        return (size_t)(lf - s->in) + 1;
    }
    size_t used = (size_t)h + dl;
    int64_t t = now + bsim_wire_us(s, used);
    echo(s, s->in, used, t);
    char hdr[256];
    memcpy(hdr, s->in, (size_t)h);
    hdr[h - 1] = '\0';
    verbose(s, hdr);
    toks k;
    if (split(hdr, (size_t)h - 1, &k) == 0) sendto(s, &k, s->in + h, dl, t);
    return used;
}

static size_t take_line(bsim *s, int64_t now)
{
    uint8_t *end = NULL;
    for (size_t i = 0; i < s->inlen && !end; i++)
        if (s->in[i] == '\r' || s->in[i] == '\n') end = s->in + i;
    if (!end) return s->inlen > 1024 ? s->inlen : 0;
    size_t n = (size_t)(end - s->in), used = n + 1;
    int64_t t = now + bsim_wire_us(s, used + 1);
    char text[1100];
    memcpy(text, s->in, n);
    text[n] = '\0';
    echo(s, s->in, n, t);
    verbose(s, text);
    toks k;
    if (split(text, n, &k) == 0) command(s, &k, t);
    return used;
}

void bsim_module_input(bsim *s, const uint8_t *data, size_t n, int64_t now_us)
{
    if (s->inlen + n > sizeof s->in) s->inlen = 0; /* overrun: a real UART loses bytes too */
    if (n > sizeof s->in) return;
    memcpy(s->in + s->inlen, data, n);
    s->inlen += n;
    if (s->mute) {
        s->inlen = 0;
        return;
    }
    for (;;) {
        size_t skip = 0;
        while (skip < s->inlen && (s->in[skip] == '\r' || s->in[skip] == '\n'))
            skip++;
        memmove(s->in, s->in + skip, s->inlen - skip);
        s->inlen -= skip;
        if (s->inlen == 0) return;
        size_t used = s->inlen >= 9 && memcmp(s->in, "SKSENDTO ", 9) == 0 ? take_sendto(s, now_us)
                                                                          : take_line(s, now_us);
        if (used == 0) return;
        memmove(s->in, s->in + used, s->inlen - used);
        s->inlen -= used;
    }
}
