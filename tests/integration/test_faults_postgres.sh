#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Delivery faults against the PostgreSQL sink, mdc's schema and BELmc's (fault_lib.sh,
# postgres_peer.sh): the server stopped, then one record each schema refuses for good (a CHECK
# constraint; a numeric overflow). Both deduplicate: nothing lost, nothing twice.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/pg.sh"
source "$here/fault_lib.sh"
source "$here/postgres_peer.sh"
pg_start
fault_outage
fault_poison
fault_summary
