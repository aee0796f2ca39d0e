"""The ledger's tables: accounts, journal entries and their lines; commission rates.

Double entry in integer rupiah. A line's `amount_idr` is signed: positive is a debit, negative a
credit, and the lines of one entry add up to zero. Cash accounts are debit-normal (what the
marketplace holds at a payment channel); every other account is credit-normal (what it owes: a
buyer's money held for an order, a store's available balance, a payout under way, a refund owed
to a buyer; or what it earned: platform revenue). `orders.ledger.posting.balance_of` turns the
signed sum into the account's own direction, so every balance reads positive in normal use.

Entries and lines are append-only: nothing updates or deletes them. The ORM refuses it here
(`_refuse_changes`), and on PostgreSQL triggers refuse it too and check, at commit, that each
entry balances and has at least two lines (migration 0014).
"""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from marketplace.extensions import db
from marketplace.timeutil import utcnow

BigInt = sa.BigInteger().with_variant(sa.Integer, "sqlite")


class AccountKind(enum.StrEnum):
    """What an account holds. Owners: cash by `method`, held by order (and its store), available
    and in transit by store, refunds payable by buyer, revenue by `method` (its name)."""

    CASH = "cash"                        # money received, by channel: stripe, bank, qris
    HELD = "held"                        # a paid order's money in escrow: its store's "pending"
    AVAILABLE = "available"              # released to a store, not paid out yet
    IN_TRANSIT = "in_transit"            # a store's money in a payout not confirmed yet
    REFUNDS_PAYABLE = "refunds_payable"  # owed back to a buyer, not sent yet
    REVENUE = "revenue"                  # the platform's: commission, unique codes
    BOOK = "book"                        # a seller's own books (books/chart.py), by store and code


#: debit-normal kinds: their balance is the plain sum of their lines
DEBIT_NORMAL = frozenset({AccountKind.CASH})
#: a store's accounts, as its statement names them (held: over all its orders)
STORE_ACCOUNTS = {AccountKind.HELD: "pending", AccountKind.AVAILABLE: "available",
                  AccountKind.IN_TRANSIT: "in_transit"}


class EntryKind(enum.StrEnum):
    PAYMENT = "payment"                  # money received: cash in, held per order
    RELEASE = "release"                  # held -> the store's available
    COMMISSION = "commission"            # the store's available -> platform revenue
    REFUND = "refund"                    # held or available -> the buyer (card) or refunds payable
    REFUND_PAID = "refund_paid"          # refunds payable -> sent to the buyer (cash out)
    PAYOUT_RESERVE = "payout_reserve"    # available -> in transit (a payout line made)
    PAYOUT = "payout"                    # in transit -> paid out (cash out to the store)
    PAYOUT_FAILED = "payout_failed"      # in transit -> back to available
    ADJUSTMENT = "adjustment"            # a correction by hand, any accounts
    BOOK = "book"                        # a seller's own entry, on its book accounts only
    BOOK_VOID = "book_void"              # the reversal of a seller's entry it voided


class LedgerAccount(db.Model):
    """One account: a (kind, owner) pair named by `key` ("held:order:12", "cash:stripe")."""

    __tablename__ = "ledger_accounts"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    key: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    store_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("stores.id"), index=True)
    order_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("orders.id"), unique=True)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    #: the cash channel (stripe, bank, qris) or the revenue's name (commission, unique_code)
    method: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    @property
    def debit_normal(self) -> bool:
        return self.kind in DEBIT_NORMAL


