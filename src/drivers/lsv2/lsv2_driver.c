/* SPDX-License-Identifier: Apache-2.0 */
/* lsv2_driver.c — glue between a device's configuration and an LSV2 session: keys parsed
 * into a session configuration and a list of PLC operands; each poll reads the execution
 * state, the program state and the program stack (and optionally overrides, NC errors and
 * PLC values) and sets the status from the program state. */
#include "driver_internal.h"

#include "core/keys.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

#define STR_(x) #x
#define STR(x)  STR_(x)

static const mdc_key device_keys[] = {
    {.name = "host", .type = MDC_KEY_STRING, .required = true, .help = "the control"},
    {.name = "port",
     .type = MDC_KEY_INT,
     .def = STR(LSV2_DEFAULT_PORT),
     .min = 1,
     .max = 65535,
     .help = "its LSV2 port"},
    {.name = "timeout",
     .type = MDC_KEY_DURATION,
     .def = "3s",
     .help = "from a request to the end of its reply"},
    {.name = "connect_timeout",
     .type = MDC_KEY_DURATION,
     .def = "timeout",
     .help = "TCP connect; keep it below interval for controls that may be off"},
    {.name = "overrides",
     .type = MDC_KEY_BOOL,
     .def = "false",
     .help = "also read feed, spindle and rapid overrides (%)"},
    {.name = "alarms", .type = MDC_KEY_BOOL, .def = "false", .help = "also read the NC error list"},
    {.name = "plc", .type = MDC_KEY_ARRAY, .help = "extra PLC values as fields (keys of plc[])"},
    {.name = "buffer_size",
     .type = MDC_KEY_INT,
     .def = STR(LSV2_BUFFER_MAX),
     .min = LSV2_BUFFER_DEFAULT,
     .max = LSV2_BUFFER_MAX,
     .help = "largest telegram buffer to negotiate (256: no negotiation)"},
    {.name = "dnc_password", .type = MDC_KEY_SECRET, .help = "if the control asks for it"},
    {.name = "plc_password", .type = MDC_KEY_SECRET, .help = "if the control asks for it"},
    {0},
};
static const mdc_keyset device_keyset = {"device (lsv2)", device_keys, &mdc_device_keyset};

static const char *const memory_names[] = {"marker", "input", "output", "byte",
                                           "word",   "dword", NULL};

/* The keys of a PLC operand, first in the plc entry's and the part signal's sets. */
#define OPERAND_KEYS                                                                               \
    {.name = "memory",                                                                             \
     .type = MDC_KEY_ENUM,                                                                         \
     .choices = memory_names,                                                                      \
     .help = "required: marker, input, output (bits), byte, word, dword"},                         \
    {                                                                                              \
        .name = "address", .type = MDC_KEY_INT, .min = 0, .max = UINT32_MAX,                       \
        .help = "required: the operand number (M4170: 4170; D10368: 10368)"                        \
    }

static const mdc_key plc_keys[] = {
    {.name = "name", .type = MDC_KEY_STRING, .required = true, .help = "the field in records"},
    OPERAND_KEYS,
    {0},
};
static const mdc_keyset plc_keyset = {"device (lsv2): plc[]", plc_keys, &mdc_field_info_keyset};

static const mdc_key signal_keys[] = {
    OPERAND_KEYS,
    {.name = "equals", .type = MDC_KEY_NUMBER, .help = "high when equal to it (numbers)"},
    {0},
};
static const mdc_keyset signal_keyset = {"device (lsv2): parts.signal", signal_keys, NULL};

/* Fields every poll yields, in order. */
static const char *const base_fields[] = {"op_mode", "prog_status", "selected_program",
                                          "active_program", "line"};
static const char *const override_fields[] = {"feed_override", "spindle_override",
                                              "rapid_override"};
/* The hidden field carrying the part signal this driver reads (parts.signal as an operand). */
#define LSV2_SIGNAL_FIELD "_part_signal"

#define NBASE      5
#define NOVERRIDES 3

static const lsv2_mem memory_kinds[] = {LSV2_MEM_MARKER, LSV2_MEM_INPUT, LSV2_MEM_OUTPUT,
                                        LSV2_MEM_BYTE,   LSV2_MEM_WORD,  LSV2_MEM_DWORD};

void lsv2_operand_format(const lsv2_operand *op, char *buf, size_t n)
{
    snprintf(buf, n, "%s%lu", lsv2_mem_prefix(op->mem), (unsigned long)op->number);
}

