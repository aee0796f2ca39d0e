#!/usr/bin/env bash
# Start a local, stateful Stripe-compatible API (localstripe 1.15.10, from PyPI) on loopback for
# tests and development, wait until it answers, and print exactly one line on stdout:
#
#     export STRIPE_API_BASE=http://127.0.0.1:PORT
#
# Everything else goes to stderr, so this works:   eval "$(scripts/stripe.sh)"
# Idempotent: if localstripe already answers on the port, it only prints the line.
# Stop it with scripts/stripe-stop.sh. How the `stripe` SDK talks to it: scripts/STRIPE-NOTES.md.
#
# localstripe gets its OWN virtualenv (.services/localstripe/venv), so its aiohttp & co. never
# meet the app's .venv. It is not started with its own `localstripe` console script: that binds
# [::]:PORT (every interface, IPv4 and IPv6) and has no host option, and it keeps its data in the
# fixed file /tmp/localstripe.pickle shared by every instance. A small launcher written by this
# script (.services/localstripe/launch.py) runs the same aiohttp app on 127.0.0.1 only, with its
# data in a file of its own per port.
#
# Environment (all optional):
#   STRIPE_PORT           port (default 8420, localstripe's own default)
#   STRIPE_SERVICE_DIR    state directory (default <repo>/.services/localstripe):
#                           venv/            localstripe's virtualenv (rebuilt when the pins change)
#                           launch.py        the launcher (rewritten on every start)
#                           server.log       log (server-PORT.log when STRIPE_PORT is not 8420)
#                           server.pid       pid (server-PORT.pid likewise)
#                           store.pickle     the data, kept across restarts (store-PORT.pickle)
#   STRIPE_PERSIST=0      keep the data in memory only (nothing written to disk; faster)
#   STRIPE_RESET=1        start with no data (wipes the store file; only when not running).
#                         A running server is emptied with:  curl -X DELETE $STRIPE_API_BASE/_config/data
#   STRIPE_WEBHOOK_URL    with STRIPE_WEBHOOK_SECRET: register this endpoint (id "app") for every
#   STRIPE_WEBHOOK_SECRET event, also when the server was already running. Registrations live in
#                         memory only: a restarted server has none until registered again.
#   STRIPE_PYTHON         Python 3.9+ used to make the virtualenv (default python3)
#   STRIPE_START_TIMEOUT  seconds to wait for the server to answer (default 60)
set -euo pipefail

log() { printf '[stripe] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${STRIPE_PORT:-8420}"
BASE="${STRIPE_SERVICE_DIR:-$ROOT/.services/localstripe}"
PYTHON="${STRIPE_PYTHON:-python3}"
TIMEOUT="${STRIPE_START_TIMEOUT:-60}"

[[ "$PORT" =~ ^[0-9]+$ ]] && (( PORT >= 1 && PORT <= 65535 )) || die "STRIPE_PORT must be a port number, got '$PORT'"

# Exact pins, resolved and tested on Python 3.11 (localstripe 1.15.10 only asks for
# aiohttp and python-dateutil, unpinned; the rest is their closure).
PINS=(
    localstripe==1.15.10
    aiohttp==3.14.5
    aiohappyeyeballs==2.7.1
    aiosignal==1.4.0
    attrs==26.1.0
    frozenlist==1.8.0
    idna==3.20
    multidict==7.2.1
    propcache==0.5.4
    yarl==1.25.1
    python-dateutil==4.0.0
    typing_extensions==4.16.0
    tzdata==2026.6
)

URL="http://127.0.0.1:$PORT"
SUFFIX=""
[[ "$PORT" == 8420 ]] || SUFFIX="-$PORT"
mkdir -p "$BASE"
BASE="$(cd "$BASE" && pwd)"
VENV="$BASE/venv"
LAUNCHER="$BASE/launch.py"
LOG_FILE="$BASE/server$SUFFIX.log"
PID_FILE="$BASE/server$SUFFIX.pid"
STORE="$BASE/store$SUFFIX.pickle"

print_url() { echo "export STRIPE_API_BASE=$URL"; }

# Is localstripe (not just anything) answering? It has no health endpoint: list one
# PaymentIntent with any sk_ key (GET /v1/balance would create a Balance and an event).
is_up() {
    local body
    body="$(curl -fsS -m 5 -u sk_test_healthcheck: "$URL/v1/payment_intents?limit=1" 2>/dev/null)" || return 1
    [[ "$body" == *'"object": "list"'* && "$body" == *'"url": "/v1/payment_intents"'* ]]
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

our_pid() { # the pid from the pid file, if it is a live launcher of ours
    local pid
    [[ -f "$PID_FILE" ]] || return 1
    pid="$(cat "$PID_FILE" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$LAUNCHER" || return 1
    echo "$pid"
}

register_webhook() {
    [[ -n "${STRIPE_WEBHOOK_URL:-}" ]] || return 0
    [[ -n "${STRIPE_WEBHOOK_SECRET:-}" ]] || die "STRIPE_WEBHOOK_URL is set but STRIPE_WEBHOOK_SECRET is not"
    curl -fsS -m 5 -o /dev/null "$URL/_config/webhooks/app" \
        --data-urlencode "url=$STRIPE_WEBHOOK_URL" --data-urlencode "secret=$STRIPE_WEBHOOK_SECRET" \
        || die "could not register the webhook $STRIPE_WEBHOOK_URL"
    log "webhook 'app' -> $STRIPE_WEBHOOK_URL registered"
}

command -v curl >/dev/null 2>&1 || die "curl is needed"

# Fast path: already answering.
if is_up; then
    log "localstripe already answering at $URL"
    register_webhook
    print_url
    exit 0
fi

# Serialize concurrent runs (venv build + launch decision).
exec 9>"$BASE/.start.lock"
command -v flock >/dev/null 2>&1 && { flock -w 600 9 || die "could not lock $BASE/.start.lock"; }

# ---- 1. localstripe's own virtualenv (again only when the pins or the Python change) ----
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 9))' 2>/dev/null \
    || die "$PYTHON is not Python 3.9+ (set STRIPE_PYTHON)"
