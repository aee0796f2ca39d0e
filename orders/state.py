"""The order state machine: an explicit table of allowed moves, and the one function that moves.

Every move records who made it, when and why (OrderEvent), and notifies the other side. Moves
that release stock (cancel, expire) put it back in the same transaction; completing an order
releases its held money to the store (orders.ledger).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from catalog.models import Product
from marketplace.accounts.models import User
from marketplace.errors import Conflict, Forbidden, ValidationError
from marketplace.extensions import db
from marketplace.hooks import Hook
from orders.models import Order, OrderEvent
from orders.models import OrderStatus as S

SYSTEM = "system"
SELLER = "seller"
BUYER = "buyer"
ADMIN = "admin"
FINANCE = "finance"


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str
    by: frozenset[str]  # who may make the move
    #: sources from which fewer may make it: {status: who}
    only: dict[str, frozenset[str]] = field(default_factory=dict)

    def who(self, status: str) -> frozenset[str]:
        """Who may make the move from `status`."""
        return self.only.get(status, self.by)


MOVES: dict[str, Move] = {
    # payment arrives: the card webhook, reconcile, or the seller confirming a bank transfer
    "pay": Move(frozenset({S.PENDING_PAYMENT}), S.PAID, frozenset({SYSTEM, SELLER})),
    # a made-to-order order (an accepted quote's, orders/terms.py) goes into production as soon
    # as it is paid, by itself (see `transition`): its seller already accepted it by quoting
    "produce": Move(frozenset({S.PAID}), S.IN_PRODUCTION, frozenset({SYSTEM})),
    "accept": Move(frozenset({S.PAID}), S.ACCEPTED, frozenset({SELLER})),
    "pack": Move(frozenset({S.ACCEPTED}), S.PACKED, frozenset({SELLER})),
    "ship": Move(frozenset({S.ACCEPTED, S.PACKED, S.IN_PRODUCTION}), S.SHIPPED, frozenset({SELLER})),
    "deliver": Move(frozenset({S.SHIPPED}), S.DELIVERED, frozenset({SELLER, SYSTEM})),
    # the buyer confirms receipt
    "complete": Move(frozenset({S.SHIPPED, S.DELIVERED}), S.COMPLETED, frozenset({BUYER, SYSTEM})),
    # before it leaves the store, either side may cancel (the seller must say why); once
    # production of a made-to-order order has begun, only the seller (or an admin) may
    "cancel": Move(frozenset({S.PENDING_PAYMENT, S.PAID, S.IN_PRODUCTION, S.ACCEPTED, S.PACKED}),
                   S.CANCELLED, frozenset({BUYER, SELLER, ADMIN, SYSTEM}),
                   only={S.IN_PRODUCTION: frozenset({SELLER, ADMIN, SYSTEM})}),
    "expire": Move(frozenset({S.PENDING_PAYMENT}), S.EXPIRED, frozenset({SYSTEM})),
}

#: moves that give reserved stock back (made-to-order orders reserved none)
RELEASES_STOCK = {"cancel", "expire"}

#: functions (order, action, actor) called after every move, in its transaction (books keeps
#: its sales rollups from the "pay" moves)
order_moves = Hook("order_moves", "Functions (order, action, actor) called after each order move.")
#: moves only the system makes, never offered as a button
SYSTEM_ONLY = ("pay", "expire", "produce")


def role_of(order: Order, actor: User | None) -> str | None:
    """How `actor` stands to the order: seller, buyer, admin, or None (a stranger)."""
    if actor is None:
        return SYSTEM
    if order.store.owner_id == actor.id:
        return SELLER
    if order.buyer_id == actor.id:
        return BUYER
    if actor.is_admin:
        return ADMIN
    if actor.has_role("finance"):
        return FINANCE  # sees every order, to confirm payments and decide complaints; moves none
    return None


def _hold_reason(order: Order) -> str | None:
    """Why the order may not complete yet: its money is held (`ledger.release_blockers`)."""
    from orders.ledger.service import hold_reason

    return hold_reason(order)


def allowed_actions(order: Order, actor: User | None) -> list[str]:
    """The moves this actor may make on this order now (for buttons)."""
    role = role_of(order, actor)
    names = [name for name, move in MOVES.items()
             if order.status in move.sources and role in move.who(order.status)
             and name not in SYSTEM_ONLY]
    if "complete" in names and _hold_reason(order):
        names.remove("complete")  # not while its money is held (see `transition`)
    return names


def release_stock(order: Order) -> None:
    """Put the order's units back on the shelf (and out of the sales count). A made-to-order
    order took none, so it gives none back."""
    if order.made_to_order:
        return
    for line in order.lines:
        if line.product_id is None:
            continue
        db.session.execute(
            sa.update(Product).where(Product.id == line.product_id)
            .values(stock=Product.stock + line.quantity,
                    sold_count=sa.case((Product.sold_count > line.quantity,
                                        Product.sold_count - line.quantity), else_=0)))
    from catalog.signals import products_changed

    products_changed.send(None, product_ids=[item.product_id for item in order.lines if item.product_id])


#: The longest reason a cancellation or refund may carry.
MAX_REASON = 500


def transition(order: Order, action: str, *, actor: User | None, note: str | None = None,
               **details) -> Order:
    """Move `order` by `action` if its state and the actor allow it; else Conflict/Forbidden.

    `actor` None is the system (webhooks, expiry). Details: `reason` for cancel (required from a
    seller), `courier` and `tracking_number` for ship (`record_shipment`). A made-to-order order
    that is paid moves on into production in the same call.
    """
    move = MOVES.get(action)
    if move is None:
        raise ValidationError(fields={"action": _l("Tindakan tidak dikenal.")})
    role = role_of(order, actor)
    if role is None:
        from marketplace.errors import NotFound

        raise NotFound()
    if role not in move.by:
        raise Forbidden(_l("Anda tidak dapat melakukan tindakan ini pada pesanan ini."))
    if order.status not in move.sources or (action == "produce" and not order.made_to_order):
        raise Conflict(
            _l("Pesanan berstatus “%(status)s” tidak dapat %(action)s.",
               status=status_label(order.status), action=ACTION_LABELS.get(action, action)),
            code="invalid_transition")
    if role not in move.who(order.status):
        # (the `only` rows of MOVES leave the seller in: the buyer asks the seller)
        raise Forbidden(_l("Pesanan berstatus “%(status)s” hanya dapat %(action)s oleh penjual.",
                           status=status_label(order.status), action=ACTION_LABELS.get(action, action)))
    if action == "complete" and (held := _hold_reason(order)):
        # (an open complaint is today's only reason, hence the code)
        raise Conflict(_l("Pesanan ini belum dapat diselesaikan: %(reason)s. Dananya tetap ditahan "
                          "sampai itu selesai.", reason=held), code="complaint_open")
    if action == "ship":
        note = note or record_shipment(order, details.get("courier"), details.get("tracking_number"))
    if action == "cancel":
        reason = (details.get("reason") or note or "").strip()
        if role == SELLER and not reason:
            raise ValidationError(fields={"reason": _l("Tuliskan alasan pembatalan.")})
        if len(reason) > MAX_REASON:
            raise ValidationError(fields={"reason": _l("Maksimal %(n)d karakter.", n=MAX_REASON)})
        order.cancel_reason = reason or None
        note = reason or None
    order.status = move.target
    order.events.append(OrderEvent(status=move.target, action=action,
                                   actor_id=actor.id if actor else None, note=note))
    if action in RELEASES_STOCK:
        release_stock(order)
    db.session.flush()
    from orders.notifications import notify_transition

    notify_transition(order, action, actor)
    if action == "complete":
        from orders.ledger.service import release_order

        release_order(order, actor=actor)  # the held money goes to the store (unless blocked)
    for listener in order_moves.entries():
        listener(order, action, actor)  # in this transaction: books' sales rollups
    if action == "pay" and order.made_to_order:
        transition(order, "produce", actor=None)
    return order


def record_shipment(order: Order, courier: str | None, tracking_number: str | None) -> str:
    """Put the courier (a code or a known name; default the courier of the service the buyer
    chose) and the tracking number (required when the courier tracks parcels) on the order;
    returns the history note ("JNE JNE123"). The courier must go to the order's zone.

    An order under export terms (from a quote) goes by the carrier the seller arranged under its
    Incoterm: a shipping line or forwarder ("Meratus Line", "Maersk") that is no parcel courier,
    so its name is kept as typed, with its bill of lading or booking number if there is one."""
    from orders.couriers import COURIERS, SERVICES, find_courier

    typed = (courier or "").strip()
    tracking = (tracking_number or "").strip()
    if order.trade_terms is not None and find_courier(typed) is None:
        errors = {}
        if not typed:
            errors["courier"] = _l("Isi nama pengangkut (pelayaran, ekspedisi atau kurir).")
        elif len(typed) > 80:
            errors["courier"] = _l("Maksimal %(n)d karakter.", n=80)
        if len(tracking) > 80:
            errors["tracking_number"] = _l("Maksimal %(n)d karakter.", n=80)
        if errors:
            raise ValidationError(fields=errors)
        order.courier, order.tracking_number = typed, tracking or None
        return f"{typed} {tracking}".strip()
    chosen = SERVICES.get(order.shipping_service or "")
    errors = {}
    carrier = find_courier(typed) if typed else (chosen.carrier if chosen else None)
    if carrier is None:
        errors["courier"] = (_l("Kurir tidak dikenal. Pilih salah satu: %(names)s.",
                                names=", ".join(c.name for c in COURIERS.values()))
                             if typed else _l("Pilih kurir."))
    elif not carrier.serves(order.shipping_zone):
        errors["courier"] = _l("%(courier)s tidak mengirim ke alamat pesanan ini.", courier=carrier.name)
    if carrier is not None and carrier.tracks and not tracking:
        errors["tracking_number"] = _l("Isi nomor resi.")
    elif len(tracking) > 80:
        errors["tracking_number"] = _l("Maksimal %(n)d karakter.", n=80)
    if errors:
        raise ValidationError(fields=errors)
    order.courier, order.tracking_number = carrier.code, tracking or None
    return f"{carrier.name} {tracking}".strip()


def status_label(status: str):
    return STATUS_LABELS.get(status, status)


def order_payment_status(order: Order) -> str:
    """This order's own payment status (a PaymentStatus value), whatever its checkout's.

    A checkout's status covers every store's order together: a bank-transfer checkout stays
    "pending" until the last store confirms its transfer, so one paid and shipped order of a
    two-store checkout would read "waiting for payment" if it showed its checkout's status.
    """
    from orders.models import PaymentStatus as P

    paid = any(e.action == "pay" for e in order.events)
    if paid:
        return P.REFUNDED if order.total_idr and order.refunded_idr >= order.total_idr else P.PAID
    if order.status == S.PENDING_PAYMENT:
        return P.PENDING
    if order.status == S.EXPIRED:
        return P.EXPIRED
    return P.CANCELLED


@dataclass(frozen=True)
class CheckoutPayment:
    """How far a checkout (one payment for several stores' orders) is paid, for its buyer."""

    status: str        # a PaymentStatus value, or "partial" when some orders are paid, some not
    paid_orders: int   # orders paid (refunded ones included)
    orders: int        # orders that are paid or still to pay (cancelled and expired left out)


def checkout_payment(checkout) -> CheckoutPayment:
    """The checkout's payment status as its buyer should read it, counting its orders."""
    from orders.models import PaymentStatus as P

    own = [order_payment_status(o) for o in checkout.orders]
    paid = sum(1 for s in own if s in (P.PAID, P.REFUNDED))
    payable = sum(1 for s in own if s in (P.PAID, P.REFUNDED, P.PENDING))
    status = checkout.payment_status
    if status == P.PENDING and 0 < paid < payable:
        status = "partial"
    return CheckoutPayment(status, paid, payable)


#: how a move reads after "tidak dapat ..." (cannot be ...)
ACTION_LABELS = {
    "pay": _l("ditandai dibayar"),
    "produce": _l("masuk produksi"),
    "accept": _l("diterima"),
    "pack": _l("dikemas"),
    "ship": _l("dikirim"),
    "deliver": _l("ditandai sampai"),
    "complete": _l("diselesaikan"),
    "cancel": _l("dibatalkan"),
    "expire": _l("dikedaluwarsakan"),
}

STATUS_LABELS = {
    S.PENDING_PAYMENT: _l("Menunggu pembayaran"),
    S.PAID: _l("Dibayar"),
    S.IN_PRODUCTION: _l("Diproduksi"),
    S.ACCEPTED: _l("Diterima penjual"),
    S.PACKED: _l("Dikemas"),
    S.SHIPPED: _l("Dikirim"),
    S.DELIVERED: _l("Sampai tujuan"),
    S.COMPLETED: _l("Selesai"),
    S.CANCELLED: _l("Dibatalkan"),
    S.EXPIRED: _l("Kedaluwarsa"),
}
