#!/usr/bin/env bash
# Start the services the marketplace talks to, on loopback, and print `export NAME=value` lines
# for a shell to eval:   eval "$(make -s services)"
#   PostgreSQL (DATABASE_URL), Elasticsearch (ELASTICSEARCH_URL), the local Stripe API
#   (STRIPE_API_BASE, with test keys and a webhook secret), Redis, the task queue's broker
#   (REDIS_URL, TASK_QUEUE_URL). SKIP_ELASTICSEARCH=1 / SKIP_STRIPE=1 / SKIP_REDIS=1 leave one out.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/postgres.sh"
if [ "${SKIP_REDIS:-0}" != 1 ]; then
  "$ROOT/scripts/redis.sh"
fi
if [ "${SKIP_ELASTICSEARCH:-0}" != 1 ]; then
  "$ROOT/scripts/elasticsearch/start.sh"
fi
if [ "${SKIP_STRIPE:-0}" != 1 ]; then
  "$ROOT/scripts/stripe.sh"
  # localstripe accepts any sk_/pk_ test key; the webhook secret is what the app verifies with.
  echo "export STRIPE_SECRET_KEY=sk_test_pasar_local"
  echo "export STRIPE_PUBLISHABLE_KEY=pk_test_pasar_local"
  echo "export STRIPE_WEBHOOK_SECRET=${STRIPE_WEBHOOK_SECRET:-whsec_pasar_local}"
fi
