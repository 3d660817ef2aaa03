/* SPDX-License-Identifier: Apache-2.0 */
/* plan.c — request planning: group, sort, merge within gap and size limits. */
#include "plan.h"
#include "core/xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct sorted_span {
    int function;
    uint32_t address;
    uint32_t end; /* exclusive */
    size_t idx;
} sorted_span;

void mdc_mb_plan_opts_init(mdc_mb_plan_opts *o)
{
    o->max_gap = 10;
    o->max_registers = MDC_MB_MAX_READ_REGISTERS;
    o->max_bits = MDC_MB_MAX_READ_BITS;
}

static int cmp_span(const void *a, const void *b)
{
    const sorted_span *x = a, *y = b;
    if (x->function != y->function) return x->function < y->function ? -1 : 1;
    if (x->address != y->address) return x->address < y->address ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static bool is_bits(int function)
{
    return function == 1 || function == 2;
}

static int check_opts(const mdc_mb_plan_opts *o, mdc_err *err)
{
    if (o->max_registers < 1 || o->max_registers > MDC_MB_MAX_READ_REGISTERS)
        return mdc_err_set(err, MDC_EINVAL, "max_registers_per_request must be 1..%d (got %d)",
                           MDC_MB_MAX_READ_REGISTERS, o->max_registers);
    if (o->max_bits < 1 || o->max_bits > MDC_MB_MAX_READ_BITS)
        return mdc_err_set(err, MDC_EINVAL, "bits per request must be 1..%d (got %d)",
                           MDC_MB_MAX_READ_BITS, o->max_bits);
    if (o->max_gap < -1)
        return mdc_err_set(err, MDC_EINVAL, "max_gap must be >= -1 (got %d)", o->max_gap);
    return 0;
}

static int check_span(const mdc_mb_span *s, const mdc_mb_plan_opts *o, mdc_err *err)
{
    const char *name = s->name ? s->name : "?";
    if (s->function < 1 || s->function > 4)
        return mdc_err_set(err, MDC_EINVAL,
                           "point '%s': function %d is not a read function (1 coils, 2 discrete "
                           "inputs, 3 holding, 4 input)",
                           name, s->function);
    if (s->count == 0)
        return mdc_err_set(err, MDC_EINVAL, "point '%s': occupies no registers", name);
    if ((uint32_t)s->address + s->count > 65536)
        return mdc_err_set(err, MDC_EINVAL, "point '%s': address %u + %u runs past 65535", name,
                           s->address, s->count);
    int limit = is_bits(s->function) ? o->max_bits : o->max_registers;
    if (s->count > limit)
        return mdc_err_set(err, MDC_EINVAL, "point '%s' needs %u %s but a request holds at most %d",
                           name, s->count, is_bits(s->function) ? "bits" : "registers", limit);
    return 0;
}

/* Can span s join the request [start, end)? */
static bool fits(const mdc_mb_request *r, const sorted_span *s, const mdc_mb_plan_opts *o)
{
    if (o->max_gap < 0 || r->function != s->function) return false;
    uint32_t start = r->address, end = start + r->count;
    if (s->address > end + (uint32_t)o->max_gap) return false;
    uint32_t new_end = s->end > end ? s->end : end;
    int limit = is_bits(s->function) ? o->max_bits : o->max_registers;
    return new_end - start <= (uint32_t)limit;
}

static void assign(const sorted_span *ss, size_t n, const mdc_mb_plan_opts *o, mdc_mb_plan *p)
{
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        mdc_mb_request *r = p->nrequests ? &p->requests[p->nrequests - 1] : NULL;
        if (r && fits(r, &ss[i], o)) {
            uint32_t end = (uint32_t)r->address + r->count;
            if (ss[i].end > end) r->count = (uint16_t)(ss[i].end - r->address);
        } else {
            xgrow(&p->requests, &cap, p->nrequests + 1, sizeof *p->requests);
            r = &p->requests[p->nrequests++];
            r->function = ss[i].function;
            r->address = (uint16_t)ss[i].address;
            r->count = (uint16_t)(ss[i].end - ss[i].address);
        }
        p->slots[ss[i].idx].request = p->nrequests - 1;
        p->slots[ss[i].idx].offset = (uint16_t)(ss[i].address - r->address);
        p->order[i] = ss[i].idx;
    }
}

int mdc_mb_plan_build(const mdc_mb_span *spans, size_t n, const mdc_mb_plan_opts *opts,
                      mdc_mb_plan *out, mdc_err *err)
{
    mdc_mb_plan_opts def;
    if (!opts) {
        mdc_mb_plan_opts_init(&def);
        opts = &def;
    }
    if (check_opts(opts, err) < 0) return -1;
    for (size_t i = 0; i < n; i++)
        if (check_span(&spans[i], opts, err) < 0) return -1;
    sorted_span *ss = xcalloc(n, sizeof *ss);
    for (size_t i = 0; i < n; i++) {
        ss[i].function = spans[i].function;
        ss[i].address = spans[i].address;
        ss[i].end = (uint32_t)spans[i].address + spans[i].count;
        ss[i].idx = i;
    }
    qsort(ss, n, sizeof *ss, cmp_span);
    mdc_mb_plan p = {0};
    p.slots = xcalloc(n, sizeof *p.slots);
    p.nslots = n;
    p.order = xcalloc(n, sizeof *p.order);
    assign(ss, n, opts, &p);
    free(ss);
    *out = p;
    return 0;
}

void mdc_mb_plan_free(mdc_mb_plan *p)
{
    free(p->requests);
    free(p->slots);
    free(p->order);
    memset(p, 0, sizeof *p);
}

void mdc_mb_plan_describe(const mdc_mb_plan *p, const mdc_mb_span *spans, strbuf *out)
{
    size_t k = 0; /* walks p->order, which is grouped by request */
    for (size_t r = 0; r < p->nrequests; r++) {
        const mdc_mb_request *q = &p->requests[r];
        const char *unit = is_bits(q->function) ? (q->count == 1 ? "bit" : "bits")
                                                : (q->count == 1 ? "reg" : "regs");
        sb_printf(out, "FC%d %u-%u (%u %s):", q->function, q->address,
                  (unsigned)q->address + q->count - 1, q->count, unit);
        const char *sep = " ";
        while (k < p->nslots && p->slots[p->order[k]].request == r) {
            const char *name = spans[p->order[k]].name;
            sb_printf(out, "%s%s", sep, name ? name : "?");
            sep = ", ";
            k++;
        }
        sb_putc(out, '\n');
    }
}
