"""Notifications about events and trade, through the orders notification outbox."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.notifications import notify

#: Registered on marketplace.notifications.messages by promotions' init_app.
PROMOTION_MESSAGES = {
    "application_accepted": _l("Toko Anda diterima sebagai peserta %(event)s."),
    "application_rejected": _l("Pendaftaran ke %(event)s tidak diterima: %(reason)s"),
    "invited": _l("Toko Anda diundang menjadi peserta %(event)s."),
    "rfq_received": _l("Permintaan penawaran baru untuk %(product)s (%(quantity)s unit)."),
    "quote_received": _l("%(store)s mengirim penawaran untuk %(product)s."),
    "quote_accepted": _l("Penawaran Anda untuk %(product)s diterima; pesanan #%(order)s dibuat."),
    "quote_declined": _l("Penawaran Anda untuk %(product)s ditolak."),
    "rfq_message": _l("Pesan baru tentang permintaan penawaran %(product)s."),
    "meeting_booked": _l("Pertemuan bisnis dipesan di %(event)s pada %(when)s."),
    "meeting_cancelled": _l("Pertemuan bisnis di %(event)s pada %(when)s dibatalkan."),
}


def notify_user(user_id: int, kind: str, event=None, *, url: str | None = None, **params) -> None:
    """Queue a notification about an event (linked to its page unless `url` says otherwise)."""
    if event is not None:
        params.setdefault("event", event.title)
        url = url or f"/acara/{event.slug}"
    notify(user_id, kind, params=params, url=url)
