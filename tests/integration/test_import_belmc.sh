#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# mdc import-belmc on a copy of BELmc's settings (research/belmc.md §3): the exact configuration
# and notes, no secret copied, clear errors; the configuration passes `mdc check`, names the
# same holding registers as ems_settings.json, and — run against the Delta PLC simulator laid
# out by the same file and a PostgreSQL server — reads every meter's values into BELmc's tables.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/pg.sh"
source "$here/belmc_fixture.sh"
belmc_fixture BELmc

"$MDC" import-belmc BELmc -o mdc.json 2> notes.txt || fail "import-belmc"
assert_eq "$(cat "$here/belmc_import.expected.json")" "$(cat mdc.json)" "the configuration, exactly"
assert_eq "mdc import-belmc: note: meters: Modbus ASCII on /dev/ttyUSB0 (BELmc's hard-coded port; change \"ascii\" if the PLC is elsewhere), 9600 baud 7E2, slave 1, every 10 s
mdc import-belmc: note: machine 1: production rows from lsv2-1 (LSV2 172.16.0.21:19000), part signal M4170 rising edge; its meter ems-1 writes only the ems tables
mdc import-belmc: note: machine 2: production rows from lsv2-2 (LSV2 172.16.0.16:19000), part signal M4170 rising edge; its meter ems-2 writes only the ems tables
mdc import-belmc: note: machine 3: production rows from lsv2-3 (LSV2 172.16.0.11:19000), part signal PR_FINISHED: D10368 == 255 (BELmc's dword 2592, which it never counted); its meter ems-3 writes only the ems tables
mdc import-belmc: note: machine 5: production rows from lsv2-5 (LSV2 172.16.0.1:19000), part signal M4170 rising edge; its meter ems-5 writes only the ems tables
mdc import-belmc: note: machine 14: production rows from opcua-14 (OPC UA 172.16.0.131:4840, security None); its meter writes only the ems tables (BELmc wrote machine_raw from both)
mdc import-belmc: note: OPC UA: BELmc's five hard-coded nodes are read (node_mapping in opcua_settings.json was never used by BELmc)
mdc import-belmc: note: OPC UA: \"trust\": \"first-use\" pins the server certificate seen at the first connection in data_dir/pki (BELmc checked none), so it reads on the first start; to verify against certificates you place yourself, put the server's in data_dir/pki/trusted and remove \"trust\"
mdc import-belmc: note: OPC UA: with security None the password is sent only encrypted for the server's certificate; if the server offers no such token policy, prefer a Basic256Sha256 endpoint (or allow_plaintext_password, as BELmc effectively did)
mdc import-belmc: note: the OPC UA password was not copied: set OPCUA_PASSWORD in the environment or in a .env file beside the configuration
mdc import-belmc: note: the database settings are \${DB_*} references: copy BELmc/.env beside the configuration (it holds DB_PASSWORD; keep it out of version control)
mdc import-belmc: wrote mdc.json; check it with: mdc check -c mdc.json" "$(cat notes.txt)" "the notes"
for s in "$BELMC_DB_PASSWORD" "$BELMC_OPCUA_PASSWORD"; do
  ! grep -qF "$s" mdc.json notes.txt || fail "a plaintext password was copied"
done
pass "no password copied"
"$MDC" import-belmc BELmc/config > stdout.json 2>/dev/null || fail "import from the config directory"
assert_eq "$(cat mdc.json)" "$(cat stdout.json)" "the config directory itself, to stdout: the same"

# errors
mkdir -p bad/config
printf '{"1": {"FREQUENCY": [4240, 4],\n "POWER": [4244, 4]}}' > bad/config/ems_settings.json
"$MDC" import-belmc bad 2> err.txt && fail "an unknown parameter is an error"
assert_eq "mdc import-belmc: bad/config/ems_settings.json: meter \"1\": unknown parameter \"POWER\" (BELmc reads: PHASE_A VOLTAGE ... ACTIVE ENERGY 3P DELIVERED)" "$(cat err.txt)" "unknown parameter"
printf '{"1": {"FREQUENCY": [4240, 2]}}' > bad/config/ems_settings.json
"$MDC" import-belmc bad 2> err.txt && fail "count 2 is an error"
grep -q 'meter "1" "FREQUENCY": expected \[NUMBER, 4\]' err.txt || fail "count message: $(cat err.txt)"
printf '{"1": {"FREQUENCY": [4240, 4]}\n,,}' > bad/config/ems_settings.json
"$MDC" import-belmc bad 2> err.txt && fail "malformed JSON is an error"
grep -Eq '^mdc import-belmc: bad/config/ems_settings.json:2:[0-9]+: ' err.txt || fail "JSON position: $(cat err.txt)"
"$MDC" import-belmc nowhere 2> err.txt && fail "no settings is an error"
grep -q "none of ems_settings.json, lsv2_settings.json, opcua_settings.json found" err.txt || fail "empty dir message"
pass "errors"

# mdc check, with BELmc's .env beside the configuration and the OPC UA password added to it
cp BELmc/.env .env
echo "OPCUA_PASSWORD='$BELMC_OPCUA_PASSWORD'" >> .env
"$MDC" check -c mdc.json > check.txt || fail "mdc check: $(cat check.txt)"
grep -q '^devices (19) on 6 threads:' check.txt || fail "19 devices: 14 meters on one serial bus, 4 LSV2, 1 OPC UA"
grep -q '^  postgres(belmc) 172.18.7.91:5432/BEL_MES4_150925 as postgres$' check.txt || fail "the sink from .env"
! grep -qF "$BELMC_DB_PASSWORD" check.txt || fail "password in the check output"
want=$(jq -r 'to_entries[] | .key as $m | .value | to_entries[] | "ems-\($m) \(.value[0] - 1)"' BELmc/config/ems_settings.json | sort)
got=$(awk '/^  [a-z0-9-]+ \(driver/ {dev=$1} /^    point / {print dev, $5}' check.txt | sort)
assert_eq "$want" "$got" "every meter point at ems_settings.json's number - 1"
pass "mdc check: $(grep -c '^    point ' check.txt) points on the Delta PLC"

# run it: the Delta simulator laid out by the same ems_settings.json, LSV2 and OPC UA disabled
pg_start
createdb mes
bg sim "$MDC_SIM" modbus --ascii --link tty --parity E --data-bits 7 --stop-bits 2 --profile delta \
  --map BELmc/config/ems_settings.json --frozen --no-line-delay
wait_for 5 test -e tty || fail "simulator did not start"
jq --arg tty "$T/tty" '(.devices[] | select(.driver == "modbus") | .connection.ascii) = $tty
  | (.devices[] | select(.driver != "modbus")) += {"enabled": false}' mdc.json > run.json
cat > .env <<ENV
DB_HOST=$PGHOST
DB_PORT=$PGPORT
DB_NAME=mes
DB_USER=mdc
DB_PASSWORD=unused-on-the-socket
OPCUA_PASSWORD=unused
ENV
"$MDC" run -c run.json --once > run.log 2> run.err || fail "mdc run --once"
assert_eq "$(for m in $(seq 1 14); do echo "$m|230.1|231.2|229.3|50|6|1234.5|$([ "$m" = 14 ] && echo 1 || echo 2)"; done)" \
  "$(q mes 'SELECT machine_id, phase_a_voltage, phase_b_voltage, phase_c_voltage, frequency, total_instantaneous_power, active_energy_delivered, status FROM ems.machine_ems_live ORDER BY machine_id')" \
  "every meter read from the registers ems_settings.json names (machine 14 below its 10 kW threshold)"
assert_eq "4 6 7 8 9 10 11 12 13" "$(q mes 'SELECT machine_id FROM production.machine_raw_live ORDER BY 1' | paste -sd' ' -)" \
  "production rows only for the machines the meters own"
