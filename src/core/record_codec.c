/* SPDX-License-Identifier: Apache-2.0 */
/* record_codec.c — see record_codec.h. Layout (version 1):
 *   u8 version
 *   u8 flags: 1 device, 2 machine_id, 4 error
 *   svarint ts_us, svarint status, svarint shift_start_us
 *   [str device] [svarint machine_id] [str error]
 *   uvarint nfields, then per field: str name, u8 type|0x80 if error, value, [str error]
 *   value: bool u8 | int svarint | double 8 bytes little-endian | str
 *   str = uvarint length + bytes (no NUL)
 */
#include "record_codec.h"
#include "xalloc.h"

#include <string.h>

#define CODEC_VERSION 1
#define MAX_FIELDS    100000
#define MAX_STR       (16u << 20)

enum { F_DEVICE = 1, F_MACHINE = 2, F_ERROR = 4 };

static void put_uvarint(strbuf *o, uint64_t v)
{
    unsigned char b[10];
    size_t n = 0;
    do {
        b[n] = (unsigned char)(v & 0x7F);
        v >>= 7;
        if (v) b[n] |= 0x80;
        n++;
    } while (v);
    sb_append(o, (const char *)b, n);
}

static void put_svarint(strbuf *o, int64_t v)
{
    put_uvarint(o, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static void put_str(strbuf *o, const char *s)
{
    size_t n = strlen(s);
    put_uvarint(o, n);
    sb_append(o, s, n);
}

static void put_value(strbuf *o, const mdc_value *v)
{
    switch (v->type) {
    case MDC_NULL:
        break;
    case MDC_BOOL:
        sb_putc(o, v->u.b ? 1 : 0);
        break;
    case MDC_INT:
        put_svarint(o, v->u.i);
        break;
    case MDC_DOUBLE: {
        uint64_t bits;
        memcpy(&bits, &v->u.d, 8);
        unsigned char b[8];
        for (int i = 0; i < 8; i++)
            b[i] = (unsigned char)(bits >> (8 * i));
        sb_append(o, (const char *)b, 8);
        break;
    }
    case MDC_STRING:
        put_str(o, v->u.s);
        break;
    }
}

void mdc_record_encode(const mdc_record *r, strbuf *o)
{
    sb_putc(o, CODEC_VERSION);
    int flags =
        (r->device ? F_DEVICE : 0) | (r->has_machine_id ? F_MACHINE : 0) | (r->error ? F_ERROR : 0);
    sb_putc(o, (char)flags);
    put_svarint(o, r->ts_us);
    put_svarint(o, r->status);
    put_svarint(o, r->shift_start_us);
    if (r->device) put_str(o, r->device);
    if (r->has_machine_id) put_svarint(o, r->machine_id);
    if (r->error) put_str(o, r->error);
    put_uvarint(o, r->nfields);
    for (size_t i = 0; i < r->nfields; i++) {
        const mdc_field *f = &r->fields[i];
        put_str(o, f->name);
        sb_putc(o, (char)(f->v.type | (f->error ? 0x80 : 0)));
        put_value(o, &f->v);
        if (f->error) put_str(o, f->error);
    }
}

typedef struct reader {
    const unsigned char *p, *end;
} reader;

static int get_uvarint(reader *r, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) return -1;
        unsigned char b = *r->p++;
        if (shift == 63 && (b & 0x7E)) return -1;
        x |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

static int get_svarint(reader *r, int64_t *v)
{
    uint64_t u;
    if (get_uvarint(r, &u) < 0) return -1;
    *v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
    return 0;
}

static int get_str(reader *r, char **out)
{
    uint64_t n;
    if (get_uvarint(r, &n) < 0 || n > MAX_STR || n > (uint64_t)(r->end - r->p)) return -1;
    if (memchr(r->p, 0, (size_t)n)) return -1;
    *out = xstrndup((const char *)r->p, (size_t)n);
    r->p += n;
    return 0;
}

static int get_value(reader *r, int type, mdc_value *v)
{
    v->type = (mdc_vtype)type;
    switch (type) {
    case MDC_NULL:
        return 0;
    case MDC_BOOL:
        if (r->p >= r->end || *r->p > 1) return -1;
        v->u.b = *r->p++;
        return 0;
    case MDC_INT:
        return get_svarint(r, &v->u.i);
    case MDC_DOUBLE: {
        if (r->end - r->p < 8) return -1;
        uint64_t bits = 0;
        for (int i = 0; i < 8; i++)
            bits |= (uint64_t)r->p[i] << (8 * i);
        memcpy(&v->u.d, &bits, 8);
        r->p += 8;
        return 0;
    }
    case MDC_STRING:
        return get_str(r, &v->u.s);
    }
    v->type = MDC_NULL;
    return -1;
}

static int decode_fields(reader *rd, mdc_record *r)
{
    uint64_t n;
    if (get_uvarint(rd, &n) < 0 || n > MAX_FIELDS || n > (uint64_t)(rd->end - rd->p)) return -1;
    for (uint64_t i = 0; i < n; i++) {
        char *name;
        if (get_str(rd, &name) < 0) return -1;
        mdc_field *f = mdc_record_add(r, name);
        free(name);
        if (rd->p >= rd->end) return -1;
        int t = *rd->p++;
        if (get_value(rd, t & 0x7F, &f->v) < 0) return -1;
        if ((t & 0x80) && get_str(rd, &f->error) < 0) return -1;
    }
    return 0;
}

static int decode(reader *rd, mdc_record *r)
{
    if (rd->end - rd->p < 2 || rd->p[0] != CODEC_VERSION || (rd->p[1] & ~7)) return -1;
    int flags = rd->p[1];
    rd->p += 2;
    int64_t status;
    if (get_svarint(rd, &r->ts_us) < 0 || get_svarint(rd, &status) < 0 ||
        get_svarint(rd, &r->shift_start_us) < 0 || status < -1 || status > 2)
        return -1;
    r->status = (int)status;
    if ((flags & F_DEVICE) && get_str(rd, &r->device) < 0) return -1;
    if (flags & F_MACHINE) {
        r->has_machine_id = true;
        if (get_svarint(rd, &r->machine_id) < 0) return -1;
    }
    if ((flags & F_ERROR) && get_str(rd, &r->error) < 0) return -1;
    if (decode_fields(rd, r) < 0) return -1;
    return rd->p == rd->end ? 0 : -1;
}

int mdc_record_decode(const unsigned char *buf, size_t len, mdc_record *r, mdc_err *err)
{
    mdc_record_init(r);
    reader rd = {buf, buf + len};
    if (decode(&rd, r) < 0) {
        size_t at = (size_t)(rd.p - buf);
        mdc_record_free(r);
        return mdc_err_set(err, MDC_EPROTO, "corrupt spooled record (%zu bytes, bad at byte %zu)",
                           len, at);
    }
    return 0;
}
