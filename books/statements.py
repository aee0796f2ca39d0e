"""SAK EMKM statements of a store: laporan laba rugi, laporan posisi keuangan, catatan.

Everything is read from the one journal, on the accrual basis:

- the seller's own entries: the lines of their journal entries on the store's book accounts,
  dated by the day the seller gave (`BookEntry.entry_date`; a voided entry's reversal carries
  the same day, so it drops out of every period);
- the marketplace, as the seller sees it: what the marketplace owes the store (its available
  and in-transit money) is the seller's receivable `piutang_marketplace`; each change of it is
  posted against the account `chart.MARKETPLACE_COUNTER` names for the ledger entry's kind
  (released orders are sales, commission an expense, refunds after release returns, payouts
  money into the bank), dated by the WIB day of the ledger entry;
- adjustments the period end makes, computed from the seller's records: straight-line
  depreciation of each asset from its month of acquisition (`penyusutan` against
  `akumulasi_penyusutan`), and inventory at its latest count on or before a day (the change
  over the period is `perubahan_persediaan`, part of cost of goods sold).

Each source balances on its own, so assets = liabilities + equity by construction; `Position`
checks it anyway (`balanced`), and the tests check it against hand-worked books.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from books import chart
from books.models import BookEntry
from catalog.models import Store
from marketplace.errors import ValidationError
from marketplace.extensions import db
from marketplace.timeutil import day_start
from orders.ledger.models import LedgerAccount, LedgerLine
from orders.ledger.service import owed_to_store_by_kind

PERIODS = {"month": _l("Bulan"), "quarter": _l("Triwulan"), "year": _l("Tahun")}
_RECEIVABLE = "piutang_marketplace"


@dataclass(frozen=True)
class StatementLine:
    code: str
    label: object
    amount_idr: int
    group: str


@dataclass
class Sums:
    """Signed sums (debit +) by account code: before the period and within it."""

    start: date
    end: date
    opening: dict = field(default_factory=lambda: defaultdict(int))
    period: dict = field(default_factory=lambda: defaultdict(int))
    #: the receivable's changes in the period by marketplace entry kind (release, payout ...)
    marketplace: dict = field(default_factory=lambda: defaultdict(int))
    #: the records the period-end adjustments came from (the notes list them)
    assets: list = field(default_factory=list)
    counts: list = field(default_factory=list)

    def closing(self, code: str) -> int:
        return self.opening[code] + self.period[code]


@dataclass(frozen=True)
class IncomeStatement:
    start: date
    end: date
    revenue_idr: int
    cogs_idr: int
    gross_profit_idr: int
    operating_expenses_idr: int
    expenses_idr: int
    net_income_idr: int
    lines: list


@dataclass(frozen=True)
class Position:
    at: date
    lines: list
    assets_idr: int
    liabilities_idr: int
    equity_idr: int

    @property
    def balanced(self) -> bool:
        return self.assets_idr == self.liabilities_idr + self.equity_idr


# --- periods ------------------------------------------------------------------------------------

def period_bounds(kind: str, year: int, number: int = 1) -> tuple[date, date]:
    """The first and last day of a month (number 1-12), a quarter (1-4) or a year."""
    if kind == "year":
        return date(year, 1, 1), date(year, 12, 31)
    first_month = number if kind == "month" else 3 * (number - 1) + 1
    months = 1 if kind == "month" else 3
    start = date(year, first_month, 1)
    after = date(year + (first_month + months - 1) // 12, (first_month + months - 1) % 12 + 1, 1)
    return start, after - timedelta(days=1)


def parse_period(args, today: date) -> tuple[str, int, int, date, date]:
    """(kind, year, number, start, end) from a query string {periode, tahun, ke}; default the
    month before `today`'s. Bad values: ValidationError."""
    default = (today.replace(day=1) - timedelta(days=1))
    kind = args.get("periode") or "month"
    errors = {}
    if kind not in PERIODS:
        errors["periode"] = _l("Pilih bulan, triwulan atau tahun.")
        kind = "month"
    try:
        year = int(args.get("tahun") or default.year)
        number = int(args.get("ke") or (default.month if kind == "month" else
                                        (default.month - 1) // 3 + 1 if kind == "quarter" else 1))
    except (TypeError, ValueError):
        raise ValidationError(fields={"tahun": _l("Tahun dan nomor periode harus angka.")}) from None
    if not 2000 <= year <= today.year:
        errors["tahun"] = _l("Tahun antara 2000 dan tahun ini.")
    limit = {"month": 12, "quarter": 4, "year": 1}[kind]
    if not 1 <= number <= limit:
        errors["ke"] = _l("Nomor periode tidak valid.")
    if errors:
        raise ValidationError(fields=errors)
    start, end = period_bounds(kind, year, number)
    return kind, year, number, start, end


def parse_range(start_raw, end_raw, today: date) -> tuple[date, date]:
    """A from/to pair (YYYY-MM-DD) for the API; default the month so far."""
    errors: dict = {}

    def day(raw, name, default):
        if raw in (None, ""):
            return default
        try:
            return date.fromisoformat(str(raw))
        except ValueError:
            errors[name] = _l("Tanggal tidak valid (TTTT-BB-HH).")
            return default

    start = day(start_raw, "from", today.replace(day=1))
    end = day(end_raw, "to", today)
    if not errors and start > end:
        errors["from"] = _l("Tanggal awal harus sebelum tanggal akhir.")
    if not errors and (end - start).days > 366 * 5:
        errors["to"] = _l("Paling panjang lima tahun.")
    if not errors and start.year < 2000:
        errors["from"] = _l("Tanggal harus antara 2000 dan hari ini.")
    if errors:
        raise ValidationError(fields=errors)
    return start, end


def year_before(end: date) -> date:
    """The first day of the twelve months ending at `end` (2026-11-30 -> 2025-12-01)."""
    try:
        return end.replace(year=end.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        return date(end.year - 1, 3, 1)


# --- the sums -----------------------------------------------------------------------------------

def sums(store: Store, start: date, end: date) -> Sums:
    """Every book account's signed sum before `start` and from `start` to `end` (inclusive)."""
    out = Sums(start, end)
    _own_lines(store.id, start, end, out)
    _marketplace_lines(store.id, start, end, out)
    _depreciation(store.id, start, end, out)
    _inventory(store.id, start, end, out)
    return out


def _own_lines(store_id: int, start: date, end: date, out: Sums) -> None:
    before = sa.case((BookEntry.entry_date < start, LedgerLine.amount_idr), else_=0)
    within = sa.case((BookEntry.entry_date >= start, LedgerLine.amount_idr), else_=0)
    for entry_column in (BookEntry.ledger_entry_id, BookEntry.void_entry_id):
        rows = db.session.execute(
            sa.select(LedgerAccount.method, sa.func.sum(before), sa.func.sum(within))
            .select_from(BookEntry)
            .join(LedgerLine, LedgerLine.entry_id == entry_column)
            .join(LedgerAccount, LedgerAccount.id == LedgerLine.account_id)
            .where(BookEntry.store_id == store_id, BookEntry.entry_date <= end)
            .group_by(LedgerAccount.method))
        for code, opening, period in rows:
            out.opening[code] += int(opening or 0)
            out.period[code] += int(period or 0)


def _marketplace_lines(store_id: int, start: date, end: date, out: Sums) -> None:
    rows = owed_to_store_by_kind(store_id, day_start(start), day_start(end + timedelta(days=1)))
    for kind, (opening, period) in rows.items():
        counter = chart.MARKETPLACE_COUNTER.get(kind)
        for target, amount in ((out.opening, opening), (out.period, period)):
            if not amount:
                continue
            if counter is None:  # a kind that only moves money between available and in transit
                raise AssertionError(f"marketplace entry kind {kind} changes the receivable by {amount}")
            target[_RECEIVABLE] -= amount  # what the marketplace owes more is more receivable
            target[counter] += amount
        out.marketplace[kind] -= period


def months_used(acquired: date, at: date) -> int:
    """Months of depreciation charged by the end of `at`'s month: from the month of acquisition."""
    if at < acquired:
        return 0
    return (at.year * 12 + at.month) - (acquired.year * 12 + acquired.month) + 1


def accumulated(cost: int, life_months: int, acquired: date, at: date) -> int:
    """Straight-line depreciation accumulated by `at`: whole rupiah, the cost in full at the end."""
    return cost * min(life_months, months_used(acquired, at)) // life_months


def _assets(store_id: int, end: date) -> list[BookEntry]:
    return list(db.session.scalars(
        sa.select(BookEntry).where(BookEntry.store_id == store_id, BookEntry.kind == "asset",
                                   BookEntry.voided_at.is_(None), BookEntry.entry_date <= end)
        .order_by(BookEntry.entry_date, BookEntry.id)))


def _depreciation(store_id: int, start: date, end: date, out: Sums) -> None:
    before_day = start - timedelta(days=1)
    out.assets = _assets(store_id, end)
    for asset in out.assets:
        opening = accumulated(asset.amount_idr, asset.useful_life_months, asset.entry_date, before_day)
        closing = accumulated(asset.amount_idr, asset.useful_life_months, asset.entry_date, end)
        out.opening["penyusutan"] += opening
        out.opening["akumulasi_penyusutan"] -= opening
        out.period["penyusutan"] += closing - opening
        out.period["akumulasi_penyusutan"] -= closing - opening


def stock_counts(store_id: int, end: date) -> list[BookEntry]:
    return list(db.session.scalars(
        sa.select(BookEntry).where(BookEntry.store_id == store_id, BookEntry.kind == chart.STOCK_COUNT,
                                   BookEntry.voided_at.is_(None), BookEntry.entry_date <= end)
        .order_by(BookEntry.entry_date, BookEntry.id)))


def inventory_at(counts: list[BookEntry], day: date) -> int:
    """The value of the latest count on or before `day` (0 before the first)."""
    value = 0
    for count in counts:
        if count.entry_date <= day:
            value = count.amount_idr
    return value


def _inventory(store_id: int, start: date, end: date, out: Sums) -> None:
    counts = out.counts = stock_counts(store_id, end)
    opening, closing = inventory_at(counts, start - timedelta(days=1)), inventory_at(counts, end)
    out.opening["persediaan"] += opening
    out.opening["perubahan_persediaan"] -= opening
    out.period["persediaan"] += closing - opening
    out.period["perubahan_persediaan"] -= closing - opening


# --- the statements -----------------------------------------------------------------------------

def _line(code: str, amount: int) -> StatementLine:
    account = chart.ACCOUNTS[code]
    return StatementLine(code, account.label, amount, account.group)


def _income(s: Sums, amounts) -> IncomeStatement:
    lines = []
    totals = {chart.INCOME: 0, chart.COGS: 0, chart.EXPENSE: 0}
    for code, account in chart.ACCOUNTS.items():
        if account.group not in totals:
            continue
        signed = amounts(code)
        shown = -signed if account.group == chart.INCOME else signed
        totals[account.group] += shown
        if shown:
            lines.append(_line(code, shown))
    revenue, cogs, opex = totals[chart.INCOME], totals[chart.COGS], totals[chart.EXPENSE]
    return IncomeStatement(s.start, s.end, revenue, cogs, revenue - cogs, opex, cogs + opex,
                           revenue - cogs - opex, lines)


def income_statement(store: Store, start: date, end: date, *, from_sums: Sums | None = None) -> IncomeStatement:
    """Laporan laba rugi for the days `start`..`end`."""
    s = from_sums or sums(store, start, end)
    return _income(s, lambda code: s.period[code])


def financial_position(store: Store, at: date, *, from_sums: Sums | None = None) -> Position:
    """Laporan posisi keuangan at the end of `at`: assets, liabilities and equity, the profit
    kept split into that of earlier periods and of the period (from `from_sums.start`)."""
    s = from_sums or sums(store, at.replace(day=1), at)
    lines = []
    totals = {chart.ASSET: 0, chart.LIABILITY: 0, chart.EQUITY: 0}
    for code, account in chart.ACCOUNTS.items():
        if account.group not in totals or code == "laba_ditahan":
            continue
        closing = s.closing(code)
        shown = closing if account.group == chart.ASSET else -closing
        totals[account.group] += shown
        if shown or code in ("kas", "bank"):
            lines.append(_line(code, shown))
    earlier = _income(s, lambda code: s.opening[code]).net_income_idr
    current = _income(s, lambda code: s.period[code]).net_income_idr
    lines.append(StatementLine("laba_ditahan", _l("Saldo laba periode lalu"), earlier, chart.EQUITY))
    lines.append(StatementLine("laba_berjalan", _l("Laba (rugi) periode berjalan"), current, chart.EQUITY))
    totals[chart.EQUITY] += earlier + current
    return Position(at, lines, totals[chart.ASSET], totals[chart.LIABILITY], totals[chart.EQUITY])


@dataclass(frozen=True)
class AssetNote:
    entry: BookEntry
    accumulated_idr: int

    @property
    def book_value_idr(self) -> int:
        return self.entry.amount_idr - self.accumulated_idr


@dataclass(frozen=True)
class Notes:
    """Catatan atas laporan keuangan: the figures behind the statements' lines."""

    assets: list
    loans_received_idr: int
    loans_repaid_idr: int
    loans_balance_idr: int
    inventory: BookEntry | None
    marketplace_sales_idr: int
    marketplace_refunds_idr: int
    marketplace_commission_idr: int
    payouts_idr: int
    receivable_idr: int
    owner_in_idr: int
    owner_out_idr: int


def notes(store: Store, s: Sums) -> Notes:
    assets = [AssetNote(a, accumulated(a.amount_idr, a.useful_life_months, a.entry_date, s.end))
              for a in s.assets]
    flows = dict(db.session.execute(
        sa.select(BookEntry.kind, sa.func.sum(BookEntry.amount_idr))
        .where(BookEntry.store_id == store.id, BookEntry.voided_at.is_(None),
               BookEntry.entry_date.between(s.start, s.end),
               BookEntry.kind.in_(("loan_in", "loan_out", "owner_in", "owner_out")))
        .group_by(BookEntry.kind)).all())
    counts = s.counts
    return Notes(
        assets=assets,
        loans_received_idr=int(flows.get("loan_in") or 0), loans_repaid_idr=int(flows.get("loan_out") or 0),
        loans_balance_idr=-s.closing("pinjaman"), inventory=counts[-1] if counts else None,
        marketplace_sales_idr=s.marketplace["release"],
        marketplace_refunds_idr=-s.marketplace["refund"],
        marketplace_commission_idr=-s.marketplace["commission"],
        payouts_idr=-s.marketplace["payout"],
        receivable_idr=s.closing(_RECEIVABLE),
        owner_in_idr=int(flows.get("owner_in") or 0), owner_out_idr=int(flows.get("owner_out") or 0))


@dataclass(frozen=True)
class Statements:
    store: Store
    start: date
    end: date
    income: IncomeStatement
    position: Position
    notes: Notes


def statements(store: Store, start: date, end: date) -> Statements:
    """The three statements of a period, from one pass over the books."""
    s = sums(store, start, end)
    return Statements(store, start, end, income_statement(store, start, end, from_sums=s),
                      financial_position(store, end, from_sums=s), notes(store, s))


def annual_sales(store: Store, end: date) -> int:
    """The store's sales over the twelve months ending at `end` (marketplace sales less refunds,
    and its own recorded sales): the figure PP 7/2021's scale is read from."""
    start = year_before(end)
    income = income_statement(store, start, end)
    return sum(line.amount_idr for line in income.lines
               if line.code in ("penjualan_marketplace", "retur_marketplace", "penjualan_tunai"))
