"""SAK EMKM statements from the one journal (books/statements.py), checked against books worked
by hand: a month of a coffee roaster, the next month, voids, and the marketplace's part."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.errors import ValidationError
from tests.books.conftest import record
from tests.conftest import confirm_transfer_of
from tests.orders.ledger_checks import assert_books_hold, buy, deliver

NOV = (date(2026, 11, 1), date(2026, 11, 30))


def roaster_november(store):
    """November 2026 of a coffee roaster, as its owner records it."""
    from books.services import record_stock_count
    from marketplace.extensions import db

    record(store, date="2026-11-01", kind="owner_in", category="capital", amount_idr=20_000_000, method="bank")
    record(store, date="2026-11-02", kind="loan_in", category="kur", amount_idr=50_000_000, method="bank")
    record(store, date="2026-11-03", kind="asset", category="equipment", amount_idr=36_000_000,
           method="bank", useful_life_months=48, note="Mesin sangrai 5 kg")
    record(store, date="2026-11-05", kind="expense", category="materials", amount_idr=8_000_000, method="bank",
           note="Green bean robusta 100 kg")
    record(store, date="2026-11-10", kind="expense", category="materials", amount_idr=2_000_000, method="credit")
    record(store, date="2026-11-12", kind="income", category="cash_sale", amount_idr=14_000_000, method="cash")
    record(store, date="2026-11-25", kind="expense", category="wages", amount_idr=3_000_000, method="cash")
    record(store, date="2026-11-28", kind="loan_out", category="kur", amount_idr=1_000_000, method="bank")
    record(store, date="2026-11-28", kind="expense", category="interest", amount_idr=250_000, method="bank")
    record(store, date="2026-11-29", kind="owner_out", category="drawing", amount_idr=500_000, method="cash")
    record_stock_count(store, {"date": "2026-11-30", "amount_idr": 3_500_000}, actor=store.owner)
    db.session.commit()


def by_code(lines) -> dict:
    return {line.code: line.amount_idr for line in lines}


def test_a_month_of_a_coffee_roaster_gives_the_hand_worked_statements(roaster, db):
    from books.statements import statements

    # given the roaster's November: capital, a KUR loan, a roasting machine, beans bought (one lot
    # on credit), cash sales, wages, a loan instalment with interest, drawings and a stock count
    roaster_november(roaster)
    # when the November statements are made
    s = statements(roaster, *NOV)
    # then the income statement is the hand-worked one:
    # sales 14,000,000; cost of goods sold 10,000,000 bought less 3,500,000 still in stock
    income = s.income
    assert by_code(income.lines) == {"penjualan_tunai": 14_000_000, "pembelian_bahan": 10_000_000,
                                     "perubahan_persediaan": -3_500_000, "gaji": 3_000_000,
                                     "penyusutan": 750_000, "bunga": 250_000}
    assert (income.revenue_idr, income.cogs_idr, income.gross_profit_idr) == (14_000_000, 6_500_000, 7_500_000)
    # wages 3,000,000 + depreciation 36,000,000 / 48 months + interest 250,000
    assert income.operating_expenses_idr == 4_000_000
    assert (income.expenses_idr, income.net_income_idr) == (10_500_000, 3_500_000)
    # and the position at 30 November:
    # cash 14,000,000 - 3,000,000 - 500,000; bank 70,000,000 - 36,000,000 - 8,000,000 - 1,250,000
    position = s.position
    assert by_code(position.lines) == {
        "kas": 10_500_000, "bank": 24_750_000, "persediaan": 3_500_000, "aset_tetap": 36_000_000,
        "akumulasi_penyusutan": -750_000, "utang_usaha": 2_000_000, "pinjaman": 49_000_000,
        "modal": 20_000_000, "prive": -500_000, "laba_ditahan": 0, "laba_berjalan": 3_500_000}
    assert (position.assets_idr, position.liabilities_idr, position.equity_idr) == (74_000_000, 51_000_000,
                                                                                   23_000_000)
    assert position.balanced
    # and the notes carry the figures behind the lines
    notes = s.notes
    assert [(a.entry.note, a.accumulated_idr, a.book_value_idr) for a in notes.assets] == [
        ("Mesin sangrai 5 kg", 750_000, 35_250_000)]
    assert (notes.loans_received_idr, notes.loans_repaid_idr, notes.loans_balance_idr) == (
        50_000_000, 1_000_000, 49_000_000)
    assert notes.inventory.amount_idr == 3_500_000
    assert (notes.owner_in_idr, notes.owner_out_idr) == (20_000_000, 500_000)
    # the seller's entries are balanced journal entries, and the marketplace's books still hold
    assert_books_hold()


def test_the_next_period_carries_the_books_forward_and_a_year_adds_up(roaster, db):
    from books.statements import financial_position, income_statement, period_bounds, statements

    # given November as before, and in December a second machine-month and a cash sale
    roaster_november(roaster)
    record(roaster, date="2026-12-01", kind="income", category="cash_sale", amount_idr=1_000_000)
    # when December (so far) is read
    december = statements(roaster, date(2026, 12, 1), date(2026, 12, 31))
    # then November's profit is last periods' profit, December's depreciation is one more month,
    # and the stock counted in November is December's opening stock (no count since: unchanged)
    assert by_code(december.income.lines) == {"penjualan_tunai": 1_000_000, "penyusutan": 750_000}
    assert december.income.net_income_idr == 250_000
    lines = by_code(december.position.lines)
    assert (lines["laba_ditahan"], lines["laba_berjalan"]) == (3_500_000, 250_000)
    assert lines["akumulasi_penyusutan"] == -1_500_000 and lines["persediaan"] == 3_500_000
    assert december.position.balanced
    # and the fourth quarter is November and December together
    q4 = income_statement(roaster, *period_bounds("quarter", 2026, 4))
    assert q4.net_income_idr == 3_750_000
    assert financial_position(roaster, date(2026, 12, 31)).balanced
    assert period_bounds("month", 2026, 2) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_bounds("year", 2026) == (date(2026, 1, 1), date(2026, 12, 31))


def test_a_voided_entry_leaves_the_statements_as_if_it_never_was_and_the_journal_keeps_both(roaster, db):
    from books.services import void_entry
    from books.statements import statements
    from marketplace.errors import Conflict
    from orders.ledger.models import EntryKind, LedgerEntry

    # given a November with one purchase typed ten times too large
    roaster_november(roaster)
    wrong = record(roaster, date="2026-11-06", kind="expense", category="materials", amount_idr=80_000_000)
    # when the seller voids it
    void_entry(roaster, wrong.id, actor=roaster.owner)
    db.session.commit()
    # then the statements are the hand-worked ones again
    assert statements(roaster, *NOV).income.net_income_idr == 3_500_000
    # and the journal holds the entry and its reversal; a second void is refused
    kinds = db.session.scalars(sa.select(LedgerEntry.kind).where(
        LedgerEntry.source_type == "book_entry", LedgerEntry.source_id == wrong.id).order_by(LedgerEntry.id)).all()
    assert kinds == [EntryKind.BOOK, EntryKind.BOOK_VOID]
    with pytest.raises(Conflict):
        void_entry(roaster, wrong.id, actor=roaster.owner)
    assert_books_hold()


def test_bad_entries_are_refused_field_by_field_and_nothing_is_written(roaster, db):
    from books.models import BookEntry
    from books.services import record_entry
    from orders.ledger.models import LedgerEntry

    cases = [
        ({"date": "2026-13-01", "kind": "expense", "category": "wages", "amount_idr": 1}, "date"),
        ({"date": "2099-01-01", "kind": "expense", "category": "wages", "amount_idr": 1}, "date"),
        ({"date": "2026-11-01", "kind": "gift", "category": "wages", "amount_idr": 1}, "kind"),
        ({"date": "2026-11-01", "kind": "expense", "category": "cash_sale", "amount_idr": 1}, "category"),
        ({"date": "2026-11-01", "kind": "expense", "category": "wages", "amount_idr": -5}, "amount_idr"),
        ({"date": "2026-11-01", "kind": "expense", "category": "wages", "amount_idr": 1.5}, "amount_idr"),
        ({"date": "2026-11-01", "kind": "expense", "category": "wages", "amount_idr": True}, "amount_idr"),
        ({"date": "2026-11-01", "kind": "loan_in", "category": "kur", "amount_idr": 5, "method": "credit"},
         "method"),
        ({"date": "2026-11-01", "kind": "asset", "category": "vehicle", "amount_idr": 5,
          "useful_life_months": 0}, "useful_life_months"),
        ({"date": "2026-11-01", "kind": "income", "category": "cash_sale", "amount_idr": 5, "note": "x" * 201},
         "note"),
        ({"date": ["2026-11-01"], "kind": {"a": 1}, "category": None, "amount_idr": "lima"}, "kind"),
    ]
    for data, field in cases:
        with pytest.raises(ValidationError) as refused:
            record_entry(roaster, data, actor=roaster.owner)
        assert field in refused.value.fields, (data, refused.value.fields)
        db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BookEntry)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)) == 0
    # an amount typed the Indonesian way is whole rupiah; an asset without a life gets its group's
    entry = record(roaster, date="2026-11-01", kind="asset", category="vehicle", amount_idr="Rp24.000.000")
    assert (entry.amount_idr, entry.useful_life_months) == (24_000_000, 96)


def test_stock_from_the_catalog_is_stock_times_unit_cost(roaster, make_product, db):
    from books.services import last_unit_costs, record_stock_count

    # given two products in stock
    beans = make_product(store=roaster, title="Robusta 1 kg", stock=40)
    drip = make_product(store=roaster, title="Drip bag 10 pcs", stock=15)
    # when the seller counts the stock from the catalog with a unit cost for each
    entry = record_stock_count(roaster, {"date": "2026-11-30", "unit_costs": {
        str(beans.id): "60.000", str(drip.id): 12000}}, actor=roaster.owner)
    db.session.commit()
    # then the value is each stock times its cost, and the costs are the next count's defaults
    assert entry.amount_idr == 40 * 60_000 + 15 * 12_000
    assert last_unit_costs(roaster) == {beans.id: 60_000, drip.id: 12_000}
    # a product of another store, or no cost at all, is refused
    other = make_product(stock=3)
    for costs in ({str(other.id): 1000}, {str(beans.id): ""}, {str(beans.id): "-1"}):
        with pytest.raises(ValidationError):
            record_stock_count(roaster, {"date": "2026-11-30", "unit_costs": costs}, actor=roaster.owner)
        db.session.rollback()


def test_the_marketplace_arrives_in_the_books_by_itself(make_user, make_product, finance, db):
    from books.statements import annual_sales, statements
    from marketplace.money.rates import today_wib
    from orders.ledger.commission import set_commission_rate
    from orders.ledger.service import payout_paid, payout_reserved
    from orders.payments.service import refund_order
    from orders.services import confirm_receipt

    # given a store with a 5% commission, three paid orders: one completed, one completed and
    # partly refunded, one still held (not the seller's income yet), and a payout of the first
    admin = make_user(roles=("admin",))
    product = make_product(price_idr=200_000, stock=10)
    store = product.store
    set_commission_rate(rate_bp=500, store_slug=store.slug, actor=admin)
    db.session.commit()
    buyer = make_user()
    orders = [buy(buyer, {product: 1}).orders[0] for _ in range(3)]
    for order in orders:
        confirm_transfer_of(order.id)
    for order in orders[:2]:
        deliver(order)
        confirm_receipt(order, actor=buyer)
    db.session.commit()
    refund_order(orders[1], 50_000, reason="satu rusak", actor=store.owner)
    paid_out = orders[0].total_idr - 10_000  # its commission is 10,000 (5% of the goods)
    payout_reserved(store.id, paid_out, payout_id=1)
    payout_paid(store.id, paid_out, payout_id=1)
    db.session.commit()
    # when the month's statements are read
    today = today_wib()
    s = statements(store, today.replace(day=1), today)
    # then the two completed orders are sales, their commission an expense, the refund a return,
    # the payout money in the bank, and what the marketplace still owes a receivable
    released = orders[0].total_idr + orders[1].total_idr
    lines = by_code(s.income.lines)
    assert lines == {"penjualan_marketplace": released, "retur_marketplace": -50_000,
                     "komisi_marketplace": 20_000}
    assert s.income.net_income_idr == released - 50_000 - 20_000
    position = by_code(s.position.lines)
    assert position["bank"] == paid_out
    assert position["piutang_marketplace"] == released - 50_000 - 20_000 - paid_out
    assert s.position.balanced
    assert (s.notes.marketplace_sales_idr, s.notes.marketplace_refunds_idr, s.notes.marketplace_commission_idr,
            s.notes.payouts_idr) == (released, 50_000, 20_000, paid_out)
    # the receivable is what the store's balance shows as available
    from orders.ledger.service import store_balance
    assert position["piutang_marketplace"] == store_balance(store)["available_idr"]
    # and the year's sales for the scale are the sales less the refund
    assert annual_sales(store, today) == released - 50_000
    assert_books_hold()


def test_the_demo_seller_has_last_months_books_that_balance(app, runner, db):
    from datetime import timedelta

    from books.statements import statements
    from catalog.models import Store
    from marketplace.accounts.models import User
    from marketplace.money.rates import today_wib

    # given the demo marketplace
    result = runner.invoke(args=["seed-demo", "--stores", "3", "--products", "6"])
    assert result.exit_code == 0, result.output
    seller = db.session.scalar(sa.select(User).where(User.email == "seller@demo.test"))
    store = db.session.scalar(sa.select(Store).where(Store.owner_id == seller.id))
    # then its last month has sales, costs, an asset and a stock count, and the books balance
    last = today_wib().replace(day=1) - timedelta(days=1)
    s = statements(store, last.replace(day=1), last)
    codes = {line.code for line in s.income.lines}
    assert {"penjualan_tunai", "pembelian_bahan", "perubahan_persediaan", "gaji", "penyusutan"} <= codes
    assert s.income.revenue_idr > 0 and s.position.balanced
    assert s.notes.inventory is not None and len(s.notes.assets) == 1
    assert_books_hold()
