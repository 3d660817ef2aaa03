#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# packaging/: the mdc-hems unit is valid for systemd, restarts on failure but not on a
# configuration error, runs as a user systemd allocates with the serial group and its settings
# from a file systemd reads (so it may be root-only), and its example settings file is accepted
# by `mdc hems` (the same variables as hems-data-collector's .env).
source "$(dirname "$0")/lib.sh"
unit=$T/unit.filled
sed "s|@MDC_BINDIR@|/usr/bin|g; s|@MDC_SYSCONFDIR@|/etc|g" "$MDC_SRC/packaging/mdc-hems.service.in" > "$unit"
for d in Restart=on-failure RestartPreventExitStatus=2 DynamicUser=yes SupplementaryGroups=dialout \
  EnvironmentFile=-/etc/mdc/hems.env StateDirectory=mdc-hems LogsDirectory=mdc-hems \
  'ExecStart=/usr/bin/mdc hems $HEMS_ARGS' NoNewPrivileges=yes ProtectSystem=strict; do
  grep -qxF "$d" "$unit" || fail "unit lacks $d"
done
grep -qE '@[A-Z_]+@' "$unit" && fail "unit has an unfilled @VARIABLE@"
pass "unit directives"
if command -v systemd-analyze >/dev/null; then
  sed "s|/usr/bin/mdc|$MDC|" "$unit" > mdc-hems.service
  mkdir -p man/man1 && cp "$MDC_SRC"/man/*.1 man/man1/
  MANPATH=$T/man systemd-analyze verify "$T/mdc-hems.service" || fail "systemd-analyze verify"
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
