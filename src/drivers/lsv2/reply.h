/* SPDX-License-Identifier: Apache-2.0 */
/* reply.h — the LSV2 replies mdc reads, decoded from their payloads; PLC addressing.
 *
 * Layouts (all integers big-endian unless noted):
 *   S_VR   3 to 5 NUL-terminated fields: control, NC version, PLC version, [SPLC version],
 *          [options]. Old controls (TNC 426/430) answer 3, iTNC 530 4, TNC 320/640 5.
 *   S_PR   120 or 124 bytes of system parameters (PLC base addresses at 0..79, buffer at 98).
 *   S_RI   23 execution state u16 | 26 program state u16 | 24 line u32 + main path + current
 *          path (NUL-terminated) | 25 feed, spindle, rapid override u32 in 1/100 % |
 *          27/28 class u16, group u16, number s32, text.
 *   S_MB   raw PLC bytes: one byte 0/1 per marker/input/output; words and dwords LITTLE-endian.
 * Strings are latin-1 on the wire; they are returned as UTF-8 with surrounding blanks removed.
 *
 * Pure functions: no I/O, no allocation. Results are truncated (at a character boundary) to
 * the fixed buffers below rather than rejected.
 */
#ifndef MDC_LSV2_REPLY_H
#define MDC_LSV2_REPLY_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LSV2_TEXT_MAX 256
#define LSV2_PATH_MAX 512

typedef struct lsv2_version {
    int nfields; /* as answered: 3, 4 or 5 */
    char control[LSV2_TEXT_MAX];
    char nc[LSV2_TEXT_MAX];
    char plc[LSV2_TEXT_MAX];
    char splc[LSV2_TEXT_MAX]; /* "" unless 5 fields */
    char options[LSV2_TEXT_MAX];
} lsv2_version;

typedef struct lsv2_params {
    size_t len; /* bytes answered (120 or 124) */
    uint32_t markers_start, num_markers;
    uint32_t inputs_start, num_inputs;
    uint32_t outputs_start, num_outputs;
    uint32_t counters_start, num_counters;
    uint32_t timers_start, num_timers;
    uint32_t words_start, num_words;
    uint32_t strings_start, num_strings;
    uint8_t max_string_length;
    uint32_t input_words_start, num_input_words;
    uint32_t output_words_start, num_output_words;
    uint8_t lsv2_version, lsv2_version_flags;
    uint16_t max_block_length;
    uint8_t bin_version, bin_revision, iso_version, iso_revision;
    uint32_t hardware_version;
    uint32_t lsv2_version_flags_ex;
    uint16_t max_trace_line; /* offsets beyond 113 are not settled between sources */
} lsv2_params;

typedef struct lsv2_stack {
    uint32_t line;
    char main[LSV2_PATH_MAX];    /* the selected program */
    char current[LSV2_PATH_MAX]; /* the program being executed (a called one, or main) */
} lsv2_stack;

typedef struct lsv2_overrides {
    uint32_t feed, spindle, rapid; /* 1/100 % */
} lsv2_overrides;

typedef struct lsv2_nc_error {
    uint16_t cls, group;
    int32_t number;
    char text[LSV2_TEXT_MAX];
} lsv2_nc_error;

/* Execution state (R_RI 23) and program state (R_RI 26). */
enum {
    LSV2_EXEC_MANUAL,
    LSV2_EXEC_MDI,
    LSV2_EXEC_PASS_REFERENCES,
    LSV2_EXEC_SINGLE_STEP,
    LSV2_EXEC_AUTOMATIC,
    LSV2_EXEC_UNDEFINED
};
enum {
    LSV2_PGM_STARTED,
    LSV2_PGM_STOPPED,
    LSV2_PGM_FINISHED,
    LSV2_PGM_CANCELLED,
    LSV2_PGM_INTERRUPTED,
    LSV2_PGM_ERROR,
    LSV2_PGM_ERROR_CLEARED,
    LSV2_PGM_IDLE,
    LSV2_PGM_UNDEFINED
};
/* "AUTOMATIC", "STARTED"; "?" when out of range. */
const char *lsv2_exec_state_name(int v);
const char *lsv2_pgm_state_name(int v);

/* Each returns 0, or -1 (MDC_EPROTO) when the payload cannot be the answer. */
int lsv2_parse_version(const uint8_t *p, size_t len, lsv2_version *v, mdc_err *err);
int lsv2_parse_params(const uint8_t *p, size_t len, lsv2_params *out, mdc_err *err);
/* S_RI 23 and 26. */
int lsv2_parse_state(const uint8_t *p, size_t len, uint16_t *out, mdc_err *err);
/* S_RI 24. A missing current path is taken as the main one (pyLSV2 crashes there). */
int lsv2_parse_stack(const uint8_t *p, size_t len, lsv2_stack *s, mdc_err *err);
int lsv2_parse_overrides(const uint8_t *p, size_t len, lsv2_overrides *o, mdc_err *err);
int lsv2_parse_nc_error(const uint8_t *p, size_t len, lsv2_nc_error *e, mdc_err *err);

/* ---- PLC memory ---- */
typedef enum lsv2_mem {
    LSV2_MEM_MARKER,
    LSV2_MEM_INPUT,
    LSV2_MEM_OUTPUT,
    LSV2_MEM_COUNTER,
    LSV2_MEM_TIMER,
    LSV2_MEM_BYTE,
    LSV2_MEM_WORD,
    LSV2_MEM_DWORD,
    LSV2_MEM_INPUT_WORD,
    LSV2_MEM_OUTPUT_WORD,
    LSV2_MEM_COUNT
} lsv2_mem;

/* "marker", "dword", ...; lsv2_mem_parse returns -1 when unknown. */
const char *lsv2_mem_name(lsv2_mem m);
int lsv2_mem_parse(const char *s, lsv2_mem *out);
/* The operand letter(s) of the native notation: "M", "I", "O", "C", "T", "B", "W", "D", "IW",
 * "OW". */
const char *lsv2_mem_prefix(lsv2_mem m);
/* Bytes per element: 1, 2 or 4. */
int lsv2_mem_size(lsv2_mem m);
/* True for the one-byte 0/1 kinds (marker, input, output, counter, timer). */
bool lsv2_mem_is_bit(lsv2_mem m);

/* Absolute R_MB address of an operand in native Heidenhain notation: M4170 is marker 4170,
 * D10368 is the dword at byte 10368 of the word area (W/D/IW/OW numbers are byte offsets
 * and must be multiples of the element size). Bit kinds are checked against their count in
 * S_PR; word kinds are left to the control (T_ER 52) because the sources disagree on what
 * num_words counts. */
int lsv2_plc_address(const lsv2_params *p, lsv2_mem m, uint32_t number, uint32_t *address,
                     mdc_err *err);
/* Checks the native number's alignment (no S_PR needed): for configuration. */
int lsv2_plc_check_number(lsv2_mem m, uint32_t number, mdc_err *err);
/* One element from S_MB bytes: bits 0/1, B signed 8, W signed 16 LE, D signed 32 LE, IW/OW
 * unsigned 16 LE. */
int64_t lsv2_plc_value(lsv2_mem m, const uint8_t *p);

/* ---- text ---- */
/* Latin-1 bytes (up to n, or the first NUL) to UTF-8 in out (always terminated), leading and
 * trailing blanks removed, truncated at a character boundary. Returns the output length. */
size_t lsv2_latin1_to_utf8(const uint8_t *in, size_t n, char *out, size_t cap);

#endif
