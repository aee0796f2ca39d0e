"""Complaints and refunds (komplain): a buyer who did not get what they paid for asks for the
money back, or to return the goods for it; the seller answers; finance decides what the seller
rejected or left unanswered; the refund goes through `orders.payments.service.refund_order`.

The steps (each one a `ComplaintEvent`, the complaint's thread, and a notification):

- `open_complaint`: the order's buyer, while the order is delivered and at most COMPLAINT_DAYS
  since, or shipped and overdue past the courier's estimate (`shipping_days_max`); one open
  complaint per order (a partial unique index holds it under races). A reason from
  `ComplaintReason`, a description, up to three private photos, what they want
  (`ComplaintResolution`) and, for a transfer or QRIS order, the bank account the money goes
  back to.
- `answer_complaint`: the seller accepts a full refund, a partial one (at most what is left of
  the order) or rejects with a reason. A rejection, or no answer for COMPLAINT_ANSWER_DAYS
  (`escalate_unanswered`, the `orders.complaints_escalate` job), sends it to finance, which
  answers the same way, finally.
- A return accepted waits for the seller to mark the goods back (`mark_returned`) before the
  refund is made.
- A card refund goes back through Stripe; a transfer or QRIS refund is recorded (status
  `to_pay`) for the payouts part to pay into the buyer's account (`refunds_to_pay`,
  `mark_refund_paid`).

While a complaint is open the order cannot be completed (orders/state.py) and its money is not
released (`has_open_complaint`, for the ledger's `release_blockers` hook).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from werkzeug.utils import safe_join

from marketplace import notifications
from marketplace.accounts.models import Role, User
from marketplace.accounts.services import user_ids_with_role
from marketplace.errors import Conflict, Forbidden, NotFound, ValidationError
from marketplace.extensions import db
from marketplace.i18n import rupiah
from marketplace.timeutil import as_utc, utcnow
from orders import state
from orders.models import (
    MANUAL_METHODS,
    Complaint,
    ComplaintEvent,
    ComplaintReason,
    ComplaintResolution,
    ComplaintStatus,
    Order,
    OrderStatus,
)
from orders.payments.banks import account_errors
from orders.payments.escrow import is_finance
from orders.payments.service import refund_order

MAX_PHOTOS = 3
MAX_DESCRIPTION = 2000
MAX_HOLDER = 120
DECISIONS = ("refund", "partial", "reject")
#: the status of a transfer/QRIS refund recorded but not yet paid into the buyer's account
REFUND_TO_PAY = "to_pay"

REASON_LABELS = {
    ComplaintReason.NOT_RECEIVED: _l("Barang tidak diterima"),
    ComplaintReason.DAMAGED: _l("Barang rusak"),
    ComplaintReason.WRONG_ITEM: _l("Barang salah kirim"),
    ComplaintReason.INCOMPLETE: _l("Barang kurang atau tidak lengkap"),
    ComplaintReason.NOT_AS_DESCRIBED: _l("Tidak sesuai deskripsi"),
    ComplaintReason.OTHER: _l("Lainnya"),
}
RESOLUTION_LABELS = {
    ComplaintResolution.REFUND: _l("Pengembalian dana saja"),
    ComplaintResolution.RETURN: _l("Retur barang dan pengembalian dana"),
}
STATUS_LABELS = {
    ComplaintStatus.OPEN: _l("Menunggu jawaban penjual"),
    ComplaintStatus.ESCALATED: _l("Menunggu keputusan admin"),
    ComplaintStatus.AWAITING_RETURN: _l("Menunggu barang retur"),
    ComplaintStatus.REFUNDED: _l("Dana dikembalikan"),
    ComplaintStatus.REJECTED: _l("Ditolak"),
}
#: how each step of the thread reads
EVENT_LABELS = {
    "open": _l("Komplain diajukan"),
    "refund": _l("Pengembalian dana penuh disetujui"),
    "partial": _l("Pengembalian dana sebagian disetujui"),
    "reject": _l("Komplain ditolak"),
    "escalate": _l("Diteruskan ke admin"),
    "returned": _l("Barang retur diterima penjual"),
    "refunded": _l("Dana dikembalikan"),
    "refund_paid": _l("Dana ditransfer ke rekening pembeli"),
    "account": _l("Rekening pengembalian diisi pembeli"),
}

COMPLAINT_MESSAGES = {
    "complaint_opened": _l("Pembeli mengajukan komplain untuk pesanan #%(order)s (%(reason)s). "
                           "Jawab dalam %(days)s hari."),
    "complaint_accepted": _l("%(store)s menyetujui pengembalian dana %(amount)s untuk komplain "
                             "pesanan #%(order)s."),
    "complaint_return_accepted": _l("Retur pesanan #%(order)s disetujui. Kirim barangnya kembali ke "
                                    "%(store)s; dana %(amount)s dikembalikan setelah barangnya diterima."),
    "complaint_rejected_by_seller": _l("%(store)s menolak komplain pesanan #%(order)s; admin akan "
                                       "memutuskannya."),
    "complaint_escalated": _l("Komplain pesanan #%(order)s menunggu keputusan admin."),
    "complaint_decided": _l("Admin memutuskan pengembalian dana %(amount)s untuk komplain pesanan "
                            "#%(order)s."),
    "complaint_rejected": _l("Komplain pesanan #%(order)s ditolak: %(reason)s"),
    "complaint_goods_returned": _l("Barang retur pesanan #%(order)s sudah diterima penjual."),
}


# --- reading ------------------------------------------------------------------------------------

def has_open_complaint(order: Order) -> str | None:
    """Why the order's money stays held, when it has an open complaint (an entry of the ledger's
    `release_blockers` hook); such an order cannot be completed either (orders/state.py)."""
    return _("ada komplain yang masih berjalan (#%(id)s)", id=complaint.id) if (
        complaint := Complaint.open_for(order.id)) is not None else None


def complaint_for(complaint_id: int, actor: User | None, *, lock: bool = False) -> Complaint:
    """A complaint its order's buyer, seller, finance or an admin may see; others 'not found'.
    `lock` takes its row lock (answers and returns are decided under it)."""
    stmt = sa.select(Complaint).where(Complaint.id == complaint_id)
    if lock:
        stmt = stmt.with_for_update(of=Complaint).execution_options(populate_existing=True)
    complaint = db.session.scalar(stmt.options(so.joinedload(Complaint.order)))
    if complaint is None or actor is None or state.role_of(complaint.order, actor) is None:
        raise NotFound()
    return complaint


def complaints_of(order: Order) -> list[Complaint]:
    """The order's complaints, oldest first."""
    return list(db.session.scalars(sa.select(Complaint).where(Complaint.order_id == order.id)
                                   .order_by(Complaint.id)))


