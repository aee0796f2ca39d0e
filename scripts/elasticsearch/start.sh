#!/usr/bin/env bash
# Start a real, single-node Elasticsearch 7.10.2 on 127.0.0.1 from Maven Central
# artifacts (codelibs elasticsearch-cluster-runner, see pom.xml), wait until it is
# healthy, and print exactly one line on stdout:
#
#     export ELASTICSEARCH_URL=http://127.0.0.1:PORT
#
# Everything else goes to stderr, so this works:   eval "$(scripts/elasticsearch/start.sh)"
# Idempotent: if a healthy node already answers on the port, it only prints the line.
#
# Environment (all optional):
#   ES_PORT           HTTP port, 9201..9299 (default 9201). The runner's "base port" is ES_PORT-1.
#   ES_SERVICE_DIR    state directory (default: <repo>/.services/elasticsearch):
#                       lib/            runtime jars (built once by Maven, rebuilt when pom.xml changes)
#                       node-PORT/      node home: node_1/{config,data,logs}
#                       es-PORT.pid     pid of the JVM        es-PORT.log   JVM stdout/stderr
#   ES_HEAP           JVM heap, used for -Xms and -Xmx (default 1g)
#   ES_JAVA_OPTS      extra JVM options
#   ES_JAVA           java executable (default: $JAVA_HOME/bin/java, else java on PATH); Java 11+
#   ES_START_TIMEOUT  seconds to wait for yellow health (default 180)
#   ES_ANALYSIS_DIR   a directory whose files are copied to <config>/analysis/ on every start,
#                     so an index can use e.g. "synonyms_path": "analysis/synonyms.txt"
#   ES_RESET=1        wipe the node's data directory first (only when the node is not running)
#   MVN               Maven command (default: mvn)
set -euo pipefail

