"""Paying sellers out: each store's payout account (a bank account an officer or admin
verifies before money goes to it), and payout batches that send the available balances there.

A seller registers the account on `/jual/rekening`; a new one replaces the current one and
waits for a check again, so a stolen login cannot quietly redirect the next payout. Officers
and admins check the holder's name against the store's owner or its registered business and
verify or reject it, with a note the seller reads.

Finance makes a batch (`make_batch`): every store's available balance above a minimum becomes a
line to its verified account, moved in the ledger from available to in transit; the batch is
exported as a bulk-transfer CSV (`batch_csv`) for internet banking, and each line is marked
paid with the bank's reference or failed (`settle_line`), which moves the money out of the
marketplace's bank or back to the store's balance.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from catalog.models import Store
from marketplace.accounts.models import User
from marketplace.errors import Conflict, Forbidden, NotFound, ValidationError
from marketplace.extensions import db
from marketplace.i18n import rupiah
from marketplace.notifications import notify
from marketplace.spreadsheet import safe_cell
from marketplace.timeutil import utcnow
from orders.models import (
    PayoutAccountStatus,
    PayoutBatch,
    PayoutLine,
    PayoutLineStatus,
    StorePayoutAccount,
)
from orders.payments.banks import account_errors

log = logging.getLogger(__name__)
MAX_NOTE = 500


def current_account(store: Store) -> StorePayoutAccount | None:
    """The store's current payout account (verified or not), or None."""
    return db.session.scalar(sa.select(StorePayoutAccount).where(
        StorePayoutAccount.store_id == store.id, StorePayoutAccount.replaced_at.is_(None)))


def verified_account(store: Store) -> StorePayoutAccount | None:
    account = current_account(store)
    return account if account is not None and account.status == PayoutAccountStatus.VERIFIED else None


def register_account(store: Store, data: dict, *, actor: User) -> StorePayoutAccount:
    """The store's owner gives the account to be paid into; it replaces the current one and
    waits to be checked."""
    from catalog.services import require_owner

    require_owner(store, actor)
    (code, number, holder), errors = account_errors(data)
    if errors:
        raise ValidationError(fields=errors)
    current = current_account(store)
    if current is not None and (current.bank_code, current.number, current.holder) == (code, number, holder):
        return current  # the same account again: nothing to check anew
    if current is not None:
        current.replaced_at = utcnow()
        db.session.flush()
    account = StorePayoutAccount(store_id=store.id, bank_code=code, number=number, holder=holder)
    db.session.add(account)
    db.session.flush()
    log.info("payout account registered", extra={"store_id": store.id, "account_id": account.id,
                                                 "actor_id": actor.id})
    return account


def accounts_to_check() -> sa.Select:
    """Current payout accounts waiting for a check, oldest first."""
    return (sa.select(StorePayoutAccount).where(StorePayoutAccount.replaced_at.is_(None),
                                                StorePayoutAccount.status == PayoutAccountStatus.PENDING)
            .order_by(StorePayoutAccount.created_at, StorePayoutAccount.id))


def check_account(account_id: int, *, verified: bool, note: str | None, actor: User) -> StorePayoutAccount:
    """An officer or admin verifies (or rejects, saying why) a store's current payout account."""
    if not actor.is_officer:
        raise Forbidden()
    account = db.session.get(StorePayoutAccount, account_id, with_for_update=True)
    if account is None:
        raise NotFound()
    if account.replaced_at is not None:
        raise Conflict(_l("Rekening ini sudah diganti penjualnya."), code="replaced")
    note = (note or "").strip() or None
    if not verified and not note:
        raise ValidationError(fields={"note": _l("Tuliskan alasan penolakan untuk penjual.")})
    if note and len(note) > MAX_NOTE:
        raise ValidationError(fields={"note": _l("Maksimal %(n)d karakter.", n=MAX_NOTE)})
    account.status = PayoutAccountStatus.VERIFIED if verified else PayoutAccountStatus.REJECTED
    account.note, account.checked_by_id, account.checked_at = note, actor.id, utcnow()
    db.session.flush()
    notify(account.store.owner_id, "payout_account_verified" if verified else "payout_account_rejected",
           params={"store": account.store.name, "reason": note or ""}, url="/jual/rekening")
    return account


# --- batches ------------------------------------------------------------------------------------

@dataclass
class BatchResult:
    batch: PayoutBatch
    #: stores with money available but no verified account: nothing was taken from them
    without_account: list[tuple[Store, int]]


