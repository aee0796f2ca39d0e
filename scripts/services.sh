#!/usr/bin/env bash
# Start the services the marketplace talks to, on loopback, and print `export NAME=value` lines
# for a shell to eval:   eval "$(make -s services)"
# PostgreSQL always; Elasticsearch and the local Stripe API as their issues land.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/postgres.sh"
if [ -x "$ROOT/scripts/elasticsearch/start.sh" ] && [ "${SKIP_ELASTICSEARCH:-0}" != 1 ]; then
  "$ROOT/scripts/elasticsearch/start.sh"
fi
