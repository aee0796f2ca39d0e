#!/usr/bin/env bash
# Serve the marketplace at http://127.0.0.1:$PORT (default 5000).
# Embedded default: SQLite in instance/, demo data generated on first start.
# With DATABASE_URL (and ELASTICSEARCH_URL) set, the same on PostgreSQL (and Elasticsearch).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PORT="${PORT:-5000}"
export FLASK_APP=wsgi.py
scripts/i18n.sh compile
.venv/bin/flask db upgrade
.venv/bin/flask seed-demo --if-empty
# Search: build the indexes the first time (the embedded one always; Elasticsearch when
# ELASTICSEARCH_URL is set), then apply anything still waiting in the outbox.
.venv/bin/flask search reindex --if-empty
.venv/bin/flask search sync || true
echo
echo "Pasar UMKM is running at http://127.0.0.1:$PORT"
echo "Demo accounts (password demo12345): admin@demo.test officer@demo.test seller@demo.test buyer@demo.test"
echo
exec .venv/bin/gunicorn --bind "127.0.0.1:$PORT" --workers 2 --threads 4 --access-logfile - wsgi:app
