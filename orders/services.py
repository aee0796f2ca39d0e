"""Order operations besides placing them: reading, moving, refunds, bank transfers, expiry and
reconciliation with Stripe."""
from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.utils import safe_join

from catalog.models import Store
from marketplace.accounts.models import User
from marketplace.errors import Conflict, Forbidden, NotFound, ValidationError
from marketplace.extensions import db
from marketplace.timeutil import utcnow
from orders import state
from orders.checkout import mark_paid
from orders.models import Checkout, Order, OrderStatus, PaymentMethod, PaymentStatus, Refund
from orders.notifications import notify
from orders.payments import stripe as payments

_ORDER_LOAD = (so.joinedload(Order.store), so.joinedload(Order.checkout))


def order_for(order_id: int, actor: User) -> Order:
    """An order its buyer, its seller or an admin may see; anyone else gets 'not found'."""
    order = db.session.get(Order, order_id, options=_ORDER_LOAD)
    if order is None or state.role_of(order, actor) is None:
        raise NotFound()
    return order


def buyer_orders(buyer: User) -> sa.Select:
    return (sa.select(Order).where(Order.buyer_id == buyer.id).options(*_ORDER_LOAD)
            .order_by(Order.created_at.desc(), Order.id.desc()))


def store_orders(store: Store, *, actor: User, status: str | None = None) -> sa.Select:
    from catalog.services import require_owner

    require_owner(store, actor)
    stmt = sa.select(Order).where(Order.store_id == store.id).options(*_ORDER_LOAD)
    if status:
        stmt = stmt.where(Order.status == status)
    return stmt.order_by(Order.created_at.desc(), Order.id.desc())


def act(order: Order, action: str, *, actor: User, **details) -> Order:
    """Apply a buyer's or seller's action; a paid card order cancelled is refunded in full."""
    was_paid = order.status not in (OrderStatus.PENDING_PAYMENT,)
    state.transition(order, action, actor=actor, **details)
    if action == "cancel" and was_paid and order.checkout.payment_method == PaymentMethod.CARD:
        remaining = order.total_idr - order.refunded_idr
        if remaining > 0:
            refund_order(order, remaining, reason=order.cancel_reason or "cancelled", actor=None)
    settle_checkout(order.checkout)
    return order


def settle_checkout(checkout: Checkout) -> None:
    """Keep the checkout's payment status in step with its orders."""
    statuses = {o.status for o in checkout.orders}
    if checkout.payment_status == PaymentStatus.PENDING and statuses <= {
            OrderStatus.CANCELLED, OrderStatus.EXPIRED}:
        checkout.payment_status = (PaymentStatus.EXPIRED if OrderStatus.EXPIRED in statuses
                                   else PaymentStatus.CANCELLED)
    if checkout.payment_method == PaymentMethod.BANK_TRANSFER and statuses and all(
            s not in (OrderStatus.PENDING_PAYMENT,) for s in statuses) and any(
            s not in (OrderStatus.CANCELLED, OrderStatus.EXPIRED) for s in statuses):
        if checkout.payment_status == PaymentStatus.PENDING:
            checkout.payment_status = PaymentStatus.PAID
            checkout.paid_at = utcnow()
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
        refund.stripe_refund_id = payments.refund(
            checkout.stripe_payment_intent_id, amount_idr,
            idempotency_key=f"refund-{order.id}-{order.refunded_idr}-{amount_idr}")
    order.refunded_idr += amount_idr
    db.session.add(refund)
    notify(order.buyer_id, "refund_issued", order, amount=_rupiah(amount_idr))
    settle_checkout(checkout)
    db.session.flush()
    return refund


def _rupiah(amount: int) -> str:
    from marketplace.i18n import rupiah

    return rupiah(amount)


def attach_transfer_proof(order: Order, data, *, actor: User) -> None:
    """The buyer uploads a photo of the bank transfer receipt (JPEG/PNG/WebP): the upload's
    bytes, or a `catalog.images.PreparedImage` decoded before the request's first write."""
    from catalog.images import store_image

    if state.role_of(order, actor) != state.BUYER:
        raise NotFound()
    if order.checkout.payment_method != PaymentMethod.BANK_TRANSFER:
        raise Conflict(_l("Pesanan ini tidak dibayar dengan transfer bank."), code="not_transfer")
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise Conflict(_l("Pesanan ini tidak menunggu pembayaran."), code="invalid_transition")
    image = store_image(order.id, data, folder=f"transfers/{order.id}", private=True)
    order.transfer_proof_path = image.path
    notify(order.store.owner_id, "transfer_proof", order)
    db.session.flush()


# Before PRIVATE_UPLOAD_DIR, receipts were written to UPLOAD_DIR/private/... and their rows say so.
LEGACY_PRIVATE_PREFIX = "private/"


