#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `mdc run --once` tells cron and CI what happened: 0 when every device was read and every
# record delivered, 3 when a device could not be read, 4 when a record could not be delivered
# (it stays in the spool), 5 for both; --timeout bounds the wait; SIGINT/SIGTERM stop it at once
# (130/143) even while a sink cannot deliver (it used to ignore them for up to 600 s).
source "$(dirname "$0")/lib.sh"

bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --frozen --units 1
wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator did not start"
port=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)
closed=$(free_port) # nothing listens here

device() { # ID PORT
  echo "{\"id\": \"$1\", \"driver\": \"modbus\", \"connection\": {\"tcp\": \"127.0.0.1:$2\"},
    \"timeout\": \"300ms\", \"points\": [{\"name\": \"v\", \"function\": 4, \"address\": 0, \"type\": \"float32\"}]}"
}
config() { # FILE SINKS DEVICES...
  local f=$1 sinks=$2; shift 2
  local devs; devs=$(IFS=,; echo "$*")
  echo "{ \"data_dir\": \"data-$f\", \"sinks\": [ $sinks ], \"devices\": [ $devs ] }" > "$f.json"
}
once() { # NAME ARGS...: runs mdc run --once, sets rc
  local name=$1; shift
  set +e; "$MDC" run --once "$@" > "$name.out" 2> "$name.err"; rc=$?; set -e
}
STDOUT='{"type": "stdout"}'
DEAD_HOOK="{\"type\": \"webhook\", \"url\": \"http://127.0.0.1:$closed/hook\"}"

config ok "$STDOUT" "$(device m1 "$port")"
once ok -c ok.json
assert_eq 0 "$rc" "every device read, every record delivered: 0"
grep -q '"v": 230.1' ok.out || fail "the record: $(cat ok.out)"
grep -q -- '--once: 1 of 1 device polled, 0 unreachable; 0 records not delivered' ok.err || fail "summary: $(cat ok.err)"

config dev "$STDOUT" "$(device m1 "$port")" "$(device m2 "$closed")"
once dev -c dev.json
assert_eq 3 "$rc" "a device could not be read: 3"
grep -q '"device": "m2", "status"\|"device": "m2".*"error"' dev.out || fail "m2's record says why: $(cat dev.out)"

config sink "$DEAD_HOOK" "$(device m1 "$port")"
once sink -c sink.json --timeout 2s
assert_eq 4 "$rc" "a record could not be delivered: 4"
grep -q -- '--once: gave up after 2 s (--timeout)' sink.err || fail "timeout logged: $(cat sink.err)"
grep -q '1 record not delivered (kept in the spool)' sink.err || fail "summary: $(cat sink.err)"

config both "$DEAD_HOOK" "$(device m2 "$closed")"
once both -c both.json --timeout=1
assert_eq 5 "$rc" "both: 5"
pass "exit statuses 0, 3, 4, 5"

# signals while a sink cannot deliver (no --timeout: the default would wait 600 s)
for sig in TERM INT; do
  bg "s$sig" "$MDC" run --once -c sink.json
  wait_for 10 grep -q 'delivery failed\|cannot open' "$T/s$sig.err" || fail "the webhook fails"
  kill -"$sig" "$(eval echo \$PID_s$sig)"
  wait_for 10 bash -c "! kill -0 $(eval echo \$PID_s$sig) 2>/dev/null" || fail "SIG$sig ignored for 10 s"
  set +e; wait "$(eval echo \$PID_s$sig)"; rc=$?; set -e
  assert_eq $([ $sig = TERM ] && echo 143 || echo 130) "$rc" "SIG$sig stops --once at once, status 128 + signal"
done
grep -q 'SIGTERM: stopping before every device was polled and every record delivered' sTERM.err ||
  fail "SIGTERM logged: $(cat sTERM.err)"
# the undelivered records wait in the spool for the next run
"$MDC" spool status -c sink.json > spool.out 2>&1 || fail "mdc spool status: $(cat spool.out)"

set +e
"$MDC" run -c ok.json --timeout 5s > x.out 2> x.err; rc=$?
set -e
assert_eq 2 "$rc" "--timeout without --once: usage error"
assert_eq "mdc run: --timeout needs --once" "$(cat x.err)" "its message"
set +e
"$MDC" run -c ok.json --once --timeout soon > x.out 2> x.err; rc=$?
set -e
assert_eq 2 "$rc" "a bad --timeout: usage error"