log() { printf '[es-start] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

ES_PORT="${ES_PORT:-9201}"
ES_SERVICE_DIR="${ES_SERVICE_DIR:-$REPO_ROOT/.services/elasticsearch}"
ES_HEAP="${ES_HEAP:-1g}"
ES_START_TIMEOUT="${ES_START_TIMEOUT:-180}"
MVN="${MVN:-mvn}"

[[ "$ES_PORT" =~ ^[0-9]+$ ]] || die "ES_PORT must be a number, got '$ES_PORT'"
# The cluster runner only hands out HTTP ports up to 9299 (and silently moves to the
# next free port if its port is taken, which start.sh rules out below).
(( ES_PORT >= 1025 && ES_PORT <= 9299 )) || die "ES_PORT must be in 1025..9299 (cluster-runner limit), got $ES_PORT"

URL="http://127.0.0.1:${ES_PORT}"
LIB_DIR="$ES_SERVICE_DIR/lib"
NODE_BASE="$ES_SERVICE_DIR/node-$ES_PORT"
CONF_DIR="$NODE_BASE/node_1/config"
PID_FILE="$ES_SERVICE_DIR/es-$ES_PORT.pid"
LOG_FILE="$ES_SERVICE_DIR/es-$ES_PORT.log"
MAIN_CLASS="org.codelibs.elasticsearch.runner.ElasticsearchClusterRunner"

mkdir -p "$ES_SERVICE_DIR"
ES_SERVICE_DIR="$(cd "$ES_SERVICE_DIR" && pwd)"

http_get() { # url -> body on stdout, non-zero exit unless HTTP 2xx
    if command -v curl >/dev/null 2>&1; then
        curl -fsS -m 10 "$1" 2>/dev/null
    else
        python3 - "$1" <<'PY' 2>/dev/null
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
    sys.stdout.write(r.read().decode())
PY
    fi
}

is_healthy() { # yellow or green, and really an Elasticsearch cluster
    local body
    body="$(http_get "$URL/_cluster/health?wait_for_status=yellow&timeout=1s")" || return 1
    [[ "$body" == *'"cluster_name"'* && "$body" != *'"timed_out":true'* ]]
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

our_pid() { # prints the pid if the pid file points at a live cluster-runner JVM
    local pid
    [[ -f "$PID_FILE" ]] || return 1
    pid="$(cat "$PID_FILE" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$MAIN_CLASS" || return 1
    echo "$pid"
}

print_url() { echo "export ELASTICSEARCH_URL=$URL"; }

# Fast path: a healthy node is already there.
if is_healthy; then
    log "Elasticsearch already healthy at $URL"
    print_url
    exit 0
fi

# Serialize concurrent start.sh runs (classpath build + launch decision).
exec 9>"$ES_SERVICE_DIR/.start.lock"
if command -v flock >/dev/null 2>&1; then
    flock -w 900 9 || die "could not get $ES_SERVICE_DIR/.start.lock"
fi

# ---- 1. runtime jars (once; again only when pom.xml changes or jars vanished) ----
POM="$SCRIPT_DIR/pom.xml"
STAMP="$(sha256sum "$POM" | cut -d' ' -f1)"
if [[ "$(cat "$LIB_DIR/.stamp" 2>/dev/null || true)" != "$STAMP" ]] || ! ls "$LIB_DIR"/elasticsearch-7.*.jar >/dev/null 2>&1; then
    command -v "$MVN" >/dev/null 2>&1 || die "Maven ('$MVN') is needed to fetch Elasticsearch jars"
    log "Resolving Elasticsearch jars from Maven Central into $LIB_DIR (first run only) ..."
    t0=$SECONDS
    rm -rf "$LIB_DIR.tmp"
    if ! "$MVN" -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$LIB_DIR.tmp" >"$ES_SERVICE_DIR/mvn.log" 2>&1; then
        grep -E 'ERROR|BUILD' "$ES_SERVICE_DIR/mvn.log" | tail -n 30 >&2 || true
        die "Maven dependency resolution failed, see $ES_SERVICE_DIR/mvn.log"
    fi
    echo "$STAMP" >"$LIB_DIR.tmp/.stamp"
    rm -rf "$LIB_DIR"
    mv "$LIB_DIR.tmp" "$LIB_DIR"
    log "jars ready ($(ls "$LIB_DIR"/*.jar | wc -l) files, $((SECONDS - t0)) s)"
fi

# ---- 2. launch, unless our node for this port is already starting/running ----
if pid="$(our_pid)"; then
    log "node already running (pid $pid), waiting for it to become healthy"
else
    rm -f "$PID_FILE"
    # The runner would silently pick another port if this one is taken.
    port_in_use "$ES_PORT" && die "port $ES_PORT on 127.0.0.1 is in use by something that is not a healthy Elasticsearch"

    if [[ -n "${JAVA_HOME:-}" && -x "${JAVA_HOME}/bin/java" ]]; then
        JAVA_BIN="${ES_JAVA:-$JAVA_HOME/bin/java}"
    else
        JAVA_BIN="${ES_JAVA:-java}"
    fi
    command -v "$JAVA_BIN" >/dev/null 2>&1 || die "java not found (set ES_JAVA or JAVA_HOME)"

    if [[ "${ES_RESET:-}" == 1 ]]; then
        log "ES_RESET=1: wiping $NODE_BASE/node_1/data"
        rm -rf "$NODE_BASE/node_1/data"
    fi
    mkdir -p "$CONF_DIR" "$NODE_BASE/tmp"

    # Written on every start so changes here take effect. The runner itself adds
    # path.*, cluster.name, node.name, http.port and node.roles. No x-pack in this
    # build, so there is nothing (ML, security, ...) to switch off.
    cat >"$CONF_DIR/elasticsearch.yml" <<'YML'
# Generated by scripts/elasticsearch/start.sh - edits are overwritten on next start.
network.host: 127.0.0.1
discovery.type: single-node
cluster.routing.allocation.disk.threshold_enabled: false
bootstrap.memory_lock: false
YML

    if [[ -n "${ES_ANALYSIS_DIR:-}" ]]; then
        [[ -d "$ES_ANALYSIS_DIR" ]] || die "ES_ANALYSIS_DIR=$ES_ANALYSIS_DIR is not a directory"
        mkdir -p "$CONF_DIR/analysis"
        cp -R "$ES_ANALYSIS_DIR"/. "$CONF_DIR/analysis/"
        log "copied $ES_ANALYSIS_DIR into $CONF_DIR/analysis"
    fi

    # JVM flags taken from Elasticsearch 7.10's own jvm.options, plus:
    #  es.distribution.flavor=default  -> elasticsearch-py 7.14+ accepts the server
    #  log4j2.formatMsgNoLookups=true  -> belt and braces against Log4Shell
    # shellcheck disable=SC2206
    JVM_OPTS=(
        "-Xms$ES_HEAP" "-Xmx$ES_HEAP"
        -XX:+UseG1GC -XX:G1ReservePercent=25 -XX:InitiatingHeapOccupancyPercent=30
        -XX:-OmitStackTraceInFastThrow
        -Dfile.encoding=UTF-8 -Djava.awt.headless=true
        "-Djava.io.tmpdir=$NODE_BASE/tmp"
        -Djna.nosys=true
        -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true
        -Dio.netty.recycler.maxCapacityPerThread=0 -Dio.netty.allocator.numDirectArenas=0
        -Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true -Dlog4j2.formatMsgNoLookups=true
        -Des.distribution.flavor=default -Des.distribution.type=tar
        ${ES_JAVA_OPTS:-}
    )
    RUNNER_ARGS=(
        -basePath "$NODE_BASE"
        -numOfNode 1
        -baseHttpPort "$((ES_PORT - 1))"
        -clusterName "local-es-$ES_PORT"
    )

    log "starting Elasticsearch 7.10.2 on $URL (heap $ES_HEAP, log $LOG_FILE)"
    {
        echo "=== $(date -Is) start.sh: $JAVA_BIN ${JVM_OPTS[*]} -cp '$LIB_DIR/*' $MAIN_CLASS ${RUNNER_ARGS[*]}"
    } >>"$LOG_FILE"
    # The JVM writes its own pid (exec keeps it), runs in its own session, and does
    # not inherit the lock fd or our stdout (so `$(start.sh)` returns).
    SETSID=()
    command -v setsid >/dev/null 2>&1 && SETSID=(setsid)
    nohup "${SETSID[@]}" bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PID_FILE" \
        "$JAVA_BIN" "${JVM_OPTS[@]}" -cp "$LIB_DIR/*" "$MAIN_CLASS" "${RUNNER_ARGS[@]}" \
        </dev/null >>"$LOG_FILE" 2>&1 9>&- &
    for _ in $(seq 100); do our_pid >/dev/null && break; sleep 0.1; done
    if ! pid="$(our_pid)"; then
        tail -n 40 "$LOG_FILE" >&2 || true
        die "JVM did not start, see $LOG_FILE"
    fi
fi

# Release the lock before the (long) wait; a parallel start.sh will find our pid.
exec 9>&-

# ---- 3. wait for yellow ----
t0=$SECONDS
while (( SECONDS - t0 < ES_START_TIMEOUT )); do
    if is_healthy; then
        log "Elasticsearch healthy at $URL after $((SECONDS - t0)) s (pid $pid)"
        print_url
        exit 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
        log "Elasticsearch JVM (pid $pid) exited; last lines of $LOG_FILE:"
        tail -n 40 "$LOG_FILE" >&2 || true
        rm -f "$PID_FILE"
        exit 1
    fi
    sleep 1
done
log "Elasticsearch not healthy after ${ES_START_TIMEOUT} s; last lines of $LOG_FILE:"
tail -n 40 "$LOG_FILE" >&2 || true
log "it is still running (pid $pid); stop it with scripts/elasticsearch/stop.sh"
exit 1
