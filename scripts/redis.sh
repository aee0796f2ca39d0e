#!/usr/bin/env bash
# Start a Redis server for this checkout on loopback (Debian's redis-server; installed if missing)
# and print `export REDIS_URL=...` and `export TASK_QUEUE_URL=...` on stdout (the task queue's
# broker). Everything else goes to stderr. Idempotent.   REDIS_PORT (default 63790)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PORT="${REDIS_PORT:-63790}"
BASE="$ROOT/.services/redis"
log() { echo "[redis] $*" >&2; }

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  log "installing Debian's redis-server package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2 && apt-get install -y -q --no-install-recommends redis-server redis-tools >&2
fi
mkdir -p "$BASE"
if ! redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1; then
  log "starting on 127.0.0.1:$PORT (log $BASE/redis-$PORT.log)"
  # Append-only file: queued jobs survive a restart of the broker.
  redis-server --bind 127.0.0.1 --port "$PORT" --dir "$BASE" --daemonize yes \
    --appendonly yes --appendfilename "appendonly-$PORT.aof" --dbfilename "dump-$PORT.rdb" \
    --pidfile "$BASE/redis-$PORT.pid" --logfile "$BASE/redis-$PORT.log" --save "" >&2
  for _ in $(seq 1 50); do
    redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1 && break
    sleep 0.2
  done
  redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null || { log "did not answer"; exit 1; }
fi
echo "export REDIS_URL=redis://127.0.0.1:$PORT/0"
echo "export TASK_QUEUE_URL=redis://127.0.0.1:$PORT/0"
