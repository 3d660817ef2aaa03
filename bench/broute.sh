#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/broute.sh [BUILD] — B-route collection cycle and set-up time against `mdc-sim broute`
# at 115200 baud: wall time vs the bound from the bytes on the wire plus the simulator's
# configured delays (goal: ratio <= 1.2). Two set-ups: realistic delays (real scan time,
# 300 ms meter round trip, 1 s PANA join) and none at all (pure line time: the software's own
# overhead shows). For comparison, hems-data-collector waits >= 96 s before SKJOIN.
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
sim=$build/mdc-sim
bench=$build/bench/bench_broute
[ -x "$sim" ] && [ -x "$bench" ] || { echo "build $build first (mdc-sim, bench_broute)" >&2; exit 2; }
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
run() { # run METER_MS JOIN_MS SCAN_SCALE PROFILE
  "$sim" broute --link "$work/tty" --baud 115200 --frozen --profile "$4" \
    --meter-delay "$1" --join-delay "$2" --scan-scale "$3" > "$work/sim.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do [ -e "$work/tty" ] && break; sleep 0.05; done
  "$bench" "$work/tty" 115200 "$1" "$2" "$3" 20
  kill $pid; wait $pid 2>/dev/null || true; pid=
  rm -f "$work/tty"
  echo
}
echo "== realistic: BP35A1 (hex ERXUDP), real scan time"
run 300 1000 1 bp35a1
echo "== line time only: BP35A1 (hex ERXUDP)"
run 0 0 0 bp35a1
echo "== line time only: BP35C0 (binary ERXUDP)"
run 0 0 0 bp35c0
echo "(hems-data-collector: >= 96 s of fixed waits before SKJOIN, research/hems.md §2)"
