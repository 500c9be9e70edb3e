#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server of its own: Debian's `postgresql` package
# (any version), a fresh cluster in a temporary folder, on a free loopback port, trust auth on
# loopback only, removed afterwards. The command sees two empty databases:
#   TEST_DATABASE_URL            the test system's database (tests/conftest.py)
#   MIGRATION_TEST_DATABASE_URL  a scratch one that the migration tests take down and up
# Usage: bash scripts/with_postgres.sh .venv/bin/pytest [args...]
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL's server is not installed (Debian: apt-get install postgresql)" >&2
  exit 2
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir=$(mktemp -d /tmp/wellbeing-pg.XXXXXX)
# The server refuses to run as root: as root, run it as the package's postgres user.
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  as_owner=(runuser -u postgres --)
fi
"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >/dev/null
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
stop() {
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
"$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres wellbeing_test
"$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres wellbeing_migrations
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
export TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/wellbeing_test"
export MIGRATION_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/wellbeing_migrations"
"$@"
