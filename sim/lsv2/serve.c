/* SPDX-License-Identifier: Apache-2.0 */
/* serve.c — one LSV2 request → one reply, with per-connection logins and buffer size
 * (research/lsv2.md §8). E(c) below is T_ER with error type 1 and code c. */
#include "lsim.h"

#include "drivers/lsv2/telegram.h"

#include <stdio.h>
#include <string.h>

enum {
    L_INSPECT = 1,
    L_DNC = 2,
    L_PLCDEBUG = 4,
    L_FILE = 8,
    L_DIAGNOSTICS = 16,
    L_MONITOR = 32,
    L_DATA = 64,
};

static const struct {
    const char *name;
    unsigned bit;
} login_names[] = {{"INSPECT", L_INSPECT},
                   {"DNC", L_DNC},
                   {"PLCDEBUG", L_PLCDEBUG},
                   {"FILE", L_FILE},
                   {"DIAGNOSTICS", L_DIAGNOSTICS},
                   {"MONITOR", L_MONITOR},
                   {"DATA", L_DATA}};

typedef struct reply {
    uint8_t *out;
    size_t cap, len;
    char *what;
    size_t whatcap;
} reply;

static void put(reply *r, const char *code, const uint8_t *payload, size_t len)
{
    long n = lsv2_encode(code, payload, len, r->out + r->len, r->cap - r->len, NULL);
    if (n > 0) r->len += (size_t)n;
    size_t w = strlen(r->what);
    snprintf(r->what + w, r->whatcap - w, " -> %s%s", code,
             len ? "" : (strcmp(code, "T_OK") == 0 ? "" : " (empty)"));
}

static void ok(reply *r)
{
    put(r, "T_OK", NULL, 0);
}

static void ter(lsim *s, reply *r, int code)
{
    uint8_t p[16] = {1, (uint8_t)code};
    size_t n = (size_t)s->o.ter_len;
    if (n > sizeof p) n = sizeof p;
    put(r, "T_ER", p, n);
    size_t w = strlen(r->what);
    snprintf(r->what + w, r->whatcap - w, " %d", code);
}

static void login(lsim *s, lsim_conn_state *cs, const uint8_t *p, size_t len, reply *r)
{
    const uint8_t *nul = len ? memchr(p, 0, len) : NULL;
    if (!nul) return ter(s, r, LSV2_ERR_BAD_FORMAT);
    const char *name = (const char *)p;
    char pw[64] = "";
    size_t rest = (size_t)(p + len - (nul + 1));
    if (rest) snprintf(pw, sizeof pw, "%.*s", (int)strnlen((const char *)nul + 1, rest), nul + 1);
    size_t w = strlen(r->what);
    snprintf(r->what + w, r->whatcap - w, " %.20s", name);
    for (size_t i = 0; i < sizeof login_names / sizeof login_names[0]; i++) {
        if (strcmp(name, login_names[i].name) != 0) continue;
        unsigned bit = login_names[i].bit;
        if ((bit == L_DNC && s->o.refuse_dnc) || (bit == L_PLCDEBUG && s->o.refuse_plc))
            return ter(s, r, LSV2_ERR_NO_LOGIN);
        if (bit == L_PLCDEBUG && s->o.plc_password[0] && strcmp(pw, s->o.plc_password) != 0)
            return ter(s, r, LSV2_ERR_BAD_KEY);
        cs->logins |= bit;
        return ok(r);
    }
    ter(s, r, LSV2_ERR_NO_LOGIN);
}

static void logout(lsim_conn_state *cs, const uint8_t *p, size_t len, reply *r)
{
    if (len == 0 || !memchr(p, 0, len)) {
        cs->logins = 0;
        return ok(r);
    }
    for (size_t i = 0; i < sizeof login_names / sizeof login_names[0]; i++)
        if (strcmp((const char *)p, login_names[i].name) == 0) cs->logins &= ~login_names[i].bit;
    ok(r);
}

