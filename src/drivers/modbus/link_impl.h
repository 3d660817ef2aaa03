/* link_impl.h — what the transports share (private to src/drivers/modbus). */
#ifndef MDC_MODBUS_LINK_IMPL_H
#define MDC_MODBUS_LINK_IMPL_H

#include "ascii.h"
#include "link.h"

#include <modbus.h>
#include <termios.h>

struct mdc_mb_link {
    mdc_mb_link_cfg cfg;
    int64_t byte_timeout_us; /* resolved (never 0) */
    modbus_t *ctx;           /* TCP and RTU */
    int fd;                  /* ASCII */
    struct termios saved;    /* ASCII: settings to restore */
    bool needs_reopen;
    bool flush_before_next; /* a timeout or corrupt reply may leave bytes behind */
    int char_bits;
    int64_t silent_us;   /* t3.5 on serial lines, 0 on TCP */
    int64_t last_end_us; /* monotonic end of the previous transaction */
    mdc_mb_ascii_rx rx;
};

/* libmodbus transports (link_lm.c). Errors carry no request context; link.c adds it. */
int mdc_mb_lm_open(mdc_mb_link *l, mdc_err *err);
void mdc_mb_lm_close(mdc_mb_link *l);
int mdc_mb_lm_read(mdc_mb_link *l, int unit, int fc, uint16_t addr, uint16_t count, uint16_t *out,
                   mdc_err *err);

/* Modbus ASCII on a serial line (link_ascii.c). */
int mdc_mb_asc_open(mdc_mb_link *l, mdc_err *err);
void mdc_mb_asc_close(mdc_mb_link *l);
int mdc_mb_asc_read(mdc_mb_link *l, int unit, int fc, uint16_t addr, uint16_t count, uint16_t *out,
                    mdc_err *err);

/* "timeout after 1000 ms" */
int mdc_mb_timeout_error(int64_t us, mdc_err *err);

#endif
