#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Late replies (issue #12 item 6): every 5th reply comes 1.5 s late, after the 1 s timeout, so
# it arrives while the next request waits. Four meters behind one unit id on Modbus RTU and on
# Modbus ASCII (same function, same count: only the timing tells the replies apart), and three
# units behind one Modbus TCP gateway (event and blocking engines), every meter with its own
# voltage. No row may carry another meter's values; the late replies are discarded and counted.
source "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "SKIP: curl missing"; exit 77; }
bg rtu "$MDC_SIM" modbus --rtu --link tty-rtu --baud 38400 --profile delta --frozen --control rtu.ctl
bg ascii "$MDC_SIM" modbus --ascii --link tty-ascii --baud 38400 --profile delta --frozen --control ascii.ctl
bg tcp "$MDC_SIM" modbus --tcp 127.0.0.1:0 --units 1-3 --frozen --control tcp.ctl
bg tcpb "$MDC_SIM" modbus --tcp 127.0.0.1:0 --units 1-3 --frozen --control tcpb.ctl
for s in rtu ascii tcp tcpb; do wait_for 10 test -p $s.ctl || fail "simulator $s did not start"; done
for m in 1 2 3 4; do
  for s in rtu ascii; do echo "meter $m set voltage_l1 20$m" > $s.ctl; done
done
for u in 1 2 3; do for s in tcp tcpb; do echo "unit $u set voltage_l1 21$u" > $s.ctl; done; done
for s in rtu ascii tcp tcpb; do echo "late 1500 5" > $s.ctl; done
for s in rtu ascii tcp tcpb; do wait_for 10 grep -q "ok late 1500 5" "$T/$s.log" || fail "$s control"; done
tcp=$(sed -n 's/^tcp: 127.0.0.1://p' "$T/tcp.log"); tcpb=$(sed -n 's/^tcp: 127.0.0.1://p' "$T/tcpb.log")
http=$(free_port)

delta() { # ID LINK-KEY METER
  local base=(0 4200 4315 4430 4540)
  printf '{"id": "%s", "driver": "modbus", "unit_id": 1, "interval": "1s", "timeout": "1s", "connection": %s, "bytes_per_register": 1, "points": [{"name": "v", "address": %d, "type": "float32", "order": "CDAB", "decimals": 1}]}' \
    "$1" "$2" $(( ${base[$3]} - 1 ))
}
gwdev() { # ID PORT UNIT ENGINE
  printf '{"id": "%s", "driver": "modbus", "unit_id": %d, "interval": "1s", "timeout": "1s", "tcp_engine": "%s", "connection": {"tcp": "127.0.0.1:%d"}, "points": [{"name": "v", "function": 4, "address": 0, "type": "float32", "decimals": 1}]}' \
    "$1" "$3" "$4" "$2"
}
rtu='{"rtu": "tty-rtu", "baud": 38400}'
ascii='{"ascii": "tty-ascii", "baud": 38400}'
{ echo "{\"sinks\": [{\"type\": \"stdout\"}], \"http\": {\"listen\": \"127.0.0.1:$http\"}, \"devices\": ["
  for m in 1 2 3 4; do delta "rtu$m" "$rtu" $m; echo ','; delta "ascii$m" "$ascii" $m; echo ','; done
  for u in 1 2 3; do gwdev "tcp$u" "$tcp" $u event; echo ','; gwdev "tcpb$u" "$tcpb" $u blocking; [ $u -lt 3 ] && echo ','; done
  echo ']}'; } > mdc.json
bg mdc "$MDC" run -c mdc.json
# until every device has rows with values, 60 in all, and 10 rows that timed out
enough() {
  for d in rtu1 rtu2 rtu3 rtu4 ascii1 ascii2 ascii3 ascii4 tcp1 tcp2 tcp3 tcpb1 tcpb2 tcpb3; do
    grep -q "\"device\": \"$d\", \"v\": " "$T/mdc.log" || return 1
  done
  [ "$(grep -c '"v": 2' "$T/mdc.log")" -ge 60 ] && [ "$(grep -c '"status": 0' "$T/mdc.log")" -ge 10 ]
}
wait_for 120 enough || fail "enough rows: $(grep -c '"v": 2' "$T/mdc.log") with values"
metrics=$(curl -s "http://127.0.0.1:$http/metrics")
kill -TERM "$PID_mdc"; wait "$PID_mdc" || fail "mdc exit status"

wrong=$(grep -E '"device": "(rtu|ascii)[1-4]", "v": ' mdc.log | sed -E 's/.*"device": "[a-z]+([1-4])", "v": 20([1-4])\.0.*/\1 \2/' | awk '$1 != $2' | wc -l)
bad=$(grep -E '"device": "(rtu|ascii)[1-4]", "v": ' mdc.log | grep -Evc '"v": 20[1-4]\.0' || true)
assert_eq "0 0" "$wrong $bad" "RTU and ASCII: no row carries another meter's values ($(grep -Ec '"device": "(rtu|ascii)[1-4]", "v": ' mdc.log) rows with values)"
wrong=$(grep -E '"device": "tcpb?[1-3]", "v": ' mdc.log | sed -E 's/.*"device": "tcpb?([1-3])", "v": 21([1-3])\.0.*/\1 \2/' | awk '$1 != $2' | wc -l)
bad=$(grep -E '"device": "tcpb?[1-3]", "v": ' mdc.log | grep -Evc '"v": 21[1-3]\.0' || true)
assert_eq "0 0" "$wrong $bad" "TCP (event and blocking engines): no row carries another unit's values ($(grep -Ec '"device": "tcpb?[1-3]", "v": ' mdc.log) rows with values)"
others=$(grep '"status": 0' mdc.log | grep -v 'timeout after 1000 ms' | grep -v 'invalid reply' | head -3 || true)
[ -z "$others" ] || fail "unexpected errors: $others"
sum() { awk -v re="$1" '$0 ~ "^mdc_device_discarded_replies_total\\{device=\"" re {s += $2} END {print s + 0}' <<<"$metrics"; }
for k in rtu ascii tcp; do
  [ "$(sum "$k[1-4]\"")" -gt 0 ] || fail "$k: late replies are counted (mdc_device_discarded_replies_total)"
done
pass "late replies discarded and counted: rtu $(sum 'rtu[1-4]"'), ascii $(sum 'ascii[1-4]"'), tcp $(sum 'tcp[1-3]"'), tcp blocking $(sum 'tcpb[1-3]"')"
