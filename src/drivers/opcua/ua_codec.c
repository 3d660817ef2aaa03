/* SPDX-License-Identifier: Apache-2.0 */
/* ua_codec.c — the UA Binary primitives: little-endian integers, IEEE floats, Strings, Guids
 * and DateTimes, and the bounded decoding cursor. */
#include "ua_types.h"

#include "core/xalloc.h"

#include <string.h>
#include <time.h>

void ua_r_init(ua_r *r, const void *p, size_t len)
{
    r->p = p;
    r->len = len;
    r->pos = 0;
    r->depth = 0;
    r->why = NULL;
}

size_t ua_r_left(const ua_r *r)
{
    return r->len - r->pos;
}

int ua_r_fail(ua_r *r, const char *why)
{
    if (!r->why) r->why = why;
    r->pos = r->len; /* nothing more can be read */
    return -1;
}

int ua_r_skip(ua_r *r, size_t n)
{
    if (ua_r_left(r) < n) return ua_r_fail(r, "truncated");
    r->pos += n;
    return 0;
}

int ua_r_bytes(ua_r *r, void *out, size_t n)
{
    if (ua_r_left(r) < n) return ua_r_fail(r, "truncated");
    if (n) memcpy(out, r->p + r->pos, n);
    r->pos += n;
    return 0;
}

static int get_le(ua_r *r, size_t n, uint64_t *v)
{
    if (ua_r_left(r) < n) return ua_r_fail(r, "truncated");
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++)
        x |= (uint64_t)r->p[r->pos + i] << (8 * i);
    r->pos += n;
    *v = x;
    return 0;
}

int ua_get_bool(ua_r *r, bool *v)
{
    uint64_t x;
    if (get_le(r, 1, &x) < 0) return -1;
    *v = x != 0;
    return 0;
}

#define GET_INT(fn, type, n)                                                                       \
    int fn(ua_r *r, type *v)                                                                       \
    {                                                                                              \
        uint64_t x;                                                                                \
        if (get_le(r, n, &x) < 0) return -1;                                                       \
        *v = (type)x;                                                                              \
        return 0;                                                                                  \
    }

GET_INT(ua_get_u8, uint8_t, 1)
GET_INT(ua_get_i8, int8_t, 1)
GET_INT(ua_get_u16, uint16_t, 2)
GET_INT(ua_get_i16, int16_t, 2)
GET_INT(ua_get_u32, uint32_t, 4)
GET_INT(ua_get_i32, int32_t, 4)
GET_INT(ua_get_u64, uint64_t, 8)
GET_INT(ua_get_i64, int64_t, 8)

int ua_get_f32(ua_r *r, float *v)
{
    uint32_t x;
    if (ua_get_u32(r, &x) < 0) return -1;
    memcpy(v, &x, 4);
    return 0;
}

int ua_get_f64(ua_r *r, double *v)
{
    uint64_t x;
    if (ua_get_u64(r, &x) < 0) return -1;
    memcpy(v, &x, 8);
    return 0;
}

int ua_get_string(ua_r *r, ua_string *v)
{
    int32_t len;
    v->len = -1;
    v->data = NULL;
    if (ua_get_i32(r, &len) < 0) return -1;
    if (len < 0) return 0; /* any negative length is null */
    if ((size_t)len > ua_r_left(r)) return ua_r_fail(r, "string longer than the message");
    v->data = xmalloc((size_t)len + 1);
    memcpy(v->data, r->p + r->pos, (size_t)len);
    v->data[len] = '\0';
    v->len = len;
    r->pos += (size_t)len;
    return 0;
}

int ua_get_guid(ua_r *r, ua_guid *v)
{
    return ua_get_u32(r, &v->d1) || ua_get_u16(r, &v->d2) || ua_get_u16(r, &v->d3) ||
                   ua_r_bytes(r, v->d4, 8)
               ? -1
               : 0;
}

/* ---- encoding ---- */

