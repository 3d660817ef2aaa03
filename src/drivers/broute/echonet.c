/* SPDX-License-Identifier: Apache-2.0 */
/* echonet.c — ECHONET Lite frame encoding, decoding and request/response matching. */
#include "echonet.h"

#include <stdio.h>
#include <string.h>

static void put_eoj(uint8_t *p, uint32_t eoj)
{
    p[0] = (uint8_t)(eoj >> 16);
    p[1] = (uint8_t)(eoj >> 8);
    p[2] = (uint8_t)eoj;
}

static uint32_t get_eoj(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

size_t mdc_el_encode(const mdc_el_frame *f, uint8_t *out, size_t cap)
{
    if (f->opc == 0 || f->opc > MDC_EL_MAX_PROPS || cap < MDC_EL_HEADER) return 0;
    out[0] = MDC_EL_EHD1;
    out[1] = MDC_EL_EHD2;
    out[2] = (uint8_t)(f->tid >> 8);
    out[3] = (uint8_t)f->tid;
    put_eoj(out + 4, f->seoj);
    put_eoj(out + 7, f->deoj);
    out[10] = f->esv;
    out[11] = f->opc;
    size_t n = MDC_EL_HEADER;
    for (unsigned i = 0; i < f->opc; i++) {
        const mdc_el_prop *p = &f->props[i];
        if (cap - n < 2u + p->pdc) return 0;
        out[n++] = p->epc;
        out[n++] = p->pdc;
        if (p->pdc) memcpy(out + n, p->edt, p->pdc);
        n += p->pdc;
    }
    return n;
}

static bool is_setget(uint8_t esv)
{
    return esv == MDC_EL_SETGET || esv == MDC_EL_SETGET_RES || esv == MDC_EL_SETGET_SNA;
}

int mdc_el_decode(const uint8_t *p, size_t n, mdc_el_frame *f, mdc_err *err)
{
    if (n < MDC_EL_HEADER)
        return mdc_err_set(err, MDC_EPROTO, "ECHONET Lite frame too short (%zu bytes, need 12)", n);
    if (p[0] != MDC_EL_EHD1 || p[1] != MDC_EL_EHD2)
        return mdc_err_set(err, MDC_EPROTO,
                           "not an ECHONET Lite frame (header %02X%02X, expected 1081)", p[0],
                           p[1]);
    memset(f, 0, sizeof *f);
    f->tid = (uint16_t)(p[2] << 8 | p[3]);
    f->seoj = get_eoj(p + 4);
    f->deoj = get_eoj(p + 7);
    f->esv = p[10];
    f->opc = p[11];
    if (is_setget(f->esv))
        return mdc_err_set(err, MDC_EPROTO, "ECHONET Lite SetGet (ESV %02X) is not supported",
                           f->esv);
    if (f->opc == 0) return mdc_err_set(err, MDC_EPROTO, "ECHONET Lite frame with OPC 0");
    if (f->opc > MDC_EL_MAX_PROPS)
        return mdc_err_set(err, MDC_EPROTO, "ECHONET Lite frame with %u properties (at most %d)",
                           f->opc, MDC_EL_MAX_PROPS);
    size_t at = MDC_EL_HEADER;
    for (unsigned i = 0; i < f->opc; i++) {
        if (n - at < 2)
            return mdc_err_set(err, MDC_EPROTO,
                               "ECHONET Lite frame truncated: property %u of %u missing", i + 1,
                               f->opc);
        mdc_el_prop *q = &f->props[i];
        q->epc = p[at];
        q->pdc = p[at + 1];
        at += 2;
        if (n - at < q->pdc)
            return mdc_err_set(err, MDC_EPROTO,
                               "ECHONET Lite frame truncated: property %u (EPC 0x%02X) has PDC %u "
                               "but only %zu bytes follow",
                               i + 1, q->epc, q->pdc, n - at);
        q->edt = q->pdc ? p + at : NULL;
        at += q->pdc;
    }
    if (at != n)
        return mdc_err_set(err, MDC_EPROTO,
                           "ECHONET Lite frame has %zu bytes after its last property", n - at);
    return 0;
}

const mdc_el_prop *mdc_el_find(const mdc_el_frame *f, uint8_t epc)
{
    for (unsigned i = 0; i < f->opc && i < MDC_EL_MAX_PROPS; i++)
        if (f->props[i].epc == epc) return &f->props[i];
    return NULL;
}

bool mdc_el_is_sna(uint8_t esv)
{
    return (esv & 0xF0) == 0x50;
}

int mdc_el_response_esv(uint8_t request_esv, uint8_t *ok, uint8_t *sna)
{
    switch (request_esv) {
    case MDC_EL_SETI: /* SetI has no success response, only SetI_SNA */
        *ok = 0;
        *sna = MDC_EL_SETI_SNA;
        return 0;
    case MDC_EL_SETC:
        *ok = MDC_EL_SET_RES;
        *sna = MDC_EL_SETC_SNA;
        return 0;
    case MDC_EL_GET:
        *ok = MDC_EL_GET_RES;
        *sna = MDC_EL_GET_SNA;
        return 0;
    case MDC_EL_INF_REQ:
        *ok = MDC_EL_INF;
        *sna = MDC_EL_INF_SNA;
        return 0;
    case MDC_EL_INFC:
        *ok = MDC_EL_INFC_RES;
        *sna = 0;
        return 0;
    }
    return -1;
}

const char *mdc_el_esv_name(uint8_t esv, char *buf, size_t n)
{
    static const struct {
        uint8_t esv;
        const char *name;
    } names[] = {
        {MDC_EL_SETI, "SetI"},         {MDC_EL_SETC, "SetC"},         {MDC_EL_GET, "Get"},
        {MDC_EL_INF_REQ, "INF_REQ"},   {MDC_EL_SETGET, "SetGet"},     {MDC_EL_SET_RES, "Set_Res"},
        {MDC_EL_GET_RES, "Get_Res"},   {MDC_EL_INF, "INF"},           {MDC_EL_INFC, "INFC"},
        {MDC_EL_INFC_RES, "INFC_Res"}, {MDC_EL_SETI_SNA, "SetI_SNA"}, {MDC_EL_SETC_SNA, "SetC_SNA"},
        {MDC_EL_GET_SNA, "Get_SNA"},   {MDC_EL_INF_SNA, "INF_SNA"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].esv == esv) return names[i].name;
    snprintf(buf, n, "ESV 0x%02X", esv);
    return buf;
}

static bool same_object(uint32_t asked, uint32_t got)
{
    if ((asked & 0xFF) == 0) return (asked >> 8) == (got >> 8); /* instance 0: any instance */
    return asked == got;
}

int mdc_el_match(const mdc_el_frame *req, const mdc_el_frame *res, mdc_err *err)
{
    uint8_t ok, sna;
    char b1[16], b2[16];
    if (res->tid != req->tid)
        return mdc_err_set(err, MDC_EPROTO, "TID %04X, expected %04X", res->tid, req->tid);
    if (!same_object(req->deoj, res->seoj) || res->deoj != req->seoj)
        return mdc_err_set(err, MDC_EPROTO, "objects %06X->%06X, expected %06X->%06X", res->seoj,
                           res->deoj, req->deoj, req->seoj);
    if (mdc_el_response_esv(req->esv, &ok, &sna) < 0 || (res->esv != ok && res->esv != sna) ||
        res->esv == 0)
        return mdc_err_set(err, MDC_EPROTO, "%s does not answer %s",
                           mdc_el_esv_name(res->esv, b1, sizeof b1),
                           mdc_el_esv_name(req->esv, b2, sizeof b2));
    if (res->opc != req->opc)
        return mdc_err_set(err, MDC_EPROTO, "%u properties, expected %u", res->opc, req->opc);
    for (unsigned i = 0; i < req->opc; i++)
        if (res->props[i].epc != req->props[i].epc)
            return mdc_err_set(err, MDC_EPROTO, "property %u is EPC 0x%02X, expected 0x%02X", i + 1,
                               res->props[i].epc, req->props[i].epc);
    return 0;
}
