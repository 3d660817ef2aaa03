#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The `mdc hems` / `hems-data-collector` command line: --version and --help by program name,
# argparse-style usage errors (exit 2), configuration checks with their texts, .env in the
# working directory (never overriding the environment), SERIAL_PORT/SERIAL_RATE,
# LOCAL_TIMEZONE (meter times and schedules), where the spool goes, and schedule mode firing on
# the cron slots.
source "$(dirname "$0")/lib.sh"
source "$MDC_SRC/tests/integration/hems_lib.sh"

version=$("$MDC" --version | cut -d' ' -f2)
ln -s "$MDC" hems-data-collector

# ---- --version, --help ----
assert_eq "mdc $version" "$("$MDC" hems --version)" "mdc hems --version"
assert_eq "hems-data-collector $version" "$(./hems-data-collector -v)" "hems-data-collector -v"
./hems-data-collector --help > help.txt
assert_eq "usage: hems-data-collector [-h] [-v]
                           [--output [{stdout,file,gcloud,webhook} ...]]" "$(head -2 help.txt)" "help usage lines"
grep -q '^  --interval INTERVAL, -i INTERVAL$' help.txt || fail "help lists --interval"
grep -q '^environment (also read from ./.env): SERIAL_PORT, SERIAL_RATE, B_ROUTE_ID,$' help.txt ||
  fail "help lists the environment"
assert_eq "usage: mdc hems [-h] [-v] [--output [{stdout,file,gcloud,webhook} ...]]" \
  "$("$MDC" hems -h | head -1)" "mdc hems -h"

# ---- usage errors: argparse's texts, exit 2 ----
expect_exit() { # CODE COMMAND...: runs COMMAND, checks its exit code; stderr in err.txt
  local want=$1; shift
  set +e; "$@" > out.txt 2> err.txt; local rc=$?; set -e
  [ "$rc" = "$want" ] || { cat err.txt >&2; fail "$* exited $rc, expected $want"; }
}
expect_exit 2 ./hems-data-collector --format xml
assert_eq "hems-data-collector: error: argument --format/-f: invalid choice: 'xml' (choose from 'json', 'yaml', 'csv')" \
  "$(tail -1 err.txt)" "invalid --format"
assert_eq "usage: hems-data-collector [-h] [-v]" "$(head -1 err.txt)" "usage before the error"
expect_exit 2 ./hems-data-collector --meter x
assert_eq "hems-data-collector: error: ambiguous option: --meter could match --meter-channel, --meter-panid, --meter-ipv6" \
  "$(tail -1 err.txt)" "ambiguous prefix"
expect_exit 2 "$MDC" hems -i ten
assert_eq "mdc hems: error: argument --interval/-i: invalid int value: 'ten'" "$(tail -1 err.txt)" "invalid int"

# ---- configuration checks (before the module is touched), exit 2 ----
expect_exit 2 ./hems-data-collector --schedule '*/5 * * *'
assert_eq 'hems-data-collector: error: argument --schedule/-s: cron "*/5 * * *": expected 5 fields (minute hour day-of-month month day-of-week) or a macro such as @daily, got 4' \
  "$(cat err.txt)" "invalid cron expression"
expect_exit 2 ./hems-data-collector --mode interval --interval 0
assert_eq "hems-data-collector: error: argument --interval/-i: must be at least 1 second, got 0" \
  "$(cat err.txt)" "interval 0"
expect_exit 2 ./hems-data-collector --baudrate 1234
assert_eq "hems-data-collector: error: baud rate 1234 (--baudrate or SERIAL_RATE) is not supported; use 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800 or 921600" \
  "$(cat err.txt)" "unsupported baud rate"
expect_exit 2 env SERIAL_RATE=fast ./hems-data-collector
assert_eq "hems-data-collector: error: SERIAL_RATE: invalid int value: 'fast'" "$(cat err.txt)" "SERIAL_RATE"
expect_exit 2 ./hems-data-collector --meter-channel 7
assert_eq "hems-data-collector: error: argument --meter-channel: expected the channel in hex as SKSTACK shows it, 21 to 3C (33 to 60), got '7'" \
  "$(cat err.txt)" "channel out of range"
expect_exit 2 ./hems-data-collector --meter-ipv6 fe80::1
assert_eq "hems-data-collector: error: argument --meter-ipv6: expected eight groups of hex digits (FE80:0000:0000:0000:021C:6400:030C:12A4), got 'fe80::1'" \
  "$(cat err.txt)" "short IPv6 form"
