#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The PostgreSQL sink, both schemas, over a connection that fails (fault_lib.sh,
# postgres_peer.sh, fault_proxy.py): 5 % and then 30 % of what the sink sends meets a reset, a
# hang, or a late loss of the server's answer (the server committed, the sink never heard).
# Both schemas deduplicate by the spool position they commit with the rows: nothing lost,
# nothing twice.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/pg.sh"
source "$here/fault_lib.sh"
source "$here/postgres_peer.sh"
export PG_PASSWORD
pg_start
PG_VIA_PROXY=1
fault_flaky 0.05
fault_flaky 0.30
fault_summary
