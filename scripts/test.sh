#!/usr/bin/env bash
# Run the whole suite against real services started here: PostgreSQL (and Elasticsearch, the
# local Stripe API, Debian's Chromium and the PDF libraries). Extra arguments go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# Lint first: a style or import error fails the run before the services start.
.venv/bin/ruff check .
scripts/i18n.sh compile
scripts/browser.sh >&2
# Pango and a font for the invoices' PDFs (WeasyPrint).
scripts/pdf.sh >&2
# axe-core and Lighthouse for tests/browser (npm ci, skipped when node_modules is current).
scripts/node.sh
# Stripe test data lives in memory only and starts empty; tests empty it again as they need.
eval "$(PG_FAST=1 PG_DB=pasar_test STRIPE_PERSIST=0 STRIPE_PORT=${STRIPE_PORT:-8421} scripts/services.sh)"
export TEST_DATABASE_URL="$DATABASE_URL"
status=0
# Coverage of the five packages, printed at the end (settings in pyproject.toml).
.venv/bin/python -m pytest --cov --cov-report=term "$@" || status=$?
# pytest's 5 means "no tests ran": a broken suite, not a pass.
exit $status
