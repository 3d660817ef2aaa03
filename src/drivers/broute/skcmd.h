/* SPDX-License-Identifier: Apache-2.0 */
/* skcmd.h — module profiles and the text of SKSTACK-IP commands (pure functions).
 *
 * Profiles differ in the SIDE field (BP35C0/C2 and RL7023 Stick-D/DSS address one of two
 * radio interfaces; 0 is the B-route side):
 *   bp35a1  SKSENDTO h ip port sec len data        EVENT nn ip [param]      SKSCAN m mask d
 *   bp35c0  SKSENDTO h ip port sec side len data   EVENT nn ip side [param] SKSCAN m mask d side
 *   rl7023  as bp35c0
 * The ERXUDP payload format (hex or binary) needs no profile: skrx.h reads both.
 */
#ifndef MDC_BRT_SKCMD_H
#define MDC_BRT_SKCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum mdc_brt_module {
    MDC_BRT_MODULE_AUTO = 0,
    MDC_BRT_MODULE_BP35A1,
    MDC_BRT_MODULE_BP35C0,
    MDC_BRT_MODULE_RL7023,
} mdc_brt_module;

/* "auto", "bp35a1", "bp35c0", "rl7023", NULL-terminated, in enum order. */
extern const char *const mdc_brt_module_names[];
const char *mdc_brt_module_name(mdc_brt_module m);
bool mdc_brt_module_has_side(mdc_brt_module m);

#define MDC_SK_PORT_ECHONET  0x0E1A /* 3610 */
#define MDC_SK_SCAN_CHANNELS 28     /* channel mask FFFFFFFF: channels 33..60 */

/* Each builder writes a NUL-terminated command into out and returns its length, or 0 when it
 * does not fit. Lines end with CRLF except SKSENDTO, whose binary data follows the header. */
size_t mdc_sk_cmd_setpwd(char *out, size_t cap, const char *password);
size_t mdc_sk_cmd_scan(char *out, size_t cap, int duration, bool side);
size_t mdc_sk_cmd_sendto(char *out, size_t cap, const char *ipv6, uint16_t port, bool side,
                         size_t len);

/* Expected duration of one active scan over the 28 channels: 9.6 ms x (2^d + 1) each. */
int64_t mdc_sk_scan_us(int duration);

#endif
