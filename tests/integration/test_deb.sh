#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Debian package (`make deb`): built with Debian's hardening flags and -Werror; its control
# fields, Depends, conffiles and contents; it installs into a scratch root (dpkg --root, with its
# maintainer scripts, which then leave the running system alone), is removed (conffile kept) and
# purged; systemd-analyze verify passes on its units; lintian reports no errors or warnings
# (pedantic and experimental tags shown); its copyright file is machine-readable and names
# mdc's license (Apache-2.0) and those of the libraries mdc links.
source "$(dirname "$0")/lib.sh"
command -v dpkg-deb >/dev/null || { echo "SKIP: dpkg-deb missing"; exit 77; }
if [ "${MDC_SANITIZED:-}" = 1 ] || [ "${MDC_SANITIZED:-}" = ON ]; then
  echo "SKIP: the sanitizer run builds the same package"; exit 77
fi

# -Werror: Debian's hardening flags must not give a single warning
MDC_CMAKE_ARGS=-DMDC_WERROR=ON make -s -C "$MDC_SRC" deb DEB_BUILD="$T/debbuild" BUILD="$T/out" > deb.log 2>&1 ||
  fail "make deb: $(tail -n 20 deb.log)"
deb=$(ls "$T"/out/mdc_*.deb)
assert_eq "$T/out/mdc_0.1.0-1_$(dpkg --print-architecture).deb" "$deb" "make deb builds the package"
dpkg-deb -f "$deb" Package Version Architecture > fields
assert_eq "Package: mdc
Version: 0.1.0-1
Architecture: $(dpkg --print-architecture)" "$(cat fields)" "control fields"
dpkg-deb -f "$deb" Depends | grep -q 'libmosquitto1' && dpkg-deb -f "$deb" Depends | grep -q 'libmicrohttpd12' ||
  fail "Depends lists the libraries: $(dpkg-deb -f "$deb" Depends)"
pass "Depends: $(dpkg-deb -f "$deb" Depends)"
assert_eq "/etc/mdc/mdc.json" "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)" "conffiles"
dpkg-deb -x "$deb" x
assert_eq "./etc/mdc/mdc.json
./usr/bin/hems-data-collector
./usr/bin/mdc
./usr/bin/mdc-sim
./usr/lib/systemd/system/mdc-hems.service
./usr/lib/systemd/system/mdc.service
./usr/share/doc/mdc/README.md
./usr/share/doc/mdc/changelog.Debian.gz
./usr/share/doc/mdc/configuration.md
./usr/share/doc/mdc/copyright
./usr/share/doc/mdc/examples/demo.json
./usr/share/doc/mdc/hems.env.example
./usr/share/lintian/overrides/mdc
./usr/share/man/man1/hems-data-collector.1.gz
./usr/share/man/man1/mdc-sim.1.gz
./usr/share/man/man1/mdc.1.gz" "$(cd x && find . \( -type f -o -type l \) -not -path './usr/share/mdc/templates/*' \
  -not -path './usr/lib/*/mdc/*' | sort)" "package contents (dpkg -x)"
ma=$(ls x/usr/lib | grep -v '^systemd$') # the multiarch folder, e.g. x86_64-linux-gnu
assert_eq "http.so
http_sinks.so
mqtt.so
opcua.so
postgres.so
yaml.so" "$(ls "x/usr/lib/$ma/mdc")" "the package has the modules in /usr/lib/$ma/mdc"
assert_eq "" "$(find "x/usr/lib/$ma/mdc" -type f -perm /111)" "the modules are not executable"
assert_eq "$(cd "$MDC_SRC/templates/modbus" && ls)" "$(ls x/usr/share/mdc/templates/modbus)" "the package has the templates"
assert_eq "mdc 0.1.0" "$(x/usr/bin/mdc --version)" "the packaged mdc runs"
cat > every-module.json <<'JSON'
{ "data_dir": "data", "http": {"listen": "127.0.0.1:0"},
  "sinks": [ {"type": "postgres", "conninfo": "host=127.0.0.1 dbname=x"},
    {"type": "mqtt", "url": "mqtt://127.0.0.1:1883"}, {"type": "pubsub", "project": "p", "topic": "t"} ],
  "devices": [ {"id": "ua", "driver": "opcua", "endpoint": "opc.tcp://127.0.0.1:4840",
    "nodes": {"x": "ns=2;s=X"}} ] }
JSON
env -u MDC_MODULE_DIR x/usr/bin/mdc check -c every-module.json > check-mod.out 2>&1 ||
  fail "the packaged mdc loads its (stripped) modules: $(cat check-mod.out)"
