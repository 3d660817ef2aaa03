# SPDX-License-Identifier: Apache-2.0
# fault_lib.sh — the delivery fault suite (issue 11): one scenario per fault, run against the
# sinks a test file declares, each ending in a table row
#
#   | sink | fault | produced | delivered | lost | duplicated | dead-lettered | notes |
#
# and the assertions: lost = 0 (records allowed to go are counted apart: those produced after a
# restored spool snapshot and never delivered, in the notes; ALLOWED[NAME]=N: a counter says N
# were dropped, and exactly N must be missing), duplicated = 0 for the sinks that can
# deduplicate, and a stable idempotency key where the sink sends one. Sourced after lib.sh.
#
# "Produced" is what mdc spooled: a file sink that never fails (ref.json) is in every
# configuration, and a snapshot of its records is what every sink under test must hold
# (fault_count.py). A record is known by its device and sample time.
#
# A test file sets
#   SINKS=("NAME|KIND:WHERE|DEDUP|VALUED|POISON" ...)   the sinks under test (fault_count.py
#         kinds; DEDUP 1: duplicates fail the test; 2: they do, except where mdc is killed -9:
#         the kill scenario and the power cut of the restore scenario (a session that dies with
#         the process: MQTT QoS 2); VALUED 1: only records with values
#         count;
#         POISON: the start of the sink's id when its receiver refuses the poison record, else
#         empty), paths relative to the scenario
# and defines
#   peer_setup          start the receivers (once per scenario, before the configuration)
#   sinks_json          the sinks' configuration (JSON objects, comma separated)
#   peer_stop/peer_start   the receiver down and back (same address)
#   peer_faults RATE    that share of requests failing (0: none); only where it applies
#   poison_refuse/poison_fix   the receiver refuses the poison record / accepts it again
#   peer_check          optional: the test's own peers (subscribers...) are still well
# then calls the scenarios — fault_outage, fault_flaky RATE, fault_kill, fault_restore,
# fault_poison — and fault_summary last (a failed scenario does not stop the next one).
#
# Durations: short by default (a test file in about a minute); MDC_FAULTS_FULL=1 gives the
# issue's (90 s outage, kill -9 every 30 s...) — bench/faults.sh runs them and prints the
# table. Each can be set alone: FAULT_OUTAGE_S, FAULT_KILL_EVERY_S, FAULT_KILLS, FAULT_FLAKY_S,
# FAULT_RUN_S, FAULT_DEADLINE_S. FAULT_TABLE=FILE also appends the rows to FILE.
# Nothing here asserts a duration: deadlines only bound the waiting.

if [ "${MDC_FAULTS_FULL:-0}" = 1 ]; then
  FAULT_OUTAGE_S=${FAULT_OUTAGE_S:-90} FAULT_KILL_EVERY_S=${FAULT_KILL_EVERY_S:-30}
  FAULT_KILLS=${FAULT_KILLS:-6} FAULT_FLAKY_S=${FAULT_FLAKY_S:-120} FAULT_RUN_S=${FAULT_RUN_S:-20}
  FAULT_DEADLINE_S=${FAULT_DEADLINE_S:-900}
else
  FAULT_OUTAGE_S=${FAULT_OUTAGE_S:-15} FAULT_KILL_EVERY_S=${FAULT_KILL_EVERY_S:-8}
  FAULT_KILLS=${FAULT_KILLS:-3} FAULT_FLAKY_S=${FAULT_FLAKY_S:-15} FAULT_RUN_S=${FAULT_RUN_S:-4}
  FAULT_DEADLINE_S=${FAULT_DEADLINE_S:-90}
fi
FAULT_COUNT="python3 $MDC_SRC/tests/integration/fault_count.py"
SINK_SERVER=$MDC_SRC/tests/integration/sink_server.py
# The poison record: unit 1's frequency reads 1e9 once; receivers recognise it by this text.
POISON_VALUE=1e9
POISON_TEXT='"frequency": 1000000000.0'
SC='' SC_PIDS=() FAULT_FAILED=() FAULT_FAILED_ALL=()
declare -A DEAD=() # dead letters per sink under test, for the table
declare -A NOTE=() # a note per sink under test, for the table
declare -A ALLOWED=() # records a sink under test may lack: what a counter says was dropped

