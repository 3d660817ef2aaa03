/* SPDX-License-Identifier: Apache-2.0 */
/* belmc_import.c — see belmc_import.h. Two steps: the settings files are read into a small
 * model (meters, LSV2 controls, the OPC UA machine, the .env names), then the configuration is
 * written from it with a fixed layout. */
#include "belmc_import.h"

#include "core/xalloc.h"

#include <ctype.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NPARAM 16

/* BELmc's parameter names (ems_settings.json) and the ems columns they fill (value_map). */
static const char *const param_names[NPARAM][2] = {
    {"PHASE_A VOLTAGE", "phase_a_voltage"},
    {"PHASE_B VOLTAGE", "phase_b_voltage"},
    {"PHASE_C VOLTAGE", "phase_c_voltage"},
    {"AVERAGE PHASE VOLTAGE", "avg_phase_voltage"},
    {"A-B LINE VOLTAGE", "line_ab_voltage"},
    {"B-C LINE VOLTAGE", "line_bc_voltage"},
    {"C-A LINE VOLTAGE", "line_ca_voltage"},
    {"AVERAGE LINE VOLTAGE", "avg_line_voltage"},
    {"FREQUENCY", "frequency"},
    {"TOTAL INSTANTANEOUS ACTIVE POWER", "total_instantaneous_power"},
    {"PHASE_A CURRENT", "phase_a_current"},
    {"PHASE_B CURRENT", "phase_b_current"},
    {"PHASE_C CURRENT", "phase_c_current"},
    {"THREE-PHASE AVERAGE CURRENT", "avg_three_phase_current"},
    {"TOTAL POWER FACTOR", "power_factor"},
    {"ACTIVE ENERGY 3P DELIVERED", "active_energy_delivered"},
};
enum { P_FREQUENCY = 8, P_POWER = 9, P_ENERGY = 15 };

/* collector_ems.py's machine_thresholds (kW) at HEAD; other machines use 5.0. */
static const struct {
    long machine;
    const char *kw;
} thresholds[] = {{1, "4.5"}, {2, "1.3"},  {3, "3.8"}, {4, "2.9"}, {5, "2.5"},
                  {6, "2.3"}, {7, "2.5"},  {8, "0.9"}, {9, "1"},   {10, "0.3"},
                  {11, "1"},  {12, "1.5"}, {13, "2"},  {14, "10"}};
#define DEFAULT_THRESHOLD "5.0"

static const char *const db_vars[] = {"DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD"};
#define NDB 5

typedef struct point {
    int param;
    long number;
} point;

typedef struct meter {
    long machine;
    point pts[NPARAM];
    int n;
} meter;

typedef struct cnc {
    long machine;
    const char *name, *version, *host; /* borrowed from the JSON */
} cnc;

typedef struct ua {
    long machine;
    const char *name, *host, *user;
    char port[24];
    bool password;
} ua;

typedef struct model {
    json_t *roots[3];
    meter *meters;
    size_t nmeters;
    cnc *cncs;
    size_t ncncs;
    ua ua;
    size_t nua; /* entries in opcua_settings.json (BELmc uses the first) */
    bool env, env_db[NDB];
} model;

/* ---- reading ---- */

static int load(const mdc_belmc_input *in, json_t **out, mdc_err *err)
{
    *out = NULL;
    if (!in->text) return 0;
    json_error_t je;
    *out = json_loadb(in->text, in->len, JSON_REJECT_DUPLICATES, &je);
    if (!*out)
        return mdc_err_set(err, MDC_EINVAL, "%s:%d:%d: %s", in->name, je.line, je.column, je.text);
    return 0;
}

/* A machine number: a positive integer, or a string of digits. */
static bool machine_number(json_t *v, long *out)
{
    long long n = -1;
    if (json_is_integer(v)) n = json_integer_value(v);
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        if (*s && strspn(s, "0123456789") == strlen(s) && strlen(s) < 10) n = strtoll(s, &end, 10);
    }
    if (n < 1 || n > 2147483647) return false;
    *out = (long)n;
    return true;
}

static int param_index(const char *name)
{
    for (int i = 0; i < NPARAM; i++)
        if (strcmp(param_names[i][0], name) == 0) return i;
    return -1;
}

