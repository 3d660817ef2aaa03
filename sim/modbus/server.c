/* SPDX-License-Identifier: Apache-2.0 */
/* server.c — one request PDU in, one reply PDU out (or silence). */
#include "msim.h"
#include "drivers/modbus/pdu.h"

#include <stdio.h>
#include <string.h>

#define REFRESH_US 20000 /* rebuild the register images at most every 20 ms */

static void unit_meters(const msim_model *m, int unit, const msim_meter **first, size_t *n)
{
    *first = NULL;
    *n = 0;
    for (size_t k = 0; k < m->nmeters; k++) {
        if (m->meters[k].unit != unit) continue;
        if (!*first) *first = &m->meters[k];
        (*n)++;
    }
}

static void refresh(msim *s, int64_t now)
{
    if (!s->o.frozen && now - s->image_us >= REFRESH_US) {
        msim_model_advance(&s->model, now);
        s->image_dirty = true;
    }
    if (!s->image_dirty) return;
    for (int i = 0; i < s->o.nunits; i++) {
        int u = s->o.units[i];
        const msim_meter *first;
        size_t n;
        unit_meters(&s->model, u, &first, &n);
        msim_image_build(&s->images[u], &s->profile, first, n);
    }
    s->image_us = now;
    s->image_dirty = false;
}

static size_t exception(uint8_t fc, int code, uint8_t *reply, char *what, size_t cap)
{
    size_t l = strlen(what);
    snprintf(what + l, cap - l, " -> exception %02X %s", code, mdc_mb_exception_name(code));
    reply[0] = (uint8_t)(fc | 0x80);
    reply[1] = (uint8_t)code;
    return 2;
}

static size_t read_reply(const msim_image *img, int fc, uint32_t addr, uint32_t count,
                         uint8_t *reply)
{
    reply[0] = (uint8_t)fc;
    size_t nb = mdc_mb_reply_bytes(fc, (uint16_t)count);
    reply[1] = (uint8_t)nb;
    uint8_t *d = reply + 2;
    memset(d, 0, nb);
    if (fc <= 2) {
        const uint8_t *bits = fc == 1 ? img->coils : img->di;
        for (uint32_t i = 0; i < count; i++)
            d[i / 8] |= (uint8_t)((bits[addr + i] & 1) << (i % 8));
    } else {
        const uint16_t *regs = fc == 3 ? img->hr : img->ir;
        for (uint32_t i = 0; i < count; i++) {
            d[2 * i] = (uint8_t)(regs[addr + i] >> 8);
            d[2 * i + 1] = (uint8_t)(regs[addr + i] & 0xFF);
        }
    }
    return 2 + nb;
}

static uint32_t table_size(const msim_image *img, int fc)
{
    return fc <= 2 ? img->nbits : fc == 3 ? img->nhr : img->nir;
}

static size_t serve_read(msim *s, int unit, const uint8_t *pdu, size_t n, uint8_t *reply,
                         char *what, size_t cap)
{
    int fc = pdu[0];
    if (n != 5) return exception((uint8_t)fc, 3, reply, what, cap);
    uint32_t addr = (uint32_t)pdu[1] << 8 | pdu[2], count = (uint32_t)pdu[3] << 8 | pdu[4];
    size_t l = strlen(what);
    snprintf(what + l, cap - l, " addr %u count %u", addr, count);
    uint32_t max = fc <= 2 ? 2000 : 125;
    if (count < 1 || count > max) return exception((uint8_t)fc, 3, reply, what, cap);
    const msim_image *img = &s->images[unit];
    if (addr + count > table_size(img, fc)) return exception((uint8_t)fc, 2, reply, what, cap);
    refresh(s, msim_now_us());
    msim_image tmp = {0};
    img = msim_once_image(s, unit, fc, addr, count, &tmp);
    size_t len = read_reply(img, fc, addr, count, reply);
    if (img == &tmp) msim_image_free(&tmp);
    l = strlen(what);
    snprintf(what + l, cap - l, " -> %zu data bytes", len - 2);
    return len;
}

size_t msim_serve(msim *s, int unit, const uint8_t *pdu, size_t n, uint8_t *reply, char *what,
                  size_t whatcap)
{
    int fc = n > 0 ? pdu[0] : 0;
    snprintf(what, whatcap, "unit %d FC%d", unit, fc);
    size_t l = strlen(what);
    if (unit < 1 || unit > 255 || !s->unit_on[unit]) {
        snprintf(what + l, whatcap - l, " -> no reply (unit %d absent)", unit);
        return 0;
    }
    if (msim_now_us() < s->silence_until_us) {
        snprintf(what + l, whatcap - l, " -> no reply (silence)");
        return 0;
    }
    if (n < 1) return 0;
    s->served++;
    if (s->exception) return exception((uint8_t)fc, s->exception, reply, what, whatcap);
    if (fc < 1 || fc > 4) return exception((uint8_t)fc, 1, reply, what, whatcap);
    return serve_read(s, unit, pdu, n, reply, what, whatcap);
}

int64_t msim_reply_delay(msim *s)
{
    s->replies++;
    if (s->late_us > 0 && s->late_every > 0 && s->replies % s->late_every == 0)
        return s->slow_us + s->late_us;
    return s->slow_us;
}