class LedgerEntry(db.Model):
    """One journal entry: what happened (kind), because of what (source), posted once (key)."""

    __tablename__ = "ledger_entries"
    __table_args__ = (sa.Index("ix_ledger_entries_source", "source_type", "source_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    #: what the entry is about: checkout, order, refund, payout, statement_line ...
    source_type: so.Mapped[str] = so.mapped_column(sa.String(30))
    source_id: so.Mapped[int] = so.mapped_column(BigInt)
    #: the same event posted twice finds its first entry by this key and posts nothing
    idempotency_key: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    #: the order the entry is about, where it is about one (a checkout's payment may hold many)
    order_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("orders.id"), index=True)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    memo: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    lines: so.Mapped[list[LedgerLine]] = so.relationship(
        back_populates="entry", order_by="LedgerLine.id", lazy="selectin")


class LedgerLine(db.Model):
    """One side of an entry: an account and a signed amount (debit positive, credit negative)."""

    __tablename__ = "ledger_lines"
    __table_args__ = (
        sa.CheckConstraint("amount_idr <> 0", name="line_not_zero"),
        # balances are sums by account: the index holds the amounts (index-only scans)
        sa.Index("ix_ledger_lines_account", "account_id", "id", "amount_idr"),
        # a store's statement page is a backwards range scan, its balances one index-only scan
        sa.Index("ix_ledger_lines_store", "store_id", "id", "store_account", "amount_idr"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    entry_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ledger_entries.id"), index=True)
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ledger_accounts.id"))
    amount_idr: so.Mapped[int] = so.mapped_column(BigInt)
    #: the account's store and its STORE_ACCOUNTS name, copied from the account (which never
    #: changes) so a store's statement and balances read one index, not thousands of accounts
    store_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("stores.id"))
    store_account: so.Mapped[str | None] = so.mapped_column(sa.String(12))

    entry: so.Mapped[LedgerEntry] = so.relationship(back_populates="lines")
    account: so.Mapped[LedgerAccount] = so.relationship(lazy="joined")


class CommissionRate(db.Model):
    """The platform's commission on released orders, in basis points (250 = 2.5%), for a
    category (and its subcategories) or a store. A store's rate wins over its products'
    categories; without either the rate is 0."""

    __tablename__ = "commission_rates"
    __table_args__ = (
        sa.CheckConstraint("rate_bp >= 0 AND rate_bp <= 10000", name="rate_in_range"),
        sa.CheckConstraint("(category_id IS NULL) <> (store_id IS NULL)", name="one_target"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    category_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("categories.id", ondelete="CASCADE"), unique=True)
    store_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("stores.id", ondelete="CASCADE"), unique=True)
    rate_bp: so.Mapped[int]
    updated_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                       onupdate=utcnow)

    category = so.relationship("Category")
    store = so.relationship("Store")


class AppendOnlyViolation(RuntimeError):
    """Something tried to change or delete a journal row."""


_JOURNAL = (LedgerEntry, LedgerLine)


@sa.event.listens_for(so.Session, "before_flush")
def _refuse_changes(session, _flush_context, _instances) -> None:
    """The ORM half of the append-only rule, and the balance check at flush (which SQLite,
    without the PostgreSQL triggers, relies on)."""
    for obj in session.dirty:
        if isinstance(obj, _JOURNAL) and session.is_modified(obj, include_collections=False):
            raise AppendOnlyViolation(f"{type(obj).__name__} {obj.id} is append-only")
    for obj in session.deleted:
        if isinstance(obj, _JOURNAL):
            raise AppendOnlyViolation(f"{type(obj).__name__} {obj.id} is append-only")
    for obj in session.new:
        if isinstance(obj, LedgerEntry):
            amounts = [line.amount_idr for line in obj.lines]
            if len(amounts) < 2 or sum(amounts) != 0:
                raise AppendOnlyViolation(f"ledger entry {obj.idempotency_key} does not balance: {amounts}")


@sa.event.listens_for(so.Session, "do_orm_execute")
def _refuse_bulk_changes(state) -> None:
    """`session.execute(update(LedgerLine)...)` and bulk deletes bypass flush: refuse them too."""
    if (state.is_update or state.is_delete) and state.bind_mapper is not None and \
            state.bind_mapper.class_ in _JOURNAL:
        raise AppendOnlyViolation(f"{state.bind_mapper.class_.__name__} is append-only")
