"""In-app notifications for buyers and sellers, and the outbox a mailer reads.

A notification stores its kind and parameters, not its text: the text is rendered in the
reader's language when shown (or mailed). `flask orders send-mail` sends what has not been
e-mailed yet through SMTP when SMTP_HOST is configured.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from marketplace.extensions import db
from marketplace.timeutil import utcnow
from orders.models import Notification, Order

MESSAGES = {
    "order_placed": _l("Pesanan baru #%(order)s dari %(buyer)s: %(total)s."),
    "order_paid_seller": _l("Pesanan #%(order)s sudah dibayar. Silakan proses."),
    "order_paid_buyer": _l("Pembayaran pesanan #%(order)s di %(store)s sudah kami terima."),
    "order_accepted": _l("%(store)s menerima pesanan #%(order)s."),
    "order_packed": _l("%(store)s sedang mengemas pesanan #%(order)s."),
    "order_shipped": _l("Pesanan #%(order)s dikirim dengan %(courier)s, resi %(tracking)s."),
    "order_delivered": _l("Pesanan #%(order)s sudah sampai. Konfirmasi bila sudah diterima."),
    "order_completed": _l("Pembeli mengonfirmasi pesanan #%(order)s sudah diterima."),
    "order_cancelled": _l("Pesanan #%(order)s dibatalkan. %(reason)s"),
    "order_expired": _l("Pesanan #%(order)s kedaluwarsa karena belum dibayar; stok dikembalikan."),
    "refund_issued": _l("Dana %(amount)s untuk pesanan #%(order)s dikembalikan."),
    "transfer_proof": _l("Pembeli mengunggah bukti transfer untuk pesanan #%(order)s."),
}


def _params(order: Order, **extra) -> dict:
    from marketplace.i18n import rupiah

    params = {"order": order.id, "store": order.store.name, "buyer": order.buyer.name,
              "total": rupiah(order.total_idr), "courier": order.courier or "",
              "tracking": order.tracking_number or "", "reason": order.cancel_reason or ""}
    params.update(extra)
    return params


def notify(user_id: int, kind: str, order: Order, **extra) -> Notification:
    """Queue a notification for one user about one order."""
    row = Notification(user_id=user_id, kind=kind, params=_params(order, **extra),
                       url=f"/pesanan/{order.id}")
    db.session.add(row)
    return row


def notify_transition(order: Order, action: str, actor) -> None:
    """Tell the other side (or both) about a move of the order's state."""
    seller, buyer = order.store.owner_id, order.buyer_id
    actor_id = actor.id if actor is not None else None
    if action == "pay":
        notify(seller, "order_paid_seller", order)
        notify(buyer, "order_paid_buyer", order)
    elif action in ("accept", "pack", "ship", "deliver"):
        kinds = {"accept": "order_accepted", "pack": "order_packed", "ship": "order_shipped",
                 "deliver": "order_delivered"}
        notify(buyer, kinds[action], order)
    elif action == "complete":
        notify(seller, "order_completed", order)
    elif action == "cancel":
        for user_id in {seller, buyer} - {actor_id}:
            notify(user_id, "order_cancelled", order)
    elif action == "expire":
        notify(buyer, "order_expired", order)


def render(notification: Notification) -> str:
    template = MESSAGES.get(notification.kind)
    if template is None:
        return notification.kind
    params = {k: v for k, v in (notification.params or {}).items()}
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def unread_count(user_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_all_read(user_id: int) -> None:
    db.session.execute(sa.update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)).values(read_at=utcnow()))