def _last_event_at(order: Order, action: str) -> datetime | None:
    times = [as_utc(e.at) for e in order.events if e.action == action]
    return max(times) if times else None


def window_refusal(order: Order, now: datetime | None = None):
    """Why the buyer may not complain about `order` now (a lazy text), or None when they may:
    delivered at most COMPLAINT_DAYS ago, or shipped and past the courier's estimate."""
    now = as_utc(now or utcnow())
    if order.status == OrderStatus.DELIVERED:
        delivered = _last_event_at(order, "deliver")
        if delivered and now <= delivered + timedelta(days=current_app.config["COMPLAINT_DAYS"]):
            return None
        return _l("Batas waktu komplain (%(n)s hari setelah pesanan sampai) sudah lewat.",
                  n=current_app.config["COMPLAINT_DAYS"])
    if order.status == OrderStatus.SHIPPED:
        shipped = _last_event_at(order, "ship")
        if order.shipping_days_max is not None and shipped \
                and now > shipped + timedelta(days=order.shipping_days_max):
            return None
        return _l("Pesanan masih dalam perkiraan waktu pengiriman kurir. Komplain dapat diajukan "
                  "setelah pesanan sampai, atau bila pengiriman melewati perkiraannya.")
    if order.status == OrderStatus.COMPLETED:
        return _l("Pesanan sudah selesai: penerimaan barang sudah dikonfirmasi.")
    return _l("Komplain dapat diajukan setelah pesanan dikirim.")