expect_exit 2 ./hems-data-collector -o webhook --webhook-url ftp://x
assert_eq "hems-data-collector: error: the webhook URL must start with http:// or https://" "$(cat err.txt)" "webhook URL"
expect_exit 2 ./hems-data-collector -o gcloud --gcp-topic 'a b'
assert_eq "hems-data-collector: error: the Pub/Sub topic \"a b\" has a character that is not allowed ( )" \
  "$(cat err.txt)" "topic name"
expect_exit 2 env B_ROUTE_PASSWORD= ./hems-data-collector
assert_eq "hems-data-collector: error: B_ROUTE_PASSWORD must be 1 to 32 printable characters without spaces" \
  "$(cat err.txt)" "empty password"

# ---- .env in the working directory; the environment wins ----
mkdir envdir && cd envdir
printf 'B_ROUTE_ID=short\n' > .env
expect_exit 1 ../hems-data-collector --port "$T/nonexistent" # the exported B_ROUTE_ID is used
unset B_ROUTE_ID
expect_exit 2 ../hems-data-collector
assert_eq "hems-data-collector: error: B_ROUTE_ID must be the 32-character B-route ID, got 5 characters" \
  "$(cat err.txt)" ".env read from the working directory"
export B_ROUTE_ID=00000000000000000000000000000000
unset LOCAL_TIMEZONE
start_broute envsim --frozen
cat > .env <<ENV
# the simulator's line; the environment's B_ROUTE_ID wins over this one
B_ROUTE_ID=wrong
SERIAL_PORT=$T/tty-envsim
SERIAL_RATE=115200
LOCAL_TIMEZONE="UTC"
ENV
hems_until 1 '^{' out.json --mode interval -i 2 -o file --file out.json
assert_eq '{"cumulative_power_kwh": 12345.6, "instant_power_w": 500, "current_a": 5.0, "current_r_a": 3.0, "current_t_a": 2.0, "historical_timestamp": "2023-10-27T19:00:00+00:00", "historical_cumulative_power_kwh": 12345.4, "recent_30min_consumption_kwh": 0.2, "recent_30min_timestamp": "2023-10-27T19:00:00+00:00"}' \
  "$(json_bodies out.json | sort -u)" "port from .env; meter times read in LOCAL_TIMEZONE=UTC"
grep -q "meter via $T/tty-envsim at 115200 baud" "$T/hems.err" || fail "SERIAL_PORT from .env not used"
cd "$T"

# An unknown LOCAL_TIMEZONE is logged and UTC used, as the seed does.
LOCAL_TIMEZONE=Mars/Olympus hems_until 1 '^{' tz.json --port "$T/tty-envsim" --mode interval -i 2 \
  -o file --file tz.json
grep -q "ERROR LOCAL_TIMEZONE: unknown time zone 'Mars/Olympus'" hems.err || fail "unknown zone not reported"
grep -q '"historical_timestamp": "2023-10-27T19:00:00+00:00"' tz.json || fail "UTC not used"

# ---- where undelivered records wait ----
unset HEMS_DATA_DIR
HOME=$T/home hems_until 1 '^{' d1.json --port "$T/tty-envsim" --mode interval -i 2 -o file --file d1.json
[ -f "$T/home/.local/state/mdc-hems/spool.db" ] || fail "no spool in ~/.local/state/mdc-hems"
STATE_DIRECTORY=$T/state:$T/other HOME=$T/home hems_until 1 '^{' d2.json --port "$T/tty-envsim" \
  --mode interval -i 2 -o file --file d2.json
[ -f "$T/state/spool.db" ] || fail "no spool in \$STATE_DIRECTORY"
export HEMS_DATA_DIR=$T/spool

# ---- schedule mode: the first collection on the first cron slot, then every slot ----
HEMS_WAIT=140 hems_until 2 '^{' cron.json --port "$T/tty-envsim" --schedule '* * * * *' -o file \
  --file cron.json
grep -Evq '^\{"timestamp": "[0-9-]{10}T[0-9]{2}:[0-9]{2}:00\.[0-9]{6}\+00:00"' cron.json &&
  fail "a collection was not on a minute slot: $(cat cron.json)"
assert_eq 2 "$(cut -c16-31 cron.json | sort -u | wc -l)" "two different minute slots"
exit 0