static int parse_point(const char *file, const char *id, const char *name, json_t *v, meter *m,
                       mdc_err *err)
{
    int k = param_index(name);
    if (k < 0)
        return mdc_err_set(err, MDC_EINVAL,
                           "%s: meter \"%s\": unknown parameter \"%s\" (BELmc reads: PHASE_A "
                           "VOLTAGE ... ACTIVE ENERGY 3P DELIVERED)",
                           file, id, name);
    json_t *num = json_array_get(v, 0), *cnt = json_array_get(v, 1);
    if (json_array_size(v) != 2 || !json_is_integer(num) || !json_is_integer(cnt) ||
        json_integer_value(cnt) != 4 || json_integer_value(num) < 1 ||
        json_integer_value(num) > 65533)
        return mdc_err_set(err, MDC_EINVAL,
                           "%s: meter \"%s\" \"%s\": expected [NUMBER, 4] with NUMBER 1..65533 "
                           "(4 registers from holding register NUMBER - 1)",
                           file, id, name);
    for (int i = 0; i < m->n; i++)
        if (m->pts[i].param == k)
            return mdc_err_set(err, MDC_EINVAL, "%s: meter \"%s\": \"%s\" given twice", file, id,
                               name);
    m->pts[m->n++] = (point){k, (long)json_integer_value(num)};
    return 0;
}

static int parse_meter(model *md, const char *file, const char *id, json_t *params, mdc_err *err)
{
    json_t *idv = json_string(id);
    meter m = {0};
    bool ok = machine_number(idv, &m.machine);
    json_decref(idv);
    if (!ok || !json_is_object(params))
        return mdc_err_set(err, MDC_EINVAL,
                           "%s: meter \"%s\": expected a machine number and an object of "
                           "parameters",
                           file, id);
    for (size_t i = 0; i < md->nmeters; i++)
        if (md->meters[i].machine == m.machine)
            return mdc_err_set(err, MDC_EINVAL, "%s: meter \"%s\" given twice", file, id);
    const char *name;
    json_t *v;
    json_object_foreach(params, name, v)
    {
        if (parse_point(file, id, name, v, &m, err) < 0) return -1;
    }
    if (m.n == 0) return mdc_err_set(err, MDC_EINVAL, "%s: meter \"%s\": no parameters", file, id);
    md->meters = xrealloc(md->meters, (md->nmeters + 1) * sizeof *md->meters);
    md->meters[md->nmeters++] = m;
    return 0;
}

static int parse_ems(model *md, json_t *root, const char *file, mdc_err *err)
{
    if (!root) return 0;
    if (!json_is_object(root))
        return mdc_err_set(err, MDC_EINVAL, "%s: expected an object of meters", file);
    const char *id;
    json_t *v;
    json_object_foreach(root, id, v)
    {
        if (parse_meter(md, file, id, v, err) < 0) return -1;
    }
    return 0;
}

/* The entries of {"<key>": [ {...}, ... ]}. */
static json_t *entries(json_t *root, const char *key, const char *file, mdc_err *err)
{
    json_t *a = json_is_object(root) ? json_object_get(root, key) : NULL;
    if (!json_is_array(a))
        mdc_err_set(err, MDC_EINVAL, "%s: expected {\"%s\": [ ... ]}", file, key);
    return json_is_array(a) ? a : NULL;
}

static const char *opt_string(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) && *json_string_value(v) ? json_string_value(v) : NULL;
}

static int entry_basics(json_t *e, const char *file, const char *what, size_t i, long *machine,
                        const char **host, mdc_err *err)
{
    if (!json_is_object(e) || !machine_number(json_object_get(e, "machine_id"), machine))
        return mdc_err_set(err, MDC_EINVAL, "%s: %s[%zu]: needs a \"machine_id\" (1, 2, ...)", file,
                           what, i);
    const char *h = opt_string(e, "ip_address");
    if (!h || strspn(h, " \t") == strlen(h))
        return mdc_err_set(err, MDC_EINVAL, "%s: %s[%zu]: needs an \"ip_address\"", file, what, i);
    *host = h;
    return 0;
}

static int parse_lsv2(model *md, json_t *root, const char *file, mdc_err *err)
{
    if (!root) return 0;
    json_t *a = entries(root, "lsv2", file, err), *e;
    if (!a) return -1;
    size_t i;
    json_array_foreach(a, i, e)
    {
        cnc c = {0};
        if (entry_basics(e, file, "lsv2", i, &c.machine, &c.host, err) < 0) return -1;
        for (size_t j = 0; j < md->ncncs; j++)
            if (md->cncs[j].machine == c.machine)
                return mdc_err_set(err, MDC_EINVAL, "%s: lsv2[%zu]: machine %ld given twice", file,
                                   i, c.machine);
        c.name = opt_string(e, "machine_name");
        c.version = opt_string(e, "controller_version");
        md->cncs = xrealloc(md->cncs, (md->ncncs + 1) * sizeof *md->cncs);
        md->cncs[md->ncncs++] = c;
    }
    return 0;
}