/* ---- configuration ---- */

/* {"memory": KIND, "address": NUMBER} (also the body of a plc entry or the part signal; ks
 * declares both). */
static int parse_operand(const mdc_cfgnode *n, const mdc_keyset *ks, lsv2_operand *op, mdc_err *err)
{
    int kind;
    int64_t number;
    if (!cfg_has(n, "memory"))
        return cfg_error(n, NULL, err,
                         "missing \"memory\" (marker, input, output, byte, word or dword)");
    if (mdc_key_enum(n, ks, "memory", &kind, err) < 0 ||
        mdc_key_int_or(n, ks, "address", -1, &number, err) < 0)
        return -1;
    if (number < 0)
        return cfg_error(n, NULL, err,
                         "missing \"address\" (the operand number as in the PLC program: 4170 "
                         "for M4170, 10368 for D10368)");
    op->mem = memory_kinds[kind];
    op->number = (uint32_t)number;
    mdc_err e;
    if (lsv2_plc_check_number(op->mem, op->number, &e) < 0)
        return cfg_error(n, "address", err, "%s", e.msg);
    return 0;
}

static bool reserved_name(const char *name)
{
    for (int i = 0; i < NBASE; i++)
        if (strcmp(name, base_fields[i]) == 0) return true;
    for (int i = 0; i < NOVERRIDES; i++)
        if (strcmp(name, override_fields[i]) == 0) return true;
    return strcmp(name, "alarm") == 0;
}

static int parse_plc_entry(const mdc_cfgnode *p, lsv2_cfg *c, size_t i, mdc_err *err)
{
    lsv2_operand *op = &c->plc[i];
    if (mdc_keys_check(p, &plc_keyset, err) < 0 ||
        mdc_key_string(p, &plc_keyset, "name", &op->name, err) < 0)
        return -1;
    if (op->name[0] == '_' || op->name[0] == '\0')
        return cfg_error(p, "name", err, "names that are empty or start with '_' are reserved");
    if (reserved_name(op->name))
        return cfg_error(p, "name", err, "\"%s\" is a value the driver already reads", op->name);
    for (size_t j = 0; j < i; j++)
        if (strcmp(c->plc[j].name, op->name) == 0)
            return cfg_error(p, "name", err, "duplicate name \"%s\"", op->name);
    if (parse_operand(p, &plc_keyset, op, err) < 0) return -1;
    op->info = mdc_field_info_none(op->name);
    return mdc_field_info_parse(p, &op->info, err); /* last: nothing to free on failure */
}

static int parse_plc(const mdc_cfgnode *dev, lsv2_cfg *c, mdc_err *err)
{
    size_t n;
    if (cfg_array(dev, "plc", &n, err) < 0) return -1;
    c->plc = xcalloc(n ? n : 1, sizeof *c->plc);
    for (size_t i = 0; i < n; i++, c->nplc++) {
        mdc_cfgnode p;
        if (cfg_array_object(dev, "plc", i, &p, err) < 0 || parse_plc_entry(&p, c, i, err) < 0)
            return -1;
    }
    return 0;
}

/* parts.signal as an object is a PLC operand this driver reads ("equals" is derive's). */
static int parse_signal(const mdc_cfgnode *dev, lsv2_cfg *c, mdc_err *err)
{
    mdc_cfgnode parts, sig;
    bool have;
    if (!json_is_object(json_object_get(dev->json, "parts"))) return 0; /* derive reports it */
    if (cfg_object(dev, "parts", &parts, &have, err) < 0) return -1;
    if (!json_is_object(json_object_get(parts.json, "signal"))) return 0;
    if (cfg_object(&parts, "signal", &sig, &have, err) < 0 ||
        mdc_keys_check(&sig, &signal_keyset, err) < 0 ||
        parse_operand(&sig, &signal_keyset, &c->signal, err) < 0)
        return -1;
    c->has_signal = true;
    return 0;
}

