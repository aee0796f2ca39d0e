"""Seller analytics: the rollups kept up when an order is paid, their rebuild, and the figures
read from them (summary against the period before, series, products, regions, RFQs)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.books.analytics_helpers import pay_at, rows
from tests.orders.conftest import BANDAR_LAMPUNG, TOKYO, buyer_client, make_product, make_store  # noqa: F401

# 17:30 UTC is 00:30 WIB the next day: a payment then counts on the 11th
LATE_ON_THE_10TH_UTC = datetime(2026, 3, 10, 17, 30, tzinfo=UTC)
MORNING_11TH = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)
DAY = date(2026, 3, 11)


def _models():
    from books.models import ProductSalesDaily, RegionSalesDaily, SalesDaily

    return SalesDaily, ProductSalesDaily, RegionSalesDaily


def test_paying_orders_adds_them_to_the_days_rollups(monkeypatch, make_store, make_product, make_user, db):
    SalesDaily, ProductSalesDaily, RegionSalesDaily = _models()
    # given a store with two products and a buyer
    store = make_store()
    kopi = make_product(store=store, price_idr=45_000, stock=50)
    madu = make_product(store=store, price_idr=80_000, stock=50)
    buyer = make_user()
    # when two orders are paid the same WIB day (one just after midnight WIB), one to Lampung
    first = pay_at(monkeypatch, LATE_ON_THE_10TH_UTC, buyer, {kopi: 2, madu: 1})
    second = pay_at(monkeypatch, MORNING_11TH, buyer, {kopi: 3}, BANDAR_LAMPUNG)
    # then the day holds both orders: their units, goods value and shipping
    a, b = first.orders[0], second.orders[0]
    assert rows(SalesDaily) == [(store.id, DAY, 2, 6, 2 * 45_000 + 80_000 + 3 * 45_000,
                                 a.shipping_idr + b.shipping_idr)]
    # and each product its units, value and orders
    assert rows(ProductSalesDaily) == sorted([(kopi.id, DAY, store.id, 2, 5, 5 * 45_000),
                                              (madu.id, DAY, store.id, 1, 1, 80_000)])
    # and each province where the orders went
    assert rows(RegionSalesDaily) == [(store.id, DAY, "ID", "18", 1, 135_000),
                                      (store.id, DAY, "ID", "31", 1, 170_000)]


def test_an_order_abroad_counts_under_its_country_with_no_province(monkeypatch, make_store, make_product,
                                                                    make_user, db):
    SalesDaily, _p, RegionSalesDaily = _models()
    # given an export-ready store's product
    product = make_product(store=make_store(export_ready=True), price_idr=100_000, stock=10)
    # when a buyer in Tokyo pays for it
    pay_at(monkeypatch, MORNING_11TH, make_user(), {product: 1}, TOKYO)
    # then it counts for Japan, province ''
    assert rows(RegionSalesDaily) == [(product.store_id, DAY, "JP", "", 1, 100_000)]
    assert rows(SalesDaily)[0][2:5] == (1, 1, 100_000)


def test_only_paying_moves_the_rollups_and_unpaid_orders_never_count(monkeypatch, make_store, make_product,
                                                                      make_user, db):
    from catalog.addresses import clean_address
    from marketplace.extensions import db as _db
    from orders import services
    from orders.checkout import place_checkout
    from tests.orders.conftest import JAKARTA

    SalesDaily, ProductSalesDaily, _r = _models()
    product = make_product(price_idr=10_000, stock=10)
    buyer = make_user()
    # given an order placed but not paid, and one paid then accepted and cancelled
    place_checkout(buyer, {product.id: 1}, clean_address(JAKARTA), payment_method="bank_transfer")
    _db.session.commit()
    paid = pay_at(monkeypatch, MORNING_11TH, buyer, {product: 2}).orders[0]
    services.act(paid, "accept", actor=product.store.owner)
    _db.session.commit()
    # then only the paid order is counted, once (gross sales: what was sold that day)
    assert rows(SalesDaily) == [(product.store_id, DAY, 1, 2, 20_000, paid.shipping_idr)]


def test_rebuild_recomputes_the_rollups_from_the_orders(monkeypatch, runner, make_store, make_product,
                                                        make_user, db):
    import sqlalchemy as sa

    from books.models import SalesDaily as S

    SalesDaily, ProductSalesDaily, RegionSalesDaily = _models()
    store = make_store()
    kopi = make_product(store=store, price_idr=45_000, stock=50)
    buyer = make_user()
    pay_at(monkeypatch, LATE_ON_THE_10TH_UTC, buyer, {kopi: 2})
    pay_at(monkeypatch, MORNING_11TH + timedelta(days=1), buyer, {kopi: 1}, TOKYO)
    kept = [rows(m) for m in _models()]
    # given rollups gone wrong (a row lost, another wrong)
    db.session.execute(sa.delete(RegionSalesDaily))
    db.session.execute(sa.update(S).values(orders=99))
    db.session.commit()
    # when the repair command runs
    result = runner.invoke(args=["books", "rebuild-rollups"])
    # then the rollups are what paying made them, WIB days included
    assert result.exit_code == 0, result.output
    assert "sales_daily: 2 rows" in result.output
    db.session.expire_all()
    assert [rows(m) for m in _models()] == kept


def test_the_migration_fills_the_rollups_of_orders_paid_before(monkeypatch, make_store, make_product,
                                                                make_user, db):
    import importlib.util
    from pathlib import Path

    import sqlalchemy as sa
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    store = make_store()
    kopi = make_product(store=store, price_idr=45_000, stock=50)
    buyer = make_user()
    pay_at(monkeypatch, LATE_ON_THE_10TH_UTC, buyer, {kopi: 2}, BANDAR_LAMPUNG)
    pay_at(monkeypatch, MORNING_11TH, buyer, {kopi: 1}, TOKYO)
    kept = [rows(m) for m in _models()]
    # given the rollups empty, as before migration 0018
    for model in _models():
        db.session.execute(sa.delete(model))
    db.session.commit()
    # when the migration's backfill runs on this database
    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0018_seller_books.py"
    spec = importlib.util.spec_from_file_location("migration_0018", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with db.engine.begin() as conn:
        context = MigrationContext.configure(conn)
        with Operations.context(context):
            migration.fill_sales_rollups()
    # then they hold what paying made them
    db.session.expire_all()
    assert [rows(m) for m in _models()] == kept
    assert kept[0] == [(store.id, DAY, 2, 3, 135_000, kept[0][0][5])]


def test_summary_compares_with_the_period_before(monkeypatch, make_store, make_product, make_user, db):
    from books import analytics

    # given a store's sales: 2 orders in the week of 10-16 March, 1 in the week before, and
    # one order of another store
    store = make_store()
    kopi = make_product(store=store, price_idr=50_000, stock=100)
    other = make_product(price_idr=999_000, stock=5)
    buyer = make_user()
    at = lambda d: datetime(2026, 3, d, 3, 0, tzinfo=UTC)  # noqa: E731
    pay_at(monkeypatch, at(10), buyer, {kopi: 2})   # 100.000
    pay_at(monkeypatch, at(16), buyer, {kopi: 4})   # 200.000
    pay_at(monkeypatch, at(5), buyer, {kopi: 3})    # 150.000, the week before
    pay_at(monkeypatch, at(12), buyer, {other: 1})
    # when the seller asks for 10-16 March
    found = analytics.summary(store, date(2026, 3, 10), date(2026, 3, 16))
    # then the totals are the two orders, against the one of 3-9 March
    c, p = found.current, found.previous
    assert (c.revenue_idr, c.orders, c.units, c.average_order_idr) == (300_000, 2, 6, 150_000)
    assert (p.revenue_idr, p.orders, p.units, p.average_order_idr) == (150_000, 1, 3, 150_000)
    assert found.period.previous() == analytics.Period(date(2026, 3, 3), date(2026, 3, 9))
    assert found.changes == {"revenue_idr": 100.0, "orders": 100.0, "units": 100.0,
                             "average_order_idr": 0.0, "views": None}
    # and a week with nothing before it has no change to show
    empty = analytics.summary(store, date(2026, 2, 1), date(2026, 2, 7))
    assert empty.current.orders == 0 and empty.changes["revenue_idr"] is None
    # and the series has every day of the period, zeros included
    points = analytics.series(store, date(2026, 3, 10), date(2026, 3, 16))
    assert [(p.start.day, p.revenue_idr, p.orders) for p in points] == [
        (10, 100_000, 1), (11, 0, 0), (12, 0, 0), (13, 0, 0), (14, 0, 0), (15, 0, 0), (16, 200_000, 1)]
    # and over a long range it is drawn per week, then per month, the same money in all
    weeks = analytics.series(store, date(2026, 1, 1), date(2026, 4, 30))
    assert analytics.bucket_of(analytics.Period(date(2026, 1, 1), date(2026, 4, 30))) == "week"
    assert weeks[0].start == date(2026, 1, 1) and sum(p.revenue_idr for p in weeks) == 450_000
    months = analytics.series(store, date(2025, 4, 1), date(2026, 5, 31))
    assert len(months) == 14 and [p.revenue_idr for p in months if p.revenue_idr] == [450_000]


def test_top_products_regions_and_rfqs(monkeypatch, make_store, make_product, make_user, db):
    from books import analytics
    from promotions.models import Quote, QuoteStatus, Rfq

    store = make_store(export_ready=True)
    kopi = make_product(store=store, title="Kopi <b>Robusta</b>", price_idr=50_000, stock=100)
    madu = make_product(store=store, title="Madu Hutan", price_idr=120_000, stock=100)
    buyer = make_user()
    pay_at(monkeypatch, MORNING_11TH, buyer, {kopi: 3}, BANDAR_LAMPUNG)       # 150.000
    pay_at(monkeypatch, MORNING_11TH, buyer, {madu: 2, kopi: 1})             # 240.000 + 50.000
    pay_at(monkeypatch, MORNING_11TH, buyer, {madu: 1}, TOKYO)                # 120.000
    # three RFQs sent on the 11th (WIB): one unanswered, one quoted, one won; one the day before
    made = []
    for n, (when, quote) in enumerate([(MORNING_11TH, None), (MORNING_11TH, QuoteStatus.OFFERED),
                                       (MORNING_11TH, QuoteStatus.ACCEPTED),
                                       (LATE_ON_THE_10TH_UTC - timedelta(hours=1), QuoteStatus.OFFERED)]):
        rfq = Rfq(buyer_id=buyer.id, store_id=store.id, product_id=kopi.id, quantity=100 + n,
                  destination_country="JP", incoterm="FOB", needed_by=date(2026, 6, 1), created_at=when)
        db.session.add(rfq)
        db.session.flush()
        if quote:
            db.session.add(Quote(rfq_id=rfq.id, unit_price_idr=40_000, min_qty=100, lead_time_days=7,
                                 valid_until=date(2026, 4, 1), port="Panjang", status=quote))
        made.append(rfq)
    db.session.commit()
    # then the products rank by revenue with their units and orders
    top = analytics.top_products(store, DAY, DAY)
    assert [(p.title, p.revenue_idr, p.units, p.orders) for p in top] == [
        ("Madu Hutan", 360_000, 3, 2), ("Kopi <b>Robusta</b>", 200_000, 4, 2)]
    # and buyers by province (named) and by country
    places = analytics.regions(store, DAY, DAY)
    assert [(p.province_code, p.name, p.orders, p.revenue_idr) for p in places.provinces] == [
        ("31", "Daerah Khusus Ibukota Jakarta", 1, 290_000), ("18", "Lampung", 1, 150_000)]
    assert [(p.country_code, p.orders, p.revenue_idr) for p in places.countries] == [
        ("ID", 2, 440_000), ("JP", 1, 120_000)]
    # and the RFQs of the day: received 3, quoted 2, won 1
    assert analytics.rfqs(store, DAY, DAY) == analytics.RfqFigures(3, 2, 1)


@pytest.mark.parametrize("args, field", [
    ({"start": "2026-03-10", "end": "2026-03-01"}, "from"),
    ({"start": "2020-01-01", "end": "2026-03-01"}, "to"),
    ({"start": "10/03/2026", "end": ""}, "from"),
    ({"preset": "lifetime"}, "period"),
])
def test_a_bad_period_is_refused_with_its_field(app, ctx, args, field):
    from books import analytics
    from marketplace.errors import ValidationError

    with pytest.raises(ValidationError) as refused:
        analytics.period_from(args.get("preset"), args.get("start"), args.get("end"), today=DAY)
    assert field in refused.value.fields


def test_presets_and_ranges_end_where_asked(app, ctx):
    from books import analytics

    assert analytics.period_from(None, None, None, today=DAY) == analytics.Period(
        date(2026, 2, 10), DAY, "30d")
    assert analytics.period_from("today", "", "", today=DAY).days == 1
    assert analytics.period_from("365d", None, None, today=DAY).start == date(2025, 3, 12)
    assert analytics.period_from(None, "2026-03-01", "2026-03-01", today=DAY).days == 1
    assert analytics.period_from(None, "2026-03-01", None, today=DAY) == analytics.Period(date(2026, 3, 1), DAY)
    assert analytics.period_from(None, "2023-03-12", "2026-03-11", today=DAY).days == 1096
