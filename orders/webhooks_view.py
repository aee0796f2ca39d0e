"""POST /webhooks/stripe: Stripe's signed events (no session, no CSRF: the signature is the proof)."""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request

from orders.payments.stripe import BadSignature, parse_webhook
from orders.payments.webhooks import handle_event

bp = Blueprint("orders_webhooks", __name__)
log = logging.getLogger(__name__)


@bp.post("/webhooks/stripe")
def stripe_webhook():
    try:
        event = parse_webhook(request.get_data(), request.headers.get("Stripe-Signature"))
    except BadSignature as exc:
        log.warning("refused a Stripe webhook: %s", exc)
        return jsonify({"error": {"code": "bad_signature", "message": "invalid signature",
                                  "fields": {}}}), 400
    outcome = handle_event(event)
    return jsonify({"received": True, "outcome": outcome})
