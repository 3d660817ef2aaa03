#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Crashes under the PostgreSQL sink, mdc's schema and BELmc's (fault_lib.sh, postgres_peer.sh):
# kill -9 of mdc again and again, and the spool restored to an earlier snapshot (a power cut:
# PostgreSQL has commits the spool forgot). Nothing lost, nothing twice, no new record skipped
# as "already delivered".
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/pg.sh"
source "$here/fault_lib.sh"
source "$here/postgres_peer.sh"
pg_start
fault_kill
fault_restore
fault_summary