def complaint_deadline(order: Order) -> datetime | None:
    """The last moment a delivered order may be complained about (for the order page)."""
    delivered = _last_event_at(order, "deliver") if order.status == OrderStatus.DELIVERED else None
    return delivered + timedelta(days=current_app.config["COMPLAINT_DAYS"]) if delivered else None


def can_open(order: Order, actor: User | None) -> bool:
    """Whether `actor` may open a complaint on `order` now (the order page's button)."""
    return (actor is not None and state.role_of(order, actor) == state.BUYER
            and window_refusal(order) is None and order.total_idr > order.refunded_idr
            and not has_open_complaint(order))


def answer_deadline(complaint: Complaint) -> datetime:
    """Until when the seller answers before the complaint goes to finance."""
    return as_utc(complaint.opened_at) + timedelta(days=current_app.config["COMPLAINT_ANSWER_DAYS"])


def answering_role(complaint: Complaint, actor: User | None, now: datetime | None = None) -> str | None:
    """Who `actor` answers as now: "seller" (an open complaint of their store's order), "finance"
    (finance or an admin, once escalated or unanswered past its deadline), or None."""
    if actor is None:
        return None
    now = as_utc(now or utcnow())
    role = state.role_of(complaint.order, actor)
    if role == state.SELLER:
        return "seller" if complaint.status == ComplaintStatus.OPEN else None
    if role in (state.ADMIN, state.FINANCE) and is_finance(actor):
        if complaint.status == ComplaintStatus.ESCALATED or (
                complaint.status == ComplaintStatus.OPEN and now > answer_deadline(complaint)):
            return "finance"
    return None


def can_mark_returned(complaint: Complaint, actor: User | None) -> bool:
    """The seller (or finance) may say the returned goods arrived."""
    if actor is None or complaint.status != ComplaintStatus.AWAITING_RETURN:
        return False
    role = state.role_of(complaint.order, actor)
    return role == state.SELLER or (role in (state.ADMIN, state.FINANCE) and is_finance(actor))


def waiting_for_decision(now: datetime | None = None) -> sa.Select:
    """Complaints finance decides: escalated, or open and unanswered past their deadline,
    oldest first."""
    now = as_utc(now or utcnow())
    overdue = now - timedelta(days=current_app.config["COMPLAINT_ANSWER_DAYS"])
    return (sa.select(Complaint).where(sa.or_(
        Complaint.status == ComplaintStatus.ESCALATED,
        sa.and_(Complaint.status == ComplaintStatus.OPEN, Complaint.opened_at < overdue)))
        .options(so.joinedload(Complaint.order).joinedload(Order.store))
        .order_by(Complaint.opened_at, Complaint.id))


def refunds_to_pay() -> list[Complaint]:
    """Refunds of transfer and QRIS orders made on a complaint and not yet paid into the buyer's
    account: what the payouts part transfers (bank code, number, holder, amount on each)."""
    from orders.models import Checkout, Refund

    return list(db.session.scalars(
        sa.select(Complaint).join(Refund, Complaint.refund_id == Refund.id)
        .join(Order, Complaint.order_id == Order.id).join(Checkout, Order.checkout_id == Checkout.id)
        .where(Checkout.payment_method.in_([m.value for m in MANUAL_METHODS]),
               Complaint.refund_paid_at.is_(None))
        .options(so.joinedload(Complaint.refund)).order_by(Refund.created_at, Refund.id)))


def photo_file(complaint: Complaint, number: int) -> Path | None:
    """The file of the complaint's photo `number` (from 1), under PRIVATE_UPLOAD_DIR, or None."""
    photos = complaint.photos or []
    if not 1 <= number <= len(photos):
        return None
    found = safe_join(current_app.config["PRIVATE_UPLOAD_DIR"], photos[number - 1])
    return Path(found) if found and Path(found).is_file() else None