STAMP="$( { printf '%s\n' "${PINS[@]}"; "$PYTHON" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$VENV/.stamp" 2>/dev/null || true)" != "$STAMP" ]] || [[ ! -x "$VENV/bin/python" ]]; then
    log "installing localstripe into $VENV (its own virtualenv) ..."
    t0=$SECONDS
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" >&2
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${PINS[@]}" >&2 \
        || die "pip could not install ${PINS[*]}"
    echo "$STAMP" >"$VENV/.stamp"
    log "localstripe installed ($((SECONDS - t0)) s)"
fi

# ---- 2. the launcher: localstripe's app, bound to 127.0.0.1, store file per port ----
cat >"$LAUNCHER.tmp" <<'PY'
# Generated by scripts/stripe.sh on every start - edits are overwritten.
# Runs localstripe's aiohttp app like `localstripe --port N` does, except that it binds the given
# host only (localstripe itself binds [::], every interface) and keeps its data in --store
# instead of the fixed /tmp/localstripe.pickle (none at all with --store '').
import argparse
import logging
import os
import pickle

from aiohttp import web

import localstripe
from localstripe import resources
from localstripe.server import app

parser = argparse.ArgumentParser()
parser.add_argument('--host', default='127.0.0.1')
parser.add_argument('--port', type=int, default=8420)
parser.add_argument('--store', default='', help="pickle file for the data; '' = memory only")
args = parser.parse_args()


def _load(self):
    if not args.store or not os.path.exists(args.store):
        return
    with open(args.store, 'rb') as f:
        old = pickle.load(f)
    dict.clear(self)
    dict.update(self, old)


def _dump(self):
    if not args.store:
        return
    tmp = args.store + '.tmp'
    with open(tmp, 'wb') as f:
        pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, args.store)


resources.Store.try_load_from_disk = _load
resources.Store.dump_to_disk = _dump
# localstripe also dumps the whole store on every store[key] = obj, which happens in the middle
# of each object's constructor (the file could keep a half-built object, e.g. an event with no
# type) and several times per request. Dump only after each POST/PUT/DELETE (localstripe's own
# middleware does that) and at shutdown.
resources.Store.__setitem__ = dict.__setitem__
resources.Store.__delitem__ = dict.__delitem__
resources.store.try_load_from_disk()


async def _dump_at_exit(_app):
    resources.store.dump_to_disk()


app.on_cleanup.append(_dump_at_exit)

access = logging.getLogger('aiohttp.access')
access.setLevel(logging.DEBUG)
access.addHandler(logging.StreamHandler())

print('localstripe %s on http://%s:%d, store %s'
      % (localstripe.__version__, args.host, args.port, args.store or '(memory)'), flush=True)
web.run_app(app, host=args.host, port=args.port, access_log=access, print=None)
PY
mv "$LAUNCHER.tmp" "$LAUNCHER"

# ---- 3. launch, unless ours is already starting ----
if pid="$(our_pid)"; then
    log "localstripe already starting (pid $pid), waiting for it"
else
    rm -f "$PID_FILE"
    port_in_use "$PORT" && die "port $PORT on 127.0.0.1 is in use by something that is not localstripe"
    if [[ "${STRIPE_RESET:-0}" == 1 ]]; then
        log "STRIPE_RESET=1: wiping $STORE"
        rm -f "$STORE"
    fi
    store_arg="$STORE"
    [[ "${STRIPE_PERSIST:-1}" == 0 ]] && store_arg=""
    log "starting localstripe on $URL (log $LOG_FILE)"
    echo "=== $(date -Is) scripts/stripe.sh: port $PORT, store ${store_arg:-(memory)}" >>"$LOG_FILE"
    SETSID=()
    command -v setsid >/dev/null 2>&1 && SETSID=(setsid)
    # The launcher writes its own pid (exec keeps it), runs in its own session, and holds
    # neither the lock nor our stdout (so `$(scripts/stripe.sh)` returns).
    PYTHONUNBUFFERED=1 nohup "${SETSID[@]}" bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PID_FILE" \
        "$VENV/bin/python" "$LAUNCHER" --host 127.0.0.1 --port "$PORT" --store "$store_arg" \
        </dev/null >>"$LOG_FILE" 2>&1 9>&- &
    for _ in $(seq 50); do our_pid >/dev/null && break; sleep 0.1; done
    pid="$(our_pid)" || { tail -n 30 "$LOG_FILE" >&2 || true; die "localstripe did not start, see $LOG_FILE"; }
fi
exec 9>&-

# ---- 4. wait until it answers ----
t0=$SECONDS
while (( SECONDS - t0 < TIMEOUT )); do
    if is_up; then
        log "localstripe answering at $URL (pid $pid)"
        register_webhook
        print_url
        exit 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
        log "localstripe (pid $pid) exited; last lines of $LOG_FILE:"
        tail -n 30 "$LOG_FILE" >&2 || true
        rm -f "$PID_FILE"
        exit 1
    fi
    sleep 0.2
done
log "localstripe not answering after $TIMEOUT s; last lines of $LOG_FILE:"
tail -n 30 "$LOG_FILE" >&2 || true
log "it is still running (pid $pid); stop it with scripts/stripe-stop.sh"
exit 1
