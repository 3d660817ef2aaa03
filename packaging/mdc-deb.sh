#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# mdc-deb.sh — builds the Debian package of mdc with dpkg-deb alone (no debhelper, no network):
#   packaging/mdc-deb.sh [BUILD_DIR] [OUT_DIR]      (what `make deb` runs)
# Configures BUILD_DIR for /usr, builds mdc and mdc-sim (and mdc's modules, which go in
# /usr/lib/<multiarch>/mdc), installs them into a staging tree (cmake --install), adds the package metadata and prints the path of OUT_DIR/mdc_*.deb.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$src/build-deb}")
out=$(realpath -m "${2:-$src/build}")
version=$(sed -n 's/^project(mdc VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
arch=$(dpkg --print-architecture)
deb="$out/mdc_${version}-1_${arch}.deb"

# Debian's build flags with every hardening feature (fortify, stack protector, format checks,
# relro, bindnow, PIE), as a package built by dpkg-buildpackage would get them. CMake reads no
# CPPFLAGS: they go in front of CFLAGS. MDC_CMAKE_ARGS adds options (-DMDC_WERROR=ON in tests).
export DEB_BUILD_MAINT_OPTIONS=${DEB_BUILD_MAINT_OPTIONS:-hardening=+all}
cflags=$(dpkg-buildflags --get CPPFLAGS 2>/dev/null) || cflags=
cflags="$cflags $(dpkg-buildflags --get CFLAGS 2>/dev/null || echo -O2 -g)"
ldflags=$(dpkg-buildflags --get LDFLAGS 2>/dev/null) || ldflags=
# shellcheck disable=SC2086 # MDC_CMAKE_ARGS is a list of words
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=None -DCMAKE_INSTALL_PREFIX=/usr \
  -DCMAKE_C_FLAGS="$cflags" -DCMAKE_EXE_LINKER_FLAGS="$ldflags" \
  -DCMAKE_MODULE_LINKER_FLAGS="$ldflags" -DMDC_TESTS=OFF \
  ${MDC_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j "$(nproc)" --target mdc mdc-sim >/dev/null
stage="$build/deb-root"
rm -rf "$stage"
DESTDIR="$stage" cmake --install "$build" >/dev/null
# /etc/mdc/.env holds a site's secrets: not a file of the package (an upgrade must never touch
# it); postinst creates it empty, readable by root alone, when it is missing.
rm -f "$stage/etc/mdc/.env"
# the license is in usr/share/doc/mdc/copyright (Debian policy 12.5)
rm -f "$stage/usr/share/doc/mdc/LICENSE"
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$build/CMakeCache.txt") # lib/<multiarch>
mapfile -t modules < <(ls "$stage/usr/$libdir/mdc/"*.so)
[ "${#modules[@]}" -gt 0 ] || { echo "mdc-deb.sh: no modules in $stage/usr/$libdir/mdc" >&2; exit 1; }
# as dh_strip does: no symbols, no compiler notes
strip --strip-unneeded --remove-section=.comment --remove-section=.note \
  "$stage/usr/bin/mdc" "$stage/usr/bin/mdc-sim" "${modules[@]}"
chmod 0644 "${modules[@]}" # a module is loaded, not run (Debian policy 10.9)
gzip -9n "$stage"/usr/share/man/man1/*.1

# Depends: the shared libraries' packages, as dpkg-shlibdeps computes them (dpkg-dev), else
# from the packages that own the libraries mdc and its modules link. (A module's references to
# mdc's own functions, which the program exports, are no library's: dpkg-shlibdeps warns.)
depends() {
  local tmp; tmp=$(mktemp -d)
  mkdir -p "$tmp/debian"
  printf 'Source: mdc\n\nPackage: mdc\nArchitecture: any\n' > "$tmp/debian/control"
  if command -v dpkg-shlibdeps >/dev/null &&
    (cd "$tmp" && dpkg-shlibdeps -O "$stage/usr/bin/mdc" "$stage/usr/bin/mdc-sim" "${modules[@]}" 2>/dev/null) |
    sed -n 's/^shlibs:Depends=//p' > "$tmp/deps" && [ -s "$tmp/deps" ]; then
    cat "$tmp/deps"
  else
    ldd "$stage/usr/bin/mdc" "$stage/usr/bin/mdc-sim" "${modules[@]}" | awk '/=> \//{print $3}' | sort -u |
      xargs -r realpath | xargs -r dpkg -S 2>/dev/null | cut -d: -f1 | sort -u |
      while read -r p; do printf '%s (>= %s), ' "$p" "$(dpkg-query -W -f='${Version}' "$p")"; done |
      sed 's/, $//'
  fi
  rm -rf "$tmp"
}

# The licence of a library package mdc links, as its own copyright file states it.
library_license() {
  case $1 in
  libmodbus*) echo "LGPL-2.1+" ;;
  libjansson*) echo "Expat" ;;
  libyaml-0*) echo "Expat" ;;
  libsqlite3*) echo "public-domain" ;;
  libpq*) echo "PostgreSQL" ;;
  libcurl*) echo "curl" ;;
  libssl*) echo "Apache-2.0" ;;
  libmosquitto*) echo "EPL-2.0 or EDL-1.0" ;;
  libmicrohttpd*) echo "LGPL-2.1+" ;;
  libprotobuf-c*) echo "BSD-2-Clause" ;;
  libc6) echo "LGPL-2.1+" ;;
  *) echo "see /usr/share/doc/$1/copyright" ;;
  esac
}
# The packages of the libraries mdc, mdc-sim and the modules load themselves (their NEEDED
# entries).
linked_packages() {
  local lib path cache
  cache=$(ldconfig -p)
  for lib in $(readelf -d "$stage/usr/bin/mdc" "$stage/usr/bin/mdc-sim" "${modules[@]}" |
    sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u); do
    path=$(awk -v l="$lib" '$1 == l {print $NF}' <<< "$cache" | sed -n 1p)
    [ -n "$path" ] || continue
    # dpkg knows a library by one of its names (/lib or /usr/lib: merged /usr)
    { dpkg -S "$path" || dpkg -S "$(realpath "$path")" || dpkg -S "${path#/usr}"; } 2>/dev/null |
      sed -n '1s/:.*//p'
  done | sort -u
}

install -d "$stage/DEBIAN" "$stage/usr/share/doc/mdc"
year=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(git -C "$src" log -1 --format=%ct 2>/dev/null || date +%s)}" +%Y)
{
  cat <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: mdc
Upstream-Contact: mdc developers <dev@mdc.invalid>
Source: https://mdc.invalid/
Comment: mdc, mdc-sim and mdc's modules link these libraries dynamically; each
 comes with its own package and copyright file, /usr/share/doc/PACKAGE/copyright:
EOF
  linked_packages | while read -r p; do printf ' %s: %s\n' "$p" "$(library_license "$p")"; done
  cat <<EOF
 The dashboard built into mdc's HTTP server module (HTML, CSS, JavaScript) is
 part of mdc.

Files: *
Copyright: $year the mdc developers
License: Apache-2.0

License: Apache-2.0
 Licensed under the Apache License, Version 2.0 (the "License"); you may not
 use this software except in compliance with the License. You may obtain a
 copy of the License at
 .
 https://www.apache.org/licenses/LICENSE-2.0
 .
 Unless required by applicable law or agreed to in writing, software
 distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
 WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
 License for the specific language governing permissions and limitations
 under the License.
 .
 On Debian systems, the complete text of the Apache License, Version 2.0 can
 be found in "/usr/share/common-licenses/Apache-2.0".
EOF
} > "$stage/usr/share/doc/mdc/copyright"
printf 'mdc (%s-1) unstable; urgency=medium\n\n  * Package built by packaging/mdc-deb.sh.\n\n -- mdc developers <dev@mdc.invalid>  %s\n' \
  "$version" "$(date -R -d "@${SOURCE_DATE_EPOCH:-$(git -C "$src" log -1 --format=%ct 2>/dev/null || date +%s)}")" |
  gzip -9n > "$stage/usr/share/doc/mdc/changelog.Debian.gz"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<EOF
