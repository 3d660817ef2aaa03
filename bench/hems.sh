#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/hems.sh [BUILD] — `mdc hems` end to end against `mdc-sim broute` at 115200 baud:
#   set-up      process start → "joined the smart meter" (module reset, scan, PANA join), vs
#               the bound of the same dialogue (bytes on the wire + scan + join delays) and vs
#               hems-data-collector's fixed waits (>= 11 s per set-up command, ~96 s before
#               SKJOIN: research/hems.md §2);
#   cycles      a record's poll start (its timestamp) → the record on stdout (collection,
#               spool commit, delivery, formatting), first and steady cycles, vs the bound of
#               the same requests (bytes on the wire + the simulator's meter delay).
# The bounds come from bench_broute (bench/broute.sh's driver-level benchmark), which runs the
# same dialogue against the same simulator settings first. Not a pass/fail test.
set -euo pipefail
build=$(realpath "${1:-build}")
sim=$build/mdc-sim
mdc=$build/mdc
bench=$build/bench/bench_broute
[ -x "$sim" ] && [ -x "$mdc" ] && [ -x "$bench" ] || { echo "build $build first (mdc, mdc-sim, bench_broute)" >&2; exit 2; }
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT

start_sim() { # METER_MS JOIN_MS SCAN_SCALE PROFILE
  rm -f "$work/tty"
  "$sim" broute --link "$work/tty" --baud 115200 --frozen --verbose --profile "$4" --meter-delay "$1" \
    --join-delay "$2" --scan-scale "$3" > "$work/sim.log" 2>&1 &
  sim_pid=$!
  for _ in $(seq 100); do [ -e "$work/tty" ] && break; sleep 0.05; done
}
stop_sim() { kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true; }

# Timestamps each stdout line of mdc hems: "<arrival epoch s> <line>".
stamp() {
  python3 -u -c '
import sys, time
for line in sys.stdin:
    print("%.6f %s" % (time.time(), line.rstrip("\n")), flush=True)'
}

report() { # METER_MS JOIN_MS SCAN_SCALE PROFILE RECORDS
  local meter=$1 join=$2 scale=$3 profile=$4 n=$5
  start_sim "$meter" "$join" "$scale" "$profile"
  "$bench" "$work/tty" 115200 "$meter" "$join" "$scale" 3 > "$work/bound.txt"
  stop_sim
  start_sim "$meter" "$join" "$scale" "$profile"
  export B_ROUTE_ID=00000000000000000000000000000000 B_ROUTE_PASSWORD=000000000000
  export HEMS_DATA_DIR=$work/spool-$profile-$meter LOCAL_TIMEZONE=Asia/Tokyo
  local t0
  t0=$(date +%s.%N)
  rm -f "$work/fifo" && mkfifo "$work/fifo"
  stamp < "$work/fifo" > "$work/hems.out" &
  local stamp_pid=$!
  "$mdc" hems --port "$work/tty" --mode interval --interval 2 --output stdout \
    > "$work/fifo" 2> "$work/hems.err" &
  local hems_pid=$!
  pids+=("$hems_pid" "$stamp_pid")
  for _ in $(seq 600); do
    [ "$(wc -l < "$work/hems.out")" -ge "$n" ] && break
    sleep 0.1
  done
  kill -TERM "$hems_pid" 2>/dev/null || true
  wait "$hems_pid" 2>/dev/null || true
  wait "$stamp_pid" 2>/dev/null || true
  stop_sim
  python3 - "$t0" "$work/hems.err" "$work/hems.out" "$work/bound.txt" "$work/sim.log" <<'PY'
import datetime, json, re, statistics, sys
t0, err, out, bound_txt = float(sys.argv[1]), sys.argv[2], sys.argv[3], open(sys.argv[4]).read()
ncmd = 0
for line in open(sys.argv[5]):
    if line.startswith("command: SKSENDTO"):
        break
    ncmd += line.startswith("command: ")
def epoch(iso):
    return datetime.datetime.fromisoformat(iso).timestamp()
joined = None
for line in open(err):
    m = re.match(r"(\S+)Z INFO  joined the smart meter in ([0-9.]+) s", line)
    if m:
        joined = (epoch(m.group(1) + "+00:00") - t0, float(m.group(2)))
m = re.search(r"set-up \(SKRESET to EVENT 25\): [0-9.]+ s; bound ([0-9.]+) s \([0-9]+ bytes = ([0-9.]+) ms", bound_txt)
setup_bound, setup_wire = float(m.group(1)), float(m.group(2)) / 1000
first_bound = float(re.search(r"first cycle .*?bound ([0-9.]+) s", bound_txt).group(1))
steady_bound = float(re.search(r"steady cycle \(1 request.*?bound ([0-9.]+) s", bound_txt).group(1))
lat = []
for line in open(out):
    arrived, rec = line.split(" ", 1)
    lat.append(float(arrived) - epoch(json.loads(rec)["timestamp"]))
print("  set-up: process start to joined %.3f s (mdc's own figure %.3f s); bound of the dialogue %.3f s; ratio %.3f"
      % (joined[0], joined[1], setup_bound, joined[1] / setup_bound))
print("  first cycle, poll start to record on stdout: %.3f s; bound %.3f s; ratio %.3f" % (lat[0], first_bound, lat[0] / first_bound))
st = lat[1:]
print("  steady cycles (%d): median %.3f s (max %.3f); bound %.3f s; ratio median %.3f"
      % (len(st), statistics.median(st), max(st), steady_bound, statistics.median(st) / steady_bound))
delays = setup_bound - setup_wire  # the simulated scan and join times
print("  set-up commands: %d, %.1f ms each besides the simulated scan/join time (hems-data-collector:"
      " >= 11 s each, ~96 s of fixed waits before SKJOIN)" % (ncmd, 1000 * (joined[1] - delays) / ncmd))
PY
}

echo "== mdc hems, realistic: BP35A1, real scan time, 300 ms meter round trip, 1 s join"
report 300 1000 1 bp35a1 6
echo "== mdc hems, line time only: BP35A1 (every delay 0: mdc's own overhead shows)"
report 0 0 0 bp35a1 6
echo "== mdc hems, realistic: BP35C0 (binary ERXUDP)"
report 300 1000 1 bp35c0 6
