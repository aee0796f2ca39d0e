"""What payments, orders, refunds and payouts post to the ledger, and what sellers read of it.

Who posts what (every entry has an idempotency key, so a repeated event posts nothing):

- `record_payment(checkout)` (`payments.mark_paid`: a card paid, or finance confirming a
  transfer or QRIS payment) — cash in by channel, each paid order's total held for its store,
  a transfer's unique code to platform revenue; money for no live order (a late payment, an
  overpayment) is owed back to the buyer.
- `release_order(order)` (the order completed: the buyer's receipt, the auto-complete job) —
  what is held goes to the store's available balance, then the commission to platform revenue.
  Skipped while `release_blocked(order)` (the `release_blockers` hook: complaints).
- `record_refund(order, refund)` (`payments.refund_order`, refunds made in Stripe, cancelling a
  paid order) — from the hold before release, from the store's available balance after it. The
  available balance may go negative then: the store owes the marketplace, and later releases
  make it good before any payout can take money (payouts never overdraw). Commission already
  taken is not given back. Card refunds leave through Stripe at once (cash out); other methods
  are owed to the buyer (refunds payable) until `refund_paid` says the money was sent.
- `payout_reserved`, `payout_paid`, `payout_failed` (the payouts part) — available -> in transit
  -> paid out, or back to available.

Orders paid before the ledger existed have no payment entry: their refunds and releases post
nothing (`received` is False), so the books hold only money they saw arrive.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.hooks import Hook
from orders.ledger.commission import commission_for
from orders.ledger.models import EntryKind, LedgerAccount, LedgerEntry, LedgerLine
from orders.ledger.posting import (
    LedgerError,
    available,
    balance_of,
    cash,
    entry_for,
    held,
    in_transit,
    lock_account,
    post,
    refunds_payable,
    revenue,
)

log = logging.getLogger(__name__)

#: the cash channel of each payment method
CHANNELS = {"card": "stripe", "bank_transfer": "bank", "qris": "qris"}

release_blockers = Hook(
    "release_blockers",
    "Functions (order) -> a reason (text) or None: an order with a reason is not released "
    "(complaints register one while a complaint is open).")


def hold_reason(order) -> str | None:
    """Why the order's money stays held (an open complaint: complaints register an entry on
    `release_blockers`), or None; without entries nothing holds it."""
    return next((reason for reason in release_blockers.call(order) if reason), None)


def release_blocked(order) -> bool:
    """Whether something (an open complaint) keeps the order's money held."""
    return hold_reason(order) is not None


def lock_order(order):
    """Row-lock the order until the transaction ends and re-read it: every path that moves an
    order's money (pay, refund, release, cancel) takes this lock first, so two of them on one
    order run one after the other and the second sees what the first did."""
    from orders.models import Order

    # (the rows must be fetched: populate_existing refreshes objects as rows are read)
    db.session.execute(sa.select(Order).where(Order.id == order.id).with_for_update()
                       .execution_options(populate_existing=True)).scalar_one()
    return order


def _channel(checkout) -> str:
    return CHANNELS.get(checkout.payment_method, checkout.payment_method)


def _paid(order) -> bool:
    return any(e.action == "pay" for e in order.events)


