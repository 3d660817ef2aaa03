#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Four controls polled every second, one of them offline (a closed port): the three live ones
# keep their 1 s cadence (the lateness of each record behind its whole-second slot is measured
# from the record timestamps), and the offline one yields a status-0 record with the error in
# every slot too, without delaying anyone.
source "$(dirname "$0")/lib.sh"

bg sim "$MDC_SIM" lsv2 --listen 127.0.0.1:0 --controls 3 --profile itnc530 --state started
wait_for 5 bash -c "[ \$(grep -c '^listening ' '$T/sim.log') = 3 ]" || fail "simulator did not start"
mapfile -t ports < <(sed -n 's/^listening 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)
dead=$(free_port)
tcp_open "$dead" && fail "port $dead should be closed"

dev() { # ID PORT
  printf '{ "id": "%s", "driver": "lsv2", "host": "127.0.0.1", "port": %s, "interval": "1s", "timeout": "500ms",
      "parts": {"signal": {"memory": "marker", "address": 4170}} }' "$1" "$2"
}
cat > mdc.json <<JSON
{ "timezone": "UTC", "data_dir": "data", "sinks": [ {"type": "stdout"} ],
  "devices": [ $(dev a "${ports[0]}"), $(dev b "${ports[1]}"), $(dev off "$dead"), $(dev c "${ports[2]}") ] }
JSON
bg mdc "$MDC" run -c mdc.json
wait_for 15 bash -c "[ \$(grep -c '\"device\": \"a\"' '$T/mdc.log') -ge 7 ]" || fail "records of a"
kill "$PID_mdc"; wait "$PID_mdc" 2>/dev/null || true

# per device: seconds-of-day of each record; lateness = time after the whole second
lateness() { # DEVICE → "records max_ms"
  grep "\"device\": \"$1\"" mdc.log | sed -E 's/^\{"timestamp": "[0-9-]+T([0-9]{2}):([0-9]{2}):([0-9.]+)\+00:00".*/\1 \2 \3/' |
    awk '{ s = $1 * 3600 + $2 * 60 + $3; f = s - int(s); ms = f * 1000; if (ms > 500) ms -= 1000;
           if (ms < 0) ms = -ms; if (ms > max) max = ms;
           if (n && (s - prev < 0.7 || s - prev > 1.3)) gaps++; prev = s; n++ }
         END { printf "%d %.2f %d\n", n, max, gaps + 0 }'
}
worst=0
for d in a b c off; do
  read -r n max gaps < <(lateness "$d")
  [ "$n" -ge 6 ] || fail "$d: only $n records"
  assert_eq 0 "$gaps" "$d: one record per second ($n records)"
  [ "${max%.*}" -lt 300 ] || fail "$d: a record $max ms behind its slot"
  worst=$(awk -v a="$worst" -v b="$max" 'BEGIN { print (b > a) ? b : a }')
done
echo "cadence: worst lateness behind the 1 s slot over a, b, c and the offline control: $worst ms"
[ "$(grep -c '"device": "a", "status": 2' mdc.log)" -ge 6 ] || fail "live controls in PRODUCTION"
grep '"device": "off"' mdc.log | grep -v '"status": 0' && fail "the offline control is OFF"
grep '"device": "off"' mdc.log | head -1 | grep -qF "\"error\": \"127.0.0.1:$dead: connect: Connection refused\"" ||
  fail "the offline control's records carry the connect error: $(grep '"device": "off"' mdc.log | head -1)"
pass "offline control: status 0 with the error, every second"
