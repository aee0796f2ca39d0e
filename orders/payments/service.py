"""What payments do to checkouts and orders: paying, refunds, expiry and reconciliation.

Every function here changes rows inside the caller's transaction and flushes; the request (or
the job) commits once at its end. Card money moves through `orders.payments.stripe` only.
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from marketplace.accounts.models import User
from marketplace.errors import Conflict, DomainError, Forbidden, NotFound, ValidationError
from marketplace.extensions import db
from marketplace.i18n import rupiah
from marketplace.timeutil import utcnow
from orders import state
from orders.ledger import service as ledger
from orders.metrics import PAYMENT_FAILURES
from orders.models import Checkout, Order, OrderStatus, PaymentMethod, PaymentStatus, Refund
from orders.notifications import notify
from orders.payments import stripe as gateway

log = logging.getLogger(__name__)


class PaymentDeclined(DomainError):
    status = 402
    code = "payment_declined"
    default_message = _l("Pembayaran ditolak oleh bank penerbit kartu.")


def start_card_payment(checkout: Checkout, payment_method_id: str | None) -> None:
    """Create the checkout's PaymentIntent (confirmed at once with a payment method).

    A declined card raises PaymentDeclined, so the caller's rollback keeps nothing; a card
    that succeeds at once marks the checkout paid.
    """
    intent = gateway.create_intent(
        checkout.total_idr, reference=checkout.reference,
        idempotency_key=f"checkout-{checkout.reference}", payment_method_id=payment_method_id)
    if intent.status == "failed":
        PAYMENT_FAILURES.labels(kind="declined").inc()
        log.info("card payment declined", extra={
            "checkout_id": checkout.id, "checkout_reference": checkout.reference,
            "buyer_id": checkout.buyer_id, "amount_idr": checkout.total_idr})
        raise PaymentDeclined(intent.error or PaymentDeclined.default_message)
    checkout.stripe_payment_intent_id = intent.id
    checkout.stripe_client_secret = intent.client_secret
    if intent.status == "succeeded":
        mark_paid(checkout)


def mark_paid(checkout: Checkout) -> None:
    """The whole checkout is paid (a card, or finance confirming a transfer or QRIS payment):
    every pending order moves to paid."""
    if checkout.payment_status == PaymentStatus.PAID:
        return
    checkout.payment_status = PaymentStatus.PAID
    checkout.paid_at = utcnow()
    checkout.payment_error = None
    for order in checkout.orders:
        if order.status == OrderStatus.PENDING_PAYMENT:
            state.transition(order, "pay", actor=None)
    db.session.flush()
    # cash in; each paid order's money held for its store. A card was charged the whole total,
    # an order cancelled before payment included: that part is owed back to the buyer.
    # A transfer also carries its unique code, the platform's.
    ledger.record_payment(checkout, amount_idr=checkout.total_idr
                          if checkout.payment_method == PaymentMethod.CARD else None,
                          unique_code_idr=checkout.unique_code)
    log.info("payment marked paid", extra={
        "checkout_id": checkout.id, "checkout_reference": checkout.reference,
        "order_ids": [o.id for o in checkout.orders], "amount_idr": checkout.total_idr})


def settle_checkout(checkout: Checkout) -> None:
    """Keep the checkout's payment status in step with its orders: all of them cancelled or
    expired before payment, or all refunded. (Paying is `mark_paid`'s, for the whole checkout.)"""
    statuses = {o.status for o in checkout.orders}
    if checkout.payment_status == PaymentStatus.PENDING and statuses <= {
            OrderStatus.CANCELLED, OrderStatus.EXPIRED}:
        checkout.payment_status = (PaymentStatus.EXPIRED if OrderStatus.EXPIRED in statuses
                                   else PaymentStatus.CANCELLED)
    if checkout.orders and all(o.refunded_idr >= o.total_idr and o.total_idr > 0
                               for o in checkout.orders):
        checkout.payment_status = PaymentStatus.REFUNDED


def refund_order(order: Order, amount_idr, *, reason: str, actor: User | None) -> Refund:
    """Give money back for an order, in part or in full (its seller or an admin).

    Card payments go back through Stripe; bank transfers are recorded as refunded by hand.
    """
    if actor is not None and state.role_of(order, actor) not in (state.SELLER, state.ADMIN):
        raise Forbidden() if state.role_of(order, actor) == state.BUYER else NotFound()
    if isinstance(amount_idr, bool) or not isinstance(amount_idr, int):
        raise ValidationError(fields={"amount_idr": _l("Harus bilangan bulat rupiah.")})
    # the order's row lock, re-read: a release (or another refund) racing this one waits, and
    # what remains below is what is left after it
    ledger.lock_order(order)
    reason = (reason or "").strip()
    errors = {}
    if amount_idr <= 0:
        errors["amount_idr"] = _l("Minimal %(n)s.", n=1)
    if not reason:
        errors["reason"] = _l("Tuliskan alasan pengembalian dana.")
    elif len(reason) > state.MAX_REASON:
        errors["reason"] = _l("Maksimal %(n)d karakter.", n=state.MAX_REASON)
    if errors:
        raise ValidationError(fields=errors)
    if not any(e.action == "pay" for e in order.events):
        raise Conflict(_l("Pesanan ini belum dibayar."), code="not_paid")
    remaining = order.total_idr - order.refunded_idr
    if amount_idr > remaining:
        raise Conflict(_l("Melebihi dana yang tersisa (%(n)s).", n=remaining), code="refund_too_large",
                       fields={"amount_idr": _l("Maksimal %(n)s.", n=remaining)})
    refund = Refund(order_id=order.id, amount_idr=amount_idr, reason=reason,
                    actor_id=actor.id if actor else None)
    checkout = order.checkout
    if checkout.payment_method == PaymentMethod.CARD:
        refund.stripe_refund_id = gateway.refund(
            checkout.stripe_payment_intent_id, amount_idr,
            idempotency_key=f"refund-{order.id}-{order.refunded_idr}-{amount_idr}")
    order.refunded_idr += amount_idr
    db.session.add(refund)
    db.session.flush()
    ledger.record_refund(order, refund, actor=actor)
    notify(order.buyer_id, "refund_issued", order, amount=rupiah(amount_idr))
    settle_checkout(checkout)
    db.session.flush()
    log.info("refund issued", extra={
        "refund_id": refund.id, "order_id": order.id, "checkout_id": checkout.id,
        "amount_idr": amount_idr, "actor_id": actor.id if actor else None})
    return refund


def expire_unpaid(now=None) -> int:
    """Expire checkouts whose payment time ran out and give their stock back. Safe to repeat.

    Card checkouts are first asked of Stripe: one that was paid after all is marked paid.
    """
    now = now or utcnow()
    count = 0
    due = db.session.scalars(
        sa.select(Checkout).where(Checkout.payment_status == PaymentStatus.PENDING,
                                  Checkout.expires_at < now)
        .options(so.selectinload(Checkout.orders))
        .with_for_update(skip_locked=True, of=Checkout)).all()
    # Ask Stripe first, for every card checkout, before any product row is touched: the stock
    # updates below then hold their row locks only for the rest of this transaction, never
    # across a network call.
    still_unpaid = []
    for checkout in due:
        if checkout.payment_method == PaymentMethod.CARD and checkout.stripe_payment_intent_id:
            intent = gateway.retrieve_intent(checkout.stripe_payment_intent_id)
            if intent.status != "succeeded":
                gateway.cancel_intent(checkout.stripe_payment_intent_id)
                intent = gateway.retrieve_intent(checkout.stripe_payment_intent_id)
            if intent.status == "succeeded":
                mark_paid(checkout)
                continue
        still_unpaid.append(checkout)
    for checkout in still_unpaid:
        for order in checkout.orders:
            if order.status == OrderStatus.PENDING_PAYMENT:
                state.transition(order, "expire", actor=None)
                count += 1
        settle_checkout(checkout)
    db.session.flush()
    return count


def apply_intent(checkout: Checkout, status: str, error: str | None = None) -> str:
    """Bring a checkout in line with its PaymentIntent's status; returns what was done."""
    if status == "succeeded":
        if checkout.payment_status == PaymentStatus.PENDING:
            mark_paid(checkout)
            return "paid"
        if checkout.payment_status in (PaymentStatus.EXPIRED, PaymentStatus.CANCELLED):
            # paid after we gave up on it: the goods are gone, so the money goes back
            gateway.refund(checkout.stripe_payment_intent_id, checkout.total_idr,
                            idempotency_key=f"late-{checkout.reference}")
            # in the books: received (owed back: no order is live), then sent back
            ledger.record_payment(checkout, amount_idr=checkout.total_idr)
            ledger.refund_paid(checkout.buyer_id, checkout.total_idr, source=("checkout", checkout.id),
                               key=f"refund:late:checkout:{checkout.id}", channel="stripe")
            checkout.payment_status = PaymentStatus.REFUNDED
            log.info("refund issued", extra={
                "checkout_id": checkout.id, "checkout_reference": checkout.reference,
                "amount_idr": checkout.total_idr, "reason": "late payment"})
            return "refunded_late_payment"
        return "unchanged"
    if status in ("requires_payment_method", "canceled") and error:
        if checkout.payment_status == PaymentStatus.PENDING:
            checkout.payment_error = error
            PAYMENT_FAILURES.labels(kind="failed_attempt").inc()
            log.info("card payment attempt failed", extra={
                "checkout_id": checkout.id, "checkout_reference": checkout.reference})
            return "failed_attempt"
    return "unchanged"


def reconcile(limit: int | None = None) -> dict[str, int]:
    """Ask Stripe about every card checkout still pending, so a lost webhook loses no payment."""
    counts: dict[str, int] = {}
    pending = db.session.scalars(
        sa.select(Checkout).where(Checkout.payment_method == PaymentMethod.CARD,
                                  Checkout.payment_status == PaymentStatus.PENDING,
                                  Checkout.stripe_payment_intent_id.is_not(None))
        .order_by(Checkout.id).limit(limit).with_for_update(skip_locked=True)).all()
    for checkout in pending:
        intent = gateway.retrieve_intent(checkout.stripe_payment_intent_id)
        outcome = apply_intent(checkout, intent.status, intent.error)
        counts[outcome] = counts.get(outcome, 0) + 1
    db.session.flush()
    return counts


def record_outside_refund(checkout: Checkout, refunded_at_gateway_idr: int) -> str:
    """Stripe says `refunded_at_gateway_idr` went back in all (e.g. refunded in its dashboard):
    record the part not recorded yet, order by order. Safe to repeat."""
    missing = refunded_at_gateway_idr - sum(o.refunded_idr for o in checkout.orders)
    if missing <= 0:
        return "unchanged"
    for order in checkout.orders:
        ledger.lock_order(order)
        take = min(order.total_idr - order.refunded_idr, missing)
        if take > 0:
            refund = Refund(order_id=order.id, amount_idr=take, reason="refunded in Stripe",
                            status="succeeded")
            db.session.add(refund)
            order.refunded_idr += take
            missing -= take
            db.session.flush()
            ledger.record_refund(order, refund)
    settle_checkout(checkout)
    if checkout.payment_status == PaymentStatus.PAID and all(
            o.refunded_idr >= o.total_idr for o in checkout.orders):
        checkout.payment_status = PaymentStatus.REFUNDED
    db.session.flush()
    return "refund_recorded"