static int parse_opcua(model *md, json_t *root, const char *file, mdc_err *err)
{
    if (!root) return 0;
    json_t *a = entries(root, "opcua", file, err);
    if (!a) return -1;
    md->nua = json_array_size(a);
    if (md->nua == 0) return 0;
    json_t *e = json_array_get(a, 0), *port = json_object_get(e, "port");
    ua *u = &md->ua;
    if (entry_basics(e, file, "opcua", 0, &u->machine, &u->host, err) < 0) return -1;
    long p = 4840;
    if (port && !json_is_null(port) && (!machine_number(port, &p) || p > 65535))
        return mdc_err_set(err, MDC_EINVAL, "%s: opcua[0]: \"port\" must be 1..65535", file);
    snprintf(u->port, sizeof u->port, "%ld", p);
    u->name = opt_string(e, "machine_name");
    u->user = opt_string(e, "username");
    u->password = opt_string(e, "password") != NULL;
    for (size_t j = 0; j < md->ncncs; j++)
        if (md->cncs[j].machine == u->machine)
            return mdc_err_set(err, MDC_EINVAL,
                               "machine %ld is in lsv2_settings.json and opcua_settings.json; one "
                               "collector must own it (remove it from one file)",
                               u->machine);
    return 0;
}

/* Only the names of the variables matter (values, the password above all, are never read). */
static void parse_env(model *md, const mdc_belmc_input *in)
{
    if (!in->text) return;
    md->env = true;
    const char *p = in->text, *end = in->text + in->len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        while (p < eol && (*p == ' ' || *p == '\t'))
            p++;
        if (eol - p > 7 && strncmp(p, "export ", 7) == 0) p += 7;
        for (int i = 0; i < NDB; i++) {
            size_t n = strlen(db_vars[i]);
            const char *q = p + n;
            while (q < eol && (*q == ' ' || *q == '\t'))
                q++;
            if ((size_t)(eol - p) > n && strncmp(p, db_vars[i], n) == 0 && q < eol && *q == '=')
                md->env_db[i] = true;
        }
        p = eol + 1;
    }
}

static int read_model(const mdc_belmc_files *in, model *md, mdc_err *err)
{
    if (!in->ems.text && !in->lsv2.text && !in->opcua.text)
        return mdc_err_set(err, MDC_EINVAL,
                           "none of ems_settings.json, lsv2_settings.json, opcua_settings.json "
                           "found (give BELmc's config directory)");
    if (load(&in->ems, &md->roots[0], err) < 0 || load(&in->lsv2, &md->roots[1], err) < 0 ||
        load(&in->opcua, &md->roots[2], err) < 0 ||
        parse_ems(md, md->roots[0], in->ems.name, err) < 0 ||
        parse_lsv2(md, md->roots[1], in->lsv2.name, err) < 0 ||
        parse_opcua(md, md->roots[2], in->opcua.name, err) < 0)
        return -1;
    parse_env(md, &in->env);
    return 0;
}

static void free_model(model *md)
{
    for (int i = 0; i < 3; i++)
        json_decref(md->roots[i]);
    free(md->meters);
    free(md->cncs);
}

/* ---- writing ---- */

static void put_string(strbuf *out, const char *s)
{
    json_t *j = json_string(s);
    char *e = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    sb_puts(out, e ? e : "\"\"");
    free(e);
    json_decref(j);
}

static const char *threshold(long machine)
{
    for (size_t i = 0; i < sizeof thresholds / sizeof thresholds[0]; i++)
        if (thresholds[i].machine == machine) return thresholds[i].kw;
    return DEFAULT_THRESHOLD;
}

static const cnc *cnc_of(const model *md, long machine)
{
    for (size_t i = 0; i < md->ncncs; i++)
        if (md->cncs[i].machine == machine) return &md->cncs[i];
    return NULL;
}

static bool ua_owns(const model *md, long machine)
{
    return md->nua && md->ua.machine == machine;
}

