"""Posting to the journal and reading balances: the ledger's core, knowing nothing of orders.

`post` writes one balanced entry once per idempotency key; `balance_of` is the sum of an
account's lines (read in its normal direction); `replay` recomputes every balance from the
journal in Python, which the tests compare with the database's sums.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from orders.ledger.models import (
    DEBIT_NORMAL,
    STORE_ACCOUNTS,
    AccountKind,
    EntryKind,
    LedgerAccount,
    LedgerEntry,
    LedgerLine,
)


class LedgerError(ValueError):
    """A posting that would break the books (unbalanced, empty, overdrawn): a bug in the
    caller, never the user's doing, so it is no DomainError."""


@dataclass(frozen=True)
class AccountRef:
    """An account by its parts; `key` names it. Made by the helpers below."""

    kind: str
    key: str
    store_id: int | None = None
    order_id: int | None = None
    user_id: int | None = None
    method: str | None = None


def cash(method: str) -> AccountRef:
    """Money the marketplace received through `method`: stripe, bank, qris."""
    return AccountRef(AccountKind.CASH, f"cash:{method}", method=method)


def held(order) -> AccountRef:
    """A paid order's money, held for its store until release."""
    return AccountRef(AccountKind.HELD, f"held:order:{order.id}", store_id=order.store_id, order_id=order.id)


def available(store_id: int) -> AccountRef:
    return AccountRef(AccountKind.AVAILABLE, f"available:store:{store_id}", store_id=store_id)


def in_transit(store_id: int) -> AccountRef:
    return AccountRef(AccountKind.IN_TRANSIT, f"in_transit:store:{store_id}", store_id=store_id)


def refunds_payable(buyer_id: int) -> AccountRef:
    return AccountRef(AccountKind.REFUNDS_PAYABLE, f"refunds_payable:buyer:{buyer_id}", user_id=buyer_id)


def revenue(name: str = "commission") -> AccountRef:
    return AccountRef(AccountKind.REVENUE, f"revenue:{name}", method=name)


def book(store_id: int, code: str) -> AccountRef:
    """An account of a store's own books, by its chart code (books/chart.py): the seller's
    cash, bank, loans, expenses... Never one of the marketplace's."""
    return AccountRef(AccountKind.BOOK, f"book:store:{store_id}:{code}", store_id=store_id, method=code)


def account(ref: AccountRef, *, create: bool = True) -> LedgerAccount | None:
    """The account `ref` names, made on first use (a concurrent maker wins harmlessly)."""
    found = db.session.scalar(sa.select(LedgerAccount).where(LedgerAccount.key == ref.key))
    if found is not None or not create:
        return found
    row = LedgerAccount(kind=ref.kind, key=ref.key, store_id=ref.store_id, order_id=ref.order_id,
                        user_id=ref.user_id, method=ref.method)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return db.session.scalar(sa.select(LedgerAccount).where(LedgerAccount.key == ref.key))
    return row


def entry_for(key: str) -> LedgerEntry | None:
    return db.session.scalar(sa.select(LedgerEntry).where(LedgerEntry.idempotency_key == key))


def post(kind: str, source: tuple[str, int], lines: Iterable[tuple[AccountRef, int]], key: str,
         actor=None, memo: str | None = None, order_id: int | None = None) -> LedgerEntry:
    """Post one entry: `lines` are (account, signed amount) pairs, debit positive; zero lines are
    left out; what remains must be two lines or more adding up to zero. Posting a key again
    returns its first entry and writes nothing (a concurrent poster of the same key: the same).
    Adds and flushes in the caller's transaction."""
    if kind not in EntryKind.__members__.values():
        raise LedgerError(f"unknown entry kind {kind!r}")
    if not key:
        raise LedgerError("an entry needs an idempotency key")
    earlier = entry_for(key)
    if earlier is not None:
        if earlier.kind != kind:
            raise LedgerError(f"key {key!r} was posted as {earlier.kind}, not {kind}")
        return earlier
    pairs = []
    for ref, amount in lines:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise LedgerError(f"amounts are whole rupiah, not {amount!r}")
        if amount:
            pairs.append((ref, amount))
    if len(pairs) < 2 or sum(amount for _ref, amount in pairs) != 0:
        raise LedgerError(f"entry {key!r} does not balance: {[(r.key, a) for r, a in pairs]}")
    source_type, source_id = source
    entry = LedgerEntry(kind=kind, source_type=source_type, source_id=source_id, idempotency_key=key,
                        order_id=order_id, actor_id=getattr(actor, "id", None), memo=memo)
    rows = [(account(ref), amount) for ref, amount in pairs]
    entry.lines = [LedgerLine(account_id=row.id, amount_idr=amount, **line_store(row)) for row, amount in rows]
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        earlier = entry_for(key)
        if earlier is None:
            raise
        return earlier
    return entry


