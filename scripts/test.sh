#!/usr/bin/env bash
# Run the whole suite against real services started here: PostgreSQL (and Elasticsearch, the
# local Stripe API, Debian's Chromium and the PDF libraries). Extra arguments go to pytest.
#   TEST_WORKERS (default 2): pytest-xdist worker processes; 1 runs the suite in one process.
#   Each worker has its own database, search prefix and local Stripe API (tests/conftest.py),
#   the latter on STRIPE_PORT (default 8421), STRIPE_PORT+1, ...
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
WORKERS="${TEST_WORKERS:-2}"
STRIPE_PORT="${STRIPE_PORT:-8421}"
[[ "$WORKERS" =~ ^[1-9][0-9]*$ ]] || { echo "TEST_WORKERS must be 1 or more, got '$WORKERS'" >&2; exit 2; }
# Lint first: a style or import error fails the run before the services start.
.venv/bin/ruff check .
scripts/i18n.sh compile
scripts/browser.sh >&2
# Pango and a font for the invoices' PDFs (WeasyPrint).
scripts/pdf.sh >&2
# axe-core and Lighthouse for tests/browser (npm ci, skipped when node_modules is current).
scripts/node.sh
# Stripe test data lives in memory only and starts empty; tests empty it again as they need.
eval "$(PG_FAST=1 PG_DB=pasar_test STRIPE_PERSIST=0 STRIPE_PORT=$STRIPE_PORT scripts/services.sh)"
export TEST_DATABASE_URL="$DATABASE_URL"
parallel=()
if (( WORKERS > 1 )); then
  # One local Stripe API per worker: the tests empty theirs as they start (tests/orders/conftest.py).
  bases="$STRIPE_API_BASE"
  for ((i = 1; i < WORKERS; i++)); do
    line="$(STRIPE_PERSIST=0 STRIPE_PORT=$((STRIPE_PORT + i)) scripts/stripe.sh)"
    bases="$bases,${line#export STRIPE_API_BASE=}"
  done
  export STRIPE_API_BASES="$bases"
  # loadgroup: tests are dealt out one by one as workers free up (an even finish), except those
  # marked xdist_group, which stay together on one worker.
  parallel=(-n "$WORKERS" --dist loadgroup)
fi
status=0
# Coverage of the six packages, printed at the end (settings in pyproject.toml); with workers,
# pytest-cov combines theirs.
.venv/bin/python -m pytest "${parallel[@]}" --cov --cov-report=term "$@" || status=$?
# pytest's 5 means "no tests ran": a broken suite, not a pass.
exit $status