static const char *machine_name(const model *md, long machine)
{
    const cnc *c = cnc_of(md, machine);
    if (c) return c->name;
    return ua_owns(md, machine) ? md->ua.name : NULL;
}

/* TNC 640s signal a finished program in a PLC double word; iTNC 530s use marker M4170. */
static bool is_tnc640(const cnc *c)
{
    return c->version && strstr(c->version, "640");
}

static bool has_param(const meter *m, int param)
{
    for (int i = 0; i < m->n; i++)
        if (m->pts[i].param == param) return true;
    return false;
}

static void write_points(strbuf *out, const meter *m)
{
    sb_puts(out, "      \"points\": [\n");
    for (int i = 0; i < m->n; i++) {
        const point *p = &m->pts[i];
        sb_printf(out, "        {\"name\": \"%s\", \"address\": %ld, ", param_names[p->param][1],
                  p->number - 1);
        if (p->param == P_ENERGY)
            sb_puts(out, "\"type\": \"int32\", \"order\": \"CDAB\", \"scale\": 0.001, ");
        else
            sb_puts(out, "\"type\": \"float32\", \"order\": \"CDAB\", ");
        sb_printf(out, "\"decimals\": 4}%s\n", i + 1 < m->n ? "," : "");
    }
    sb_puts(out, "      ]");
}

static void write_meter(strbuf *out, const model *md, const meter *m)
{
    const char *name = machine_name(md, m->machine);
    sb_printf(out, "    { \"id\": \"ems-%ld\", \"machine_id\": %ld, ", m->machine, m->machine);
    if (name) {
        sb_puts(out, "\"name\": ");
        put_string(out, name);
        sb_puts(out, ", ");
    }
    sb_puts(out, "\"driver\": \"modbus\", \"interval\": \"10s\",\n"
                 "      \"connection\": {\"ascii\": \"/dev/ttyUSB0\", \"baud\": 9600, \"parity\": "
                 "\"E\", \"data_bits\": 7, \"stop_bits\": 2},\n"
                 "      \"unit_id\": 1, \"timeout\": \"1s\", \"bytes_per_register\": 1, "
                 "\"rounding\": \"python\",\n");
    write_points(out, m);
    if (has_param(m, P_POWER)) {
        sb_printf(out,
                  ",\n      \"status\": {\"power\": \"total_instantaneous_power\", "
                  "\"production_above\": %s",
                  threshold(m->machine));
        if (has_param(m, P_FREQUENCY))
            sb_puts(out, ", \"on_when\": {\"point\": \"frequency\", \"above\": 0}");
        sb_puts(out, "}");
    }
    if (has_param(m, P_ENERGY))
        sb_puts(out, ",\n      \"energy\": {\"point\": \"active_energy_delivered\", \"max_delta\": "
                     "10}");
    sb_puts(out, " }");
}

static void write_cnc(strbuf *out, const cnc *c)
{
    sb_printf(out, "    { \"id\": \"lsv2-%ld\", \"machine_id\": %ld, ", c->machine, c->machine);
    if (c->name) {
        sb_puts(out, "\"name\": ");
        put_string(out, c->name);
        sb_puts(out, ", ");
    }
    sb_puts(out, "\"driver\": \"lsv2\",\n      \"host\": ");
    put_string(out, c->host);
    sb_puts(out, ", \"port\": 19000, \"interval\": \"1s\",\n      \"parts\": {\"signal\": ");
    if (is_tnc640(c))
        sb_puts(out, "{\"memory\": \"dword\", \"address\": 10368, \"equals\": 255}} }");
    else
        sb_puts(out, "{\"memory\": \"marker\", \"address\": 4170}} }");
}

