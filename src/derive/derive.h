/* SPDX-License-Identifier: Apache-2.0 */
/* derive.h — turns a polled record into a derived one: machine status, energy deltas, part
 * counts and the shift a sample belongs to. Keeps per-device state (mdc_derive_state) that the
 * runtime persists atomically with the record, so a restart neither loses energy, nor counts
 * energy twice, nor counts a phantom part.
 *
 * Knows records and values by name only; nothing about protocols or sinks. Never logs: rule
 * events (meter reset, spike, counter reset) are returned as text for the caller to log.
 */
#ifndef MDC_DERIVE_H
#define MDC_DERIVE_H

#include "core/catalog.h"
#include "core/confread.h"
#include "core/record.h"
#include "core/strbuf.h"
#include "core/tz.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum { MDC_COND_ABOVE, MDC_COND_BELOW, MDC_COND_EQUALS } mdc_cond_op;

typedef struct mdc_cond {
    bool set;
    const char *field; /* owned by the configuration document */
    mdc_cond_op op;
    double value;
} mdc_cond;

typedef enum { MDC_PARTS_NONE, MDC_PARTS_SIGNAL, MDC_PARTS_COUNTER } mdc_parts_mode;

typedef struct mdc_derive_cfg {
    /* status: production when |power| > production_above, or when production_when holds;
     * else ON when on_when holds (or, without on_when: |power| > 0, or reachable) */
    const char *power_field;
    double production_above;
    mdc_cond production_when;
    mdc_cond on_when;
    bool has_status;
    /* energy */
    const char *energy_field;
    double max_delta;
    /* parts */
    mdc_parts_mode parts_mode;
    const char *parts_field; /* signal or counter field */
    bool signal_from_driver; /* parts.signal is an operand the driver reads into parts_field */
    bool signal_has_equals;  /* level = (value == signal_equals), else level = value != 0 */
    double signal_equals;
    int64_t min_pulse_us; /* the signal must be seen high this long before it counts */
} mdc_derive_cfg;

typedef struct mdc_shift_ctx {
    const mdc_tz *tz;
    const int *starts_min; /* ascending local minutes after midnight */
    const int *ids;
    size_t n;
} mdc_shift_ctx;

typedef struct mdc_derive_state {
    bool has_energy_base;
    double energy_base;
    int64_t shift_start_us; /* shift the accumulators belong to; 0 = none yet */
    int shift_id;
    double shift_energy;
    int64_t shift_parts;
    bool has_level;
    bool level;
    int64_t high_since_us;
    bool counted;
    bool has_counter;
    int64_t counter_last;
    int64_t parts_total;
    int last_status;
} mdc_derive_state;

/* Parses the "status", "parts" and "energy" keys of a device object. `fields` lists the value
 * names the device's driver produces (NULL-terminated) so references can be checked;
 * `driver_signal` is the field in which the driver reports a part signal it reads itself when
 * parts.signal is an object (driver.h part_signal_field), or NULL. */
int mdc_derive_parse(const mdc_cfgnode *dev, const char *const *fields, const char *driver_signal,
                     mdc_derive_cfg *out, mdc_err *err);
/* The keys of "status", its conditions, "energy" and "parts" (core/keys.h), NULL-terminated. */
struct mdc_keyset;
extern const struct mdc_keyset *const mdc_derive_keysets[];
/* One line per rule for `mdc check`. */
void mdc_derive_describe(const mdc_derive_cfg *cfg, strbuf *out);

void mdc_derive_state_init(mdc_derive_state *st);
void mdc_derive_state_to_json(const mdc_derive_state *st, strbuf *out);
int mdc_derive_state_from_json(const char *text, mdc_derive_state *st, mdc_err *err);

/* Applies every rule to rec (in place): sets rec->status, rec->shift_start_us, appends the
 * derived fields, removes hidden fields (names starting with '_'), and updates st. Appends
 * one line per notable event to `events` (may be NULL). */
void mdc_derive_apply(const mdc_derive_cfg *cfg, const mdc_shift_ctx *shifts, mdc_derive_state *st,
                      mdc_record *rec, strbuf *events);

/* ---- what the rules add (for the catalog, core/catalog.h) ---- */
/* Whether these rules add a field called `name` (a device value of that name is then renamed
 * NAME_raw in the record). */
bool mdc_derive_produces(const mdc_derive_cfg *cfg, const mdc_shift_ctx *shifts, const char *name);
/* The fields these rules add, in record order: up to 5 names (static strings) into names[];
 * returns how many. */
size_t mdc_derive_outputs(const mdc_derive_cfg *cfg, const mdc_shift_ctx *shifts,
                          const char *names[5]);
/* What a derived field means (unit kWh, label, decimals, quantity); false for other names. */
bool mdc_derive_field_info(const char *name, mdc_field_info *out);

/* The pieces, exposed for tests. */
int mdc_derive_status(const mdc_derive_cfg *cfg, const mdc_record *rec);
/* Shift of an instant: returns the shift id and its start (UTC us). */
int mdc_shift_of(const mdc_shift_ctx *ctx, int64_t ts_us, int64_t *start_us);

#endif
