/* SPDX-License-Identifier: Apache-2.0 */
/* sinks.c — the runtime's sinks from the configuration. */
#include "runtime_internal.h"

#include "core/xalloc.h"
#include "sinks/sink_config.h"

#include <string.h>

int mdc_rt_build_sinks(mdc_runtime *rt, mdc_err *err)
{
    const mdc_config *cfg = rt->cfg;
    size_t n = cfg->nsinks ? cfg->nsinks : 1;
    rt->sinks = xcalloc(n, sizeof *rt->sinks);
    if (cfg->nsinks == 0) {
        rt->sinks[0].sink = mdc_sink_default(cfg);
        atomic_init(&rt->sinks[0].healthy, true);
        pthread_mutex_init(&rt->sinks[0].err_mu, NULL);
        rt->nsinks = 1;
        return 0;
    }
    for (size_t i = 0; i < cfg->nsinks; i++) {
        mdc_sink *s;
        if (mdc_sink_build(&cfg->sinks[i], cfg, &s, err) < 0) return -1;
        for (size_t j = 0; j < rt->nsinks; j++)
            if (strcmp(rt->sinks[j].sink->id, s->id) == 0) {
                mdc_sink_destroy(s);
                return cfg_error(&cfg->sinks[i], NULL, err,
                                 "the same destination is configured twice (sinks[%zu])", j);
            }
        atomic_init(&rt->sinks[rt->nsinks].healthy, true);
        pthread_mutex_init(&rt->sinks[rt->nsinks].err_mu, NULL);
        rt->sinks[rt->nsinks++].sink = s;
    }
    return 0;
}
