/* SPDX-License-Identifier: Apache-2.0 */
/* hints.c — advice for common commissioning mistakes (hints.h). */
#include "hints.h"
#include "runtime_internal.h"

#include <string.h>

/* A serial Modbus line: the modbus driver names its buses "serial:DEVICE" (TCP: "tcp:..."). */
static bool serial_modbus(const mdc_rt_device *d)
{
    return d && d->driver && strcmp(d->driver->name, "modbus") == 0 && d->bus && d->bus->key &&
           strncmp(d->bus->key, "serial:", 7) == 0;
}

const char *mdc_rt_hint(const mdc_rt_device *d, int code)
{
    if (!serial_modbus(d)) return "";
    if (code == MDC_ETIMEOUT)
        return "; hint: a serial meter that does not answer usually has another unit id, baud "
               "rate or parity than configured, its A/B (D+/D-) wires swapped, or no 120 ohm "
               "termination at the ends of a long line; `mdc scan --serial DEVICE` shows which "
               "unit ids and settings answer";
    if (code == MDC_EPROTO)
        return "; hint: garbled replies on a serial line usually mean a baud rate or parity "
               "other than the meter's, two devices with the same unit id, or a line without "
               "termination or shield; `mdc scan --serial DEVICE` shows what answers";
    return "";
}

const char *mdc_rt_hint_for_text(const mdc_rt_device *d, const char *msg)
{
    if (!msg) return "";
    if (strstr(msg, "timeout")) return mdc_rt_hint(d, MDC_ETIMEOUT);
    if (strstr(msg, "CRC") || strstr(msg, "LRC") || strstr(msg, "unexpected") ||
        strstr(msg, "mismatch"))
        return mdc_rt_hint(d, MDC_EPROTO);
    return "";
}
