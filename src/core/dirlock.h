/* SPDX-License-Identifier: Apache-2.0 */
/* dirlock.h — one process per data directory.
 *
 * Two daemons writing one spool, one derive state and one store corrupt each other's history,
 * so every program that writes a data directory holds an exclusive lock on DIR/mdc.lock
 * (flock(2)) for as long as it runs. The kernel releases it when the process ends, however it
 * ends (kill -9 included), so a stale file never blocks a start. The holder writes its PID into
 * the file, and the error a second process gets names it. Programs that only read (mdc check,
 * mdc read, mdc spool) take no lock. The descriptor is close-on-exec: child processes (the demo's
 * simulators) never hold it.
 */
#ifndef MDC_DIRLOCK_H
#define MDC_DIRLOCK_H

#include "err.h"

typedef struct mdc_dirlock mdc_dirlock;

/* Creates dir (and its parents) if missing and locks it. On a lock held by another process:
 * -1 with MDC_ESTATE and "data directory DIR is in use by another process (pid N, DIR/mdc.lock)";
 * other failures: MDC_EIO. *out is owned by the caller (mdc_dirlock_release). */
int mdc_dirlock_acquire(const char *dir, mdc_dirlock **out, mdc_err *err);
/* Unlocks and frees; NULL-safe. The file stays (removing it would race with a new holder). */
void mdc_dirlock_release(mdc_dirlock *l);
/* The directory the lock is for (as given). */
const char *mdc_dirlock_dir(const mdc_dirlock *l);

#endif
