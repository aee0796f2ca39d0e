"""Card payments through Stripe: the only module that imports the `stripe` SDK.

Rupiah amounts go to Stripe as IDR in its two-decimal convention (Rp150.000 -> 15000000).
Every create call carries an idempotency key. `STRIPE_API_BASE` points the SDK at a local
Stripe-compatible server (localstripe) for development and tests; unset, it talks to Stripe.
Only parameters both real Stripe and localstripe accept are sent (text goes in `metadata`).
"""
from __future__ import annotations

from dataclasses import dataclass

import stripe
from flask import current_app

from marketplace.errors import DomainError


class PaymentsUnavailable(DomainError):
    status = 503
    code = "payments_unavailable"


@dataclass
class IntentResult:
    id: str | None
    status: str            # succeeded, requires_action, requires_payment_method, ..., failed
    client_secret: str | None = None
    error: str | None = None
    metadata: dict | None = None
    amount_idr: int | None = None


def to_stripe_amount(amount_idr: int) -> int:
    """IDR is a two-decimal currency for Stripe."""
    return int(amount_idr) * 100


def from_stripe_amount(amount: int) -> int:
    return int(amount) // 100


def configured() -> bool:
    return bool(current_app.config["STRIPE_SECRET_KEY"])


def _client() -> stripe.StripeClient:
    key = current_app.config["STRIPE_SECRET_KEY"]
    if not key:
        raise PaymentsUnavailable("Stripe is not configured (STRIPE_SECRET_KEY).")
    base = current_app.config["STRIPE_API_BASE"]
    kwargs = {"base_addresses": {"api": base}} if base else {}
    return stripe.StripeClient(key, max_network_retries=0 if base else 2, **kwargs)


def _result(pi) -> IntentResult:
    metadata = pi.metadata.to_dict() if getattr(pi, "metadata", None) else {}
    error = getattr(pi, "last_payment_error", None)
    return IntentResult(id=pi.id, status=pi.status, client_secret=getattr(pi, "client_secret", None),
                        error=getattr(error, "message", None) if error else None,
                        metadata=metadata, amount_idr=from_stripe_amount(pi.amount))


def create_intent(amount_idr: int, *, reference: str, idempotency_key: str,
                  payment_method_id: str | None = None) -> IntentResult:
    """Create a PaymentIntent for `amount_idr`; with a payment method, confirm it at once.

    A declined card answers status "failed" with the bank's message, not an exception.
    """
    params = {"amount": to_stripe_amount(amount_idr), "currency": "idr",
              "payment_method_types": ["card"], "metadata": {"checkout": reference}}
    if payment_method_id:
        params.update(payment_method=payment_method_id, confirm=True)
    try:
        pi = _client().v1.payment_intents.create(params, {"idempotency_key": idempotency_key})
    except stripe.CardError as exc:
        return IntentResult(id=None, status="failed", error=exc.user_message or str(exc))
    except stripe.StripeError as exc:
        raise PaymentsUnavailable(f"Stripe: {exc.user_message or exc}") from exc
    return _result(pi)


def retrieve_intent(intent_id: str) -> IntentResult:
    try:
        return _result(_client().v1.payment_intents.retrieve(intent_id))
    except stripe.StripeError as exc:
        raise PaymentsUnavailable(f"Stripe: {exc.user_message or exc}") from exc


def cancel_intent(intent_id: str) -> None:
    """Cancel an unpaid PaymentIntent so it can no longer be paid (expired checkouts)."""
    try:
        _client().v1.payment_intents.cancel(intent_id)
    except stripe.InvalidRequestError:
        pass  # already succeeded or cancelled: the caller re-reads its status
    except stripe.StripeError as exc:
        raise PaymentsUnavailable(f"Stripe: {exc.user_message or exc}") from exc


def refund(intent_id: str, amount_idr: int, *, idempotency_key: str) -> str:
    """Refund part or all of a payment; returns the Stripe refund id. Always names the amount."""
    try:
        refund_ = _client().v1.refunds.create(
            {"payment_intent": intent_id, "amount": to_stripe_amount(amount_idr)},
            {"idempotency_key": idempotency_key})
    except stripe.StripeError as exc:
        raise PaymentsUnavailable(f"Stripe: {exc.user_message or exc}") from exc
    return refund_.id


@dataclass
class WebhookEvent:
    id: str
    type: str
    object_id: str
    object: dict


class BadSignature(Exception):
    """The payload was not signed by Stripe with our endpoint secret (or is too old)."""


def parse_webhook(payload: bytes, signature: str | None) -> WebhookEvent:
    """Verify a webhook with `stripe.Webhook.construct_event` and the endpoint secret."""
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    if not secret or not signature:
        raise BadSignature("missing secret or signature")
    try:
        event = stripe.Webhook.construct_event(
            payload, signature, secret,
            tolerance=current_app.config["STRIPE_WEBHOOK_TOLERANCE"])
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise BadSignature(str(exc)) from exc
    obj = event.data.object
    return WebhookEvent(id=event.id, type=event.type, object_id=obj.id, object=obj.to_dict())


def create_test_payment_method(number: str, exp_month: int, exp_year: int, cvc: str) -> str:
    """A PaymentMethod id for a TEST card on the local Stripe-compatible server; never real cards.

    In production the browser hands card data to Stripe.js and only the resulting `pm_...` id
    reaches us. With STRIPE_API_BASE set (localstripe in development and tests) there is no
    Stripe.js, so the checkout page's card.js posts the test card here instead (the
    `orders.test_card` route, which exists only then). Refuses whenever STRIPE_API_BASE is not
    set, so this can never forward real card numbers to Stripe.
    """
    from flask_babel import lazy_gettext as _l

    from marketplace.errors import ValidationError

    if not current_app.config["STRIPE_API_BASE"]:
        raise PaymentsUnavailable("Test cards need the local Stripe API (STRIPE_API_BASE).")
    card = {"number": "".join(str(number or "").split()), "exp_month": exp_month,
            "exp_year": exp_year, "cvc": str(cvc or "").strip()}
    try:
        pm = _client().v1.payment_methods.create({"type": "card", "card": card})
    except (stripe.CardError, stripe.InvalidRequestError) as exc:
        raise ValidationError(_l("Data kartu uji tidak valid: %(reason)s",
                                 reason=exc.user_message or str(exc)),
                              fields={"card": _l("Data kartu uji tidak valid.")}) from exc
    except stripe.StripeError as exc:
        raise PaymentsUnavailable(f"Stripe: {exc.user_message or exc}") from exc
    return pm.id
