#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# data_dir on a small tmpfs that fills up (fault_lib.sh). mdc runs with the embedded store in
# data_dir and a file sink outside it, the meters' energy counted by derive rules; a file then
# takes every free byte for FAULT_OUTAGE_S. Records the spool cannot take are counted
# (mdc_records_lost_total) — exactly the schedule slots missing from the file sink, besides
# the slots a busy machine skipped (mdc_device_missed_slots_total) — /healthz turns unhealthy
# naming the reason, the log says so once a minute per cause, no energy is lost (each record's
# energy_delta_kwh is the counter's increase since the record stored before it, so their sum is
# the counter's increase), and when the space returns collection resumes by itself. Records the
# spool dropped to keep its reserve are counted (mdc_spool_dropped_records_total) and are the
# only ones the store lacks. Mounting needs root: skipped (77) otherwise. 16 MiB: on a tmpfs of
# a few MiB the SQLite write-ahead logs of spool.db and mdc.db (checkpointed at 4 MB each) fill
# it again by themselves right after the space returns.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/fault_lib.sh"

[ "$(id -u)" = 0 ] || { echo "skip: mounting a tmpfs needs root"; exit 77; }
DISK=$T/disk/data
mkdir -p "$DISK"
mount -t tmpfs -o size=16m,mode=0755 tmpfs "$DISK" 2>/dev/null || { echo "skip: cannot mount a tmpfs here"; exit 77; }
trap 'rc=$?; set +e; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait; umount -l "$DISK"; (exit $rc); cleanup' EXIT

SINKS=("sqlite|sqlite:data/mdc.db|1|0|")
healthz_says() { healthz | grep -q "$1"; }
scenario disk
fault_sim
fault_config '{"type": "sqlite"}' '{"min_free": "256KB"}' > mdc.json
mdc_start
warm_up

dd if=/dev/zero of=data/filler bs=64k 2>/dev/null || true
full_since=$(date +%s)
losing() { [ "$(metric mdc_records_lost_total)" -gt 0 ]; }
wait_until 60 losing || fail "no record counted as lost with the disk full ($(df -h data | tail -1))"
wait_for 30 healthz_says 'records lost' || fail "/healthz does not say that records are lost: $(healthz)"
health=$(healthz)
echo "$health" | grep -q '"status": "unhealthy"' || FAULT_FAILED+=("/healthz not unhealthy: $health")
echo "$health" | grep -q 'disk full' || FAULT_FAILED+=("/healthz does not name the disk: $health")
sleep "$FAULT_OUTAGE_S"
lost_full=$(metric mdc_records_lost_total)
rm -f data/filler
full_s=$(( $(date +%s) - full_since ))
wait_until 60 grep -q 'records are stored again' mdc.err || FAULT_FAILED+=("no 'records are stored again' after the space returned")
n=$(ref_keys | wc -l)
wait_until 60 ref_has $(( n + 20 )) || FAULT_FAILED+=("collection did not resume after the space returned")
converge

lost=$(metric 'mdc_records_lost_total{')
missed=$(metric mdc_device_missed_slots_total)
dropped=$(metric mdc_spool_dropped_records_total)
mdc_stop

# the log: one line per cause per minute (plus the first)
per_min=$(( full_s / 60 + 2 ))
lines=$(grep -c 'record lost: ' mdc.err || true)
[ "$lines" -le $(( 2 * per_min )) ] ||
  FAULT_FAILED+=("$lines 'record lost' lines in ${full_s}s for 2 devices: not rate-limited")
errors=$(grep -c ' ERROR ' mdc.err || true)

# lost records: the schedule slots missing from the reference, beside the skipped ones
energy=$($FAULT_COUNT energy ref.json 200) || FAULT_FAILED+=("energy lost: a record's delta is not the counter's increase since the record before")
echo "$energy"
slots=$(echo "$energy" | awk '{s += $5} END {print s}')
[ "$slots" = $(( lost + missed )) ] ||
  FAULT_FAILED+=("$slots schedule slots without a record, but lost $lost + skipped $missed")
sums=$(echo "$energy" | awk '{printf "%s %+.4f kWh of %.4f; ", $1, $7 - $9, $9}')

# the file sink (outside data_dir) has every record the spool took; the store lacks only the
# records the spool dropped (counted)
ALLOWED[sqlite]=$dropped
fault_report "data_dir full ${full_s}s"
fault_row "counters" "data_dir full ${full_s}s" "-" "-" "$lost" "-" "-" \
  "lost (disk full, counted): $lost of which $lost_full while full; spool dropped $dropped; skipped slots $missed; log: $lines 'record lost' lines, $errors ERROR lines; energy sum - increase: $sums"
scenario_end
fault_summary
