#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `mdc hems` against each fault of the simulated module and meter: every record is still the
# exact, complete hems record (nothing half-filled is output); what the dialogue did about the
# fault is visible in the simulator's command log. And the exit code when the module never
# answers or the port does not exist (1, so that systemd restarts it).
source "$(dirname "$0")/lib.sh"
source "$MDC_SRC/tests/integration/hems_lib.sh"

run_fault() { # NAME SIM-OPTIONS...: three records through the fault, all exact
  local name=$1; shift
  start_broute "$name" --frozen --verbose "$@"
  rm -f out.json
  hems_until 3 '^{' out.json --port "$T/tty-$name" --mode interval --interval 2 -o file \
    --file out.json
  assert_eq "{$HEMS_JSON_THREE" "$(json_bodies out.json | sort -u)" "$name: exact records"
  kill "$(eval echo "\$PID_$name")"
}

count() { grep -c -- "$1" "$T/$2.log" || true; }

run_fault nobeacon --no-beacon 1
[ "$(count 'SKSCAN 2 FFFFFFFF' nobeacon)" -ge 2 ] || fail "no second scan after an empty one"
grep -q 'SKSCAN 2 FFFFFFFF 5' nobeacon.log || fail "the scan duration did not grow"

run_fault reject --reject-join 1
[ "$(count 'SKJOIN' reject)" -ge 2 ] || fail "no second SKJOIN after EVENT 24"

run_fault expire --expire-after 2
run_fault expirefail --expire-after 2 --expire-fail
grep -Eq 'SKREJOIN|SKJOIN .*session down' expirefail.log || fail "no rejoin after a failed re-authentication"

run_fault drop --drop-reply 2
grep -q 'request 2: reply dropped' drop.log || fail "the fault did not happen"
run_fault late --late-reply 2
grep -q 'request 2: reply held back' late.log || fail "the fault did not happen"
run_fault er04 --fail-er04 SKSENDTO
run_fault er04reg --fail-er04 SKSREG
run_fault garbage --garbage-before 2
run_fault c0expire --profile bp35c0 --expire-after 3 --garbage-before 2

# A module that never answers, and a port that does not exist: exit 1 after the error.
start_broute mute --mute
set +e
"$MDC" hems --port "$T/tty-mute" -o stdout > mute.out 2> mute.err
rc=$?
set -e
assert_eq 1 "$rc" "exit status when the module never answers"
grep -q "ERROR initialisation failed: $T/tty-mute: no answer to SKRESET" mute.err || fail "no error logged"
set +e
"$MDC" hems --port "$T/nonexistent" > none.out 2> none.err
rc=$?
set -e
assert_eq 1 "$rc" "exit status when the port does not exist"
grep -q "ERROR initialisation failed: $T/nonexistent: No such file or directory; exiting" none.err ||
  fail "no error for a missing port"
exit 0