pass "the packaged mdc loads every one of its stripped modules"
for lib in libpq5 libcurl4 libmosquitto1 libmicrohttpd12 libssl3 libprotobuf-c1; do
  dpkg-deb -f "$deb" Depends | grep -q "$lib" || fail "Depends lacks $lib, which a module links"
done
pass "Depends has the libraries of the modules"
dpkg-deb -c "$deb" | awk '{print $2}' | sort -u | grep -qvx "root/root" && fail "every file in the package is owned by root"

# dpkg --root: a scratch system with its own dpkg database; maintainer scripts run without a
# chroot and, seeing DPKG_ROOT, leave the running system alone.
R=$T/sysroot
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates"
touch "$R/var/lib/dpkg/status" "$R/var/lib/dpkg/available"
dpk() { dpkg --root="$R" --force-not-root --force-script-chrootless --force-depends \
  --log=/dev/null "$@"; }
dpk -i "$deb" > dpkg.log 2>&1 || fail "dpkg --root -i: $(tail -5 dpkg.log)"
assert_eq "install ok installed" "$(dpkg-query --root="$R" -W -f='${Status}' mdc)" "installed into the scratch root"
[ -x "$R/usr/bin/mdc" ] && [ -f "$R/etc/mdc/mdc.json" ] || fail "files in the scratch root"
assert_eq 600 "$(stat -c %a "$R/etc/mdc/.env")" "postinst creates /etc/mdc/.env readable by root alone"
dpk -r mdc > dpkg.log 2>&1 || fail "dpkg --root -r: $(tail -5 dpkg.log)"
[ ! -e "$R/usr/bin/mdc" ] && [ -f "$R/etc/mdc/mdc.json" ] || fail "remove keeps the conffile"
dpk -P mdc > dpkg.log 2>&1 || fail "dpkg --root -P: $(tail -5 dpkg.log)"
[ ! -e "$R/etc/mdc/mdc.json" ] && [ ! -e "$R/etc/mdc/.env" ] || fail "purge removes the conffile and .env"
pass "installed, removed (conffile kept) and purged in a scratch root"

# ---- lintian ----
if ! command -v lintian >/dev/null; then
  echo "SKIP (part): lintian missing (scripts/deps.sh test installs it)"
else
  lintian -EvIL +pedantic --color never "$deb" > lintian.out 2>&1 || true
  grep -E '^[EW]: ' lintian.out && fail "lintian reports errors or warnings (above)"
  pass "lintian: no errors, no warnings ($(grep -cE '^[IPX]: ' lintian.out || true) info/pedantic/experimental tags: $(grep -E '^[IPX]: ' lintian.out | sed -E 's/^[IPX]: mdc: ([^ ]+).*/\1/' | sort -u | tr '\n' ' '))"

fi

dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/doc/mdc/copyright > copyright
head -n 1 copyright | grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' ||
  fail "copyright is not in the machine-readable format"
grep -qx 'License: Apache-2.0' copyright || fail "copyright names Apache-2.0"
for lib in libmodbus5 libjansson4 libyaml-0-2 libsqlite3-0 libpq5 libcurl4 libssl3 libmosquitto1 libmicrohttpd12 libprotobuf-c1; do
  grep -qE "^ $lib: [^ ]" copyright || fail "copyright lacks the library $lib: $(cat copyright)"
done
grep ': see /usr/share/doc/' copyright && fail "a linked library whose license packaging/mdc-deb.sh does not know (above)"
pass "copyright: machine-readable, Apache-2.0, the linked libraries with their licenses"

# ---- systemd-analyze verify ----
if ! command -v systemd-analyze >/dev/null; then
  echo "SKIP (part): systemd-analyze is not available here; the units were not verified"
  exit 0
fi
# 2. as packaged, in a root made of the package plus this system's targets and /bin/kill
V=$T/vroot
dpkg-deb -x "$deb" "$V"
mkdir -p "$V/usr/lib/systemd/system"
cp -a /lib/systemd/system/*.target "$V/usr/lib/systemd/system/"
cp /bin/kill "$V/usr/bin/kill" # ExecReload
ln -sfn usr/bin "$V/bin"
MANPATH=$V/usr/share/man: systemd-analyze verify --root="$V" mdc.service mdc-hems.service \
  > verify2.out 2>&1 || fail "systemd-analyze verify (packaged): $(cat verify2.out)"
assert_eq "" "$(cat verify2.out)" "systemd-analyze verify: the packaged units, no warnings"
