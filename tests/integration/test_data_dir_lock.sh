#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One process per data directory: a second `mdc run`, `mdc run --once`, `mdc demo` or
# `mdc hems` on a directory a daemon holds exits 1 with a message naming the holder's PID, and
# touches nothing (no simulator started, no record spooled). Read-only tools (check, spool
# status) still work. The lock dies with its holder, even on kill -9. A reload that moves
# data_dir onto a held directory is refused and the daemon keeps running.
source "$(dirname "$0")/lib.sh"
source "$MDC_SRC/tests/integration/hems_lib.sh"

port=$(free_port) # nothing listens: the device is unreachable, records still flow
cat > a.json <<JSON
{ "data_dir": "data", "sinks": [ {"type": "stdout"} ],
  "devices": [ { "id": "m1", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$port"},
                 "interval": "500ms", "timeout": "200ms", "points": [ {"name": "v", "address": 0} ] } ] }
JSON
bg first "$MDC" run -c a.json
wait_for 10 grep -q '"device": "m1"' first.log || fail "the first daemon collects"
assert_eq "$PID_first" "$(cat data/mdc.lock)" "the lock file holds the holder's PID"

expect_busy() { # NAME COMMAND...: exits 1 naming the holder
  local name=$1; shift
  set +e; "$@" > "$name.out" 2> "$name.err"; local rc=$?; set -e
  assert_eq 1 "$rc" "$name: exit status 1"
  grep -q "data directory .*data is in use by another process (pid $PID_first, .*data/mdc.lock)" "$name.err" ||
    fail "$name: the message names the holder: $(cat "$name.err")"
}
expect_busy run "$MDC" run -c a.json
expect_busy once "$MDC" run -c a.json --once
[ ! -s once.out ] || fail "--once wrote records: $(cat once.out)"
expect_busy demo "$MDC" demo --data-dir data
grep -q "simulated meters running" demo.err && fail "the demo started its simulators"
ls data/sim-* >/dev/null 2>&1 && fail "the demo's simulators left files"
HEMS_DATA_DIR=$T/data expect_busy hems "$MDC" hems --port "$T/no-such-tty" --mode interval --interval 5
grep -q "initialising the Wi-SUN module" hems.err && fail "hems touched the module"
pass "a second writer is refused before it touches anything"

"$MDC" check -c a.json > check.out || fail "mdc check while the daemon runs"
"$MDC" spool status -c a.json > spool.out 2> spool.err || fail "mdc spool status while the daemon runs: $(cat spool.err)"
pass "read-only tools work beside the daemon"

# a reload onto a held directory is refused; the daemon goes on
bg other "$MDC" run -c a.json --data-dir other
wait_for 10 grep -q '"device": "m1"' other.log || fail "a second daemon on another directory runs"
sed 's/"data_dir": "data"/"data_dir": "other"/' a.json > b.json && cp b.json a.json
kill -HUP "$PID_first"
wait_for 10 grep -q "reload failed; still running the previous configuration: data directory other is in use by another process (pid $PID_other" first.err ||
  fail "reload onto a held directory: $(grep -i reload first.err)"
n=$(grep -c '"device"' first.log)
wait_for 10 bash -c "[ \$(grep -c '\"device\"' first.log) -gt $n ]" || fail "still collecting after the refused reload"
kill "$PID_other"; wait "$PID_other" || true
pass "a reload onto a held directory is refused"

# kill -9: the kernel releases the lock, the next start takes it
kill -9 "$PID_first"; wait "$PID_first" 2>/dev/null || true
sed -i 's/"data_dir": "other"/"data_dir": "data"/' a.json
bg second "$MDC" run -c a.json
wait_for 10 grep -q '"device": "m1"' second.log || fail "a new daemon after kill -9: $(cat second.err)"
assert_eq "$PID_second" "$(cat data/mdc.lock)" "the new holder's PID"
kill -TERM "$PID_second"; wait "$PID_second"
pass "the lock dies with its holder (kill -9)"
