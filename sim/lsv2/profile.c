/* SPDX-License-Identifier: Apache-2.0 */
/* profile.c — the simulated controls: iTNC 530 (124-byte parameters, NC errors), TNC 640
 * (5-field version, no NC errors over plain LSV2) and an old TNC 426 (3-field version, 256-byte
 * buffer, no selector form). No real S_PR dump is public: the PLC layout is our own, shifted
 * per profile so that a client must take the base addresses from S_PR. */
#include "lsim.h"

#include "drivers/lsv2/telegram.h"

#include <string.h>

static const uint8_t v_itnc[] = "iTNC530\0"
                                "340490 06 SP3\0"
                                "800A_AA.PLC\0"
                                "%0000111100000000";
static const uint8_t v_tnc640[] = "TNC640\0"
                                  "340595 08 SP1\0"
                                  "PLC_640_V2\0"
                                  "SPLC 1.2\0"
                                  "%0000000100000100";
static const uint8_t v_old[] = "TNC 426/430M\0"
                               "280476 24\0"
                               "GR495.07SA";

static const lsim_profile profiles[] = {
    [LSIM_ITNC530] = {.name = "itnc530",
                      .version = v_itnc,
                      .version_len = sizeof v_itnc,
                      .selector = {NULL, "iTNC530", "340490 06 SP3", "800A_AA.PLC",
                                   "%0000111100000000", "340490", NULL, NULL},
                      .params_len = 124,
                      .base = 0x1000,
                      .max_block = 4096,
                      .nc_errors = true,
                      .overrides = true,
                      .rci = true,
                      .main_program = "TNC:\\nc_prog\\PART_\xdc"
                                      "1.H",
                      .sub_program = "TNC:\\nc_prog\\SUB\\DRILL_8.H"},
    [LSIM_TNC640] = {.name = "tnc640",
                     .version = v_tnc640,
                     .version_len = sizeof v_tnc640,
                     .selector = {NULL, "TNC640", "340595 08 SP1", "PLC_640_V2",
                                  "%0000000100000100", "340595", "1", "SPLC 1.2"},
                     .params_len = 120,
                     .base = 0x8000,
                     .max_block = 2048,
                     .nc_errors = false,
                     .overrides = true,
                     .rci = true,
                     .main_program = "TNC:\\nc_prog\\demo\\FLANGE.h",
                     .sub_program = "TNC:\\nc_prog\\demo\\CYCLE_P.h"},
    [LSIM_OLD] = {.name = "old",
                  .version = v_old,
                  .version_len = sizeof v_old,
                  .selector = {NULL},
                  .params_len = 120,
                  .base = 0,
                  .max_block = 256,
                  .nc_errors = false,
                  .overrides = false,
                  .rci = false,
                  .main_program = "TNC:\\PART1.H",
                  .sub_program = "TNC:\\PART1.H"},
};

const lsim_profile *lsim_profile_get(lsim_profile_id id)
{
    return &profiles[id];
}

int lsim_profile_parse(const char *s, lsim_profile_id *out)
{
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
        if (strcmp(s, profiles[i].name) == 0) {
            *out = (lsim_profile_id)i;
            return 0;
        }
    return -1;
}

void lsim_layout_of(const lsim_profile *p, lsim_layout *l)
{
    uint32_t b = p->base;
    *l = (lsim_layout){.markers = b,
                       .inputs = b + 0x3000,
                       .outputs = b + 0x3200,
                       .counters = b + 0x3400,
                       .timers = b + 0x3500,
                       .words = b + 0x4000,
                       .strings = b + 0xC000,
                       .input_words = b + 0xF400,
                       .output_words = b + 0xF500,
                       .n_markers = 10000,
                       .n_io = 512,
                       .n_ct = 48,
                       .n_words = 16384,
                       .n_strings = 100,
                       .n_iow = 128,
                       .string_len = 128,
                       .end = b + 0xF600};
}

void lsim_params_encode(const lsim_profile *p, uint8_t *out)
{
    lsim_layout l;
    lsim_layout_of(p, &l);
    memset(out, 0, p->params_len);
    const uint32_t head[] = {l.markers, l.n_markers, l.inputs,  l.n_io,     l.outputs,
                             l.n_io,    l.counters,  l.n_ct,    l.timers,   l.n_ct,
                             l.words,   l.n_words,   l.strings, l.n_strings};
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        lsv2_put_be32(out + 4 * i, head[i]);
    out[56] = (uint8_t)l.string_len;
    lsv2_put_be32(out + 64, l.input_words);
    lsv2_put_be32(out + 68, l.n_iow);
    lsv2_put_be32(out + 72, l.output_words);
    lsv2_put_be32(out + 76, l.n_iow);
    out[96] = 1;    /* LSV2 version */
    out[97] = 0xff; /* flags, as an iTNC 530 demo printed */
    lsv2_put_be16(out + 98, p->max_block);
    out[100] = 1, out[101] = 2, out[102] = 3, out[103] = 4;
    lsv2_put_be32(out + 104, 0x00020001); /* hardware version */
    lsv2_put_be16(out + 112, 1024);       /* max trace line */
    lsv2_put_be16(out + 114, 6);          /* scope channels */
}
