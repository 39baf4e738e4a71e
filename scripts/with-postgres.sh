#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL server, so the store tests run against a
# real server as well as SQLite. Without PostgreSQL binaries the command runs alone and
# the PostgreSQL variants of the tests are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  eval "$(.ci/postgres.sh start)"
  trap '.ci/postgres.sh stop >/dev/null 2>&1 || true' EXIT
  echo "PostgreSQL 测试服务器：${COMPLIANCE_TEST_PG_URL}"
fi
"$@"
