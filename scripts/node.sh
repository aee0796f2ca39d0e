#!/usr/bin/env bash
# Install the npm test dependencies (axe-core and Lighthouse, pinned in package-lock.json) into
# node_modules/ with `npm ci`. Fast when node_modules is current: the lock's hash is kept in
# node_modules/.lock-sha256 and compared first. No package here downloads a browser: Lighthouse
# drives Debian's Chromium (CHROME_PATH=/usr/bin/chromium, installed by scripts/browser.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
if ! command -v npm >/dev/null; then
  echo "[node] installing Debian's nodejs and npm" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2 && apt-get install -y -q nodejs npm >&2
fi
stamp=node_modules/.lock-sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f node_modules/axe-core/axe.min.js ] \
    && [ -x node_modules/.bin/lighthouse ]; then
  exit 0
fi
echo "[node] npm ci (axe-core, lighthouse)" >&2
npm ci --no-audit --no-fund --loglevel=error >&2
echo "$want" > "$stamp"