# --- notifications --------------------------------------------------------------------------------

def _notify(user_ids, kind: str, complaint: Complaint, **extra) -> None:
    order = complaint.order
    params = {"order": order.id, "store": order.store.name, "buyer": order.buyer.name,
              "complaint": complaint.id,
              "reason": str(REASON_LABELS.get(complaint.reason, complaint.reason)), **extra}
    for user_id in sorted(set(user_ids)):
        notifications.notify(user_id, kind, params=params, url=f"/komplain/{complaint.id}")


def _record(complaint: Complaint, action: str, actor: User | None, *, amount_idr: int | None = None,
            note: str | None = None) -> None:
    complaint.events.append(ComplaintEvent(action=action, status=complaint.status, amount_idr=amount_idr,
                                           actor_id=actor.id if actor else None, note=note))


# --- opening ------------------------------------------------------------------------------------

def _clean_text(value, limit: int) -> str:
    return str(value if value is not None else "").strip()[:limit + 1]


def _bank_account(data: dict, errors: dict) -> tuple[str, str, str] | None:
    """The buyer's refund account (`banks.account_errors`), its errors keyed `bank_account.*`."""
    raw = data.get("bank_account")
    (code, number, holder), found = account_errors(raw if isinstance(raw, dict) else {})
    errors.update({f"bank_account.{field}": message for field, message in found.items()})
    return (code, number, holder) if number and not found else None


def _account_given(data: dict) -> bool:
    """Whether `data` names a refund account at all (the web form sends its fields blank)."""
    raw = data.get("bank_account")
    if isinstance(raw, dict):
        return any(str(value or "").strip() for value in raw.values())
    return raw is not None


def open_complaint(order: Order, data: dict, photos=(), *, actor: User, require_account: bool = False,
                   now: datetime | None = None) -> Complaint:
    """The order's buyer opens a complaint: `data` {reason, description, resolution?,
    bank_account?: {bank_code, number, holder}}; `photos` up to three uploads (bytes, or
    `catalog.images.PreparedImage` made before the request's first write), kept private.

    A transfer or QRIS refund is paid into the buyer's bank account: checked when given, and
    required here when `require_account` (the web form asks for it at once); otherwise the
    buyer gives it later (`set_refund_account`), before finance can pay the refund."""
    from catalog.images import store_image

    role = state.role_of(order, actor)
    if role is None:
        raise NotFound()
    if role != state.BUYER:
        raise Forbidden(_l("Hanya pembeli pesanan ini yang dapat mengajukan komplain."))
    if has_open_complaint(order):
        raise Conflict(_l("Pesanan ini sudah punya komplain yang masih berjalan."), code="complaint_open")
    refusal = window_refusal(order, now)
    if refusal is not None:
        raise Conflict(refusal, code="complaint_window_closed")
    if order.total_idr <= order.refunded_idr:
        raise Conflict(_l("Dana pesanan ini sudah dikembalikan seluruhnya."), code="nothing_to_refund")
    errors: dict = {}
    reason = str(data.get("reason") or "").strip()
    if reason not in {r.value for r in ComplaintReason}:
        errors["reason"] = _l("Pilih alasan komplain.")
    description = _clean_text(data.get("description"), MAX_DESCRIPTION)
    if not description:
        errors["description"] = _l("Ceritakan masalahnya.")
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = _l("Maksimal %(n)d karakter.", n=MAX_DESCRIPTION)
    resolution = str(data.get("resolution") or ComplaintResolution.REFUND).strip()
    if resolution not in {r.value for r in ComplaintResolution}:
        errors["resolution"] = _l("Pilih pengembalian dana saja, atau retur dan pengembalian dana.")
    elif resolution == ComplaintResolution.RETURN and reason == ComplaintReason.NOT_RECEIVED:
        errors["resolution"] = _l("Barang yang tidak diterima tidak dapat diretur.")
    photos = [p for p in photos if p]
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = _l("Paling banyak %(n)d foto.", n=MAX_PHOTOS)
    account = None
    if order.checkout.payment_method in MANUAL_METHODS and (require_account or _account_given(data)):
        account = _bank_account(data, errors)
    if errors:
        raise ValidationError(fields=errors)
    complaint = Complaint(order_id=order.id, buyer_id=actor.id, reason=reason, description=description,
                          resolution=resolution, status=ComplaintStatus.OPEN)
    complaint.order = order
    if account is not None:
        complaint.refund_bank_code, complaint.refund_account_number, complaint.refund_account_holder = account
    try:
        with db.session.begin_nested():
            db.session.add(complaint)
            db.session.flush()
    except IntegrityError:
        # another request opened one for this order first (uq_complaints_open_order)
        raise Conflict(_l("Pesanan ini sudah punya komplain yang masih berjalan."),
                       code="complaint_open") from None
    complaint.photos = [store_image(order.id, p, folder=f"complaints/{order.id}", private=True).path
                        for p in photos]
    _record(complaint, "open", actor, note=description)
    _notify([order.store.owner_id], "complaint_opened", complaint,
            days=current_app.config["COMPLAINT_ANSWER_DAYS"])
    db.session.flush()
    return complaint