static int parse_session(const mdc_cfgnode *n, lsv2_session_cfg *s, mdc_err *err)
{
    const mdc_keyset *ks = &device_keyset;
    int64_t port, buffer;
    if (mdc_key_string(n, ks, "host", &s->host, err) < 0 ||
        mdc_key_int(n, ks, "port", &port, err) < 0 ||
        mdc_key_duration(n, ks, "timeout", &s->timeout_us, err) < 0 ||
        mdc_key_duration_or(n, ks, "connect_timeout", s->timeout_us, &s->connect_timeout_us, err) <
            0 ||
        mdc_key_int(n, ks, "buffer_size", &buffer, err) < 0 ||
        mdc_key_string(n, ks, "dnc_password", &s->dnc_password, err) < 0 ||
        mdc_key_string(n, ks, "plc_password", &s->plc_password, err) < 0)
        return -1;
    if (!*s->host) return cfg_error(n, "host", err, "must not be empty");
    if (buffer != LSV2_BUFFER_DEFAULT && lsv2_buffer_code((int)buffer) < 0)
        return cfg_error(n, "buffer_size", err,
                         "must be 256 (no negotiation), 512, 1024, 2048, 3072 or 4096");
    s->port = (int)port;
    s->max_buffer = (int)buffer;
    return 0;
}

static void build_fields(lsv2_cfg *c)
{
    size_t n = 0;
    c->fields = xcalloc(NBASE + NOVERRIDES + 1 + c->nplc + 2, sizeof *c->fields);
    for (int i = 0; i < NBASE; i++)
        c->fields[n++] = base_fields[i];
    for (int i = 0; c->overrides && i < NOVERRIDES; i++)
        c->fields[n++] = override_fields[i];
    if (c->alarms) c->fields[n++] = "alarm";
    for (size_t i = 0; i < c->nplc; i++)
        c->fields[n++] = c->plc[i].name;
    if (c->has_signal) c->fields[n++] = LSV2_SIGNAL_FIELD;
}

static void drv_free_config(void *p)
{
    lsv2_cfg *c = p;
    if (!c) return;
    for (size_t i = 0; i < c->nplc; i++)
        mdc_field_info_release(&c->plc[i].info);
    free(c->plc);
    free(c->fields);
    free(c);
}

static int drv_parse(const mdc_device_cfg *dev, void **out, mdc_err *err)
{
    const mdc_cfgnode *n = &dev->node;
    if (mdc_keys_check_common(n, &mdc_device_keyset, &device_keyset, err) < 0) return -1;
    lsv2_cfg *c = xcalloc(1, sizeof *c);
    if (parse_session(n, &c->sess, err) < 0 ||
        mdc_key_bool(n, &device_keyset, "overrides", &c->overrides, err) < 0 ||
        mdc_key_bool(n, &device_keyset, "alarms", &c->alarms, err) < 0 ||
        parse_plc(n, c, err) < 0 || parse_signal(n, c, err) < 0) {
        drv_free_config(c);
        return -1;
    }
    build_fields(c);
    *out = c;
    return 0;
}

static const char *const *drv_fields(const void *p)
{
    return ((const lsv2_cfg *)p)->fields;
}

static void drv_describe(const void *p, strbuf *out)
{
    const lsv2_cfg *c = p;
    const lsv2_session_cfg *s = &c->sess;
    char op[32];
    sb_printf(out, "    lsv2 %s:%d, timeout %lld ms, connect timeout %lld ms, buffer up to %d\n",
              s->host, s->port, (long long)(s->timeout_us / 1000),
              (long long)(s->connect_timeout_us / 1000), s->max_buffer);
    sb_printf(out,
              "    per poll: R_RI 23 op_mode, R_RI 26 prog_status, R_RI 24 selected_program/"
              "active_program/line%s%s\n",
              c->overrides ? ", R_RI 25 overrides" : "", c->alarms ? ", R_RI 27/28 alarm" : "");
    for (size_t i = 0; i < c->nplc; i++) {
        lsv2_operand_format(&c->plc[i], op, sizeof op);
        sb_printf(out, "    plc %-20s %s (%s)\n", c->plc[i].name, op, lsv2_mem_name(c->plc[i].mem));
    }
    if (c->has_signal) {
        lsv2_operand_format(&c->signal, op, sizeof op);
        sb_printf(out, "    part signal: %s (%s)\n", op, lsv2_mem_name(c->signal.mem));
    }
}

/* ---- bus ---- */

static int drv_bus_open(const void *p, void **out, mdc_err *err)
{
    const lsv2_cfg *c = p;
    lsv2_bus *b = xcalloc(1, sizeof *b);
    b->c = c;
    if (lsv2_open(&c->sess, &b->s, err) < 0) {
        free(b);
        return -1;
    }
    *out = b;
    return 0;
}