Package: mdc
Version: ${version}-1
Architecture: $arch
Maintainer: mdc developers <dev@mdc.invalid>
Installed-Size: $size
Depends: $(depends)
Recommends: systemd
Suggests: mosquitto-clients, sqlite3
Section: misc
Priority: optional
Homepage: https://mdc.invalid/
Description: machine data collector (Modbus, LSV2, OPC UA, B-route)
 mdc collects live data from machines and energy meters, derives machine
 status, part counts and energy per shift, and delivers every record through
 a durable spool to SQLite, PostgreSQL, files, webhooks, Pub/Sub and MQTT.
 An embedded HTTP server offers a live dashboard, health, Prometheus metrics
 and a device API. Includes mdc-sim, device simulators for commissioning.
EOF
echo /etc/mdc/mdc.json > "$stage/DEBIAN/conffiles"
# Maintainer scripts in debhelper's manner: deb-systemd-invoke (init-system-helpers) honours
# policy-rc.d; nothing is enabled or started that was not running before.
cat > "$stage/DEBIAN/postinst" <<'EOF'
#!/bin/sh
# The services are not enabled: edit /etc/mdc/mdc.json, then `systemctl enable --now mdc`.
set -e
# mdc.service hands /etc/mdc/.env to mdc as a credential (LoadCredential=): it must exist.
if [ "$1" = configure ] && [ ! -e "${DPKG_ROOT:-}/etc/mdc/.env" ]; then
  (umask 077 && printf '# Secrets for ${NAME} references in mdc.json: NAME=value lines (man mdc).\n' \
    > "${DPKG_ROOT:-}/etc/mdc/.env")
fi
# DPKG_ROOT: installed into another root (dpkg --root): the running system is not ours to touch.
if [ "$1" = configure ] && [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
  systemctl --system daemon-reload >/dev/null || true
  if [ -n "$2" ]; then
    deb-systemd-invoke try-restart mdc.service mdc-hems.service >/dev/null || true
  fi
fi
EOF
cat > "$stage/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
  deb-systemd-invoke stop mdc.service mdc-hems.service >/dev/null || true
fi
EOF
cat > "$stage/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = purge ]; then rm -f "${DPKG_ROOT:-}/etc/mdc/.env"; fi
[ -z "${DPKG_ROOT:-}" ] || exit 0
if [ -d /run/systemd/system ]; then systemctl --system daemon-reload >/dev/null || true; fi
if [ "$1" = purge ]; then
  rm -rf /var/lib/mdc /var/lib/private/mdc /var/lib/mdc-hems /var/lib/private/mdc-hems \
    /var/log/mdc-hems /var/log/private/mdc-hems
fi
EOF
chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/prerm" "$stage/DEBIAN/postrm"
# lintian: what does not apply to a package built outside the Debian archive, and why
install -d "$stage/usr/share/lintian/overrides"
cat > "$stage/usr/share/lintian/overrides/mdc" <<EOF
# Built by packaging/mdc-deb.sh for sites, not uploaded to Debian: there is no ITP bug to close.
mdc: initial-upload-closes-no-bugs
# A parameter name of the dashboard's JavaScript, which is built into the HTTP server's module.
mdc: spelling-error-in-binary upTo up to [usr/$libdir/mdc/http.so]
EOF
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
  xargs -0r md5sum) > "$stage/DEBIAN/md5sums"
mkdir -p "$out"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
