/* SPDX-License-Identifier: Apache-2.0 */
/* session.c — see session.h. */
#include "session.h"

#include "core/clock.h"
#include "core/xalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#define MAX_SESSIONS 256

typedef struct session {
    char id[MDC_SESSION_ID_LEN + 1];
    int64_t expires_us; /* monotonic; 0 = free slot */
} session;

struct mdc_http_sessions {
    pthread_mutex_t mu;
    session slot[MAX_SESSIONS];
};

mdc_http_sessions *mdc_http_sessions_new(void)
{
    mdc_http_sessions *s = xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    return s;
}

void mdc_http_sessions_free(mdc_http_sessions *s)
{
    if (!s) return;
    pthread_mutex_destroy(&s->mu);
    free(s);
}

int mdc_http_session_create(mdc_http_sessions *s, int64_t now_mono_us,
                            char id[MDC_SESSION_ID_LEN + 1])
{
    unsigned char raw[MDC_SESSION_ID_LEN / 2];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) return -1;
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(id + 2 * i, 3, "%02x", raw[i]);
    pthread_mutex_lock(&s->mu);
    size_t pick = 0; /* a free or expired slot, else the one that expires first */
    for (size_t i = 0; i < MAX_SESSIONS; i++)
        if (s->slot[i].expires_us < s->slot[pick].expires_us) pick = i;
    memcpy(s->slot[pick].id, id, MDC_SESSION_ID_LEN + 1);
    s->slot[pick].expires_us = now_mono_us + (int64_t)MDC_SESSION_LIFETIME * MDC_US_PER_SEC;
    pthread_mutex_unlock(&s->mu);
    return 0;
}

static bool same_id(const char *a, const char *b)
{
    unsigned char diff = 0;
    for (size_t i = 0; i < MDC_SESSION_ID_LEN; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

bool mdc_http_session_valid(mdc_http_sessions *s, const char *id, int64_t now_mono_us)
{
    if (strlen(id) != MDC_SESSION_ID_LEN) return false;
    bool ok = false;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < MAX_SESSIONS; i++)
        if (s->slot[i].expires_us > now_mono_us && same_id(s->slot[i].id, id)) ok = true;
    pthread_mutex_unlock(&s->mu);
    return ok;
}

bool mdc_http_cookie(const char *header, const char *name, char *out, size_t n)
{
    size_t len = strlen(name);
    for (const char *p = header; p && *p;) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t plen = end ? (size_t)(end - p) : strlen(p);
        if (plen > len && !strncmp(p, name, len) && p[len] == '=') {
            size_t vlen = plen - len - 1;
            if (vlen >= n) return false;
            memcpy(out, p + len + 1, vlen);
            out[vlen] = '\0';
            return true;
        }
        p = end;
    }
    return false;
}
