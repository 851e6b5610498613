#!/usr/bin/env bash
# Run the test suite; PostgreSQL tests run when a server answers on 127.0.0.1:5432.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TEST_DATABASE_URL:-}" ] && (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  export TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/postgres"
fi
exec .venv/bin/pytest -n 2 --dist loadgroup "$@"
