/* SPDX-License-Identifier: Apache-2.0 */
/* init_args.c — the words of `mdc init` (init_args.h). */
#include "init_args.h"

#include "core/xalloc.h"
#include "drivers/modbus/template.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {"modbus-tcp", "modbus-rtu", "modbus-ascii",
                                         "lsv2",       "opcua",      "broute"};

const char *init_kind_name(init_kind k)
{
    return kind_names[k];
}

bool init_is_modbus(init_kind k)
{
    return k <= INIT_MODBUS_ASCII;
}

bool init_is_serial(init_kind k)
{
    return k == INIT_MODBUS_RTU || k == INIT_MODBUS_ASCII || k == INIT_BROUTE;
}

/* "modbus-rtu:/dev/ttyUSB0@9600" → kind, and the rest after the colon. */
static int scheme(const char *word, init_kind *k, const char **rest)
{
    for (int i = 0; i < (int)(sizeof kind_names / sizeof *kind_names); i++) {
        size_t n = strlen(kind_names[i]);
        if (strncmp(word, kind_names[i], n) == 0 && word[n] == ':') {
            *k = (init_kind)i;
            *rest = word + n + 1;
            return 0;
        }
    }
    return -1;
}

static bool number(const char *s, size_t n, long lo, long hi, long *out)
{
    if (n == 0 || n > 9) return false;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return v >= lo && v <= hi;
}

/* "9600", "19200E1", "9600,8N1": baud, then [data bits]parity[stop bits]. */
static int framing(const char *s, init_dev *d)
{
    size_t nb = strspn(s, "0123456789");
    long v;
    if (!number(s, nb, 50, 4000000, &v)) return -1;
    d->baud = (int)v;
    s += nb;
    if (*s == ',') s++;
    if (!*s) return 0;
    if ((*s == '7' || *s == '8') && s[1] && strchr("NEOneo", s[1])) d->data_bits = *s++ - '0';
    if (!*s || !strchr("NEO", toupper((unsigned char)*s))) return -1;
    d->parity = (char)toupper((unsigned char)*s++);
    if (*s == '1' || *s == '2') d->stop_bits = *s++ - '0';
    return *s ? -1 : 0;
}

static int connection(const char *word, init_list *l, int line, mdc_err *err)
{
    init_kind k;
    const char *rest;
    if (scheme(word, &k, &rest) < 0)
        return mdc_err_set(err, MDC_EINVAL,
                           "'%s': expected a connection (modbus-tcp:HOST[:PORT], "
                           "modbus-rtu:DEVICE[@BAUD[8N1]], modbus-ascii:DEVICE[@...], "
                           "lsv2:HOST[:PORT], opcua:URL, broute:DEVICE)",
                           word);
    init_dev d = {.kind = k, .line = line};
    const char *at = init_is_serial(k) ? strchr(rest, '@') : NULL;
    size_t n = at ? (size_t)(at - rest) : strlen(rest);
    if (n == 0 || n >= sizeof d.address)
        return mdc_err_set(err, MDC_EINVAL, "'%s': the address is missing or too long", word);
    memcpy(d.address, rest, n);
    if (at && framing(at + 1, &d) < 0)
        return mdc_err_set(err, MDC_EINVAL,
                           "'%s': expected @BAUD, optionally with the framing: @9600, @19200E1, "
                           "@9600,8N1",
                           word);
    l->devs = xrealloc(l->devs, (l->n + 1) * sizeof *l->devs);
    l->devs[l->n++] = d;
    return 0;
}

/* "sdm630" or "sdm630@3": a meter on the last Modbus connection. */
static int meter(const char *word, init_list *l, mdc_err *err)
{
    init_dev *last = l->n ? &l->devs[l->n - 1] : NULL;
    if (!last || !init_is_modbus(last->kind))
        return mdc_err_set(err, MDC_EINVAL,
                           "'%s': a meter needs a Modbus connection before it "
                           "(modbus-tcp:HOST or modbus-rtu:DEVICE)",
                           word);
    const char *at = strchr(word, '@');
    size_t n = at ? (size_t)(at - word) : strlen(word);
    long unit = 0;
    if (at && !number(at + 1, strlen(at + 1), 1, 247, &unit))
        return mdc_err_set(err, MDC_EINVAL, "'%s': the unit id after @ must be 1..247", word);
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), word);
    json_t *t;
    mdc_err e;
    if (mdc_mb_template_get(name, &t, &e) < 0)
        return mdc_err_set(err, MDC_EINVAL, "'%s': %s (mdc templates lists them)", word, e.msg);
    json_decref(t);
    init_dev d = *last;
    if (last->template_name[0] || last->unit) { /* another meter on the same connection */
        l->devs = xrealloc(l->devs, (l->n + 1) * sizeof *l->devs);
        last = &l->devs[l->n++];
    }
    *last = d;
    snprintf(last->template_name, sizeof last->template_name, "%s", name);
    last->unit = (int)unit;
    return 0;
}

int init_parse(int argc, char **argv, init_list *out, mdc_err *err)
{
    memset(out, 0, sizeof *out);
    int line = 0;
    for (int i = 0; i < argc; i++) {
        int rc =
            strchr(argv[i], ':') ? connection(argv[i], out, line++, err) : meter(argv[i], out, err);
        if (rc < 0) {
            init_list_free(out);
            return -1;
        }
    }
    if (out->n == 0)
        return mdc_err_set(err, MDC_EINVAL,
                           "name at least one device, e.g. modbus-tcp:192.168.1.10 sdm630");
    return 0;
}

void init_list_free(init_list *l)
{
    free(l->devs);
    memset(l, 0, sizeof *l);
}
