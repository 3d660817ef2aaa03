# SPDX-License-Identifier: Apache-2.0
# belmc_fixture.sh — writes a copy of BELmc's collector settings into DIR (sourced by tests and
# benches): config/ems_settings.json, config/lsv2_settings.json, config/opcua_settings.json and
# .env, with the values of research/belmc.md §3 (meter 12's power factor overlapping its average
# current, as in the seed). Passwords are made up; tests check they never reach the output.
BELMC_DB_PASSWORD='Db-Pl@intext-123'
BELMC_OPCUA_PASSWORD='Op#Plaintext-456'

belmc_fixture() {
  local dir=$1 m base i sep
  local names=("PHASE_A VOLTAGE" "PHASE_B VOLTAGE" "PHASE_C VOLTAGE" "AVERAGE PHASE VOLTAGE"
    "A-B LINE VOLTAGE" "B-C LINE VOLTAGE" "C-A LINE VOLTAGE" "AVERAGE LINE VOLTAGE" "FREQUENCY"
    "TOTAL INSTANTANEOUS ACTIVE POWER" "PHASE_A CURRENT" "PHASE_B CURRENT" "PHASE_C CURRENT"
    "THREE-PHASE AVERAGE CURRENT" "TOTAL POWER FACTOR" "ACTIVE ENERGY 3P DELIVERED")
  local bases=(4200 4315 4430 4540 4650 4760 4870 4980 6100 6210 6320 6430 6540 6665)
  local o12=(0 4 8 12 16 20 24 28 40 44 55 59 63 67 75 95)
  local orest=(0 4 8 12 16 20 24 28 35 39 50 54 58 62 70 90)
  local o8=(0 4 8 12 16 20 24 28 36 40 52 56 60 64 72 92)
  local o12m=(0 4 8 12 16 20 24 28 35 39 50 54 58 67 70 90)
  mkdir -p "$dir/config"
  {
    echo "{"
    for m in $(seq 1 14); do
      base=${bases[$((m - 1))]}
      local -n off=orest
      case $m in 1 | 2) local -n off=o12 ;; 8 | 13 | 14) local -n off=o8 ;; 12) local -n off=o12m ;; esac
      printf '  "%d": {' "$m"
      sep=
      for i in $(seq 0 15); do
        printf '%s"%s": [%d, 4]' "$sep" "${names[$i]}" $((base + off[i]))
        sep=", "
      done
      [ "$m" -lt 14 ] && echo "}," || echo "}"
    done
    echo "}"
  } > "$dir/config/ems_settings.json"
  cat > "$dir/config/lsv2_settings.json" <<JSON
{"lsv2": [
  {"machine_id": 1, "machine_name": "DMU-60MB 5 Axis", "controller_version": "iTNC 530", "ip_address": "172.16.0.21"},
  {"machine_id": 2, "machine_name": "DMU-50", "controller_version": "iTNC 530", "ip_address": "172.16.0.16"},
  {"machine_id": 3, "machine_name": "DMU 60eVo Linear", "controller_version": "iTNC 640", "ip_address": "172.16.0.11"},
  {"machine_id": 5, "machine_name": "VCP800W Duro", "controller_version": "iTNC 530", "ip_address": "172.16.0.1"}
]}
JSON
  cat > "$dir/config/opcua_settings.json" <<JSON
{"opcua": [
  {"machine_id": 14, "machine_name": "CTX Beta 1250TC4A", "ip_address": "172.16.0.131", "port": "4840",
   "username": "OpcUaClient", "password": "$BELMC_OPCUA_PASSWORD",
   "node_mapping": {"operation_mode": "ns=2;s=/Bag/State/opMode", "program_status": "ns=2;s=/Channel/State/progStatus",
     "cycle_start": "ns=2;s=/Plc/Q113.5", "part_count": "ns=2;s=/Channel/State/actParts",
     "active_program": "ns=2;s=/Channel/ProgramInfo/progName", "spindle_position": "/Nck/Spindle/psModePos",
     "actual_spindle_speed": "/Nck/LogicalSpindle/actSpeed", "actual_spindle_load": "/Nck/Spindle/driveLoad",
     "actual_feedrate": "/Channel/MachineAxis/actFeedRate", "spindle_speed_override": "/Nck/Spindle/speedOvr"}}
]}
JSON
  cat > "$dir/.env" <<ENV
DB_HOST=172.18.7.91
DB_PORT=5432
DB_NAME=BEL_MES4_150925
DB_USER=postgres
DB_PASSWORD=$BELMC_DB_PASSWORD
SECRET_KEY=not-for-mdc
ENV
}