def received(order) -> bool:
    """Whether the order's payment was posted (its money came into the ledger)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(LedgerLine)
        .join(LedgerAccount, LedgerAccount.id == LedgerLine.account_id)
        .join(LedgerEntry, LedgerEntry.id == LedgerLine.entry_id)
        .where(LedgerAccount.order_id == order.id, LedgerEntry.kind == EntryKind.PAYMENT)) > 0


def released(order) -> bool:
    return entry_for(f"release:order:{order.id}") is not None


def record_payment(checkout, *, amount_idr: int | None = None, unique_code_idr: int = 0,
                   actor=None, key: str | None = None) -> LedgerEntry | None:
    """Money for `checkout` arrived: cash in (by its payment method's channel), each paid order
    not yet received held at its total. `amount_idr` is what arrived (default: those orders'
    totals and the unique code); `unique_code_idr` of it is the transfer's unique code, platform
    revenue; any rest (a card charged for an order cancelled before payment, a late payment, an
    overpaid transfer) is owed back to the buyer. None when nothing arrived."""
    key = key or f"payment:checkout:{checkout.id}"
    earlier = entry_for(key)
    if earlier is not None:
        return earlier
    holds = [o for o in checkout.orders if _paid(o) and not received(o)]
    if amount_idr is None:
        amount_idr = sum(o.total_idr for o in holds) + unique_code_idr
    if amount_idr <= 0:
        return None
    rest = amount_idr - unique_code_idr - sum(o.total_idr for o in holds)
    if rest < 0 or unique_code_idr < 0:
        raise LedgerError(f"checkout {checkout.id}: {amount_idr} received for orders costing more")
    lines = [(cash(_channel(checkout)), amount_idr), *[(held(o), -o.total_idr) for o in holds],
             (revenue("unique_code"), -unique_code_idr), (refunds_payable(checkout.buyer_id), -rest)]
    entry = post(EntryKind.PAYMENT, ("checkout", checkout.id), lines, key, actor=actor,
                 order_id=holds[0].id if len(holds) == 1 else None)
    log.info("ledger payment", extra={"checkout_id": checkout.id, "amount_idr": amount_idr,
                                      "order_ids": [o.id for o in holds], "entry_id": entry.id})
    return entry


def release_order(order, *, actor=None) -> LedgerEntry | None:
    """The order is done: what is held for it goes to its store's available balance, less the
    commission (platform revenue). Returns the release entry, or None when a blocker holds the
    money or nothing is held (fully refunded, paid before the ledger). Safe to repeat."""
    if release_blocked(order):
        return None
    lock_order(order)
    amount = balance_of(held(order))
    if amount <= 0:
        return entry_for(f"release:order:{order.id}")
    entry = post(EntryKind.RELEASE, ("order", order.id),
                 [(held(order), amount), (available(order.store_id), -amount)],
                 f"release:order:{order.id}", actor=actor, order_id=order.id)
    fee, rate_bp = commission_for(order, amount)
    if fee > 0:
        post(EntryKind.COMMISSION, ("order", order.id),
             [(available(order.store_id), fee), (revenue("commission"), -fee)],
             f"commission:order:{order.id}", actor=actor, order_id=order.id,
             memo=f"rate_bp={rate_bp}")
    log.info("ledger release", extra={"order_id": order.id, "amount_idr": amount, "commission_idr": fee})
    return entry


def _refund_to(order):
    """Card money goes back through Stripe at once; other money is owed to the buyer."""
    if order.checkout.payment_method == "card":
        return cash("stripe")
    return refunds_payable(order.buyer_id)


def refund_from_hold(order, amount_idr: int, *, refund, actor=None) -> LedgerEntry:
    """Give back `amount_idr` of what is held for the order (before release)."""
    if amount_idr > balance_of(held(order)):
        raise LedgerError(f"order {order.id}: refund {amount_idr} is more than is held")
    return post(EntryKind.REFUND, ("refund", refund.id),
                [(held(order), amount_idr), (_refund_to(order), -amount_idr)],
                f"refund:{refund.id}", actor=actor, order_id=order.id)


def refund_after_release(order, amount_idr: int, *, refund, actor=None) -> LedgerEntry:
    """Give back `amount_idr` of a released order, from its store's available balance, which
    may go negative (the store then owes it; payouts wait until releases cover it)."""
    return post(EntryKind.REFUND, ("refund", refund.id),
                [(available(order.store_id), amount_idr), (_refund_to(order), -amount_idr)],
                f"refund:{refund.id}", actor=actor, order_id=order.id)


def record_refund(order, refund, *, actor=None) -> LedgerEntry | None:
    """Post a refund row (`orders.models.Refund`, flushed): from the hold or, once released,
    from the store. The caller holds `lock_order(order)`. None for an order the ledger never
    received."""
    if entry_for(f"refund:{refund.id}") is not None:
        return entry_for(f"refund:{refund.id}")
    if not received(order):
        log.info("refund of an order paid before the ledger: not posted", extra={"order_id": order.id})
        return None
    if released(order):
        return refund_after_release(order, refund.amount_idr, refund=refund, actor=actor)
    return refund_from_hold(order, refund.amount_idr, refund=refund, actor=actor)


def refund_paid(buyer_id: int, amount_idr: int, *, source: tuple[str, int], key: str,
                channel: str = "bank", actor=None) -> LedgerEntry:
    """A refund owed to a buyer was sent (a transfer to their bank account): cash out."""
    if entry_for(key) is not None:
        return entry_for(key)
    lock_account(refunds_payable(buyer_id))
    if not 0 < amount_idr <= balance_of(refunds_payable(buyer_id)):
        raise LedgerError(f"buyer {buyer_id}: {amount_idr} is not owed")
    return post(EntryKind.REFUND_PAID, source,
                [(refunds_payable(buyer_id), amount_idr), (cash(channel), -amount_idr)], key, actor=actor)


# --- payouts (called by the payouts part) ---------------------------------------------------

def payout_reserved(store_id: int, amount_idr: int, payout_id: int, *, actor=None) -> LedgerEntry:
    """A payout line of `amount_idr` was made for the store: available -> in transit. The store's
    available account is row-locked first, so two batches made at once take turns and the second
    sees the first's reservation: a payout never takes more than is available."""
    key = f"payout_reserve:{payout_id}"
    if entry_for(key) is not None:
        return entry_for(key)
    lock_account(available(store_id))
    if not 0 < amount_idr <= balance_of(available(store_id)):
        raise LedgerError(f"store {store_id}: payout {amount_idr} is more than is available")
    return post(EntryKind.PAYOUT_RESERVE, ("payout", payout_id),
                [(available(store_id), amount_idr), (in_transit(store_id), -amount_idr)], key, actor=actor)


def available_balances() -> dict[int, int]:
    """{store id: available balance} of every store with more than nothing available (one query
    over the lines' own store and statement name: no join to the accounts)."""
    rows = db.session.execute(
        sa.select(LedgerLine.store_id, sa.func.sum(LedgerLine.amount_idr))
        .where(LedgerLine.store_account == "available", LedgerLine.store_id.is_not(None))
        .group_by(LedgerLine.store_id)).all()
    return {store_id: -int(total) for store_id, total in rows if -int(total) > 0}


def locked_available(store_id: int) -> int:
    """The store's available balance, its account row-locked until the transaction ends, so
    what is read cannot change before it is reserved."""
    lock_account(available(store_id))
    return balance_of(available(store_id))


def _reserved(store_id: int, amount_idr: int, payout_id: int, settled: str) -> None:
    reserve = entry_for(f"payout_reserve:{payout_id}")
    if reserve is None or not any(line.amount_idr == -amount_idr and line.account.store_id == store_id
                                  for line in reserve.lines):
        raise LedgerError(f"payout {payout_id}: no reservation of {amount_idr} for store {store_id}")
    if entry_for(f"{settled}:{payout_id}") is not None:
        raise LedgerError(f"payout {payout_id} is already {settled}")


def payout_paid(store_id: int, amount_idr: int, payout_id: int, *, actor=None,
                memo: str | None = None) -> LedgerEntry:
    """The bank confirmed the payout: in transit -> paid out (cash leaves the bank account)."""
    key = f"payout:{payout_id}"
    if entry_for(key) is not None:
        return entry_for(key)
    _reserved(store_id, amount_idr, payout_id, "payout_failed")
    return post(EntryKind.PAYOUT, ("payout", payout_id),
                [(in_transit(store_id), amount_idr), (cash("bank"), -amount_idr)], key, actor=actor, memo=memo)


def payout_failed(store_id: int, amount_idr: int, payout_id: int, *, actor=None,
                  memo: str | None = None) -> LedgerEntry:
    """The transfer failed: the money goes back to the store's available balance."""
    key = f"payout_failed:{payout_id}"
    if entry_for(key) is not None:
        return entry_for(key)
    _reserved(store_id, amount_idr, payout_id, "payout")
    return post(EntryKind.PAYOUT_FAILED, ("payout", payout_id),
                [(in_transit(store_id), amount_idr), (available(store_id), -amount_idr)], key,
                actor=actor, memo=memo)


# --- what a seller reads ----------------------------------------------------------------------

def _class_sums(store_id: int, newer_than: int | None = None) -> dict[str, tuple[int, int]]:
    """{pending|available|in_transit: (signed sum, lines)} of the store's lines (those after a
    line id)."""
    stmt = (sa.select(LedgerLine.store_account, sa.func.sum(LedgerLine.amount_idr), sa.func.count())
            .where(LedgerLine.store_id == store_id).group_by(LedgerLine.store_account))
    if newer_than is not None:
        stmt = stmt.where(LedgerLine.id > newer_than)
    return {name: (int(total), n) for name, total, n in db.session.execute(stmt).all()}


def owed_to_store_by_kind(store_id: int, start_at: datetime, end_at: datetime) -> dict[str, tuple[int, int]]:
    """{entry kind: (signed sum before `start_at`, signed sum from it to `end_at`)} of the store's
    available and in-transit lines (what the marketplace owes it; credits negative): how each
    kind of entry changed it. One range of `ix_ledger_lines_store` (the seller's books)."""
    before = sa.case((LedgerEntry.created_at < start_at, LedgerLine.amount_idr), else_=0)
    within = sa.case((LedgerEntry.created_at >= start_at, LedgerLine.amount_idr), else_=0)
    rows = db.session.execute(
        sa.select(LedgerEntry.kind, sa.func.sum(before), sa.func.sum(within))
        .join(LedgerEntry, LedgerEntry.id == LedgerLine.entry_id)
        .where(LedgerLine.store_id == store_id, LedgerLine.store_account.in_(("available", "in_transit")),
               LedgerEntry.created_at < end_at)
        .group_by(LedgerEntry.kind))
    return {kind: (int(opening or 0), int(period or 0)) for kind, opening, period in rows}


def store_balance(store) -> dict[str, int]:
    """{pending_idr (held for its orders), available_idr (released, may be negative after a
    refund), in_transit_idr (in payouts not confirmed yet), paid_out_idr (sent, in all)}: sums of
    its lines, one index-only scan (`ix_ledger_lines_store`)."""
    store_id = getattr(store, "id", store)
    sums = {name: total for name, (total, _n) in _class_sums(store_id).items()}
    paid_out = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(LedgerLine.amount_idr), 0))
        .join(LedgerEntry, LedgerEntry.id == LedgerLine.entry_id)
        .where(LedgerLine.store_id == store_id, LedgerLine.store_account == "in_transit",
               LedgerEntry.kind == EntryKind.PAYOUT))
    return {"pending_idr": -sums.get("pending", 0), "available_idr": -sums.get("available", 0),
            "in_transit_idr": -sums.get("in_transit", 0), "paid_out_idr": int(paid_out)}


