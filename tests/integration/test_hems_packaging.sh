#!/usr/bin/env bash
# packaging/: the mdc-hems unit is valid for systemd, restarts on failure but not on a
# configuration error, runs as its own user with the serial group, and its example settings
# file is accepted by `mdc hems` (the same variables as hems-data-collector's .env).
source "$(dirname "$0")/lib.sh"
unit=$MDC_SRC/packaging/systemd/mdc-hems.service
for d in Restart=on-failure RestartPreventExitStatus=2 User=mdc-hems SupplementaryGroups=dialout \
  EnvironmentFile=/etc/mdc/hems.env StateDirectory=mdc-hems LogsDirectory=mdc-hems \
  'ExecStart=/usr/local/bin/mdc hems $HEMS_ARGS' NoNewPrivileges=yes ProtectSystem=strict; do
  grep -qxF "$d" "$unit" || fail "unit lacks $d"
done
pass "unit directives"
if command -v systemd-analyze >/dev/null; then
  sed "s|/usr/local/bin/mdc|$MDC|" "$unit" > mdc-hems.service
  systemd-analyze verify "$T/mdc-hems.service" || fail "systemd-analyze verify"
  pass "systemd-analyze verify"
fi
# the example settings: every variable is one mdc hems reads; HEMS_ARGS parses
set -a; source "$MDC_SRC/packaging/hems.env.example"; set +a
export HEMS_DATA_DIR=$T/spool
set +e
"$MDC" hems $HEMS_ARGS --port "$T/no-such-port" > out.txt 2> err.txt
rc=$?
set -e
assert_eq 1 "$rc" "the example settings get as far as opening the port"
grep -q "output: file (csv)" err.txt || fail "HEMS_ARGS not applied: $(cat err.txt)"
