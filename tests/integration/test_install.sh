#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make install PREFIX=… DESTDIR=…` gives the expected tree (binaries that run, the
# hems-data-collector name, the modules in ${libdir}/mdc that the installed mdc finds, units with the prefix's paths, a configuration that validates, a
# secrets file that a second install keeps, man pages that render cleanly, the license, the
# meter templates); systemd-analyze verify passes on the units as installed. The Debian package
# has its own test (test_deb.sh).
source "$(dirname "$0")/lib.sh"
command -v dpkg-deb >/dev/null || { echo "SKIP: dpkg-deb missing"; exit 77; }
build=$T/build # a private build directory: the test's own configure and build

make -s -C "$MDC_SRC" install PREFIX=/usr DESTDIR="$T/root" BUILD="$build" > install.log 2>&1 ||
  fail "make install: $(tail -5 install.log)"
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$build/CMakeCache.txt") # lib/x86_64-linux-gnu
assert_eq "./etc/mdc/.env
./etc/mdc/mdc.json
./usr/bin/hems-data-collector
./usr/bin/mdc
./usr/bin/mdc-sim
./usr/lib/systemd/system/mdc-hems.service
./usr/lib/systemd/system/mdc.service
./usr/share/doc/mdc/LICENSE
./usr/share/doc/mdc/README.md
./usr/share/doc/mdc/configuration.md
./usr/share/doc/mdc/examples/demo.json
./usr/share/doc/mdc/hems.env.example
./usr/share/man/man1/hems-data-collector.1
./usr/share/man/man1/mdc-sim.1
./usr/share/man/man1/mdc.1" "$(cd root && find . \( -type f -o -type l \) -not -path './usr/share/mdc/templates/*' \
  -not -path "./usr/$libdir/mdc/*" | sort)" "make install DESTDIR tree"
assert_eq "$(cd "$MDC_SRC/templates/modbus" && ls)" "$(ls root/usr/share/mdc/templates/modbus)" \
  "the meter templates are installed"
assert_eq 600 "$(stat -c %a root/etc/mdc/.env)" "the secrets file is created readable by its owner only"
echo "DB_PASSWORD=kept" >> root/etc/mdc/.env
make -s -C "$MDC_SRC" install PREFIX=/usr DESTDIR="$T/root" BUILD="$build" > install.log 2>&1 ||
  fail "make install again: $(tail -5 install.log)"
grep -qx "DB_PASSWORD=kept" root/etc/mdc/.env || fail "a second make install overwrote .env"
pass "a second make install keeps the secrets file"
cmp -s "$MDC_SRC/LICENSE" root/usr/share/doc/mdc/LICENSE || fail "the license is installed"
assert_eq mdc "$(readlink root/usr/bin/hems-data-collector)" "hems-data-collector -> mdc"
[ -x root/usr/bin/mdc ] && [ -x root/usr/bin/mdc-sim ] || fail "binaries executable"
assert_eq "mdc 0.1.0" "$(root/usr/bin/mdc --version)" "the installed mdc runs"
# (outputs into files first: grep -q stops reading early, and the writer would die of SIGPIPE)
root/usr/bin/hems-data-collector --help > hems-help.txt 2>&1
grep -q '^usage: hems-data-collector' hems-help.txt ||
  fail "hems-data-collector dispatches on its name"
pass "hems-data-collector answers as itself"
root/usr/bin/mdc-sim --help > sim-help.txt
grep -q '^usage: mdc-sim' sim-help.txt || fail "the installed mdc-sim runs"
root/usr/bin/mdc check -c root/etc/mdc/mdc.json > check.out || fail "the installed configuration validates"
grep -q 'configuration .*: OK' check.out || fail "check says OK"
pass "the installed configuration validates"
modules="http.so
http_sinks.so
mqtt.so
opcua.so
postgres.so
yaml.so"
assert_eq "$modules" "$(ls "root/usr/$libdir/mdc")" "the modules are installed in /usr/$libdir/mdc"
# A configuration that needs every module: the installed mdc finds them beside itself
# (bin/../$libdir/mdc, as DESTDIR moved the tree), not in the build.
cat > every-module.json <<'JSON'
{ "data_dir": "data", "http": {"listen": "127.0.0.1:0"},
  "sinks": [ {"type": "postgres", "conninfo": "host=127.0.0.1 dbname=x"},
    {"type": "mqtt", "url": "mqtt://127.0.0.1:1883"}, {"type": "webhook", "url": "http://127.0.0.1:1/"} ],
  "devices": [ {"id": "ua", "driver": "opcua", "endpoint": "opc.tcp://127.0.0.1:4840",
    "nodes": {"x": "ns=2;s=X"}} ] }
