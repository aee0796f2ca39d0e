#!/usr/bin/env bash
# Serve the marketplace at http://127.0.0.1:$PORT (default 5000), with its background worker.
# Embedded default: SQLite and the task queue in instance/, demo data generated on first start.
# With DATABASE_URL (and ELASTICSEARCH_URL, TASK_QUEUE_URL) set, the same on PostgreSQL (and
# Elasticsearch, Redis); demo data then only with DEMO_DATA=1, and never into a database that
# has users (`flask seed-demo` refuses).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PORT="${PORT:-5000}"
export FLASK_APP=wsgi.py
# A development server: the development SECRET_KEY is allowed (production refuses it).
export PASAR_ENV="${PASAR_ENV:-development}"
scripts/i18n.sh compile
# Pango and a font for the invoices' PDFs; without them (no root for apt-get) the rest still runs.
scripts/pdf.sh || echo "[pdf] could not install the PDF libraries: invoices are served as HTML only" >&2
.venv/bin/flask db upgrade
if [ -z "${DATABASE_URL:-}" ] || [ "${DEMO_DATA:-0}" = 1 ]; then
  .venv/bin/flask seed-demo --if-empty
fi
# Search: build the indexes the first time (the embedded one always; Elasticsearch when
# ELASTICSEARCH_URL is set), then apply anything still waiting in the outbox.
.venv/bin/flask search reindex --if-empty
.venv/bin/flask search sync || true
echo
echo "Pasar UMKM is running at http://127.0.0.1:$PORT"
echo "Demo accounts (password demo12345): admin@demo.test officer@demo.test seller@demo.test buyer@demo.test"
echo
# The web server and the worker (Procfile), stopped together with Ctrl-C.
exec .venv/bin/honcho start -f Procfile -p "$PORT" 2>&1
