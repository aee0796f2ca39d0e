#!/usr/bin/env bash
# Stop the Elasticsearch node started by scripts/elasticsearch/start.sh (same ES_PORT /
# ES_SERVICE_DIR), using its pid file. Data is kept; ES_RESET=1 on the next start wipes it.
set -euo pipefail

log() { printf '[es-stop] %s\n' "$*" >&2; }

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
ES_PORT="${ES_PORT:-9201}"
ES_SERVICE_DIR="${ES_SERVICE_DIR:-$REPO_ROOT/.services/elasticsearch}"
PID_FILE="$ES_SERVICE_DIR/es-$ES_PORT.pid"
MAIN_CLASS="org.codelibs.elasticsearch.runner.ElasticsearchClusterRunner"

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
# Never kill a recycled pid that is not our JVM.
if ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$MAIN_CLASS"; then
    log "pid $pid is not an Elasticsearch cluster-runner JVM; removing stale $PID_FILE"
    rm -f "$PID_FILE"
    exit 0
fi

log "stopping Elasticsearch (pid $pid, port $ES_PORT)"
kill -TERM "$pid" 2>/dev/null || true
for _ in $(seq 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
done
if kill -0 "$pid" 2>/dev/null; then
    log "still running after 30 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
fi
rm -f "$PID_FILE"
log "stopped"