JSON
env -u MDC_MODULE_DIR root/usr/bin/mdc check -c every-module.json > check-mod.out 2>&1 ||
  fail "the installed mdc loads its modules: $(cat check-mod.out)"
pass "the installed mdc loads every module from the installed tree"
assert_eq "Type=notify
ExecStart=/usr/bin/mdc run -c /etc/mdc/mdc.json
ExecReload=/bin/kill -HUP \$MAINPID
WatchdogSec=30s
RestartPreventExitStatus=2
LoadCredential=mdc.env:/etc/mdc/.env" \
  "$(grep -E '^(Type|ExecStart|ExecReload|WatchdogSec|RestartPreventExitStatus|LoadCredential)=' root/usr/lib/systemd/system/mdc.service)" \
  "the unit runs /usr/bin/mdc with /etc/mdc/mdc.json as Type=notify, secrets as a credential"
assert_eq "EnvironmentFile=-/etc/mdc/hems.env
ExecStart=/usr/bin/mdc hems \$HEMS_ARGS" \
  "$(grep -E '^(ExecStart|EnvironmentFile)=' root/usr/lib/systemd/system/mdc-hems.service)" \
  "mdc-hems.service runs /usr/bin/mdc hems with its settings"
for m in mdc mdc-sim hems-data-collector; do
  assert_eq "" "$(groff -man -ww -z "root/usr/share/man/man1/$m.1" 2>&1)" "man page $m(1) renders without warnings"
done
MANPATH=$T/root/usr/share/man: man -P cat mdc > man.txt 2>/dev/null
grep -q 'SIGHUP' man.txt || fail "man mdc"

# another prefix: the unit follows it
make -s -C "$MDC_SRC" install PREFIX=/usr/local DESTDIR="$T/root2" BUILD="$build" > install2.log 2>&1 ||
  fail "make install PREFIX=/usr/local: $(tail -5 install2.log)"
assert_eq "ExecStart=/usr/local/bin/mdc run -c /usr/local/etc/mdc/mdc.json" \
  "$(grep '^ExecStart=' root2/usr/local/lib/systemd/system/mdc.service)" "PREFIX=/usr/local unit"
[ -f root2/usr/local/etc/mdc/mdc.json ] || fail "PREFIX=/usr/local configuration"
libdir2=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$build/CMakeCache.txt")
assert_eq "$modules" "$(ls "root2/usr/local/$libdir2/mdc")" "PREFIX=/usr/local: the modules in /usr/local/$libdir2/mdc"
env -u MDC_MODULE_DIR root2/usr/local/bin/mdc check -c every-module.json > check-mod.out 2>&1 ||
  fail "PREFIX=/usr/local: the installed mdc loads its modules: $(cat check-mod.out)"
pass "PREFIX=/usr/local: the installed mdc loads every module"

# ---- systemd-analyze verify ----
if ! command -v systemd-analyze >/dev/null; then
  echo "SKIP (part): systemd-analyze is not available here; the units were not verified"
  exit 0
fi
# 1. as installed with real paths (a prefix in $T, so that ExecStart exists on this system)
make -s -C "$MDC_SRC" install PREFIX="$T/sa" BUILD="$build" > install3.log 2>&1 || fail "install to $T/sa"
MANPATH=$T/sa/share/man: systemd-analyze verify "$T/sa/lib/systemd/system/mdc.service" \
  "$T/sa/lib/systemd/system/mdc-hems.service" > verify1.out 2>&1 ||
  fail "systemd-analyze verify (installed): $(cat verify1.out)"
assert_eq "" "$(cat verify1.out)" "systemd-analyze verify: the installed units, no warnings"