static void drv_bus_close(void *p)
{
    lsv2_bus *b = p;
    if (!b) return;
    lsv2_close(b->s);
    free(b);
}

static bool drv_bus_broken(void *p)
{
    lsv2_bus *b = p;
    return !b->s || lsv2_health_of(b->s) != LSV2_OK;
}

/* ---- poll ---- */

/* A failure that ends the poll: the session broke, or (for run info) the DNC login was
 * refused. A refused PLCDEBUG login only fails the PLC values. */
static bool fatal(const lsv2_bus *b, const mdc_err *e, bool auth_fatal)
{
    return lsv2_health_of(b->s) != LSV2_OK || e->code == MDC_ESTATE ||
           (auth_fatal && e->code == MDC_EAUTH);
}

/* Records a per-value failure in f, or returns -1 (err filled) when it ends the poll. */
static int failed(const lsv2_bus *b, mdc_field *f, const mdc_err *e, bool auth_fatal, mdc_err *err)
{
    if (fatal(b, e, auth_fatal)) {
        *err = *e;
        return -1;
    }
    mdc_field_set_error(f, e->msg);
    return 0;
}

static int value_failed(const lsv2_bus *b, mdc_field *f, const mdc_err *e, mdc_err *err)
{
    return failed(b, f, e, true, err);
}

static int read_states(lsv2_bus *b, mdc_record *rec, mdc_err *err)
{
    mdc_err e = {0};
    int v;
    mdc_field *op = mdc_record_add(rec, "op_mode");
    if (lsv2_read_exec_state(b->s, &v, &e) == 0)
        mdc_field_set_int(op, v);
    else if (value_failed(b, op, &e, err) < 0)
        return -1;
    mdc_field *ps = mdc_record_add(rec, "prog_status");
    rec->status = MDC_STATUS_ON;
    if (lsv2_read_pgm_state(b->s, &v, &e) == 0) {
        mdc_field_set_int(ps, v);
        if (v == LSV2_PGM_STARTED) rec->status = MDC_STATUS_PRODUCTION;
    } else if (value_failed(b, ps, &e, err) < 0) {
        return -1;
    }
    return 0;
}

static int read_stack(lsv2_bus *b, mdc_record *rec, mdc_err *err)
{
    mdc_err e = {0};
    lsv2_stack st;
    mdc_field *f[3] = {mdc_record_add(rec, "selected_program"),
                       mdc_record_add(rec, "active_program"), mdc_record_add(rec, "line")};
    if (lsv2_read_stack(b->s, &st, &e) == 0) {
        mdc_field_set_string(f[0], st.main);
        mdc_field_set_string(f[1], st.current);
        mdc_field_set_int(f[2], st.line);
        return 0;
    }
    for (int i = 0; i < 3; i++)
        if (value_failed(b, f[i], &e, err) < 0) return -1;
    return 0;
}

static int read_overrides(lsv2_bus *b, mdc_record *rec, mdc_err *err)
{
    mdc_err e = {0};
    lsv2_overrides o;
    mdc_field *f[NOVERRIDES];
    for (int i = 0; i < NOVERRIDES; i++)
        f[i] = mdc_record_add(rec, override_fields[i]);
    if (lsv2_read_overrides(b->s, &o, &e) == 0) {
        mdc_field_set_double(f[0], o.feed / 100.0);
        mdc_field_set_double(f[1], o.spindle / 100.0);
        mdc_field_set_double(f[2], o.rapid / 100.0);
        return 0;
    }
    for (int i = 0; i < NOVERRIDES; i++)
        if (value_failed(b, f[i], &e, err) < 0) return -1;
    return 0;
}

static void alarm_text(const lsv2_nc_error *list, size_t n, strbuf *out)
{
    for (size_t i = 0; i < n; i++) {
        if (i) sb_puts(out, "; ");
        if (list[i].text[0])
            sb_puts(out, list[i].text);
        else
            sb_printf(out, "error %ld (class %u, group %u)", (long)list[i].number, list[i].cls,
                      list[i].group);
    }
}

static int read_alarms(lsv2_bus *b, mdc_record *rec, mdc_err *err)
{
    mdc_err e = {0};
    lsv2_nc_error list[LSV2_MAX_ALARMS];
    size_t n;
    mdc_field *f = mdc_record_add(rec, "alarm");
    if (lsv2_read_nc_errors(b->s, list, LSV2_MAX_ALARMS, &n, &e) < 0)
        return value_failed(b, f, &e, err);
    if (n == 0) return 0; /* no active error: null without an error message */
    strbuf text = STRBUF_INIT;
    alarm_text(list, n, &text);
    mdc_field_set_string(f, sb_str(&text));
    sb_free(&text);
    return 0;
}

