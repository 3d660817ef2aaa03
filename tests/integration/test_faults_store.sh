#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Crashes under the local sinks (fault_lib.sh): the embedded SQLite store (the default sink;
# deduplicates by the spool position it commits with the rows) and a JSON file sink (at least
# once). kill -9 of mdc again and again; the spool restored to an earlier snapshot (a power
# cut); and for the store one record it refuses for good — a trigger someone added refuses
# implausible frequencies — until the trigger is dropped and `mdc spool retry` delivers it.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/fault_lib.sh"

SINKS=("sqlite|sqlite:data/mdc.db|1|0|sqlite:" "file|file:out.json|0|0|")
peer_setup() { :; }
sinks_json() { echo '{"type": "sqlite"}, {"type": "file", "path": "out.json"}'; }
store_sql() { sqlite3 -batch -cmd '.timeout 10000' data/mdc.db "$1"; }
poison_refuse() {
  store_sql "CREATE TRIGGER implausible BEFORE INSERT ON records WHEN json_extract(NEW.fields, '\$.frequency') > 1e6
             BEGIN SELECT RAISE(ABORT, 'implausible frequency'); END;"
}
poison_fix() { store_sql "DROP TRIGGER implausible"; }

fault_kill
fault_restore
SINKS=("${SINKS[0]}")
fault_poison
fault_summary
