#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# mdc scan: on a TCP host, which unit ids answer (registers or an exception); on a serial line
# (a pty whose simulator answers only readers with its baud rate), which unit ids at which
# baud rate; the announced bound; --first; SIGINT and SIGTERM stop it at once with what was
# found; nothing answering is exit 1.
source "$(dirname "$0")/lib.sh"

bg tcp "$MDC_SIM" modbus --tcp 127.0.0.1:0 --units 3,7 --frozen
wait_for 10 grep -q '^tcp: ' tcp.log || fail "simulator"
port=$(sed -n 's/^tcp: .*:\([0-9]*\)$/\1/p' tcp.log)
"$MDC" scan --tcp 127.0.0.1:$port --units 1-10 --timeout 200ms > tcp.out 2> tcp.err || fail "scan tcp: $(cat tcp.err)"
assert_eq "mdc scan: tcp 127.0.0.1:$port: 10 unit ids, FC3 address 0: at most 10 requests, 2 s at the longest (Ctrl-C stops)" \
  "$(head -n 1 tcp.out)" "the bound is announced"
assert_eq "unit 3 answers: FC3 address 0 = 0x4366 (17254)
unit 7 answers: FC3 address 0 = 0x4366 (17254)" "$(grep '^unit' tcp.out)" "TCP: the units that answer"
grep -q "^mdc scan: 2 of 10 requests answered in" tcp.out || fail "summary: $(tail -n 1 tcp.out)"
"$MDC" scan --tcp 127.0.0.1:$port --units 3 --address 60000 > exc.out || fail "scan exception"
grep -q "^unit 3 answers with an exception (a device is there): .*exception 02" exc.out ||
  fail "an exception counts as an answer: $(cat exc.out)"
set +e
"$MDC" scan --tcp 127.0.0.1:$port --units 1,2 --timeout 100ms > none.out 2>&1; rc=$?
set -e
assert_eq 1 "$rc" "nothing answering is exit 1"

bg rtu "$MDC_SIM" modbus --rtu --link "$T/tty" --baud 19200 --units 2 --check-framing --no-line-delay --frozen
wait_for 10 test -e "$T/tty" || fail "pty"
"$MDC" scan --serial "$T/tty" --units 1-3 --baud 9600,19200,38400 --parity N --timeout 200ms > rtu.out 2> rtu.err ||
  fail "scan serial: $(cat rtu.err)"
assert_eq "19200 8N1: unit 2 answers: FC3 address 0 = 0x4366 (17254)" "$(grep 'answers' rtu.out)" \
  "serial: the unit id and the baud rate that answer"
"$MDC" scan --serial "$T/tty" --units 2 --baud 19200,38400 --parity N,E --first > first.out || fail "--first"
assert_eq 1 "$(grep -c answers first.out)" "--first stops at the first setting that answers"

for sig in INT TERM; do
  "$MDC" scan --serial "$T/tty" --units 1-247 --baud 9600 --timeout 300ms > sig.out 2>&1 &
  pid=$!
  wait_for 10 grep -q 'at most 741 requests, 222 s at the longest' sig.out || fail "announce: $(cat sig.out)"
  sleep 0.5
  kill -$sig $pid
  start=$(date +%s%N)
  set +e; wait $pid; rc=$?; set -e
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  assert_eq 130 "$rc" "SIG$sig stops the scan (exit 130)"
  grep -q "stopped by SIG$sig" sig.out || fail "says it was stopped: $(tail -n 1 sig.out)"
  pass "stopped ${ms} ms after SIG$sig"
done

set +e
"$MDC" scan --units 1 > /dev/null 2> err; rc=$?
set -e
assert_eq 2 "$rc" "a scan needs --tcp or --serial"
set +e
"$MDC" scan --serial "$T/tty" --baud 12345 > /dev/null 2> err; rc=$?
set -e
assert_eq "mdc scan: --baud '12345': expected standard rates separated by commas: 9600,19200 (mdc scan --help)" "$(cat err)" "a bad baud rate is named"