# --- answering ----------------------------------------------------------------------------------

def _decided_amount(complaint: Complaint, decision: str, amount_idr) -> int:
    order = complaint.order
    remaining = order.total_idr - order.refunded_idr
    if remaining <= 0:
        raise Conflict(_l("Dana pesanan ini sudah dikembalikan seluruhnya."), code="nothing_to_refund")
    if decision == "refund":
        return remaining
    if isinstance(amount_idr, bool) or not isinstance(amount_idr, int):
        raise ValidationError(fields={"amount_idr": _l("Isi jumlah dalam rupiah, bilangan bulat.")})
    if not 1 <= amount_idr <= remaining:
        raise ValidationError(fields={"amount_idr": _l("Antara Rp1 dan %(max)s.", max=rupiah(remaining))})
    return amount_idr


def answer_complaint(complaint: Complaint, decision: str, *, actor: User, amount_idr=None,
                     reason: str | None = None, now: datetime | None = None) -> Complaint:
    """The seller (while open) or finance (once escalated, or unanswered past its deadline)
    answers: `decision` "refund" (all that is left of the order), "partial" (`amount_idr`) or
    "reject" (`reason` required). The seller's rejection goes to finance; finance's is final.
    An accepted return waits for the goods (`mark_returned`); an accepted refund is made now."""
    role = state.role_of(complaint.order, actor)
    if role is None:
        raise NotFound()
    if role == state.BUYER:
        raise Forbidden(_l("Hanya penjual atau admin yang dapat menjawab komplain."))
    answering = answering_role(complaint, actor, now)
    if answering is None:
        if not complaint.is_open or complaint.status == ComplaintStatus.AWAITING_RETURN:
            raise Conflict(_l("Komplain ini sudah dijawab."), code="complaint_answered")
        if role == state.SELLER:
            raise Conflict(_l("Komplain ini sudah diteruskan ke admin."), code="complaint_escalated")
        raise Conflict(_l("Komplain ini masih menunggu jawaban penjual."), code="complaint_waiting_seller")
    if decision not in DECISIONS:
        raise ValidationError(fields={"decision": _l("Pilih: kembalikan dana penuh, sebagian, atau tolak.")})
    note = _clean_text(reason, state.MAX_REASON) or None
    if note and len(note) > state.MAX_REASON:
        raise ValidationError(fields={"reason": _l("Maksimal %(n)d karakter.", n=state.MAX_REASON)})
    order = complaint.order
    now = now or utcnow()
    if answering == "seller":
        complaint.answered_at = now
    complaint.decided_by_id = actor.id
    if decision == "reject":
        if not note:
            raise ValidationError(fields={"reason": _l("Tuliskan alasan penolakan.")})
        complaint.decision_reason = note
        if answering == "seller":
            complaint.status, complaint.escalated_at = ComplaintStatus.ESCALATED, now
            _record(complaint, "reject", actor, note=note)
            _notify([complaint.buyer_id], "complaint_rejected_by_seller", complaint)
            _notify(user_ids_with_role(Role.FINANCE), "complaint_escalated", complaint)
        else:
            complaint.status, complaint.closed_at = ComplaintStatus.REJECTED, now
            _record(complaint, "reject", actor, note=note)
            _notify([complaint.buyer_id, order.store.owner_id], "complaint_rejected", complaint,
                    reason=note)
        db.session.flush()
        return complaint
    amount = _decided_amount(complaint, decision, amount_idr)
    complaint.refund_amount_idr = amount
    complaint.decision_reason = note
    to_tell = [complaint.buyer_id] + ([order.store.owner_id] if answering == "finance" else [])
    if complaint.resolution == ComplaintResolution.RETURN:
        complaint.status = ComplaintStatus.AWAITING_RETURN
        _record(complaint, decision, actor, amount_idr=amount, note=note)
        _notify(to_tell, "complaint_return_accepted", complaint, amount=rupiah(amount))
    else:
        _record(complaint, decision, actor, amount_idr=amount, note=note)
        _notify(to_tell, "complaint_accepted" if answering == "seller" else "complaint_decided",
                complaint, amount=rupiah(amount))
        _make_refund(complaint, actor)
    db.session.flush()
    return complaint


