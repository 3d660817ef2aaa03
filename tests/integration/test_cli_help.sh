#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every command and simulator answers -h/--help with its usage on stdout and exit 0; an unknown
# option is an error (exit 2) that names it and points to --help, and never starts anything
# (mdc read must not fall into raw mode); every option a --help lists is in the man page.
source "$(dirname "$0")/lib.sh"
man_dir=$MDC_SRC/man

# the options a help text lists: --long-name and -x, as words
options_of() { grep -oE '(^|[][ ,|({])--?[a-zA-Z][a-zA-Z0-9-]*' | sed -E 's/^[][ ,|({]//' | sort -u; }
# the man page as plain words: roff's \- is -, font escapes and quotes dropped
man_text() { sed -E 's/\\-/-/g; s/\\f[BIRP]//g; s/\\\(mu/x/g' "$1"; }

check_help() { # MAN_PAGE PROGRAM ARGS...: --help and -h, exit 0, every option in MAN_PAGE
  local page=$1; shift
  local name="$*"
  "$@" --help > help.out 2> help.err || fail "$name --help exits $?"
  [ ! -s help.err ] || fail "$name --help writes to stderr: $(cat help.err)"
  grep -q '^usage: ' help.out || fail "$name --help: no usage line"
  "$@" -h > h.out 2>&1 || fail "$name -h exits $?"
  cmp -s help.out h.out || fail "$name: -h and --help differ"
  man_text "$page" > man.txt
  local missing=()
  for o in $(options_of < help.out); do
    grep -qe "$o\b" man.txt || missing+=("$o")
  done
  [ ${#missing[@]} -eq 0 ] || fail "$(basename "$page") lacks options of '$name --help': ${missing[*]}"
  pass "$name --help: exit 0, $(options_of < help.out | wc -l) options, all in $(basename "$page")"
}

check_unknown() { # PROGRAM ARGS...: --no-such-option is exit 2 and named
  local name="$*"
  set +e
  "$@" --no-such-option > bad.out 2> bad.err
  local rc=$?
  set -e
  assert_eq 2 "$rc" "$name --no-such-option exits 2"
  grep -q -- "--no-such-option" bad.err || fail "$name: the message does not name the option: $(cat bad.err)"
  [ ! -s bad.out ] || fail "$name --no-such-option printed on stdout: $(cat bad.out)"
}

for cmd in run check read demo opcua-cert import-belmc; do
  check_help "$man_dir/mdc.1" "$MDC" "$cmd"
  check_unknown "$MDC" "$cmd"
  grep -q -- "--help" bad.err || fail "mdc $cmd: the message does not point to --help"
done
for cmd in init scan templates spool keys; do
  if "$MDC" "$cmd" --help >/dev/null 2>&1; then
    check_help "$man_dir/mdc.1" "$MDC" "$cmd"
    check_unknown "$MDC" "$cmd"
  fi
done
check_help "$man_dir/mdc.1" "$MDC"
check_help "$man_dir/hems-data-collector.1" "$MDC" hems
check_unknown "$MDC" hems
ln -s "$MDC" hems-data-collector
check_help "$man_dir/hems-data-collector.1" ./hems-data-collector
for sim in modbus lsv2 broute; do
  check_help "$man_dir/mdc-sim.1" "$MDC_SIM" "$sim"
done

# mdc read: an unknown option is refused before anything is opened (it used to mean --raw)
cat > cfg.json <<'JSON'
{ "devices": [ { "id": "m1", "driver": "modbus", "connection": {"tcp": "127.0.0.1:1"},
  "points": [ {"name": "v", "function": 4, "address": 0, "type": "float32"} ] } ] }
JSON
set +e
"$MDC" read -c cfg.json m1 --rwa > out 2> err; rc=$?
set -e
assert_eq 2 "$rc" "mdc read with a misspelt option exits 2"
assert_eq "mdc read: unknown option '--rwa' (mdc read --help lists the options)" "$(cat err)" \
  "mdc read names the option"
set +e
"$MDC" read -c cfg.json m1 --plc marker:1 > out 2> err; rc=$?
set -e
assert_eq 2 "$rc" "--plc on a modbus device exits 2"
assert_eq "mdc read: --plc is for lsv2 devices; m1 is a modbus device (mdc read --help)" "$(cat err)" \
  "--plc names the driver it needs"
set +e
"$MDC" run -c cfg.json --once --data-dir > out 2> err; rc=$?
set -e
assert_eq 2 "$rc" "an option without its value exits 2"
assert_eq "mdc: --data-dir needs a value" "$(cat err)" "the missing value is named"