static void write_ua(strbuf *out, const ua *u)
{
    sb_printf(out, "    { \"id\": \"opcua-%ld\", \"machine_id\": %ld, ", u->machine, u->machine);
    if (u->name) {
        sb_puts(out, "\"name\": ");
        put_string(out, u->name);
        sb_puts(out, ", ");
    }
    strbuf ep = STRBUF_INIT;
    sb_printf(&ep, "opc.tcp://%s:%s", u->host, u->port);
    sb_puts(out, "\"driver\": \"opcua\",\n      \"endpoint\": ");
    put_string(out, sb_str(&ep));
    sb_free(&ep);
    /* BELmc checked no certificate: pinning the first one seen reads on the first start */
    sb_puts(out, ", \"security\": {\"policy\": \"None\", \"mode\": \"None\"}, "
                 "\"trust\": \"first-use\",\n      ");
    if (u->user) {
        sb_puts(out, "\"user\": ");
        put_string(out, u->user);
        sb_puts(out, u->password ? ", \"password\": \"${OPCUA_PASSWORD}\",\n      " : ",\n      ");
    }
    sb_puts(out, "\"mode\": \"read\", \"interval\": \"1s\",\n"
                 "      \"nodes\": {\"prog_status\": \"ns=2;s=/Channel/State/progStatus\",\n"
                 "                \"op_mode\": \"ns=2;s=/Bag/State/opMode\",\n"
                 "                \"part_count\": \"ns=2;s=/Channel/State/actParts\",\n"
                 "                \"active_program\": \"ns=2;s=/Channel/ProgramInfo/progName\",\n"
                 "                \"selected_program\": "
                 "\"ns=2;s=/Channel/ProgramInfo/selectedWorkPProg\"},\n"
                 "      \"status\": {\"production_when\": {\"node\": \"prog_status\", \"equals\": "
                 "3}},\n"
                 "      \"parts\": {\"counter\": \"part_count\"} }");
}

/* Device ids of the production owners, by machine number. */
static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static void owner_id(const model *md, long machine, strbuf *out)
{
    if (ua_owns(md, machine))
        sb_printf(out, "\"opcua-%ld\"", machine);
    else if (cnc_of(md, machine))
        sb_printf(out, "\"lsv2-%ld\"", machine);
    else
        sb_printf(out, "\"ems-%ld\"", machine);
}

static void write_production_list(strbuf *out, const model *md)
{
    size_t n = 0;
    long *m = xcalloc(md->nmeters + md->ncncs + 2, sizeof *m);
    for (size_t i = 0; i < md->nmeters; i++)
        m[n++] = md->meters[i].machine;
    for (size_t i = 0; i < md->ncncs; i++)
        m[n++] = md->cncs[i].machine;
    if (md->nua) m[n++] = md->ua.machine;
    qsort(m, n, sizeof *m, cmp_long);
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (w == 0 || m[w - 1] != m[i]) m[w++] = m[i];
    sb_puts(out, "      \"production_devices\": [");
    for (size_t i = 0; i < w; i++) {
        sb_puts(out, i ? ", " : "");
        owner_id(md, m[i], out);
    }
    sb_puts(out, "]");
    free(m);
}

static void write_sink(strbuf *out, const model *md)
{
    sb_puts(out, "  \"sinks\": [\n"
                 "    { \"type\": \"postgres\", \"schema\": \"belmc\",\n"
                 "      \"host\": \"${DB_HOST}\", \"port\": \"${DB_PORT:-5432}\", \"dbname\": "
                 "\"${DB_NAME}\",\n"
                 "      \"user\": \"${DB_USER}\", \"password\": \"${DB_PASSWORD}\",\n"
                 "      \"ems_devices\": [");
    for (size_t i = 0; i < md->nmeters; i++)
        sb_printf(out, "%s\"ems-%ld\"", i ? ", " : "", md->meters[i].machine);
    sb_puts(out, "],\n");
    write_production_list(out, md);
    if (md->nua)
        sb_printf(out, ",\n      \"close_downtime_on_production\": [\"opcua-%ld\"]",
                  md->ua.machine);
    sb_puts(out, " }\n  ],\n");
}

static void write_config(strbuf *out, const model *md)
{
    sb_puts(out, "{\n"
                 "  \"timezone\": \"Asia/Kolkata\",\n"
                 "  \"shifts\": [ {\"id\": 1, \"start\": \"06:00\"}, {\"id\": 2, \"start\": "
                 "\"14:00\"}, {\"id\": 3, \"start\": \"22:00\"} ],\n");
    write_sink(out, md);
    sb_puts(out, "  \"devices\": [\n");
    bool first = true;
    for (size_t i = 0; i < md->nmeters; i++, first = false) {
        sb_puts(out, first ? "" : ",\n");
        write_meter(out, md, &md->meters[i]);
    }
    for (size_t i = 0; i < md->ncncs; i++, first = false) {
        sb_puts(out, first ? "" : ",\n");
        write_cnc(out, &md->cncs[i]);
    }
    if (md->nua) {
        sb_puts(out, first ? "" : ",\n");
        write_ua(out, &md->ua);
    }
    sb_puts(out, "\n  ]\n}\n");
}

