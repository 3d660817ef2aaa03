/* SPDX-License-Identifier: Apache-2.0 */
/* session_calls.c — run info (R_RI, needs the DNC login) and PLC memory (R_MB, needs the
 * PLCDEBUG login) on an open session. */
#include "session_internal.h"

#include <stdio.h>
#include <string.h>

/* R_RI selector → S_RI payload, after the DNC login. */
static int run_info(lsv2_session *s, uint16_t selector, lsv2_req *req, lsv2_telegram *t,
                    mdc_err *err)
{
    if (lsv2_login(s, LSV2_LOGIN_DNC, s->dnc_password, err) < 0) return -1;
    lsv2_req_run_info(req, selector);
    return lsv2_exchange(s, req, "S_RI", t, err);
}

/* A well-framed reply that does not parse: reported with its context; the stream stays in
 * step, so the session is not broken. */
static int bad_reply(lsv2_session *s, const lsv2_req *req, const mdc_err *e, mdc_err *err)
{
    return lsv2_fail(s, LSV2_OK, err, MDC_EPROTO, req->what, "%s", e->msg);
}

static int state(lsv2_session *s, uint16_t selector, int *out, mdc_err *err)
{
    lsv2_req req;
    lsv2_telegram t;
    mdc_err e;
    uint16_t v;
    if (run_info(s, selector, &req, &t, err) < 0) return -1;
    if (lsv2_parse_state(t.payload, t.len, &v, &e) < 0) return bad_reply(s, &req, &e, err);
    *out = v;
    return 0;
}

int lsv2_read_exec_state(lsv2_session *s, int *out, mdc_err *err)
{
    return state(s, LSV2_RI_EXEC_STATE, out, err);
}

int lsv2_read_pgm_state(lsv2_session *s, int *out, mdc_err *err)
{
    return state(s, LSV2_RI_PGM_STATE, out, err);
}

int lsv2_read_stack(lsv2_session *s, lsv2_stack *out, mdc_err *err)
{
    lsv2_req req;
    lsv2_telegram t;
    mdc_err e;
    if (run_info(s, LSV2_RI_PGM_STACK, &req, &t, err) < 0) return -1;
    if (lsv2_parse_stack(t.payload, t.len, out, &e) < 0) return bad_reply(s, &req, &e, err);
    return 0;
}

int lsv2_read_overrides(lsv2_session *s, lsv2_overrides *out, mdc_err *err)
{
    lsv2_req req;
    lsv2_telegram t;
    mdc_err e;
    if (run_info(s, LSV2_RI_OVERRIDE, &req, &t, err) < 0) return -1;
    if (lsv2_parse_overrides(t.payload, t.len, out, &e) < 0) return bad_reply(s, &req, &e, err);
    return 0;
}

int lsv2_read_nc_errors(lsv2_session *s, lsv2_nc_error *out, size_t max, size_t *n, mdc_err *err)
{
    *n = 0;
    for (size_t i = 0; i < max; i++) {
        lsv2_req req;
        lsv2_telegram t;
        mdc_err e = {0};
        uint16_t sel = i == 0 ? LSV2_RI_FIRST_ERROR : LSV2_RI_NEXT_ERROR;
        if (run_info(s, sel, &req, &t, &e) < 0) {
            if (e.code == MDC_EDEVICE && s->last_error.code == LSV2_ERR_NO_NEXT_ERROR)
                return 0; /* the end of the list (or no error at all) */
            if (err) *err = e;
            return -1;
        }
        if (lsv2_parse_nc_error(t.payload, t.len, &out[i], &e) < 0)
            return bad_reply(s, &req, &e, err);
        (*n)++;
    }
    return 0;
}

/* ---- PLC memory ---- */

/* Elements per R_MB: the count is one byte, and the S_MB telegram must fit in the buffer. */
static uint32_t chunk_elements(const lsv2_session *s, int size)
{
    int bytes = s->buffer - LSV2_HEADER_LEN;
    if (bytes > 255) bytes = 255;
    return (uint32_t)(bytes / size);
}

static int read_chunk(lsv2_session *s, lsv2_mem m, uint32_t address, uint32_t count,
                      int64_t *values, mdc_err *err)
{
    int size = lsv2_mem_size(m);
    lsv2_req req;
    lsv2_telegram t;
    lsv2_req_plc(&req, address, (uint8_t)(count * (uint32_t)size));
    if (lsv2_exchange(s, &req, "S_MB", &t, err) < 0) return -1;
    if (t.len != count * (uint32_t)size)
        return lsv2_fail(s, LSV2_OK, err, MDC_EPROTO, req.what,
                         "S_MB has %zu bytes (asked for %lu)", t.len,
                         (unsigned long)(count * (uint32_t)size));
    for (uint32_t i = 0; i < count; i++)
        values[i] = lsv2_plc_value(m, t.payload + i * (uint32_t)size);
    return 0;
}

static int read_range(lsv2_session *s, lsv2_mem m, uint32_t number, uint32_t count, int64_t *values,
                      mdc_err *err)
{
    uint32_t step = lsv2_mem_is_bit(m) ? 1 : (uint32_t)lsv2_mem_size(m); /* native numbering */
    uint32_t per = chunk_elements(s, lsv2_mem_size(m));
    for (uint32_t done = 0; done < count;) {
        uint32_t n = count - done < per ? count - done : per;
        uint64_t first = (uint64_t)number + (uint64_t)done * step;
        uint64_t last = first + (uint64_t)(n - 1) * step;
        uint32_t address, unused;
        mdc_err e;
        if (last > UINT32_MAX)
            return mdc_err_set(err, MDC_EINVAL, "%s: %s%llu is beyond the 32-bit range", s->peer,
                               lsv2_mem_prefix(m), (unsigned long long)last);
        if (lsv2_plc_address(&s->params, m, (uint32_t)last, &unused, &e) < 0 ||
            lsv2_plc_address(&s->params, m, (uint32_t)first, &address, &e) < 0)
            return mdc_err_set(err, MDC_EINVAL, "%s: %s", s->peer, e.msg);
        if (read_chunk(s, m, address, n, values + done, err) < 0) return -1;
        done += n;
    }
    return 0;
}

int lsv2_read_plc(lsv2_session *s, lsv2_mem m, uint32_t number, uint32_t count, int64_t *values,
                  mdc_err *err)
{
    mdc_err login = {0}, e = {0};
    if (lsv2_login(s, LSV2_LOGIN_PLCDEBUG, s->plc_password, &login) == 0)
        return read_range(s, m, number, count, values, err);
    if (login.code != MDC_EAUTH) {
        if (err) *err = login;
        return -1;
    }
    /* PLCDEBUG refused. The 1993 manual lists R_MB under INSPECT: try without it. */
    if (read_range(s, m, number, count, values, &e) == 0) return 0;
    if (e.code != MDC_EDEVICE) {
        if (err) *err = e;
        return -1;
    }
    char d[200];
    lsv2_error_describe(&s->last_error, d, sizeof d);
    return mdc_err_set(err, MDC_EAUTH, "%s; R_MB without PLCDEBUG: %s", login.msg, d);
}