def mark_returned(complaint: Complaint, *, actor: User, now: datetime | None = None) -> Complaint:
    """The seller (or finance) says the returned goods arrived: the agreed refund is made."""
    role = state.role_of(complaint.order, actor)
    if role is None:
        raise NotFound()
    if not can_mark_returned(complaint, actor):
        if complaint.status != ComplaintStatus.AWAITING_RETURN:
            raise Conflict(_l("Komplain ini tidak menunggu barang retur."), code="not_awaiting_return")
        raise Forbidden(_l("Hanya penjual yang menandai barang retur diterima."))
    complaint.returned_at = now or utcnow()
    _record(complaint, "returned", actor)
    _notify([complaint.buyer_id], "complaint_goods_returned", complaint)
    _make_refund(complaint, actor)
    db.session.flush()
    return complaint


def _make_refund(complaint: Complaint, actor: User | None) -> None:
    """Give the agreed amount back through `refund_order` (at most what is left of the order):
    card through Stripe; transfer and QRIS recorded `to_pay` into the buyer's account."""
    order = complaint.order
    amount = min(complaint.refund_amount_idr or 0, order.total_idr - order.refunded_idr)
    if amount <= 0:
        raise Conflict(_l("Dana pesanan ini sudah dikembalikan seluruhnya."), code="nothing_to_refund")
    refund = refund_order(order, amount, reason=_("Komplain #%(id)s", id=complaint.id), actor=None)
    refund.actor_id = actor.id if actor else None
    if order.checkout.payment_method in MANUAL_METHODS:
        refund.status = REFUND_TO_PAY
    complaint.refund_id = refund.id
    complaint.refund_amount_idr = amount
    complaint.status, complaint.closed_at = ComplaintStatus.REFUNDED, utcnow()
    _record(complaint, "refunded", actor, amount_idr=amount)


def needs_refund_account(complaint: Complaint) -> bool:
    """Whether the buyer may (still) give the account a transfer/QRIS refund goes to: a transfer
    or QRIS order whose refund is not paid yet."""
    return complaint.order.checkout.payment_method in MANUAL_METHODS and complaint.refund_paid_at is None


