#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bare-debian-check.sh — proves the README's two commands on a bare Debian 12: builds a
# `debootstrap --variant=minbase bookworm` chroot (no make, git, sudo or compiler), copies this
# checkout's HEAD into it (as a fresh clone has it), and as root inside it runs
#   1. ./run demo          until the first record of each simulated meter (timed), then the
#                          README's "Using it" commands against the running demo, then Ctrl-C;
#   2. scripts/deps.sh test  (timed) and checks that no PostgreSQL or mosquitto server runs;
#   3. ./run test          every test (timed).
# Usage (root, outside CI; needs debootstrap and the Debian mirror this machine's apt uses):
#   scripts/bare-debian-check.sh [--demo-only] [--keep] [WORKDIR]     (default /var/tmp/mdc-bare)
# Prints the figures and writes them to WORKDIR/report.txt. Everything it starts inside the
# chroot is stopped by PID at the end, and every mount is undone before anything is removed.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
demo_only= keep= work=/var/tmp/mdc-bare
for a in "$@"; do
  case $a in
  --demo-only) demo_only=1 ;;
  --keep) keep=1 ;;
  -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  -*) echo "bare-debian-check: unknown option $a (--help)" >&2; exit 2 ;;
  *) work=$a ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "bare-debian-check: run as root (debootstrap, chroot, mount)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "bare-debian-check: apt-get install debootstrap" >&2; exit 1; }

# The mirror apt uses here for bookworm (deb822 .sources or one-line .list entries).
mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk 'BEGIN{RS=""; FS="\n"} {u=""; s=""; for(i=1;i<=NF;i++){
           if($i ~ /^URIs:/){sub(/^URIs:[ \t]*/,"",$i); split($i,a,/[ \t]+/); u=a[1]}
           if($i ~ /^Suites:/){sub(/^Suites:[ \t]*/,"",$i); s=" " $i " "}}
         if(u != "" && s ~ / bookworm /){print u; exit}}' "$f"
  done
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    sed -E 's/\[[^]]*\]//' | awk '$1=="deb" && $3=="bookworm" {print $2}' || true
}
MIRROR=$(mirror | head -n 1) || true
[ -n "$MIRROR" ] || { echo "bare-debian-check: no bookworm entry in /etc/apt/sources.list*" >&2; exit 1; }

root=$work/root
report=$work/report.txt
mkdir -p "$work"
: > "$report"
note() { echo "bare-debian-check: $*" | tee -a "$report"; }
now() { date +%s; }
mmss() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

mounted() { awk -v r="$root" '$2 == r || index($2, r "/") == 1 {print $2}' /proc/mounts; }
procs_in_root() { # PIDs whose root directory is the chroot
  local p r
  for p in /proc/[0-9]*; do
    r=$(readlink "$p/root" 2>/dev/null) || continue
    [ "$r" = "$root" ] && echo "${p#/proc/}"
  done
  return 0
}
stop_procs() {
  local pids p i
  pids=$(procs_in_root)
  [ -z "$pids" ] && return 0
  for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
  for i in $(seq 50); do
    [ -z "$(procs_in_root)" ] && return 0
    sleep 0.2
  done
  for p in $(procs_in_root); do kill -KILL "$p" 2>/dev/null || true; done
  sleep 1
}
cleanup() {
  local rc=$?
  set +e
  stop_procs
  for m in $(mounted | sort -r); do umount "$m" || umount -l "$m"; done
  if [ -n "$(mounted)" ]; then
    echo "bare-debian-check: still mounted, $root kept: $(mounted)" >&2
  elif [ -z "$keep" ] && [ -d "$root" ]; then
    rm -rf --one-file-system "$root"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "$(mounted)" ]; then echo "bare-debian-check: $root has mounts; clean it up first" >&2; exit 1; fi
rm -rf --one-file-system "$root"
note "mirror $MIRROR (from /etc/apt/sources.list*)"
t=$(now)
debootstrap --variant=minbase bookworm "$root" "$MIRROR" > "$work/debootstrap.log" 2>&1 ||
  { tail -n 20 "$work/debootstrap.log"; exit 1; }
note "debootstrap --variant=minbase bookworm: $(mmss $(($(now) - t))), $(du -sh --one-file-system "$root" | cut -f1)"
for c in make git sudo gcc cc; do
  chroot "$root" sh -c "command -v $c" >/dev/null && { note "the chroot is not bare: $c is there"; exit 1; }
done
note "bare: no make, git, sudo or compiler"

mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev" && mount --make-private "$root/dev"
mount --bind /dev/pts "$root/dev/pts" && mount --make-private "$root/dev/pts"
mount -t tmpfs -o mode=1777,size=512m shm "$root/dev/shm"
mount -t sysfs -o ro sysfs "$root/sys"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# Names resolve as on this machine (minbase has no /etc/hosts; a test connects to "localhost").
cp /etc/hosts "$root/etc/hosts"
# Certificate authorities added on this machine (a TLS-inspecting proxy's, say): the chroot
# trusts what the machine trusts, so that npm reaches its registry (ca-certificates takes them
# in when the demo's packages install it).
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  note "the machine's locally added CA certificates are trusted in the chroot too"
fi
mkdir -p "$root/root/mdc"
git -C "$src" archive HEAD | tar -x -C "$root/root/mdc"
note "source: $(git -C "$src" log -1 --format='%h %s' | cut -c1-70)"
# The chroot shares this machine's network: when the README's dashboard port 8080 is taken
# here, the demo gets another one ($MDC_HTTP_LISTEN, as the README says) and curl follows.
http=8080
if (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null; then
  http=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  note "port 8080 is in use on this machine: the demo's dashboard goes to $http"
fi
in_root=(chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb PATH=/usr/sbin:/usr/bin:/sbin:/bin
  LANG=C.UTF-8 MDC_HTTP_LISTEN=127.0.0.1:$http /bin/bash -c)
inside() { "${in_root[@]}" "cd /root/mdc && $1"; }

# ---- 1. the demo ----
log=$work/demo.log
t=$(now)
"${in_root[@]}" 'cd /root/mdc && exec ./run demo' > "$log" 2>&1 & # $!: becomes mdc demo
demo=$!
first=
while kill -0 "$demo" 2>/dev/null; do
  if grep -q '"device": "meter-1"' "$log" && grep -q '"device": "meter-2"' "$log"; then first=$(now); break; fi
  [ $(($(now) - t)) -lt 3600 ] || break
  sleep 1
done
[ -n "$first" ] || { tail -n 30 "$log"; note "FAILED: no record from the demo"; exit 1; }
steps=$(grep -c '^==> ' "$log")
note "./run demo: first record of both meters after $(mmss $((first - t))) ($steps progress lines, apt output shown: $(grep -c '^Setting up ' "$log") 'Setting up' lines)"
note "  disk after the demo's packages and build: $(du -sh --one-file-system "$root" | cut -f1)"
for c in clang valgrind chromium psql node wrk; do
  inside "command -v $c" >/dev/null && { note "FAILED: the demo installed $c"; exit 1; }
done
note "  the demo installed no clang, valgrind, Chromium, PostgreSQL, Node.js or wrk"
# README "Using it", as written, beside the running demo
using=$work/using.log
: > "$using"
for cmd in 'build/mdc check -c data/mdc.json' 'build/mdc read -c data/mdc.json meter-1' \
  'build/mdc run -c data/mdc.json --once --data-dir data/once' \
  'build/mdc templates' 'build/mdc init -o /tmp/site.json modbus-tcp:192.0.2.10 sdm630 && build/mdc check -c /tmp/site.json' \
  "echo 'state off' > data/sim-meter-1.ctl" \
  "curl -s http://127.0.0.1:$http/api/devices | jq '.devices[] | {id, state, values}'" \
  'sqlite3 data/mdc.db "SELECT device, ts, status FROM status_history ORDER BY ts DESC LIMIT 5"'; do
  echo "\$ $cmd" >> "$using"
  inside "$cmd" >> "$using" 2>&1 || { cat "$using"; note "FAILED: $cmd"; exit 1; }
done
note "  README commands beside the demo: all ran ($using)"
kill -INT "$demo"
wait "$demo" && note "  Ctrl-C: the demo stopped, exit 0" || { note "FAILED: the demo exited $?"; exit 1; }
[ -z "$(procs_in_root)" ] || { note "FAILED: processes left: $(procs_in_root)"; exit 1; }
[ -n "$demo_only" ] && exit 0

# ---- 2. the test stack ----
t=$(now)
inside 'scripts/deps.sh test' > "$work/deps-test.log" 2>&1 || { tail -n 30 "$work/deps-test.log"; exit 1; }
note "scripts/deps.sh test: $(mmss $(($(now) - t))), disk $(du -sh --one-file-system "$root" | cut -f1)"
servers=$(for p in $(procs_in_root); do cat "/proc/$p/comm"; done | grep -E 'postgres|mosquitto' || true)
[ -z "$servers" ] || { note "FAILED: services started by the installation: $servers"; exit 1; }
[ ! -e "$root/usr/sbin/policy-rc.d" ] || { note "FAILED: policy-rc.d left behind"; exit 1; }
note "  no PostgreSQL or mosquitto server was started; policy-rc.d removed again"

# ---- 3. every test ----
t=$(now)
rc=0
inside './run test' > "$work/test.log" 2>&1 || rc=$?
grep -E 'tests passed|tests failed|^==> ' "$work/test.log" | tee -a "$report"
grep -A30 'The following tests' "$work/test.log" | tee -a "$report" || true
note "./run test: exit $rc after $(mmss $(($(now) - t))) (packages already installed)"
exit $rc