static void version(lsim *s, const uint8_t *p, size_t len, reply *r)
{
    const lsim_profile *pr = s->profile;
    if (len == 0) return put(r, "S_VR", pr->version, pr->version_len);
    if (len != 1) return ter(s, r, LSV2_ERR_BAD_FORMAT);
    const char *v = p[0] < 8 ? pr->selector[p[0]] : NULL;
    if (!v) return ter(s, r, LSV2_ERR_WRONG_PARA);
    put(r, "S_VR", (const uint8_t *)v, strlen(v) + 1);
}

static void sysinfo(lsim *s, const uint8_t *p, size_t len, reply *r)
{
    if (!s->profile->rci) return ter(s, r, LSV2_ERR_UNKNOWN_TELE);
    if (len != 4) return ter(s, r, LSV2_ERR_BAD_FORMAT);
    uint8_t a[8] = {0};
    uint32_t k = lsv2_be32(p);
    if (k == 1 || k == 2) {
        lsv2_put_be32(a, 1);
        a[7] = k == 2; /* turbo off, DNC allowed */
    } else if (k == 3) {
        lsv2_put_be32(a, 2);
        lsv2_put_be32(a + 4, 3000);
    } else {
        return ter(s, r, LSV2_ERR_WRONG_PARA);
    }
    put(r, "S_CI", a, sizeof a);
}

static void command(lsim *s, lsim_conn_state *cs, const uint8_t *p, size_t len, reply *r)
{
    if (len < 2) return ter(s, r, LSV2_ERR_BAD_FORMAT);
    int code = lsv2_be16(p);
    size_t w = strlen(r->what);
    snprintf(r->what + w, r->whatcap - w, " %d", code);
    static const int sizes[8] = {0, 0, 0, 1024, 512, 2048, 3072, 4096};
    if (code >= 3 && code <= 7 && sizes[code] <= s->profile->max_block) {
        cs->buffer = sizes[code];
        return ok(r);
    }
    if (code == 19) return ok(r);
    ter(s, r, LSV2_ERR_WRONG_PARA);
}

static size_t put_str(uint8_t *b, size_t at, const char *str)
{
    size_t n = strlen(str) + 1;
    memcpy(b + at, str, n);
    return at + n;
}

/* The active error messages: the alarm text split at '|'. Returns the text of number i. */
static int error_at(const lsim_snapshot *snap, int i, char *text, size_t cap)
{
    const char *p = snap->error;
    for (int k = 0; p && k < i; k++) {
        p = strchr(p, '|');
        if (p) p++;
    }
    if (!p || !*p) return -1;
    size_t n = strcspn(p, "|");
    snprintf(text, cap, "%.*s", (int)n, p);
    return 0;
}

static void nc_error(lsim *s, lsim_conn_state *cs, const lsim_snapshot *snap, int first, reply *r)
{
    if (!s->profile->nc_errors) return ter(s, r, LSV2_ERR_WRONG_PARA);
    if (first) cs->next_error = 0;
    char text[200];
    if (error_at(snap, cs->next_error, text, sizeof text) < 0)
        return ter(s, r, LSV2_ERR_NO_NEXT_ERROR);
    uint8_t b[256];
    lsv2_put_be16(b, 3);
    lsv2_put_be16(b + 2, 3);
    lsv2_put_be32(b + 4, (uint32_t)(0x8100000Au + (unsigned)cs->next_error));
    size_t n = put_str(b, 8, text);
    cs->next_error++;
    put(r, "S_RI", b, n);
}