def set_refund_account(complaint_id: int, data: dict, *, actor: User) -> Complaint:
    """The complaint's buyer gives (or corrects) the bank account `{bank_code, number, holder}`
    its transfer/QRIS refund is paid into, until finance has paid it."""
    complaint = complaint_for(complaint_id, actor, lock=True)
    if complaint.buyer_id != getattr(actor, "id", None):
        raise Forbidden(_l("Hanya pembeli yang dapat mengisi rekening pengembalian dana."))
    if not needs_refund_account(complaint):
        raise Conflict(_l("Pengembalian dana pesanan ini tidak ditransfer ke rekening, atau sudah "
                          "ditransfer."), code="no_transfer_refund")
    errors: dict = {}
    account = _bank_account({"bank_account": data}, errors)
    if errors or account is None:
        raise ValidationError(fields=errors)
    complaint.refund_bank_code, complaint.refund_account_number, complaint.refund_account_holder = account
    _record(complaint, "account", actor)
    db.session.flush()
    return complaint


def mark_refund_paid(complaint_id: int, *, reference: str, actor: User) -> Complaint:
    """Finance records the transfer/QRIS refund paid into the buyer's account, with the bank's
    reference: the money owed to the buyer leaves the marketplace's bank in the ledger
    (`ledger.refund_paid`). Under the complaint's row lock, so it is paid once."""
    from orders.ledger import service as ledger

    if not is_finance(actor):
        raise Forbidden()
    complaint = complaint_for(complaint_id, actor, lock=True)
    if complaint.refund is None or complaint.refund_paid_at is not None \
            or complaint.refund.status != REFUND_TO_PAY:
        raise Conflict(_l("Tidak ada pengembalian dana yang menunggu transfer."), code="nothing_to_pay")
    if not complaint.refund_account_number:
        raise Conflict(_l("Pembeli belum mengisi rekening untuk pengembalian dana."), code="no_account")
    reference = _clean_text(reference, 120)
    if not reference or len(reference) > 120:
        raise ValidationError(fields={"reference": _l("Isi referensi transfer bank (maks. 120 karakter).")})
    complaint.refund_paid_at, complaint.refund_paid_reference = utcnow(), reference
    complaint.refund.status = "succeeded"
    refund = complaint.refund
    ledger.refund_paid(complaint.buyer_id, refund.amount_idr, source=("refund", refund.id),
                       key=f"refund_paid:refund:{refund.id}", actor=actor)
    _record(complaint, "refund_paid", actor, amount_idr=complaint.refund.amount_idr, note=reference)
    db.session.flush()
    return complaint


# --- the job ------------------------------------------------------------------------------------

def escalate_unanswered(now: datetime | None = None) -> dict[str, int]:
    """Send complaints the seller left unanswered for COMPLAINT_ANSWER_DAYS to finance (the
    `orders.complaints_escalate` job). Safe to repeat and to run twice at once."""
    now = as_utc(now or utcnow())
    cutoff = now - timedelta(days=current_app.config["COMPLAINT_ANSWER_DAYS"])
    due = db.session.scalars(sa.select(Complaint).where(
        Complaint.status == ComplaintStatus.OPEN, Complaint.opened_at < cutoff)
        .order_by(Complaint.id).with_for_update(skip_locked=True, of=Complaint)).all()
    finance = user_ids_with_role(Role.FINANCE)
    for complaint in due:
        complaint.status, complaint.escalated_at = ComplaintStatus.ESCALATED, now
        _record(complaint, "escalate", None)
        _notify([complaint.buyer_id, complaint.order.store.owner_id, *finance], "complaint_escalated",
                complaint)
    db.session.flush()
    return {"escalated": len(due)}


# --- for pages and the API ----------------------------------------------------------------------

@dataclass(frozen=True)
class Party:
    """Who wrote a step of the thread, as its readers see them."""

    label: str
    role: str   # buyer, seller, finance, system


def party_of(complaint: Complaint, event: ComplaintEvent) -> Party:
    if event.actor_id is None:
        return Party(str(_l("Sistem")), "system")
    if event.actor_id == complaint.buyer_id:
        return Party(str(_l("Pembeli")), "buyer")
    if event.actor_id == complaint.order.store.owner_id:
        return Party(str(_l("Penjual")), "seller")
    return Party(str(_l("Admin")), "finance")