def line_store(row: LedgerAccount) -> dict:
    """The store columns a line on `row` carries: the store and statement name of a store's
    marketplace account (pending, available, in transit), none for any other (a seller's own
    book accounts are read by account, not through the store's marketplace index)."""
    name = STORE_ACCOUNTS.get(row.kind) if row.store_id else None
    return {"store_id": row.store_id if name else None, "store_account": name}


def signed_sum(account_ids) -> int:
    """The plain sum of the lines of these accounts (debit positive)."""
    ids = list(account_ids)
    if not ids:
        return 0
    return int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(LedgerLine.amount_idr), 0))
                                 .where(LedgerLine.account_id.in_(ids))))


def balance_of(ref: AccountRef | LedgerAccount) -> int:
    """The account's balance in its normal direction: what cash holds, what a liability owes."""
    row = ref if isinstance(ref, LedgerAccount) else account(ref, create=False)
    if row is None:
        return 0
    total = signed_sum([row.id])
    return total if row.kind in DEBIT_NORMAL else -total


def lock_account(ref: AccountRef) -> LedgerAccount:
    """The account, made if needed and row-locked until the transaction ends, so two
    transactions that check a balance before moving money from it take turns."""
    row = account(ref)
    db.session.execute(sa.select(LedgerAccount.id).where(LedgerAccount.id == row.id).with_for_update())
    return row


def balances_by_kind() -> dict[str, int]:
    """Every account kind's total balance (normal direction), from the database's sums."""
    rows = db.session.execute(
        sa.select(LedgerAccount.kind, sa.func.sum(LedgerLine.amount_idr))
        .join(LedgerLine, LedgerLine.account_id == LedgerAccount.id).group_by(LedgerAccount.kind)).all()
    return {kind: (int(total) if kind in DEBIT_NORMAL else -int(total)) for kind, total in rows}


def replay() -> dict[str, int]:
    """Every account's balance (normal direction, by key) recomputed by walking the journal in
    order, entry by entry, checking that each balances. Raises LedgerError at the first that
    does not."""
    kinds = dict(db.session.execute(sa.select(LedgerAccount.id, LedgerAccount.kind)).all())
    keys = dict(db.session.execute(sa.select(LedgerAccount.id, LedgerAccount.key)).all())
    sums: dict[int, int] = defaultdict(int)
    current, running = None, 0
    rows = db.session.execute(sa.select(LedgerLine.entry_id, LedgerLine.account_id, LedgerLine.amount_idr)
                              .order_by(LedgerLine.entry_id, LedgerLine.id)).yield_per(10_000)
    for entry_id, account_id, amount in rows:
        if entry_id != current:
            if running:
                raise LedgerError(f"entry {current} does not balance by {running}")
            current, running = entry_id, 0
        running += amount
        sums[account_id] += amount
    if running:
        raise LedgerError(f"entry {current} does not balance by {running}")
    return {keys[i]: (total if kinds[i] in DEBIT_NORMAL else -total) for i, total in sums.items()}


def database_balances() -> dict[str, int]:
    """Every account's balance (normal direction, by key) as the database sums it."""
    rows = db.session.execute(
        sa.select(LedgerAccount.key, LedgerAccount.kind, sa.func.sum(LedgerLine.amount_idr))
        .join(LedgerLine, LedgerLine.account_id == LedgerAccount.id)
        .group_by(LedgerAccount.key, LedgerAccount.kind)).all()
    return {key: (int(total) if kind in DEBIT_NORMAL else -int(total)) for key, kind, total in rows}