dump_logs() { # DIR: the end of each log of a scenario
  local f
  echo "--- files in $1:" >&2
  for f in "$1"/*.err "$1"/*.log; do
    [ -s "$f" ] && { echo "--- $f" >&2; tail -n 25 "$f" >&2; }
  done
  return 0
}

fail() {
  echo "FAIL: $*" >&2
  [ -z "$SC" ] || dump_logs "$SC"
  # FAULT_KEEP=DIR: keep the scenarios' files there for a look
  [ -z "${FAULT_KEEP:-}" ] || { mkdir -p "$FAULT_KEEP"; cp -a "$T"/. "$FAULT_KEEP/" 2>/dev/null || true; }
  exit 1
}

# wait_until SECONDS COMMAND...: like wait_for, every half second (the checks read databases).
wait_until() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

# ---- scenarios and their processes ----

# scenario NAME: a fresh directory for one scenario, and the current directory.
scenario() {
  SC=$T/$1
  mkdir -p "$SC"
  cd "$SC" || exit 1
  SC_PIDS=()
  echo "--- scenario $1"
}

# scenario_end: stops what the scenario started (mdc has been stopped already). A scenario that
# failed says so; the next one runs all the same (fault_summary fails the test at the end).
scenario_end() {
  local p
  for p in "${SC_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${SC_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  SC_PIDS=()
  cd "$T" || exit 1
  [ -z "${FAULT_KEEP:-}" ] || { mkdir -p "$FAULT_KEEP"; cp -a "$SC" "$FAULT_KEEP/" 2>/dev/null || true; }
  if [ ${#FAULT_FAILED[@]} -gt 0 ]; then
    printf 'FAIL: %s\n' "${FAULT_FAILED[@]}" >&2
    dump_logs "$SC"
    FAULT_FAILED_ALL+=("${FAULT_FAILED[@]}")
    FAULT_FAILED=()
  fi
  SC=''
}

# fault_summary: the end of a test file: it fails if a scenario did.
fault_summary() {
  [ ${#FAULT_FAILED_ALL[@]} -eq 0 ] || fail "${#FAULT_FAILED_ALL[@]} failed: ${FAULT_FAILED_ALL[*]}"
}

# sbg NAME COMMAND...: in the background, output to NAME.log/NAME.err of the scenario.
sbg() {
  local name=$1; shift
  : >"$SC/$name.log" # emptied before the fork (lib.sh bg)
  : >"$SC/$name.err"
  "$@" >"$SC/$name.log" 2>"$SC/$name.err" &
  PIDS+=($!) SC_PIDS+=($!)
  eval "PID_$name=$!"
}

# fault_sim [OPTIONS]: two simulated meters (units 1 and 2) with a control FIFO; SIM_PORT.
fault_sim() {
  sbg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --units 1,2 --control "$SC/sim.ctl" "$@"
  wait_for 10 grep -q '^tcp: ' "$SC/sim.log" || fail "simulator did not start"
  SIM_PORT=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' "$SC/sim.log")
}

acked() { [ "$(grep -c "^ok $1\$" "$SC/sim.log")" -gt "$2" ]; }
# sim_ctl COMMAND: sends a control command and waits for its acknowledgement.
sim_ctl() {
  local n; n=$(grep -c "^ok $1\$" "$SC/sim.log" || true)
  echo "$1" > "$SC/sim.ctl"
  wait_for 10 acked "$1" "$n" || fail "simulator: no ack of $1"
}

fault_device() { # N: one meter with BELmc's point names, every 200 ms
  cat <<JSON
    { "id": "ems-$1", "machine_id": $1, "driver": "modbus", "interval": "200ms", "timeout": "500ms",
      "connection": {"tcp": "127.0.0.1:$SIM_PORT"}, "unit_id": $1,
      "points": [ {"name": "phase_a_voltage", "function": 4, "address": 0, "type": "float32"},
                  {"name": "frequency", "function": 4, "address": 70, "type": "float32"},
                  {"name": "total_instantaneous_power", "function": 4, "address": 52, "type": "float32", "scale": 0.001},
                  {"name": "active_energy_delivered", "function": 4, "address": 342, "type": "float32"} ],
      "status": {"power": "total_instantaneous_power", "production_above": 4.5},
      "energy": {"point": "active_energy_delivered", "max_delta": 10} }
JSON
}

# fault_config SINKS_JSON [SPOOL_JSON] > mdc.json: the reference file sink, the given sinks, two
# meters, the HTTP server on a free port.
fault_config() {
  cat <<JSON
{ "data_dir": "data", "timezone": "UTC",
  "http": {"listen": "127.0.0.1:0"},
  "spool": ${2:-{\}},
  "sinks": [ {"type": "file", "path": "ref.json"}, $1 ],
  "devices": [
$(fault_device 1),
$(fault_device 2)
  ] }
JSON
}

mdc_start() {
  $MDC_WRAP "$MDC" run -c mdc.json >>"$SC/mdc.log" 2>>"$SC/mdc.err" &
  MDC_PID=$!
  PIDS+=("$MDC_PID") SC_PIDS+=("$MDC_PID")
}
mdc_kill9() { kill -9 "$MDC_PID" 2>/dev/null || true; wait "$MDC_PID" 2>/dev/null || true; }
mdc_stop() {
  kill -TERM "$MDC_PID"
  wait "$MDC_PID" || FAULT_FAILED+=("mdc run did not exit 0 on SIGTERM")
}

# metric NAME_AND_LABELS: the sum of the matching samples from /metrics (lines starting so).
metric() {
  local port; port=$(http_port_of "$SC/mdc.err")
  curl -sf "http://127.0.0.1:$port/metrics" | awk -v m="$1" 'index($0, m) == 1 {s += $NF} END {print s + 0}'
}
http_port_of() {
  sed -n 's|.*serving the dashboard, API and metrics on http://[^ ]*:\([0-9]*\)/.*|\1|p' "$1" | tail -1
}
healthz() { curl -s "http://127.0.0.1:$(http_port_of "$SC/mdc.err")/healthz"; }

# proxy_start UPSTREAM_PORT GRACE: fault_proxy.py in front of a TCP peer (PROXY_PORT), its
# faults from $SC/faults (peer_faults_file RATE writes it).
proxy_start() {
  rm -f "$SC/proxy.port"
  sbg proxy python3 "$MDC_SRC/tests/integration/fault_proxy.py" --listen-port-file "$SC/proxy.port" \
    --upstream "$1" --grace "$2" --faults "$SC/faults" --hang 3 --seed "$RANDOM" --log "$SC/proxy.jsonl"
  wait_for 10 test -s "$SC/proxy.port" || fail "the fault proxy did not start"
  PROXY_PORT=$(cat "$SC/proxy.port")
}
peer_faults_file() { if [ "$1" = 0 ]; then rm -f "$SC/faults"; else echo "$1" > "$SC/faults"; fi; }

# ---- counting ----

ref_keys() { $FAULT_COUNT keys "$SC/ref.json"; }
ref_has() { [ "$(ref_keys | wc -l)" -ge "$1" ]; }

sink_field() { # ENTRY FIELD: name spec dedup valued poison
  local name spec dedup valued poison
  IFS='|' read -r name spec dedup valued poison <<<"$1"
  echo "${!2}"
}

# delivered_all EXPECT [WINDOW]: every sink under test holds every expected record.
delivered_all() {
  local s args
  for s in "${SINKS[@]}"; do
    args=(--expect "$1")
    [ -n "${2:-}" ] && args+=(--window "$2")
    [ "$(sink_field "$s" valued)" = 1 ] && args+=(--valued "$SC/ref.json")
    $FAULT_COUNT check "${args[@]}" "$(sink_field "$s" spec)" || return 1
  done
}

# converge [WINDOW]: snapshots the reference (expect.keys) and waits until every sink under test
# has delivered all of it. A sink that does not is reported (and fails) by fault_report.
converge() {
  ref_keys > "$SC/expect.keys"
  [ -s "$SC/expect.keys" ] || fail "the reference sink has no records"
  wait_until "$FAULT_DEADLINE_S" delivered_all "$SC/expect.keys" "${1:-}" ||
    echo "not every record delivered after ${FAULT_DEADLINE_S}s" >&2
}

# warm_up: the first records have reached every sink under test.
warm_up() {
  wait_until 60 ref_has 10 || fail "no records in the reference sink"
  ref_keys > "$SC/warm.keys"
  wait_until 120 delivered_all "$SC/warm.keys" || fail "the first records did not reach every sink"
}

fault_row() { # SINK FAULT PRODUCED DELIVERED LOST DUPLICATED DEAD NOTES
  local row
  row=$(printf '| %-16s | %-26s | %8s | %9s | %4s | %10s | %13s | %s |' "$@")
  echo "$row"
  [ -z "${FAULT_TABLE:-}" ] || echo "$row" >> "$FAULT_TABLE"
}

# fault_report FAULT [WINDOW]: a row per sink under test, then the assertions.
# injected_faults: what the receivers and proxies injected ("late 3, reset 2"), or nothing.
injected_faults() {
  cat "$SC"/*.jsonl 2>/dev/null | grep -o '"fault": "[a-z0-9]*"' | cut -d'"' -f4 | sort | uniq -c |
    awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1}' || true
}

fault_report() {
  local fault=$1 window=${2:-} s name args out produced delivered lost dup wlost raw notes dead rc
  local injected; injected=$(injected_faults)
  for s in "${SINKS[@]}"; do
    name=$(sink_field "$s" name)
    args=(--expect "$SC/expect.keys")
    [ -n "$window" ] && args+=(--window "$window")
    [ "$(sink_field "$s" valued)" = 1 ] && args+=(--valued "$SC/ref.json")
    rc=0
    out=$($FAULT_COUNT count "${args[@]}" "$(sink_field "$s" spec)" 2>"$SC/missing-$name.txt") || rc=$?
    read -r produced delivered lost dup wlost raw notes <<<"$out"
    [ "$notes" = - ] && notes=
    if [ -n "$window" ]; then
      notes="${notes:+$notes; }power-cut window: $wlost of $(wc -l < "$window") lost (allowed)"
    fi
    local dedup; dedup=$(sink_field "$s" dedup)
    if [ "$dedup" = 2 ]; then # reported, not failed: see SINKS above
      case $fault in "kill -9"* | "spool restored"*) dedup=0 ;; esac
    fi
    [ "$dup" -gt 0 ] && [ "$dedup" = 0 ] && notes="${notes:+$notes; }at least once: $raw deliveries"
    [ -n "${NOTE[$name]:-}" ] && notes="${notes:+$notes; }${NOTE[$name]}"
    [ -n "$injected" ] && notes="${notes:+$notes; }injected: $injected"
    dead=${DEAD[$name]:-0}
    fault_row "$name" "$fault" "$produced" "$delivered" "$lost" "$dup" "$dead" "${notes:--}"
    if [ -n "${ALLOWED[$name]:-}" ]; then
      notes="${notes:+$notes; }${ALLOWED[$name]} dropped by the spool (counted)"
      [ "$lost" = "${ALLOWED[$name]}" ] ||
        FAULT_FAILED+=("$name, $fault: $lost of $produced records missing, the counters say ${ALLOWED[$name]} dropped")
    elif [ "$lost" != 0 ]; then
      FAULT_FAILED+=("$name, $fault: $lost of $produced records lost")
      sed 's/^/  /' "$SC/missing-$name.txt" >&2
    fi
    [ "$rc" = 0 ] || FAULT_FAILED+=("$name, $fault: the idempotency key is not stable ($notes)")
    if [ "$dedup" != 0 ] && [ "$dup" != 0 ]; then
      FAULT_FAILED+=("$name, $fault: $dup duplicates")
    fi
  done
}

# ---- the faults ----

fault_begin() { # NAME: a scenario with the receivers, the meters, the configuration and mdc
  scenario "$1"
  peer_setup
  fault_sim ${FAULT_SIM_OPTS:-}
  fault_config "$(sinks_json)" "${FAULT_SPOOL:-}" > mdc.json
  mdc_start
  warm_up
}

fault_end() { # FAULT [WINDOW]
  mdc_stop
  if declare -F peer_check >/dev/null; then peer_check || FAULT_FAILED+=("the test's peer failed (not mdc)"); fi
  fault_report "$@"
  scenario_end
}

# The receivers down for FAULT_OUTAGE_S, then back on the same address.
fault_outage() {
  fault_begin outage
  peer_stop
  sleep "$FAULT_OUTAGE_S"
  peer_start
  converge
  fault_end "receiver down ${FAULT_OUTAGE_S}s"
}

# fault_flaky RATE: that share of requests failing (500, 503, hang, reset, late 200) for
# FAULT_FLAKY_S, then a healthy receiver until everything is delivered.
fault_flaky() {
  local pct; pct=$(awk -v r="$1" 'BEGIN {printf "%d", r * 100 + 0.5}')
  fault_begin "flaky-$pct"
  peer_faults "$1"
  sleep "$FAULT_FLAKY_S"
  peer_faults 0
  converge
  fault_end "${pct}% of requests failing"
}

# kill -9 every FAULT_KILL_EVERY_S, FAULT_KILLS times, each time started again at once.
fault_kill() {
  fault_begin kill
  local i
  for i in $(seq "$FAULT_KILLS"); do
    sleep "$FAULT_KILL_EVERY_S"
    mdc_kill9
    mdc_start
  done
  converge
  fault_end "kill -9 every ${FAULT_KILL_EVERY_S}s (${FAULT_KILLS}x)"
}

# The spool restored to an earlier snapshot (a power cut that lost the spool's last commits):
# kill -9, copy data/spool.db*, run and deliver more, kill -9, put the copy back, start again.
# Every record produced after the restore must arrive (none skipped as "already delivered"),
# and mdc says that the spool went back in time.
fault_restore() {
  fault_begin restore
  sleep "$FAULT_RUN_S"
  mdc_kill9
  ref_keys > before.keys
  mkdir snap && cp data/spool.db* snap/
  mdc_start
  sleep "$FAULT_RUN_S"
  converge # the sinks are ahead of the snapshot
  mdc_kill9
  ref_keys | grep -vxF -f before.keys > window.keys || true
  [ -s window.keys ] || fail "no records between the snapshot and the power cut"
  rm -f data/spool.db*
  cp snap/* data/
  mdc_start
  sleep "$FAULT_RUN_S"
  converge window.keys
  grep -q "but the spool remembers only up to" mdc.err ||
    FAULT_FAILED+=("restore: mdc did not log that the spool went back in time")
  fault_end "spool restored (power cut)" window.keys
}

# dead_letters [SINK_ID_START]: the dead-letter lines of `mdc spool list` (of that sink).
dead_letters() {
  "$MDC" spool list --data-dir data 2>/dev/null | awk -F '\t' -v p="${1:-}" '/^[0-9]+\t/ && index($2, p) == 1' || true
}
n_dead() { dead_letters "$@" | grep -c . || true; }
no_dead_letters() { [ "$(n_dead)" = 0 ]; }

# all_dead_letters: each refusing sink under test has one.
all_dead_letters() {
  local s p
  for s in "${SINKS[@]}"; do
    p=$(sink_field "$s" poison)
    [ -z "$p" ] || [ "$(n_dead "$p")" -ge 1 ] || return 1
  done
}

# One poison record (unit 1's frequency 1e9): every receiver with a POISON field refuses it for
# good; it lands in the dead-letter table, later records keep flowing, and after the receiver
# is fixed `mdc spool retry --all` delivers it.
fault_poison() {
  local s n=0 name p
  for s in "${SINKS[@]}"; do [ -n "$(sink_field "$s" poison)" ] && n=$((n + 1)); done
  fault_begin poison
  poison_refuse
  sim_ctl "unit 1 once frequency $POISON_VALUE"
  wait_for 20 grep -q '^served once: ' sim.log || fail "the poison value was not read"
  wait_for 20 grep -qF "$POISON_TEXT" ref.json || fail "the poison record is not in the reference"
  grep -F "$POISON_TEXT" ref.json | head -1 > poison.json
  $FAULT_COUNT keys poison.json > poison.keys
  if wait_until 60 all_dead_letters; then
    poison_dead_lettered "$n"
  else
    FAULT_FAILED+=("poison: no dead letter after 60 s from each of the $n refusing sinks (mdc spool list: $(dead_letters | tr '\t\n' ' ;'))")
    sleep "$FAULT_RUN_S"
    poison_stuck
    poison_fix
  fi
  converge
  fault_end "one poison record"
  DEAD=() NOTE=()
}

# poison_stuck: notes what became of the poison record at a sink without a dead letter: its
# backlog (a sink that retries it for ever holds everything after it), or nothing (it was
# taken: the receiver dropped it without saying so).
poison_stuck() {
  local s name p backlog
  for s in "${SINKS[@]}"; do
    name=$(sink_field "$s" name) p=$(sink_field "$s" poison)
    [ -z "$p" ] || [ "$(n_dead "$p")" -ge 1 ] && continue
    backlog=$(metric "mdc_sink_backlog_records{sink=\"$p")
    if [ "${backlog:-0}" -gt 20 ]; then
      NOTE[$name]="no dead letter: the refused record held $backlog records back until the receiver was fixed"
    else
      NOTE[$name]="no dead letter: the sink took the refused record as delivered (backlog $backlog)"
    fi
    FAULT_FAILED+=("$name: ${NOTE[$name]}")
  done
}

# poison_dead_lettered N: the dead letters are there; the records after them flow; /metrics and
# /healthz show them; the receiver is fixed and `mdc spool retry --all` delivers them.
poison_dead_lettered() {
  local s name p
  for s in "${SINKS[@]}"; do
    name=$(sink_field "$s" name) p=$(sink_field "$s" poison)
    [ -z "$p" ] && continue
    DEAD[$name]=$(n_dead "$p")
    dead_letters "$p" | grep -q "	ems-1 " || FAULT_FAILED+=("poison: the dead letter of $name is not unit 1's record")
  done
  sleep "$FAULT_RUN_S"
  converge poison.keys # the records after it flow
  [ "$(metric mdc_sink_dead_letters)" = "$1" ] ||
    FAULT_FAILED+=("poison: /metrics mdc_sink_dead_letters says $(metric mdc_sink_dead_letters), expected $1")
  healthz | grep -q 'in the dead-letter table (mdc spool list)' ||
    FAULT_FAILED+=("poison: /healthz does not name the dead letter: $(healthz)")
  poison_fix
  "$MDC" spool retry --all --data-dir data > retry.txt || FAULT_FAILED+=("mdc spool retry failed")
  wait_until 60 no_dead_letters || FAULT_FAILED+=("poison: dead letters left after the retry: $(dead_letters)")
  for s in "${SINKS[@]}"; do
    name=$(sink_field "$s" name)
    [ -n "${DEAD[$name]:-}" ] && DEAD[$name]="${DEAD[$name]}, retried"
  done
}