static int read_operand(lsv2_bus *b, const lsv2_operand *op, const char *name, bool as_bool,
                        mdc_record *rec, mdc_err *err)
{
    mdc_err e = {0};
    int64_t v;
    mdc_field *f = mdc_record_add(rec, name);
    if (lsv2_read_plc(b->s, op->mem, op->number, 1, &v, &e) < 0) {
        char o[32];
        lsv2_operand_format(op, o, sizeof o);
        mdc_err_prefix(&e, "%s", o);
        return failed(b, f, &e, false, err);
    }
    if (as_bool && lsv2_mem_is_bit(op->mem))
        mdc_field_set_bool(f, v != 0);
    else
        mdc_field_set_int(f, v);
    return 0;
}

static int read_all(lsv2_bus *b, const lsv2_cfg *c, mdc_record *rec, mdc_err *err)
{
    if (!b->s)
        return mdc_err_set(err, MDC_ESTATE, "%s:%d: not connected", c->sess.host, c->sess.port);
    if (read_states(b, rec, err) < 0 || read_stack(b, rec, err) < 0) return -1;
    if (c->overrides && read_overrides(b, rec, err) < 0) return -1;
    if (c->alarms && read_alarms(b, rec, err) < 0) return -1;
    for (size_t i = 0; i < c->nplc; i++)
        if (read_operand(b, &c->plc[i], c->plc[i].name, true, rec, err) < 0) return -1;
    if (c->has_signal && read_operand(b, &c->signal, LSV2_SIGNAL_FIELD, false, rec, err) < 0)
        return -1;
    return 0;
}

/* Moves every field of src to the end of dst. */
static void move_fields(mdc_record *dst, mdc_record *src)
{
    for (size_t i = 0; i < src->nfields; i++) {
        mdc_field *s = &src->fields[i], *d = mdc_record_add(dst, s->name);
        d->v = s->v;
        d->error = s->error;
        s->v.type = MDC_NULL;
        s->error = NULL;
    }
}

static int poll_once(lsv2_bus *b, const lsv2_cfg *c, mdc_record *rec, mdc_err *err)
{
    mdc_record tmp;
    mdc_record_init(&tmp);
    int rc = read_all(b, c, &tmp, err);
    if (rc == 0) {
        move_fields(rec, &tmp);
        rec->status = tmp.status;
    }
    mdc_record_free(&tmp);
    return rc;
}

static int drv_poll(void *bp, const void *p, mdc_record *rec, mdc_err *err)
{
    lsv2_bus *b = bp;
    const lsv2_cfg *c = p;
    if (poll_once(b, c, rec, err) == 0) {
        b->polls++;
        return 0;
    }
    /* A control that dropped an idle connection: one fresh session, then the poll again. */
    if (!b->s || b->polls == 0 || lsv2_health_of(b->s) != LSV2_BROKEN_CLOSED) return -1;
    lsv2_close(b->s);
    b->s = NULL;
    b->polls = 0;
    if (lsv2_open(&c->sess, &b->s, err) < 0) {
        b->s = NULL;
        return -1;
    }
    if (poll_once(b, c, rec, err) < 0) return -1;
    b->polls++;
    return 0;
}

static const char *drv_part_signal_field(const void *cfg)
{
    return ((const lsv2_cfg *)cfg)->has_signal ? LSV2_SIGNAL_FIELD : NULL;
}

static const mdc_keyset *const nested_keys[] = {&plc_keyset, &signal_keyset, NULL};

const mdc_driver mdc_lsv2_driver = {
    .name = "lsv2",
    .keys = &device_keyset,
    .nested_keys = nested_keys,
    .parse = drv_parse,
    .free_config = drv_free_config,
    .fields = drv_fields,
    .describe = drv_describe,
    .bus_key = NULL,
    .bus_open = drv_bus_open,
    .bus_close = drv_bus_close,
    .bus_broken = drv_bus_broken,
    .poll = drv_poll,
    .inspect = lsv2_drv_inspect,
    .part_signal_field = drv_part_signal_field,
    .field_info = lsv2_drv_field_info,
};