@dataclass(frozen=True)
class StatementRow:
    """One line of a store's statement: a change of one of its balances (pending, available,
    in transit), seen from the store (+ is money for it), with that balance after it."""

    line_id: int
    entry_id: int
    at: datetime
    kind: str
    account: str
    amount_idr: int
    balance_idr: int
    source_type: str
    source_id: int
    order_id: int | None
    memo: str | None


def _statement_select(store_id: int) -> sa.Select:
    return (sa.select(LedgerLine.id, LedgerEntry.id, LedgerEntry.created_at, LedgerEntry.kind,
                      LedgerLine.store_account, LedgerLine.amount_idr, LedgerEntry.source_type,
                      LedgerEntry.source_id, sa.func.coalesce(LedgerAccount.order_id, LedgerEntry.order_id),
                      LedgerEntry.memo)
            .join(LedgerEntry, LedgerEntry.id == LedgerLine.entry_id)
            .join(LedgerAccount, LedgerAccount.id == LedgerLine.account_id)
            .where(LedgerLine.store_id == store_id))


def _row(values, balance: int) -> StatementRow:
    line_id, entry_id, at, kind, account_name, amount, source_type, source_id, order_id, memo = values
    return StatementRow(line_id, entry_id, at, kind, account_name, -amount, balance, source_type,
                        source_id, order_id, memo)


