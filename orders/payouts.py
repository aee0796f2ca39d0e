"""Paying sellers out: each store's payout account (a bank account an officer or admin
verifies before money goes to it).

A seller registers the account on `/jual/rekening`; a new one replaces the current one and
waits for a check again, so a stolen login cannot quietly redirect the next payout. Officers
and admins check the holder's name against the store's owner or its registered business and
verify or reject it, with a note the seller reads.
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from catalog.models import Store
from marketplace.accounts.models import User
from marketplace.errors import Conflict, Forbidden, NotFound, ValidationError
from marketplace.extensions import db
from marketplace.notifications import notify
from marketplace.timeutil import utcnow
from orders.models import PayoutAccountStatus, StorePayoutAccount
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
