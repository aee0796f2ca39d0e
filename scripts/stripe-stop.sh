#!/usr/bin/env bash
# Stop the localstripe server started by scripts/stripe.sh (same STRIPE_PORT / STRIPE_SERVICE_DIR),
# using its pid file. The data file is kept (STRIPE_RESET=1 on the next start wipes it);
# webhook registrations are not (they live in memory only).
set -euo pipefail

log() { printf '[stripe-stop] %s\n' "$*" >&2; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${STRIPE_PORT:-8420}"
BASE="${STRIPE_SERVICE_DIR:-$ROOT/.services/localstripe}"
SUFFIX=""
[[ "$PORT" == 8420 ]] || SUFFIX="-$PORT"
[[ -d "$BASE" ]] || { log "no $BASE; nothing to stop"; exit 0; }
BASE="$(cd "$BASE" && pwd)"
PID_FILE="$BASE/server$SUFFIX.pid"
LAUNCHER="$BASE/launch.py"

if [[ ! -f "$PID_FILE" ]]; then
    log "no pid file $PID_FILE; nothing to stop"
    exit 0
fi
pid="$(cat "$PID_FILE" 2>/dev/null || true)"
if ! [[ "$pid" =~ ^[0-9]+$ ]] || ! kill -0 "$pid" 2>/dev/null; then
    log "pid ${pid:-?} is not running; removing stale $PID_FILE"
    rm -f "$PID_FILE"
    exit 0
fi
# Never signal a recycled pid that is not our launcher.
if ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$LAUNCHER"; then
    log "pid $pid is not localstripe's launcher; removing stale $PID_FILE"
    rm -f "$PID_FILE"
    exit 0
fi

log "stopping localstripe (pid $pid, port $PORT)"
kill -TERM "$pid" 2>/dev/null || true
for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
done
if kill -0 "$pid" 2>/dev/null; then
    log "still running after 10 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
fi
rm -f "$PID_FILE"
log "stopped"
