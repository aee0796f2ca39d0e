#!/usr/bin/env bash
# Run every benchmark in bench/ (each prints its figures and ratios) against PostgreSQL, started
# here with its own database, pasar_bench, which the benchmarks may wipe; SQLite needs nothing.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# bench/lighthouse.py runs Lighthouse (npm) on Debian's Chromium.
scripts/browser.sh >&2
scripts/node.sh
eval "$(PG_DB=pasar_bench scripts/postgres.sh)"
export DATABASE_URL
# The card path (bench/card_checkout.py) pays through the local Stripe API.
eval "$(STRIPE_PERSIST=0 scripts/stripe.sh)"
export STRIPE_API_BASE
status=0
for bench in bench/*.py; do
  echo "== $bench"
  .venv/bin/python "$bench" || status=$?
done
exit $status
