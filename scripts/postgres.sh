#!/usr/bin/env bash
# Start a PostgreSQL server for this checkout on loopback (Debian's packages; installed if missing)
# and print `export DATABASE_URL=...` on stdout. Everything else goes to stderr. Idempotent.
#   PG_PORT (default 54320)   PG_DB (default pasar)   PG_FAST=1 turns off fsync (tests only)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PORT="${PG_PORT:-54320}"
DB="${PG_DB:-pasar}"
USER_NAME=pasar
PASSWORD=pasar
BASE="$ROOT/.services/postgres"
DATA="$BASE/data"
log() { echo "[postgres] $*" >&2; }

pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
if [ -z "$(pgbin)" ] || [ ! -x "$(pgbin)/initdb" ]; then
  log "installing Debian's postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2 && apt-get install -y -q postgresql >&2
fi
BIN="$(pgbin)"

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

mkdir -p "$BASE"
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$BASE"; fi

if ! as_pg "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
  if [ ! -f "$DATA/PG_VERSION" ]; then
    log "initialising a cluster in $DATA"
    pwfile="$(mktemp)"; echo postgres > "$pwfile"; chmod 644 "$pwfile"
    as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 >&2
    rm -f "$pwfile"
  fi
  extra=""
  if [ "${PG_FAST:-0}" = 1 ]; then
    extra="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  log "starting on 127.0.0.1:$PORT"
  as_pg "$BIN/pg_ctl" -D "$DATA" -l "$BASE/server.log" -w -t 60 start \
    -o "-p $PORT -k $BASE -c listen_addresses=127.0.0.1 -c max_connections=200 $extra" >&2
fi

psql_admin() { as_pg "$BIN/psql" -h "$BASE" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname='$USER_NAME'")" != 1 ]; then
  psql_admin -c "CREATE ROLE $USER_NAME LOGIN CREATEDB PASSWORD '$PASSWORD'" >&2
fi
for name in $DB ${PG_EXTRA_DBS:-}; do
  if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname='$name'")" != 1 ]; then
    psql_admin -c "CREATE DATABASE $name OWNER $USER_NAME" >&2
  fi
done
echo "export DATABASE_URL=postgresql+psycopg://$USER_NAME:$PASSWORD@127.0.0.1:$PORT/$DB"
