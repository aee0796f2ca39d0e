"""Orders' Prometheus counters (exposed by the core's /metrics with every other metric).

Counted where the thing happens: a checkout placed (`place_checkout`), a card declined while
checking out (`start_card_payment`) and a failed payment attempt reported by Stripe
(`apply_intent`, from webhooks and reconciliation).
"""
from __future__ import annotations

from prometheus_client import Counter

from orders.models import PaymentMethod

CHECKOUTS = Counter("pasar_checkouts", "Checkouts placed", ["payment_method"])
PAYMENT_FAILURES = Counter("pasar_payment_failures", "Card payments that failed",
                           ["kind"])  # "declined" at checkout, "failed_attempt" later
for _method in PaymentMethod:
    CHECKOUTS.labels(payment_method=str(_method))
for _kind in ("declined", "failed_attempt"):
    PAYMENT_FAILURES.labels(kind=_kind)


def checkout_placed(checkout) -> None:
    """Count a checkout that was placed."""
    CHECKOUTS.labels(payment_method=str(checkout.payment_method)).inc()
