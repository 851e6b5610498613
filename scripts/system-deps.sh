#!/usr/bin/env bash
# Install and start what the tests need from outside PyPI: Debian's chromium
# (driven by Playwright) and a PostgreSQL server. Idempotent; quick when done.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pg_ctlcluster >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 \
  || [ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing ${need[*]}: browser or PostgreSQL tests will be skipped (run as root to install)"
  fi
fi

# A PostgreSQL server on 127.0.0.1:5432 (trust auth), started if none answers.
pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if ! pg_up && [ "$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null 2>&1; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$version" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    pg_createcluster "$version" main >/dev/null
  fi
  conf=/etc/postgresql/$version/main
  if ! grep -q "tidings-tests" "$conf/pg_hba.conf" 2>/dev/null; then
    sed -i '1i host all all 127.0.0.1/32 trust # tidings-tests\nlocal all all trust # tidings-tests' "$conf/pg_hba.conf"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
if pg_up; then echo "PostgreSQL answers on 127.0.0.1:5432"; else echo "no PostgreSQL: its tests will be skipped"; fi