static void put_le(strbuf *w, uint64_t x, size_t n)
{
    char b[8];
    for (size_t i = 0; i < n; i++)
        b[i] = (char)(x >> (8 * i));
    sb_append(w, b, n);
}

void ua_put_bool(strbuf *w, bool v)
{
    put_le(w, v ? 1 : 0, 1);
}

void ua_put_u8(strbuf *w, uint8_t v)
{
    put_le(w, v, 1);
}

void ua_put_u16(strbuf *w, uint16_t v)
{
    put_le(w, v, 2);
}

void ua_put_u32(strbuf *w, uint32_t v)
{
    put_le(w, v, 4);
}

void ua_put_i32(strbuf *w, int32_t v)
{
    put_le(w, (uint32_t)v, 4);
}

void ua_put_u64(strbuf *w, uint64_t v)
{
    put_le(w, v, 8);
}

void ua_put_i64(strbuf *w, int64_t v)
{
    put_le(w, (uint64_t)v, 8);
}

void ua_put_f32(strbuf *w, float v)
{
    uint32_t x;
    memcpy(&x, &v, 4);
    put_le(w, x, 4);
}

void ua_put_f64(strbuf *w, double v)
{
    uint64_t x;
    memcpy(&x, &v, 8);
    put_le(w, x, 8);
}

void ua_put_raw(strbuf *w, const void *p, size_t n)
{
    sb_append(w, p, n);
}

void ua_put_bytes(strbuf *w, const void *p, int32_t len)
{
    if (len < 0 || (!p && len > 0)) {
        ua_put_i32(w, -1);
        return;
    }
    ua_put_i32(w, len);
    if (len) sb_append(w, p, (size_t)len);
}

void ua_put_string(strbuf *w, const ua_string *v)
{
    ua_put_bytes(w, v->data, v->data ? v->len : -1);
}

void ua_put_cstr(strbuf *w, const char *s)
{
    ua_put_bytes(w, s, s ? (int32_t)strlen(s) : -1);
}

void ua_put_guid(strbuf *w, const ua_guid *v)
{
    ua_put_u32(w, v->d1);
    ua_put_u16(w, v->d2);
    ua_put_u16(w, v->d3);
    sb_append(w, (const char *)v->d4, 8);
}

void ua_patch_u32(strbuf *w, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        w->buf[at + (size_t)i] = (char)(v >> (8 * i));
}

/* ---- strings ---- */

void ua_string_clear(ua_string *v)
{
    free(v->data);
    v->data = NULL;
    v->len = -1;
}

void ua_string_set(ua_string *v, const void *p, int32_t len)
{
    free(v->data);
    v->data = NULL;
    v->len = -1;
    if (len < 0) return;
    v->data = xmalloc((size_t)len + 1);
    if (len) memcpy(v->data, p, (size_t)len);
    v->data[len] = '\0';
    v->len = len;
}

void ua_string_copy(ua_string *dst, const ua_string *src)
{
    dst->data = NULL;
    ua_string_set(dst, src->data, src->data ? src->len : -1);
}

bool ua_string_eq(const ua_string *a, const ua_string *b)
{
    if (!a->data || !b->data) return !a->data && !b->data;
    return a->len == b->len && memcmp(a->data, b->data, (size_t)a->len) == 0;
}

/* ---- DateTime ---- */

int64_t ua_datetime_from_unix_us(int64_t us)
{
    if (us < -UA_DATETIME_UNIX_EPOCH / 10) return 0;
    if (us > (INT64_MAX - UA_DATETIME_UNIX_EPOCH) / 10) return INT64_MAX;
    return us * 10 + UA_DATETIME_UNIX_EPOCH;
}

int64_t ua_datetime_to_unix_us(int64_t dt)
{
    int64_t t = dt - UA_DATETIME_UNIX_EPOCH;
    return t >= 0 ? t / 10 : -((-t + 9) / 10);
}

int64_t ua_datetime_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ua_datetime_from_unix_us((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}
