"""Order operations besides placing and paying them: reading, moving (a paid card order
cancelled is refunded through `orders.payments`), transfer proofs."""
from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.utils import safe_join

from catalog.models import Store
from marketplace.accounts.models import User
from marketplace.errors import Conflict, Forbidden, NotFound
from marketplace.extensions import db
from marketplace.timeutil import as_utc, utcnow
from orders import state
from orders.ledger.service import lock_order, release_blocked
from orders.models import Checkout, Order, OrderEvent, OrderStatus, PaymentMethod
from orders.notifications import notify
from orders.payments.service import refund_order, settle_checkout

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
    """Apply a buyer's or seller's action. A paid order cancelled is refunded in full: a card
    through Stripe, other methods owed to the buyer in the ledger. Completing it releases its
    money to the store (`state.transition`)."""
    lock_order(order)  # one move on an order at a time; its money paths take the same lock
    was_paid = order.status not in (OrderStatus.PENDING_PAYMENT,)
    state.transition(order, action, actor=actor, **details)
    if action == "cancel" and was_paid:
        remaining = order.total_idr - order.refunded_idr
        if remaining > 0:
            refund_order(order, remaining, reason=order.cancel_reason or "cancelled", actor=None)
    settle_checkout(order.checkout)
    return order


def confirm_receipt(order: Order, *, actor: User) -> Order:
    """The buyer says the goods arrived ("Pesanan sudah saya terima"): the order completes and
    its money is released to the store. Only its buyer; Conflict when its state does not allow."""
    if state.role_of(order, actor) != state.BUYER:
        raise Forbidden(_l("Hanya pembeli yang dapat mengonfirmasi pesanan diterima."))
    return act(order, "complete", actor=actor)








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




def _arrived_before(cutoff, *, unwarned: bool = False) -> list[Order]:
    """Orders taken to have arrived before `cutoff`, row-locked for this job: delivered before
    it, or shipped with a courier's estimate and past it (shipped + `shipping_days_max` days)
    before it, so a seller who never marks delivery cannot keep the money held forever."""
    def last(action):
        return (sa.select(sa.func.max(OrderEvent.at)).where(OrderEvent.order_id == Order.id,
                                                            OrderEvent.action == action)
                .correlate(Order).scalar_subquery())

    delivered_at, shipped_at = last("deliver"), last("ship")
    stmt = (sa.select(Order, shipped_at).where(sa.or_(
        sa.and_(Order.status == OrderStatus.DELIVERED, delivered_at < cutoff),
        # (any order past its estimate was shipped before the cutoff; the estimate is added below)
        sa.and_(Order.status == OrderStatus.SHIPPED, Order.shipping_days_max.is_not(None), shipped_at < cutoff)))
        .order_by(Order.id).with_for_update(skip_locked=True, of=Order))
    if unwarned:
        stmt = stmt.where(Order.auto_complete_notice_at.is_(None))
    return [order for order, shipped in db.session.execute(stmt).all()
            if order.status == OrderStatus.DELIVERED
            or as_utc(shipped) + timedelta(days=order.shipping_days_max) < cutoff]


def auto_complete_delivered(now=None) -> dict[str, int]:
    """Complete orders the buyer left unconfirmed for AUTO_COMPLETE_DAYS after they arrived
    (delivered, or shipped and past the courier's estimate), telling the buyer
    AUTO_COMPLETE_NOTICE_DAYS before (once), and releasing their money to the stores; an order a
    `release_blockers` entry holds (an open complaint) is left as it is. Safe to repeat and to
    run twice at once."""
    now = now or utcnow()
    days = current_app.config["AUTO_COMPLETE_DAYS"]
    notice_days = min(current_app.config["AUTO_COMPLETE_NOTICE_DAYS"], days)
    completed = 0
    for order in _arrived_before(now - timedelta(days=days)):
        if release_blocked(order):
            continue  # a complaint is open: it stays as it is, its money held
        state.transition(order, "complete", actor=None, note="auto")
        completed += 1
    warned = 0
    for order in _arrived_before(now - timedelta(days=days - notice_days), unwarned=True):
        if release_blocked(order):
            continue  # nothing completes while it is held: no notice either
        notify(order.buyer_id, "order_auto_complete_soon", order, days=notice_days)
        order.auto_complete_notice_at = now
        warned += 1
    db.session.flush()
    return {"completed": completed, "warned": warned}
