#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The postgres sink's unit test (tests/unit/test_sink_postgres.c) against a real server: exact
# rows of both schemas, BELmc's rules record by record, exactly-once, clear connection errors.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/pg.sh"
: "${MDC_BUILD:?MDC_BUILD (the build directory) must be set}"
pg_start
MDC_TEST_PG=1 PG_PASSWORD=$PG_PASSWORD "$MDC_BUILD/tests/test_sink_postgres" > unit.log 2>&1 ||
  { cat unit.log >&2; fail "test_sink_postgres against PostgreSQL"; }
grep -q 'PASSED.*12 test' unit.log || { cat unit.log >&2; fail "every test ran"; }
pass "$(grep -c '^\[       OK \]' unit.log) postgres sink tests against PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}')"
