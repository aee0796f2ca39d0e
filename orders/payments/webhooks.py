"""Stripe webhooks, processed exactly once.

The event id is recorded in `processed_webhooks` in the same transaction as what the event
changes; a redelivery finds it there (or hits the primary key) and changes nothing.
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from orders.models import Checkout, ProcessedWebhook
from orders.payments.service import apply_intent, record_outside_refund
from orders.payments.stripe import WebhookEvent, from_stripe_amount

log = logging.getLogger(__name__)

HANDLED = ("payment_intent.succeeded", "payment_intent.payment_failed", "charge.refunded")


def _checkout_for_intent(intent_id: str | None, reference: str | None = None) -> Checkout | None:
    """The checkout of a PaymentIntent: by the intent id it recorded, or, for an intent whose id
    was never recorded (the process stopped between creating it and saving the id), by the
    checkout reference the intent carries in its metadata."""
    if not intent_id:
        return None
    checkout = db.session.scalar(sa.select(Checkout).where(
        Checkout.stripe_payment_intent_id == intent_id).with_for_update())
    if checkout is None and reference:
        checkout = db.session.scalar(sa.select(Checkout).where(
            Checkout.reference == reference, Checkout.stripe_payment_intent_id.is_(None)).with_for_update())
        if checkout is not None:
            checkout.stripe_payment_intent_id = intent_id
    return checkout


def handle_event(event: WebhookEvent) -> str:
    """Apply one verified event; returns what happened (for logs and tests)."""
    outcome = _apply_event(event)
    log.info("webhook processed", extra={
        "event_id": event.id, "event_type": event.type, "object_id": event.object_id,
        "outcome": outcome})
    return outcome


def _apply_event(event: WebhookEvent) -> str:
    if db.session.get(ProcessedWebhook, event.id) is not None:
        return "duplicate"
    try:
        with db.session.begin_nested():
            db.session.add(ProcessedWebhook(event_id=event.id, event_type=event.type))
    except IntegrityError:
        return "duplicate"  # a concurrent delivery of the same event got there first
    if event.type not in HANDLED:
        return "ignored"
    obj = event.object
    if event.type.startswith("payment_intent."):
        checkout = _checkout_for_intent(event.object_id, (obj.get("metadata") or {}).get("checkout"))
        if checkout is None:
            return "unknown_intent"  # e.g. declined during checkout: nothing was kept
        status = "succeeded" if event.type == "payment_intent.succeeded" else obj.get("status")
        error = (obj.get("last_payment_error") or {}).get("message") or (
            "payment failed" if event.type == "payment_intent.payment_failed" else None)
        return apply_intent(checkout, status, error)
    # charge.refunded: refunds made outside the marketplace (Stripe dashboard) are recorded too
    checkout = _checkout_for_intent(obj.get("payment_intent"))
    if checkout is None:
        return "unknown_intent"
    return record_outside_refund(checkout, from_stripe_amount(obj.get("amount_refunded") or 0))