def make_batch(min_amount_idr, *, actor: User) -> BatchResult:
    """Finance pays out every available balance of at least `min_amount_idr` to the stores'
    verified accounts: one line per store, each reserved in the ledger at once.

    Stores are taken in id order and each one's available account is row-locked before its
    balance is read (`ledger.locked_available`), so two batches made at the same moment take
    turns store by store and the second finds nothing left: no balance is paid twice."""
    from orders.ledger import service as ledger
    from orders.payments.escrow import require_finance

    require_finance(actor)
    if isinstance(min_amount_idr, bool) or not isinstance(min_amount_idr, int) or min_amount_idr < 1:
        raise ValidationError(fields={"min_amount_idr": _l("Isi jumlah minimal dalam rupiah (minimal 1).")})
    batch = PayoutBatch(min_amount_idr=min_amount_idr, created_by_id=actor.id)
    db.session.add(batch)
    db.session.flush()
    without = []
    for store_id in sorted(ledger.available_balances()):
        store = db.session.get(Store, store_id)
        account = verified_account(store)
        amount = ledger.locked_available(store_id)  # read again under the lock
        if amount < min_amount_idr:
            continue
        if account is None:
            without.append((store, amount))
            continue
        line = PayoutLine(batch_id=batch.id, store_id=store_id, payout_account_id=account.id, amount_idr=amount)
        db.session.add(line)
        db.session.flush()
        ledger.payout_reserved(store_id, amount, line.id, actor=actor)
    if not batch.lines:
        raise Conflict(_l("Tidak ada saldo yang bisa dicairkan: tidak ada toko dengan saldo tersedia "
                          "minimal %(amount)s dan rekening terverifikasi.", amount=rupiah(min_amount_idr)),
                       code="nothing_to_pay")
    log.info("payout batch made", extra={"batch_id": batch.id, "lines": len(batch.lines),
                                         "total_idr": sum(line.amount_idr for line in batch.lines)})
    return BatchResult(batch=batch, without_account=without)


def settle_line(line_id: int, *, paid: bool, reference: str | None = None, reason: str | None = None,
                actor: User) -> PayoutLine:
    """Record what the bank did with one payout: paid (with its reference) or failed (with why;
    the money returns to the store's available balance). A line is settled once."""
    from orders.ledger import service as ledger
    from orders.payments.escrow import require_finance

    require_finance(actor)
    line = db.session.scalar(sa.select(PayoutLine).where(PayoutLine.id == line_id).with_for_update()
                             .execution_options(populate_existing=True))
    if line is None:
        raise NotFound()
    if line.status != PayoutLineStatus.PENDING:
        raise Conflict(_l("Pencairan ini sudah dicatat."), code="already_settled")
    text = " ".join(str((reference if paid else reason) or "").split())
    field = "reference" if paid else "reason"
    if not text:
        raise ValidationError(fields={field: _l("Isi referensi bank.") if paid else _l("Tuliskan sebab gagalnya.")})
    if len(text) > 120:
        raise ValidationError(fields={field: _l("Maksimal %(n)d karakter.", n=120)})
    line.settled_at, line.settled_by_id = utcnow(), actor.id
    if paid:
        line.status, line.bank_reference = PayoutLineStatus.PAID, text
        ledger.payout_paid(line.store_id, line.amount_idr, line.id, actor=actor, memo=text)
        notify(line.store.owner_id, "payout_paid", url="/jual/saldo",
               params={"amount": rupiah(line.amount_idr), "store": line.store.name, "reference": text})
    else:
        line.status, line.failure_reason = PayoutLineStatus.FAILED, text
        ledger.payout_failed(line.store_id, line.amount_idr, line.id, actor=actor, memo=text)
        notify(line.store.owner_id, "payout_failed", url="/jual/rekening",
               params={"amount": rupiah(line.amount_idr), "store": line.store.name, "reason": text})
    db.session.flush()
    return line


#: a payout line's store and account, read with it (the pages and the API show both)
_LINE_LOAD = (so.joinedload(PayoutLine.store), so.joinedload(PayoutLine.payout_account))


def batches() -> sa.Select:
    """Payout batches, newest first, with their lines, stores and accounts (no query per line)."""
    return (sa.select(PayoutBatch).options(so.selectinload(PayoutBatch.lines).options(*_LINE_LOAD))
            .order_by(PayoutBatch.id.desc()))


def batch(batch_id: int) -> PayoutBatch:
    """One payout batch with its lines, stores and accounts; NotFound when there is none."""
    found = db.session.scalar(batches().where(PayoutBatch.id == batch_id))
    if found is None:
        raise NotFound()
    return found


def store_payouts(store: Store, *, actor: User) -> sa.Select:
    """A store's payout lines, newest first (its owner)."""
    from catalog.services import require_owner

    require_owner(store, actor)
    return (sa.select(PayoutLine).where(PayoutLine.store_id == store.id).options(*_LINE_LOAD)
            .order_by(PayoutLine.id.desc()))


#: the bulk-transfer file's columns: what internet banking's bulk upload asks for (bank code,
#: account, holder, amount, a note the receiver sees), in the order most banks' templates use
CSV_COLUMNS = ("no", "kode_bank", "nama_bank", "nomor_rekening", "nama_pemilik", "jumlah_idr", "berita")


def batch_csv(batch: PayoutBatch) -> str:
    """The batch as a bulk-transfer CSV: one row per line, the note naming batch and line so
    the bank's report can be matched back."""
    import csv
    import io

    from orders.payments.banks import bank_by_code

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for i, line in enumerate(batch.lines, start=1):
        account = line.payout_account
        bank = bank_by_code(account.bank_code)
        writer.writerow([i, account.bank_code, bank.name if bank else account.bank_code, account.number,
                         safe_cell(account.holder), line.amount_idr, f"PASARUMKM B{batch.id} L{line.id}"])
    return out.getvalue()
