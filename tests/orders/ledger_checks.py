"""The ledger's invariants, checked from the database after any path, and small helpers to walk
orders through their life at the service level."""
from __future__ import annotations

import sqlalchemy as sa

from tests.orders.conftest import JAKARTA


def assert_books_hold() -> dict[str, int]:
    """Every entry balances with two lines or more; every line carries its account's store and
    statement name; replaying the journal gives the database's
    balances; what the marketplace owes and earned equals its cash, which is what it received
    less what it paid out. Returns the balances by account key."""
    from marketplace.extensions import db
    from orders.ledger.models import AccountKind, EntryKind, LedgerAccount, LedgerEntry, LedgerLine
    from orders.ledger.posting import balances_by_kind, database_balances, replay

    unbalanced = db.session.execute(
        sa.select(LedgerLine.entry_id, sa.func.sum(LedgerLine.amount_idr), sa.func.count())
        .group_by(LedgerLine.entry_id)
        .having(sa.or_(sa.func.sum(LedgerLine.amount_idr) != 0, sa.func.count() < 2))).all()
    assert unbalanced == []
    entries = db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry))
    with_lines = db.session.scalar(sa.select(sa.func.count(sa.distinct(LedgerLine.entry_id))))
    assert entries == with_lines
    assert lines_carry_their_accounts_store() == []
    balances = database_balances()
    assert replay() == balances
    kinds = balances_by_kind()
    owed = sum(kinds.get(k, 0) for k in (AccountKind.HELD, AccountKind.AVAILABLE, AccountKind.IN_TRANSIT,
                                          AccountKind.REFUNDS_PAYABLE, AccountKind.REVENUE))
    cash = kinds.get(AccountKind.CASH, 0)
    assert owed == cash
    cash_lines = (sa.select(sa.func.coalesce(sa.func.sum(LedgerLine.amount_idr), 0))
                  .join(LedgerAccount, LedgerAccount.id == LedgerLine.account_id)
                  .join(LedgerEntry, LedgerEntry.id == LedgerLine.entry_id)
                  .where(LedgerAccount.kind == AccountKind.CASH))
    # money in (payments; adjustments by hand) and money out (refunds, payouts), counted apart
    received = db.session.scalar(cash_lines.where(LedgerLine.amount_idr > 0))
    paid_out = -db.session.scalar(cash_lines.where(LedgerLine.amount_idr < 0))
    assert received == db.session.scalar(cash_lines.where(
        LedgerEntry.kind.in_((EntryKind.PAYMENT, EntryKind.ADJUSTMENT))))
    assert paid_out >= 0
    assert cash == received - paid_out
    return balances


def lines_carry_their_accounts_store() -> list:
    """The lines whose store_id/store_account are not their account's store and statement name
    (`STORE_ACCOUNTS`; both None off a store's marketplace accounts, a seller's own book
    accounts too): [] when every posting path copied them."""
    from marketplace.extensions import db
    from orders.ledger.models import STORE_ACCOUNTS, LedgerAccount, LedgerLine

    rows = db.session.execute(
        sa.select(LedgerLine.id, LedgerLine.store_id, LedgerLine.store_account, LedgerAccount.store_id,
                  LedgerAccount.kind)
        .join(LedgerAccount, LedgerAccount.id == LedgerLine.account_id).order_by(LedgerLine.id)).all()
    return [(line_id, (store_id, name)) for line_id, store_id, name, account_store, kind in rows
            if (store_id, name) != ((account_store, STORE_ACCOUNTS[kind]) if account_store and kind in STORE_ACCOUNTS
                                    else (None, None))]


def entries(kind: str | None = None) -> list:
    from marketplace.extensions import db
    from orders.ledger.models import LedgerEntry

    stmt = sa.select(LedgerEntry).order_by(LedgerEntry.id)
    if kind:
        stmt = stmt.where(LedgerEntry.kind == kind)
    return db.session.scalars(stmt).all()


def buy(buyer, quantities: dict, method: str = "bank_transfer", **extra):
    """place_checkout as the API does, committed: {product: quantity} -> Checkout."""
    from catalog.addresses import clean_address
    from marketplace.extensions import db
    from orders.checkout import place_checkout

    checkout = place_checkout(buyer, {p.id: q for p, q in quantities.items()}, clean_address(JAKARTA),
                              payment_method=method, **extra)
    db.session.commit()
    return checkout


def deliver(order) -> None:
    """The seller accepts, ships (JNE, with a tracking number) and marks the order delivered."""
    from marketplace.extensions import db
    from orders import services

    seller = order.store.owner
    services.act(order, "accept", actor=seller)
    services.act(order, "ship", actor=seller, tracking_number=f"JNE{order.id:06d}")
    services.act(order, "deliver", actor=seller)
    db.session.commit()
