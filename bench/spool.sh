#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The durable spool: records/s appended (1 and 8 threads) and delivered to a null sink, against
# the record codec alone. Usage: bench/spool.sh BUILD [N]
set -uo pipefail
build=$(realpath "${1:-build}"); n=${2:-80000}
T=$(mktemp -d /tmp/mdc-bench-XXXXXX); trap 'rm -rf "$T"' EXIT
"$build/bench/bench_spool" "$T" "$n"
