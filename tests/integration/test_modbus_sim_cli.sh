#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# mdc-sim modbus as a user drives it: options, the control channel (stdin and FIFO), raw Modbus
# TCP bytes on the wire (bash /dev/tcp, independent of our client code), many ports, the load
# cycle, and a clean exit that removes --link.
set -euo pipefail
SIM=${MDC_SIM:?path to mdc-sim}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# waits until FILE has a line matching RE (5 s)
wait_line() {
  for _ in $(seq 1 100); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "--- $1:" >&2; cat "$1" >&2 || true
  fail "no line matching '$2' in $1"
}

# starts the simulator with stdin from a FIFO we keep open; sets $sim_pid
start_sim() {
  local name=$1; shift
  mkfifo "$work/$name.in"
  "$SIM" modbus "$@" <"$work/$name.in" >"$work/$name.out" 2>"$work/$name.err" &
  sim_pid=$!
  pids+=("$sim_pid")
  exec {fd}>"$work/$name.in"
  eval "in_$name=$fd"
}

# --- help and usage errors
# (into a file first: grep -q stops reading early, and a long help would then die of SIGPIPE)
"$SIM" modbus --help > "$work/help.txt" || fail "--help exits $?"
grep -q -- "--ports N" "$work/help.txt" || fail "--help lacks --ports"
grep -q "exception CODE" "$work/help.txt" || fail "--help lacks the control commands"
set +e
"$SIM" modbus --rtu --baud 14400 2>"$work/err"; rc=$?
set -e
[ "$rc" = 2 ] || fail "a bad baud rate should exit 2, got $rc"
grep -q "not a standard baud rate" "$work/err" || fail "bad baud message: $(cat "$work/err")"
set +e
"$SIM" modbus --tcp 127.0.0.1:0 --rtu 2>/dev/null; rc=$?
set -e
[ "$rc" = 2 ] || fail "two transports should exit 2"

# --- TCP, frozen: raw request bytes and the control channel
start_sim tcp --tcp 127.0.0.1:0 --frozen --verbose
wait_line "$work/tcp.out" '^tcp: '
port=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' "$work/tcp.out")
[ -n "$port" ] || fail "no port in: $(cat "$work/tcp.out")"

# read input registers 0..1 of unit 1: 230.1f = 43 66 19 9a
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf '\x00\x07\x00\x00\x00\x06\x01\x04\x00\x00\x00\x02' >&3
reply=$(head -c 13 <&3 | od -An -tx1 | tr -d ' \n')
[ "$reply" = "0007000000070104044366199a" ] || fail "FC4 reply: $reply"
# exception 02 for an address beyond the map
printf '\x00\x08\x00\x00\x00\x06\x01\x04\x13\x88\x00\x02' >&3
reply=$(head -c 9 <&3 | od -An -tx1 | tr -d ' \n')
[ "$reply" = "000800000003018402" ] || fail "exception reply: $reply"
# coil 0 = running
printf '\x00\x09\x00\x00\x00\x06\x01\x01\x00\x00\x00\x01' >&3
reply=$(head -c 10 <&3 | od -An -tx1 | tr -d ' \n')
[ "$reply" = "00090000000401010101" ] || fail "coil reply: $reply"
eval "echo 'state off' >&$in_tcp"
wait_line "$work/tcp.out" '^ok state off$'
printf '\x00\x0a\x00\x00\x00\x06\x01\x01\x00\x00\x00\x01' >&3
reply=$(head -c 10 <&3 | od -An -tx1 | tr -d ' \n')
[ "$reply" = "000a0000000401010100" ] || fail "coil after off: $reply"
# power is 0 W when off: float 0 at 0x34
printf '\x00\x0b\x00\x00\x00\x06\x01\x04\x00\x34\x00\x02' >&3
reply=$(head -c 13 <&3 | od -An -tx1 | tr -d ' \n')
[ "$reply" = "000b0000000701040400000000" ] || fail "power when off: $reply"
exec 3>&-
wait_line "$work/tcp.out" '^tcp unit 1 FC4 addr 0 count 2 -> 4 data bytes$'
wait_line "$work/tcp.out" '^tcp unit 1 FC4 addr 5000 count 2 -> exception 02 illegal data address$'
eval "echo 'bogus' >&$in_tcp"
wait_line "$work/tcp.out" '^error bogus: unknown command'
eval "echo 'meter 99 state idle' >&$in_tcp"
wait_line "$work/tcp.out" '^error meter 99 state idle: no such meter$'
eval "echo 'show' >&$in_tcp"
wait_line "$work/tcp.out" '^meter 1 unit 1 state off (held) voltage_l1 230.1 '
kill -TERM "$sim_pid"
wait "$sim_pid" || fail "SIGTERM should exit 0"