def transfer_proof_file(order: Order) -> Path | None:
    """The file of the order's transfer proof, under PRIVATE_UPLOAD_DIR, or None.

    A proof stored before PRIVATE_UPLOAD_DIR existed (path `private/...` under UPLOAD_DIR) is
    moved out of the public upload folder first and its row updated (the caller commits).
    """
    if not order.transfer_proof_path:
        return None
    if order.transfer_proof_path.startswith(LEGACY_PRIVATE_PREFIX):
        move_legacy_transfer_proof(order)
    found = safe_join(current_app.config["PRIVATE_UPLOAD_DIR"], order.transfer_proof_path)
    return Path(found) if found and Path(found).is_file() else None


def move_legacy_transfer_proof(order: Order) -> None:
    """Move one legacy proof (and its thumbnail) from UPLOAD_DIR to PRIVATE_UPLOAD_DIR."""
    old_rel = order.transfer_proof_path
    new_rel = old_rel[len(LEGACY_PRIVATE_PREFIX):]
    public, private = Path(current_app.config["UPLOAD_DIR"]), Path(current_app.config["PRIVATE_UPLOAD_DIR"])
    for rel_old, rel_new in ((old_rel, new_rel),
                             (old_rel.removesuffix(".webp") + "-thumb.webp",
                              new_rel.removesuffix(".webp") + "-thumb.webp")):
        source, target = safe_join(str(public), rel_old), safe_join(str(private), rel_new)
        if source is None or target is None:
            continue
        if Path(source).is_file():
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(source, target)
    order.transfer_proof_path = new_rel
    db.session.flush()


def move_legacy_transfer_proofs() -> int:
    """Move every legacy proof out of UPLOAD_DIR (`flask orders move-private-uploads`)."""
    orders = db.session.scalars(sa.select(Order).where(
        Order.transfer_proof_path.startswith(LEGACY_PRIVATE_PREFIX, autoescape=True))).all()
    for order in orders:
        move_legacy_transfer_proof(order)
    return len(orders)


def confirm_transfer(order: Order, *, actor: User) -> Order:
    """The seller confirms the transfer reached their account: the order is paid."""
    if order.checkout.payment_method != PaymentMethod.BANK_TRANSFER:
        raise Conflict(_l("Pesanan ini tidak dibayar dengan transfer bank."), code="not_transfer")
    state.transition(order, "pay", actor=actor)
    settle_checkout(order.checkout)
    return order


def expire_unpaid(now=None) -> int:
    """Expire checkouts whose payment time ran out and give their stock back. Safe to repeat.

    Card checkouts are first asked of Stripe: one that was paid after all is marked paid.
    """
    now = now or utcnow()
    count = 0
    due = db.session.scalars(
        sa.select(Checkout).where(Checkout.payment_status == PaymentStatus.PENDING,
                                  Checkout.expires_at < now)
        .with_for_update(skip_locked=True)).all()
    for checkout in due:
        if checkout.payment_method == PaymentMethod.CARD and checkout.stripe_payment_intent_id:
            intent = payments.retrieve_intent(checkout.stripe_payment_intent_id)
            if intent.status == "succeeded":
                mark_paid(checkout)
                continue
            payments.cancel_intent(checkout.stripe_payment_intent_id)
            if payments.retrieve_intent(checkout.stripe_payment_intent_id).status == "succeeded":
                mark_paid(checkout)
                continue
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
            payments.refund(checkout.stripe_payment_intent_id, checkout.total_idr,
                            idempotency_key=f"late-{checkout.reference}")
            checkout.payment_status = PaymentStatus.REFUNDED
            return "refunded_late_payment"
        return "unchanged"
    if status in ("requires_payment_method", "canceled") and error:
        if checkout.payment_status == PaymentStatus.PENDING:
            checkout.payment_error = error
            return "failed_attempt"
    return "unchanged"


def reconcile(limit: int | None = None) -> dict[str, int]:
    """Ask Stripe about every card checkout still pending, so a lost webhook loses no payment."""
    counts: dict[str, int] = {}
    pending = db.session.scalars(
        sa.select(Checkout).where(Checkout.payment_method == PaymentMethod.CARD,
                                  Checkout.payment_status == PaymentStatus.PENDING,
                                  Checkout.stripe_payment_intent_id.is_not(None))
        .order_by(Checkout.id).limit(limit)).all()
    for checkout in pending:
        intent = payments.retrieve_intent(checkout.stripe_payment_intent_id)
        outcome = apply_intent(checkout, intent.status, intent.error)
        counts[outcome] = counts.get(outcome, 0) + 1
    db.session.flush()
    return counts


# --- added for the order pages (orders/views.py) ---------------------------------------------

def checkout_for(checkout_id: int, actor: User) -> Checkout:
    """One of the actor's own checkouts (its buyer); anyone else gets 'not found'."""
    checkout = db.session.get(Checkout, checkout_id)
    if checkout is None or actor is None or checkout.buyer_id != actor.id:
        raise NotFound()
    return checkout


def order_counts_by_status(store: Store, *, actor: User) -> dict[str, int]:
    """How many of the store's orders are in each status (its owner only), every status keyed."""
    from catalog.services import require_owner

    require_owner(store, actor)
    counts = {status.value: 0 for status in OrderStatus}
    counts.update(db.session.execute(
        sa.select(Order.status, sa.func.count()).where(Order.store_id == store.id)
        .group_by(Order.status)).all())
    return counts


