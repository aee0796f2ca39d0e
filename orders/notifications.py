"""The notifications orders send (through the core's `marketplace.notifications`): their texts
and who hears about which move of an order.

The worker's `mail.send` job (marketplace/mailer.py) e-mails them when SMTP_HOST is configured.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace import notifications
from marketplace.notifications import Notification, Plural
from orders.models import Order

ORDER_MESSAGES = {
    "order_placed": _l("Pesanan baru #%(order)s dari %(buyer)s: %(total)s."),
    "order_paid_seller": _l("Pesanan #%(order)s sudah dibayar. Silakan proses."),
    "order_paid_buyer": _l("Pembayaran pesanan #%(order)s di %(store)s sudah kami terima."),
    "order_in_production": _l("%(store)s mulai memproduksi pesanan #%(order)s. Perkiraan siap: %(ready)s."),
    "order_accepted": _l("%(store)s menerima pesanan #%(order)s."),
    "order_packed": _l("%(store)s sedang mengemas pesanan #%(order)s."),
    "order_shipped": _l("Pesanan #%(order)s dikirim dengan %(courier)s, resi %(tracking)s."),
    "order_shipped_tracked": _l("Pesanan #%(order)s dikirim dengan %(courier)s, resi %(tracking)s. "
                                "Lacak paketnya di %(tracking_url)s"),
    "order_shipped_own": _l("%(store)s mengantar sendiri pesanan #%(order)s dengan kurir toko."),
    "order_ready_pickup": _l("Pesanan #%(order)s siap diambil di %(store)s. Hubungi penjual untuk "
                             "waktu pengambilan."),
    "order_delivered": _l("Pesanan #%(order)s sudah sampai. Konfirmasi bila sudah diterima."),
    "order_completed": _l("Pembeli mengonfirmasi pesanan #%(order)s sudah diterima."),
    "order_auto_complete_soon": Plural(
        "Pesanan #%(order)s akan selesai otomatis dalam %(days)s hari. Belum menerima barangnya? "
        "Hubungi penjual sekarang.",
        "Pesanan #%(order)s akan selesai otomatis dalam %(days)s hari. Belum menerima barangnya? "
        "Hubungi penjual sekarang.", "days"),
    "order_auto_completed": _l("Pesanan #%(order)s selesai otomatis karena tidak dikonfirmasi pembeli."),
    "order_cancelled": _l("Pesanan #%(order)s dibatalkan. %(reason)s"),
    "order_expired": _l("Pesanan #%(order)s kedaluwarsa karena belum dibayar; stok dikembalikan."),
    "refund_issued": _l("Dana %(amount)s untuk pesanan #%(order)s dikembalikan."),
    "transfer_proof": _l("Pembeli mengunggah bukti transfer untuk pesanan #%(order)s."),
    "payout_paid": _l("%(amount)s dicairkan ke rekening %(store)s (referensi bank %(reference)s)."),
    "payout_failed": _l("Pencairan %(amount)s ke rekening %(store)s gagal: %(reason)s Saldo "
                        "dikembalikan; periksa rekening pencairan Anda."),
    "payout_account_verified": _l("Rekening pencairan %(store)s sudah diverifikasi. Saldo Anda "
                                  "akan dicairkan ke rekening ini."),
    "payout_account_rejected": _l("Rekening pencairan %(store)s ditolak: %(reason)s Periksa lalu "
                                  "daftarkan lagi."),
}


def _params(order: Order, **extra) -> dict:
    from marketplace.i18n import rupiah
    from orders.couriers import courier_name, find_courier

    carrier = find_courier(order.courier)
    params = {"order": order.id, "store": order.store.name, "buyer": order.buyer.name,
              "total": rupiah(order.total_idr), "courier": courier_name(order.courier) or "",
              "tracking": order.tracking_number or "", "reason": order.cancel_reason or "",
              "tracking_url": (carrier.tracking_link(order.tracking_number) if carrier else None) or ""}
    params.update(extra)
    return params


def _ready(order: Order) -> str:
    """The day a made-to-order order should be ready, in the one date format of the pages."""
    from marketplace.i18n import local_date

    terms = order.trade_terms
    return local_date(terms.ready_by) if terms and terms.ready_by else ""


def notify(user_id: int, kind: str, order: Order, **extra) -> Notification:
    """Queue a notification for one user about one order."""
    return notifications.notify(user_id, kind, params=_params(order, **extra),
                                url=f"/pesanan/{order.id}")


def _shipped_kind(order: Order) -> str:
    """What the buyer hears when the order leaves: with the tracking link, from the store's own
    courier, ready for pickup (or, for a courier typed before couriers were known, plain)."""
    from orders.couriers import OWN_DELIVERY, PICKUP, find_courier

    carrier = find_courier(order.courier)
    if carrier is not None and carrier.code == PICKUP:
        return "order_ready_pickup"
    if carrier is not None and carrier.code == OWN_DELIVERY:
        return "order_shipped_own"
    if carrier is not None and carrier.tracking_link(order.tracking_number):
        return "order_shipped_tracked"
    return "order_shipped"


def notify_transition(order: Order, action: str, actor) -> None:
    """Tell the other side (or both) about a move of the order's state."""
    seller, buyer = order.store.owner_id, order.buyer_id
    actor_id = actor.id if actor is not None else None
    if action == "pay":
        notify(seller, "order_paid_seller", order)
        notify(buyer, "order_paid_buyer", order)
    elif action == "produce":
        notify(buyer, "order_in_production", order, ready=_ready(order))
    elif action == "ship":
        notify(buyer, _shipped_kind(order), order)
    elif action in ("accept", "pack", "deliver"):
        kinds = {"accept": "order_accepted", "pack": "order_packed", "deliver": "order_delivered"}
        notify(buyer, kinds[action], order)
    elif action == "complete" and actor is None:
        notify(seller, "order_auto_completed", order)
        notify(buyer, "order_auto_completed", order)
    elif action == "complete":
        notify(seller, "order_completed", order)
    elif action == "cancel":
        for user_id in {seller, buyer} - {actor_id}:
            notify(user_id, "order_cancelled", order)
    elif action == "expire":
        notify(buyer, "order_expired", order)
