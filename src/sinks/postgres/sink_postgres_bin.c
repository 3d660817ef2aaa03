/* SPDX-License-Identifier: Apache-2.0 */
/* sink_postgres_bin.c — PostgreSQL's binary wire formats, written by hand: COPY ... WITH
 * (FORMAT binary) tuples and one-dimensional array parameters. The server then parses nothing
 * (no float or timestamp text), which is what makes the sink faster than a text COPY. Layouts
 * from PostgreSQL's documentation (COPY, "Binary Format") and its send/recv functions: integers
 * and floats big-endian, timestamptz as int64 microseconds since 2000-01-01 UTC, text as its
 * UTF-8 bytes, jsonb as a version byte 1 and the JSON text, NULL as length -1. */
#include "sink_postgres_internal.h"

#include "format/format.h"

#include <string.h>

#define PG_EPOCH_US (INT64_C(946684800) * INT64_C(1000000)) /* 2000-01-01 in Unix µs */

static void put_be(strbuf *b, uint64_t v, int bytes)
{
    char out[8];
    for (int i = 0; i < bytes; i++)
        out[i] = (char)(v >> (8 * (bytes - 1 - i)));
    sb_append(b, out, (size_t)bytes);
}

void pgb_i16(strbuf *b, int v)
{
    put_be(b, (uint64_t)(uint16_t)v, 2);
}

void pgb_i32(strbuf *b, int32_t v)
{
    put_be(b, (uint64_t)(uint32_t)v, 4);
}

void pgb_null(strbuf *b)
{
    pgb_i32(b, -1);
}

void pgb_int4(strbuf *b, int32_t v)
{
    pgb_i32(b, 4);
    pgb_i32(b, v);
}

void pgb_int8(strbuf *b, int64_t v)
{
    pgb_i32(b, 8);
    put_be(b, (uint64_t)v, 8);
}

void pgb_float8(strbuf *b, double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    pgb_i32(b, 8);
    put_be(b, bits, 8);
}

void pgb_timestamptz(strbuf *b, int64_t unix_us)
{
    /* an instant so early that the subtraction would overflow is far outside PostgreSQL's
     * range: send one the server rejects too (INT64_MIN itself would mean -infinity) */
    int64_t us = unix_us > INT64_MIN + PG_EPOCH_US ? unix_us - PG_EPOCH_US : INT64_MIN + 1;
    pgb_int8(b, us);
}

static bool ascii(const char *s, size_t *len)
{
    const char *p = s;
    for (; *p; p++)
        if ((unsigned char)*p >= 0x80) return false;
    *len = (size_t)(p - s);
    return true;
}

/* Text is sent as valid UTF-8: invalid bytes become U+FFFD, as in every other sink. */
static void put_text(strbuf *b, const char *s)
{
    size_t n;
    if (ascii(s, &n)) {
        pgb_i32(b, (int32_t)n);
        sb_append(b, s, n);
        return;
    }
    strbuf clean = STRBUF_INIT;
    mdc_fmt_utf8_clean(&clean, s);
    pgb_i32(b, (int32_t)clean.len);
    sb_append(b, sb_str(&clean), clean.len);
    sb_free(&clean);
}

void pgb_text(strbuf *b, const char *s)
{
    if (!s)
        pgb_null(b);
    else
        put_text(b, s);
}

void pgb_bytes(strbuf *b, const char *s, size_t n)
{
    pgb_i32(b, (int32_t)n);
    sb_append(b, s, n);
}

void pgb_copy_header(strbuf *b)
{
    sb_append(b, "PGCOPY\n\377\r\n\0", 11);
    pgb_i32(b, 0); /* flags: no OIDs */
    pgb_i32(b, 0); /* no header extension */
}

void pgb_copy_trailer(strbuf *b)
{
    pgb_i16(b, -1);
}

/* ---- arrays ---- */

#define ARRAY_HEADER 20 /* ndim, flags, element type, size, lower bound */

void pga_start(pg_array *a, uint32_t elem_oid)
{
    sb_reset(&a->data);
    sb_append(&a->data, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", ARRAY_HEADER);
    a->oid = elem_oid;
    a->n = 0;
    a->has_null = false;
}

strbuf *pga_next(pg_array *a)
{
    a->n++;
    return &a->data;
}

void pga_null(pg_array *a)
{
    a->has_null = true;
    pgb_null(pga_next(a));
}

void pga_finish(pg_array *a)
{
    strbuf head = STRBUF_INIT;
    pgb_i32(&head, 1);
    pgb_i32(&head, a->has_null ? 1 : 0);
    pgb_i32(&head, (int32_t)a->oid);
    pgb_i32(&head, a->n);
    pgb_i32(&head, 1);
    memcpy(a->data.buf, head.buf, ARRAY_HEADER);
    sb_free(&head);
}

void pga_free(pg_array *a)
{
    sb_free(&a->data);
}