static void run_info(lsim *s, lsim_machine *m, lsim_conn_state *cs, const uint8_t *p, size_t len,
                     reply *r)
{
    if (!(cs->logins & L_DNC)) return ter(s, r, LSV2_ERR_NO_PRIV);
    if (len != 2) return ter(s, r, LSV2_ERR_BAD_FORMAT);
    int sel = lsv2_be16(p);
    size_t w = strlen(r->what);
    snprintf(r->what + w, r->whatcap - w, " %d", sel);
    lsim_snapshot snap;
    lsim_machine_sample(m, lsim_now_us(), &snap);
    uint8_t b[1200];
    if (s->o.mcc) { /* an unsolicited message in the same write as the answer */
        const uint8_t mcc[4] = {0x00, 0x1b, 0x00, 0x64};
        put(r, "M_CC", mcc, sizeof mcc);
    }
    switch (sel) {
    case 23:
    case 26:
        lsv2_put_be16(b, (uint16_t)(sel == 23 ? snap.exec : snap.pgm));
        return put(r, "S_RI", b, 2);
    case 24: {
        lsv2_put_be32(b, snap.line);
        size_t n = put_str(b, 4, snap.main);
        n = put_str(b, n, snap.current);
        return put(r, "S_RI", b, n);
    }
    case 25:
        if (!s->profile->overrides) break;
        lsv2_put_be32(b, 10000);
        lsv2_put_be32(b + 4, 8500);
        lsv2_put_be32(b + 8, 5000);
        return put(r, "S_RI", b, 12);
    case 27:
    case 28:
        return nc_error(s, cs, &snap, sel == 27, r);
    }
    ter(s, r, LSV2_ERR_WRONG_PARA);
}

static void plc(lsim *s, lsim_machine *m, lsim_conn_state *cs, const uint8_t *p, size_t len,
                reply *r)
{
    if (!(cs->logins & L_PLCDEBUG)) return ter(s, r, LSV2_ERR_NO_PRIV);
    if (len != 5) return ter(s, r, LSV2_ERR_BAD_FORMAT);
    uint32_t a = lsv2_be32(p);
    unsigned n = p[4];
    size_t w = strlen(r->what);
    snprintf(r->what + w, r->whatcap - w, " 0x%lx+%u", (unsigned long)a, n);
    if (n == 0) return ter(s, r, LSV2_ERR_WRONG_PARA);
    if (a < s->profile->base || (uint64_t)a + n > m->layout.end)
        return ter(s, r, LSV2_ERR_BAD_MEMADR);
    lsim_machine_image(m, lsim_now_us());
    put(r, "S_MB", m->image + (a - s->profile->base), n);
}

size_t lsim_serve(lsim *s, lsim_machine *m, lsim_conn_state *cs, const char *code, const uint8_t *p,
                  size_t len, uint8_t *out, size_t cap, char *what, size_t whatcap)
{
    reply r = {.out = out, .cap = cap, .len = 0, .what = what, .whatcap = whatcap};
    snprintf(what, whatcap, "%s", code);
    bool inspect = cs->logins & L_INSPECT;
    if (LSV2_HEADER_LEN + len > (size_t)cs->buffer)
        ter(s, &r, LSV2_ERR_BAD_FORMAT);
    else if (strcmp(code, "A_LG") == 0)
        login(s, cs, p, len, &r);
    else if (strcmp(code, "A_LO") == 0)
        logout(cs, p, len, &r);
    else if (strcmp(code, "R_VR") == 0)
        inspect ? version(s, p, len, &r) : ter(s, &r, LSV2_ERR_NO_PRIV);
    else if (strcmp(code, "R_PR") == 0 && inspect) {
        uint8_t b[124];
        lsim_params_encode(s->profile, b);
        put(&r, "S_PR", b, s->profile->params_len);
    } else if (strcmp(code, "R_CI") == 0)
        inspect ? sysinfo(s, p, len, &r) : ter(s, &r, LSV2_ERR_NO_PRIV);
    else if (strcmp(code, "C_CC") == 0)
        inspect ? command(s, cs, p, len, &r) : ter(s, &r, LSV2_ERR_NO_PRIV);
    else if (strcmp(code, "R_RI") == 0)
        run_info(s, m, cs, p, len, &r);
    else if (strcmp(code, "R_MB") == 0)
        plc(s, m, cs, p, len, &r);
    else if (strcmp(code, "R_PR") == 0)
        ter(s, &r, LSV2_ERR_NO_PRIV);
    else
        ter(s, &r, LSV2_ERR_UNKNOWN_TELE);
    return r.len;
}
