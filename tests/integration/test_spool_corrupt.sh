#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Undecodable records at the spool's end (a damaged disk, a body overwritten): the delivery
# thread logs them once, moves its cursor past them and goes on with the next records; it does
# not read them again and again.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 CLI missing"; exit 77; }

bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --frozen
wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator did not start"
port=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)
config() { # SCHEDULE
  cat > mdc.json <<JSON
{ "data_dir": "data", "sinks": [ {"type": "file", "path": "out.jsonl", "format": "json"} ],
  "devices": [ { "id": "meter-1", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$port"},
    $1, "points": [ {"name": "power_kw", "function": 4, "address": 52, "type": "float32"} ] } ] }
JSON
}
lines() { wc -l < out.jsonl 2>/dev/null || echo 0; }

config '"interval": "1s"'
bg mdc "$MDC" run -c mdc.json
wait_for 20 bash -c '[ "$(wc -l < out.jsonl 2>/dev/null || echo 0)" -ge 2 ]' || fail "no records delivered"
kill "$PID_mdc"; wait "$PID_mdc" || true
n=$(lines)
# two records nobody can decode at the end of the spool, after everything delivered
sqlite3 data/spool.db "INSERT INTO records(body) VALUES (x'ff00ff'), (x'')"
last=$(sqlite3 data/spool.db "SELECT max(seq) FROM records")

# nothing new arrives for a while (the next poll is at 00:00 of 1 January)
config '"schedule": "0 0 1 1 *"'
bg mdc "$MDC" run -c mdc.json
wait_for 20 grep -q "skipped 2 corrupt records in the spool (up to record $last)" mdc.err ||
  fail "the corrupt records were not reported: $(cat mdc.err)"
wait_for 20 bash -c "[ \"\$(sqlite3 data/spool.db \"SELECT seq FROM cursors WHERE sink LIKE 'file:%'\")\" = $last ]" ||
  fail "the cursor did not pass them: $(sqlite3 data/spool.db 'SELECT * FROM cursors')"
sleep 2 # a thread that read them again and again would have logged them many times by now
assert_eq 1 "$(grep -c 'corrupt record' mdc.err)" "reported once, the cursor past them (record $last)"
assert_eq "$n" "$(lines)" "nothing delivered twice"
kill "$PID_mdc"; wait "$PID_mdc" || true

# and the records after them are delivered
config '"interval": "1s"'
bg mdc "$MDC" run -c mdc.json
wait_for 20 bash -c "[ \"\$(wc -l < out.jsonl)\" -gt $n ]" || fail "no records after the corrupt ones"
pass "records after the corrupt ones delivered ($(( $(lines) - n )))"
grep -q 'corrupt record' mdc.err && fail "corrupt records read again after a restart"
kill "$PID_mdc"; wait "$PID_mdc" || true
pass "corrupt records at the spool's end: reported once, passed"