def statement_page(store, page: int = 1, per_page: int = 30) -> tuple[list[StatementRow], int]:
    """One page of the store's statement, newest first, and how many rows it has in all: a row
    per journal line on its accounts, with the running balance of that account (pending over all
    its orders, available, in transit) after it. The page is a backwards range scan of
    `ix_ledger_lines_store`; the balances are the current sums less the rows newer than each."""
    store_id = getattr(store, "id", store)
    current = _class_sums(store_id)  # (one scan gives the balances and the count)
    total = sum(n for _sum, n in current.values())
    found = db.session.execute(_statement_select(store_id).order_by(LedgerLine.id.desc())
                               .limit(per_page).offset((page - 1) * per_page)).all() if total else []
    if not found:
        return [], total
    newer = _class_sums(store_id, newer_than=found[0][0])
    running = {name: -current[name][0] + newer.get(name, (0, 0))[0] for name in current}
    rows = []
    for values in found:
        name, amount = values[4], values[5]
        rows.append(_row(values, running[name]))
        running[name] += amount  # the balance before this row (store-facing: minus the line)
    return rows, total


def statement_all(store):
    """The whole statement, oldest first (the CSV), balances running forward from zero."""
    store_id = getattr(store, "id", store)
    running: dict[str, int] = {}
    for values in db.session.execute(_statement_select(store_id).order_by(LedgerLine.id)
                                     .execution_options(yield_per=2000)):
        running[values[4]] = running.get(values[4], 0) - values[5]
        yield _row(values, running[values[4]])


def balance_for(store, *, actor) -> dict[str, int]:
    """The store's balances, for its owner only (anyone else: not found)."""
    from catalog.services import require_owner

    require_owner(store, actor)
    return store_balance(store)


def statement_for(store, *, actor, page: int = 1, per_page: int = 30) -> tuple[list[StatementRow], int]:
    """A page of the store's statement (see `statement_page`), for its owner only."""
    from catalog.services import require_owner

    require_owner(store, actor)
    return statement_page(store, page, per_page)


def statement_csv_rows(store, *, actor):
    """The store's whole statement, oldest first (see `statement_all`), for its owner only."""
    from catalog.services import require_owner

    require_owner(store, actor)
    return statement_all(store)