/* ---- what the user should know ---- */

static const meter *meter_of(const model *md, long machine)
{
    for (size_t i = 0; i < md->nmeters; i++)
        if (md->meters[i].machine == machine) return &md->meters[i];
    return NULL;
}

static void note_machines(strbuf *notes, const model *md)
{
    for (size_t i = 0; i < md->ncncs; i++) {
        const cnc *c = &md->cncs[i];
        sb_printf(notes,
                  "machine %ld: production rows from lsv2-%ld (LSV2 %s:19000), part signal %s",
                  c->machine, c->machine, c->host,
                  is_tnc640(c) ? "PR_FINISHED: D10368 == 255 (BELmc's dword 2592, which it "
                                 "never counted)"
                               : "M4170 rising edge");
        if (meter_of(md, c->machine))
            sb_printf(notes, "; its meter ems-%ld writes only the ems tables", c->machine);
        sb_putc(notes, '\n');
    }
    if (md->nua) {
        sb_printf(notes,
                  "machine %ld: production rows from opcua-%ld (OPC UA %s:%s, security None)%s\n",
                  md->ua.machine, md->ua.machine, md->ua.host, md->ua.port,
                  meter_of(md, md->ua.machine) ? "; its meter writes only the ems tables (BELmc "
                                                 "wrote machine_raw from both)"
                                               : "");
        if (md->nua > 1)
            sb_printf(notes,
                      "opcua_settings.json has %zu entries; BELmc used only the first, so "
                      "only it was imported\n",
                      md->nua);
        sb_puts(notes, "OPC UA: BELmc's five hard-coded nodes are read (node_mapping in "
                       "opcua_settings.json was never used by BELmc)\n");
        sb_puts(notes, "OPC UA: \"trust\": \"first-use\" pins the server certificate seen at the "
                       "first connection in data_dir/pki (BELmc checked none), so it reads on "
                       "the first start; to verify against certificates you place yourself, "
                       "put the server's in data_dir/pki/trusted and remove \"trust\"\n");
        if (md->ua.user)
            sb_puts(notes, "OPC UA: with security None the password is sent only encrypted "
                           "for the server's certificate; if the server offers no such token "
                           "policy, prefer a Basic256Sha256 endpoint (or allow_plaintext_password, "
                           "as BELmc effectively did)\n");
    }
    for (size_t i = 0; i < md->nmeters; i++)
        if (!has_param(&md->meters[i], P_POWER))
            sb_printf(notes, "meter %ld has no TOTAL INSTANTANEOUS ACTIVE POWER: no status rule\n",
                      md->meters[i].machine);
}

static void note_secrets(strbuf *notes, const model *md, const mdc_belmc_files *in)
{
    if (md->nua && md->ua.password)
        sb_puts(notes, "the OPC UA password was not copied: set OPCUA_PASSWORD in the environment "
                       "or in a .env file beside the configuration\n");
    if (!md->env) {
        sb_puts(notes, "no .env found: set DB_HOST, DB_PORT, DB_NAME, DB_USER and DB_PASSWORD in "
                       "the environment or in a .env file beside the configuration\n");
        return;
    }
    strbuf missing = STRBUF_INIT;
    for (int i = 0; i < NDB; i++)
        if (!md->env_db[i] && i != 1)
            sb_printf(&missing, "%s%s", missing.len ? ", " : "", db_vars[i]);
    sb_printf(notes,
              "the database settings are ${DB_*} references: copy %s beside the configuration "
              "(it holds DB_PASSWORD; keep it out of version control)\n",
              in->env.name);
    if (missing.len) sb_printf(notes, "%s does not set %s\n", in->env.name, sb_str(&missing));
    sb_free(&missing);
}

int mdc_belmc_import(const mdc_belmc_files *in, strbuf *config, strbuf *notes, mdc_err *err)
{
    model md = {0};
    if (read_model(in, &md, err) < 0) {
        free_model(&md);
        return -1;
    }
    write_config(config, &md);
    if (md.nmeters)
        sb_puts(notes, "meters: Modbus ASCII on /dev/ttyUSB0 (BELmc's hard-coded port; change "
                       "\"ascii\" if the PLC is elsewhere), 9600 baud 7E2, slave 1, every 10 s\n");
    note_machines(notes, &md);
    note_secrets(notes, &md, in);
    free_model(&md);
    return 0;
}