# --- RTU on a pty with --link and a control FIFO; SIGTERM removes both
start_sim rtu --rtu --link "$work/ttyS" --control "$work/ctl" --frozen
wait_line "$work/rtu.out" '^pty: /dev/pts/'
[ "$(grep -c . "$work/rtu.out")" = 1 ] || fail "RTU should print exactly one line"
[ -L "$work/ttyS" ] || fail "--link not created"
[ "$(readlink "$work/ttyS")" = "$(sed -n 's/^pty: //p' "$work/rtu.out")" ] || fail "--link target"
[ -p "$work/ctl" ] || fail "--control FIFO not created"
echo "exception 6" >"$work/ctl"
wait_line "$work/rtu.out" '^ok exception 6$'
echo "slow 5" >"$work/ctl"
wait_line "$work/rtu.out" '^ok slow 5$'
kill -INT "$sim_pid"
wait "$sim_pid" || fail "SIGINT should exit 0"
[ ! -e "$work/ttyS" ] || fail "--link left behind"
[ ! -e "$work/ctl" ] || fail "--control FIFO left behind"

# --- many ports in one process
# below the ephemeral port range; another range when a port is taken (a suite running beside)
for try in $(seq 20); do
  base=$((20000 + RANDOM % 12000))
  start_sim "many$try" --tcp "127.0.0.1:$base" --ports 200 --frozen
  for _ in $(seq 100); do grep -q '^tcp: \|Address already in use' "$work/many$try.out" "$work/many$try.err" && break; sleep 0.05; done
  grep -q 'Address already in use' "$work/many$try.err" || break
  wait "$sim_pid" 2>/dev/null || true
done
wait_line "$work/many$try.out" "^tcp: 127.0.0.1:$base-$((base + 199))$"
in_many=$(eval echo "\$in_many$try")
for p in $base $((base + 117)) $((base + 199)); do
  exec 3<>"/dev/tcp/127.0.0.1/$p"
  printf '\x00\x01\x00\x00\x00\x06\x01\x04\x00\x46\x00\x02' >&3
  reply=$(head -c 13 <&3 | od -An -tx1 | tr -d ' \n')
  [ "$reply" = "00010000000701040442480000" ] || fail "port $p frequency: $reply"
  exec 3>&-
done
echo quit >&"$in_many"
wait "$sim_pid" || fail "quit should exit 0"

# --- the load cycle moves every meter through off, idle and production
start_sim cyc --tcp 127.0.0.1:0 --profile delta --cycle off=0.4,idle=0.4,production=0.4 --seed 7
wait_line "$work/cyc.out" '^tcp: '
for _ in $(seq 1 12); do
  echo show >&"$in_cyc"
  sleep 0.15
done
for st in off idle production; do
  grep -q "^meter 5 unit 1 state $st voltage_l1" "$work/cyc.out" || fail "meter 5 never $st"
done
[ "$(grep -c '^meter ' "$work/cyc.out")" -ge 168 ] || fail "show should list 14 meters"
echo quit >&"$in_cyc"
wait "$sim_pid"
echo "ok: mdc-sim modbus CLI"
