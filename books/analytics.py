"""Seller analytics: what a store sold, to whom and where, read from the daily rollups.

The rollups (`books.models`: SalesDaily, ProductSalesDaily, RegionSalesDaily, ProductViewsDaily)
are counters per store (or product) and WIB day. `record_paid_order` keeps the sales ones up in
the transaction that pays an order (registered on `orders.state.order_moves`), with upserts
(`INSERT ... ON CONFLICT DO UPDATE`), so two orders paid at once never lose a count; the views
come from `books.views_counter`. Every figure here is a sum over at most a few thousand rollup
rows found by their primary key or index: a page view never scans orders.

Counted: orders once paid (a paid order cancelled or refunded later stays in its day's sales:
these are gross sales, what was sold; refunds show in the books). Revenue is the goods' value
(subtotal less discount), shipping apart; a product's revenue is its lines' totals.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from books.models import ProductSalesDaily, ProductViewsDaily, RegionSalesDaily, SalesDaily
from marketplace.errors import ValidationError
from marketplace.extensions import db
from marketplace.money.rates import today_wib
from marketplace.timeutil import day_start, marketplace_day, utcnow

#: the presets of the page and the API: (key, days ending today)
PRESETS = {"today": 1, "7d": 7, "30d": 30, "365d": 365}
DEFAULT_PRESET = "30d"
#: the longest range one may ask for (three years)
MAX_DAYS = 3 * 366
#: longer ranges are drawn per week, then per month
WEEKLY_FROM_DAYS = 93
MONTHLY_FROM_DAYS = 400
TOP_PRODUCTS = 10


# --- keeping the rollups up ---------------------------------------------------------------------

def _insert(table):
    """The dialect's INSERT that has `on_conflict_do_update` (PostgreSQL or SQLite)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def add_to(model, keys: dict, amounts: dict, extra: dict | None = None) -> None:
    """Add `amounts` to the rollup row of `keys` (its primary key), creating it if it is new:
    one atomic upsert, safe when other transactions add to the same row at the same time.
    `extra` are the row's other columns (the product's store), set when the row is made."""
    table = model.__table__
    stmt = _insert(table).values(**keys, **(extra or {}), **amounts)
    stmt = stmt.on_conflict_do_update(
        index_elements=[column.name for column in table.primary_key.columns],
        set_={name: table.c[name] + stmt.excluded[name] for name in amounts})
    db.session.execute(stmt)


def ship_to(address: dict | None) -> tuple[str, str]:
    """(country, province code) of a checkout's shipping address: ISO alpha-2, and in
    Indonesia the province's two-digit code ('' abroad, or when an old address has none)."""
    address = address or {}
    country = str(address.get("country") or "ID").strip().upper()[:2] or "ID"
    province = str(address.get("province") or "").strip() if country == "ID" else ""
    return country, province if len(province) == 2 and province.isdigit() else ""


def record_paid_order(order, action: str, actor) -> None:
    """`order_moves` entry: on "pay", add the order to its store's rollups of the WIB day it
    was paid (its day, its products, where it ships), in the paying transaction."""
    if action != "pay":
        return
    checkout = order.checkout
    day = marketplace_day(checkout.paid_at or utcnow())
    revenue = order.subtotal_idr - order.discount_idr
    units = sum(line.quantity for line in order.lines)
    add_to(SalesDaily, {"store_id": order.store_id, "day": day},
           {"orders": 1, "units": units, "revenue_idr": revenue, "shipping_idr": order.shipping_idr})
    products: dict[int, list[int]] = {}
    for line in order.lines:
        if line.product_id is not None:
            totals = products.setdefault(line.product_id, [0, 0])
            totals[0] += line.quantity
            totals[1] += line.line_total_idr
    for product_id, (quantity, total) in sorted(products.items()):  # a fixed order: no deadlocks
        add_to(ProductSalesDaily, {"product_id": product_id, "day": day},
               {"orders": 1, "units": quantity, "revenue_idr": total}, extra={"store_id": order.store_id})
    country, province = ship_to(checkout.shipping_address)
    add_to(RegionSalesDaily, {"store_id": order.store_id, "day": day, "country_code": country,
                              "province_code": province}, {"orders": 1, "revenue_idr": revenue})


def _day_sql(dialect: str, column: str) -> str:
    if dialect == "postgresql":
        return f"(({column}) AT TIME ZONE 'Asia/Jakarta')::date"
    return f"date({column}, '+7 hours')"


def rollup_statements(dialect: str) -> list[str]:
    """The SQL that fills the sales rollups from the orders already paid (the migration that
    made them holds its own copy, as migrations must): orders past payment that have a "pay"
    event, on the WIB day of their checkout's payment."""
    day = _day_sql(dialect, "coalesce(c.paid_at, (SELECT min(e.at) FROM order_events e "
                            "WHERE e.order_id = o.id AND e.action = 'pay'))")
    if dialect == "postgresql":
        country = "upper(coalesce(nullif(c.shipping_address::json ->> 'country', ''), 'ID'))"
        province = "coalesce(c.shipping_address::json ->> 'province', '')"
    else:
        country = "upper(coalesce(nullif(json_extract(c.shipping_address, '$.country'), ''), 'ID'))"
        province = "coalesce(json_extract(c.shipping_address, '$.province'), '')"
    paid = (f"SELECT o.id AS order_id, o.store_id, {day} AS day, o.subtotal_idr - o.discount_idr AS revenue, "
            f"o.shipping_idr, substr({country}, 1, 2) AS country, {province} AS province "
            "FROM orders o JOIN checkouts c ON c.id = o.checkout_id "
            "WHERE o.status NOT IN ('pending_payment', 'expired') "
            "AND EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id AND e.action = 'pay')")
    return [
        "INSERT INTO sales_daily (store_id, day, orders, units, revenue_idr, shipping_idr) "
        f"SELECT p.store_id, p.day, count(*), coalesce(sum(u.units), 0), sum(p.revenue), sum(p.shipping_idr) "
        f"FROM ({paid}) p LEFT JOIN (SELECT order_id, sum(quantity) AS units FROM order_lines "
        "GROUP BY order_id) u ON u.order_id = p.order_id GROUP BY p.store_id, p.day",
        "INSERT INTO product_sales_daily (product_id, day, store_id, orders, units, revenue_idr) "
        f"SELECT l.product_id, p.day, p.store_id, count(DISTINCT p.order_id), sum(l.quantity), "
        f"sum(l.line_total_idr) FROM ({paid}) p JOIN order_lines l ON l.order_id = p.order_id "
        "WHERE l.product_id IS NOT NULL GROUP BY l.product_id, p.day, p.store_id",
        "INSERT INTO region_sales_daily (store_id, day, country_code, province_code, orders, revenue_idr) "
        "SELECT r.store_id, r.day, r.country, r.province, count(*), sum(r.revenue) FROM ("
        "SELECT p.store_id, p.day, p.country, CASE WHEN p.country = 'ID' AND length(p.province) = 2 "
        f"THEN p.province ELSE '' END AS province, p.revenue FROM ({paid}) p) r "
        "GROUP BY r.store_id, r.day, r.country, r.province",
    ]


def rebuild_rollups() -> dict[str, int]:
    """Recompute the sales rollups from the orders (repair: `flask books rebuild-rollups`).
    Views are not in the orders, so they stay. The caller commits."""
    dialect = db.session.get_bind().dialect.name
    for model in (SalesDaily, ProductSalesDaily, RegionSalesDaily):
        db.session.execute(sa.delete(model))
    for statement in rollup_statements(dialect):
        db.session.execute(sa.text(statement))
    db.session.flush()
    return {model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (SalesDaily, ProductSalesDaily, RegionSalesDaily)}


# --- periods ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """Days `start`..`end` (both included, WIB), and the preset that named them, if any."""

    start: date
    end: date
    preset: str | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of equal length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))


def preset_period(preset: str, today: date | None = None) -> Period:
    """The `preset`'s days ending today (WIB)."""
    today = today or today_wib()
    return Period(today - timedelta(days=PRESETS[preset] - 1), today, preset)


def _parse_day(raw) -> date:
    if not isinstance(raw, str) or len(raw) != 10:
        raise ValueError
    return date.fromisoformat(raw)


def period_from(preset=None, start=None, end=None, *, today: date | None = None) -> Period:
    """The period asked for: `from`/`to` (ISO dates; one alone is paired with today or itself)
    or a preset (default the last 30 days). Raises ValidationError for a date that is not one,
    `from` after `to`, or a range over three years."""
    today = today or today_wib()
    start = start.strip() if isinstance(start, str) else start
    end = end.strip() if isinstance(end, str) else end
    if not start and not end:
        if preset not in (None, "") and preset not in PRESETS:
            raise ValidationError(fields={"period": _l("Pilih periode yang tersedia.")})
        return preset_period(preset or DEFAULT_PRESET, today)
    errors, days = {}, {}
    for name, raw in (("from", start), ("to", end)):
        if not raw:
            continue
        try:
            days[name] = _parse_day(raw)
        except ValueError:
            errors[name] = _l("Tanggal tidak valid (TTTT-BB-HH).")
    if errors:
        raise ValidationError(fields=errors)
    first = days.get("from") or days["to"]
    last = days.get("to") or max(first, today)
    if first > last:
        raise ValidationError(fields={"from": _l("Tanggal awal harus sebelum atau sama dengan tanggal akhir.")})
    if (last - first).days + 1 > MAX_DAYS:
        raise ValidationError(fields={"to": _l("Rentang paling lama 3 tahun.")})
    return Period(first, last)


# --- figures ------------------------------------------------------------------------------------

@dataclass
class Totals:
    revenue_idr: int = 0
    orders: int = 0
    units: int = 0
    shipping_idr: int = 0

    @property
    def average_order_idr(self) -> int:
        """Average order value: goods value per order, in whole rupiah."""
        return self.revenue_idr // self.orders if self.orders else 0


def change_pct(now: int, before: int) -> float | None:
    """The change from `before` to `now` in percent (one decimal); None when before was 0."""
    if not before:
        return None
    return round((now - before) * 100 / before, 1)


def _totals(store_id: int, period: Period) -> Totals:
    row = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(SalesDaily.revenue_idr), 0),
                  sa.func.coalesce(sa.func.sum(SalesDaily.orders), 0),
                  sa.func.coalesce(sa.func.sum(SalesDaily.units), 0),
                  sa.func.coalesce(sa.func.sum(SalesDaily.shipping_idr), 0))
        .where(SalesDaily.store_id == store_id, SalesDaily.day.between(period.start, period.end))).one()
    return Totals(*(int(v) for v in row))


def _views_total(store_id: int, period: Period) -> int:
    return int(db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(ProductViewsDaily.views), 0))
        .where(ProductViewsDaily.store_id == store_id,
               ProductViewsDaily.day.between(period.start, period.end))))


@dataclass
class Summary:
    """A store's figures for a period and the period before it."""

    period: Period
    current: Totals
    previous: Totals
    views: int
    previous_views: int

    @property
    def changes(self) -> dict[str, float | None]:
        c, p = self.current, self.previous
        return {"revenue_idr": change_pct(c.revenue_idr, p.revenue_idr),
                "orders": change_pct(c.orders, p.orders), "units": change_pct(c.units, p.units),
                "average_order_idr": change_pct(c.average_order_idr, p.average_order_idr),
                "views": change_pct(self.views, self.previous_views)}

    @property
    def conversion_pct(self) -> float | None:
        """Orders per 100 product page views (None without views)."""
        return round(self.current.orders * 100 / self.views, 1) if self.views else None


def summary(store, start: date, end: date) -> Summary:
    """Revenue, orders, units, average order value and views of `store` for days
    `start`..`end`, with the same for the period of equal length before."""
    period = Period(start, end)
    before = period.previous()
    return Summary(period, _totals(store.id, period), _totals(store.id, before),
                   _views_total(store.id, period), _views_total(store.id, before))


@dataclass(frozen=True)
class Point:
    start: date
    end: date
    revenue_idr: int
    orders: int
    units: int


def bucket_of(period: Period) -> str:
    """How a period is drawn: "day", "week" (from 93 days) or "month" (from 400 days)."""
    if period.days >= MONTHLY_FROM_DAYS:
        return "month"
    if period.days >= WEEKLY_FROM_DAYS:
        return "week"
    return "day"


def _bucket_start(day: date, bucket: str) -> date:
    if bucket == "month":
        return day.replace(day=1)
    if bucket == "week":
        return day - timedelta(days=day.weekday())  # Monday
    return day


def series(store, start: date, end: date, bucket: str | None = None) -> list[Point]:
    """Revenue, orders and units per day (or week, or month: `bucket_of`), every bucket of the
    period present (zeros included), clipped to the period at both ends."""
    period = Period(start, end)
    bucket = bucket or bucket_of(period)
    rows = db.session.execute(
        sa.select(SalesDaily.day, SalesDaily.revenue_idr, SalesDaily.orders, SalesDaily.units)
        .where(SalesDaily.store_id == store.id, SalesDaily.day.between(start, end))).all()
    sums: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for day, revenue, orders, units in rows:
        totals = sums[_bucket_start(day, bucket)]
        totals[0] += revenue
        totals[1] += orders
        totals[2] += units
    points, cursor = [], _bucket_start(start, bucket)
    while cursor <= end:
        if bucket == "month":
            following = (cursor.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            following = cursor + timedelta(days=7 if bucket == "week" else 1)
        revenue, orders, units = sums.get(cursor, (0, 0, 0))
        points.append(Point(max(cursor, start), min(following - timedelta(days=1), end),
                            revenue, orders, units))
        cursor = following
    return points


@dataclass
class ProductFigures:
    product_id: int
    title: str
    revenue_idr: int = 0
    units: int = 0
    orders: int = 0
    views: int = 0

    @property
    def conversion_pct(self) -> float | None:
        return round(self.orders * 100 / self.views, 1) if self.views else None


def _titles(ids) -> dict[int, str]:
    from catalog.models import Product

    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Product.id, Product.title).where(Product.id.in_(ids))).all())


def top_products(store, start: date, end: date, limit: int = TOP_PRODUCTS) -> list[ProductFigures]:
    """The store's best-selling products of the period by revenue (then units), with their
    orders and page views."""
    revenue = sa.func.sum(ProductSalesDaily.revenue_idr)
    rows = db.session.execute(
        sa.select(ProductSalesDaily.product_id, revenue, sa.func.sum(ProductSalesDaily.units),
                  sa.func.sum(ProductSalesDaily.orders))
        .where(ProductSalesDaily.store_id == store.id, ProductSalesDaily.day.between(start, end))
        .group_by(ProductSalesDaily.product_id)
        .order_by(revenue.desc(), sa.func.sum(ProductSalesDaily.units).desc(), ProductSalesDaily.product_id)
        .limit(limit)).all()
    ids = [row[0] for row in rows]
    views = _views_by_product(store, start, end, ids) if ids else {}
    titles = _titles(ids)
    return [ProductFigures(pid, titles.get(pid, ""), int(rev), int(units), int(orders), views.get(pid, 0))
            for pid, rev, units, orders in rows]


def _views_by_product(store, start: date, end: date, ids=None) -> dict[int, int]:
    stmt = (sa.select(ProductViewsDaily.product_id, sa.func.sum(ProductViewsDaily.views))
            .where(ProductViewsDaily.store_id == store.id, ProductViewsDaily.day.between(start, end))
            .group_by(ProductViewsDaily.product_id))
    if ids is not None:
        stmt = stmt.where(ProductViewsDaily.product_id.in_(ids))
    return {pid: int(n) for pid, n in db.session.execute(stmt).all()}


def most_viewed(store, start: date, end: date, limit: int = TOP_PRODUCTS) -> list[ProductFigures]:
    """The store's most viewed products of the period, with their orders: view-to-order
    conversion per product."""
    views = sa.func.sum(ProductViewsDaily.views)
    rows = db.session.execute(
        sa.select(ProductViewsDaily.product_id, views)
        .where(ProductViewsDaily.store_id == store.id, ProductViewsDaily.day.between(start, end))
        .group_by(ProductViewsDaily.product_id).order_by(views.desc(), ProductViewsDaily.product_id)
        .limit(limit)).all()
    ids = [row[0] for row in rows]
    if not ids:
        return []
    sales = {pid: (int(rev), int(units), int(orders)) for pid, rev, units, orders in db.session.execute(
        sa.select(ProductSalesDaily.product_id, sa.func.sum(ProductSalesDaily.revenue_idr),
                  sa.func.sum(ProductSalesDaily.units), sa.func.sum(ProductSalesDaily.orders))
        .where(ProductSalesDaily.store_id == store.id, ProductSalesDaily.day.between(start, end),
               ProductSalesDaily.product_id.in_(ids))
        .group_by(ProductSalesDaily.product_id)).all()}
    titles = _titles(ids)
    return [ProductFigures(pid, titles.get(pid, ""), *sales.get(pid, (0, 0, 0)), views=int(n))
            for pid, n in rows]


@dataclass(frozen=True)
class Place:
    country_code: str
    province_code: str
    name: str
    orders: int
    revenue_idr: int


@dataclass
class Regions:
    provinces: list[Place] = field(default_factory=list)
    countries: list[Place] = field(default_factory=list)


def regions(store, start: date, end: date, country_name=None) -> Regions:
    """Where the period's orders went: Indonesian provinces (named from catalog's regions) and
    countries (Indonesia one of them), most orders first. `country_name(code)` names a
    country (default: the code)."""
    from catalog.models import Province

    orders, revenue = sa.func.sum(RegionSalesDaily.orders), sa.func.sum(RegionSalesDaily.revenue_idr)
    rows = db.session.execute(
        sa.select(RegionSalesDaily.country_code, RegionSalesDaily.province_code, orders, revenue)
        .where(RegionSalesDaily.store_id == store.id, RegionSalesDaily.day.between(start, end))
        .group_by(RegionSalesDaily.country_code, RegionSalesDaily.province_code)).all()
    codes = {province for country, province, _o, _r in rows if country == "ID" and province}
    names = dict(db.session.execute(sa.select(Province.code, Province.name)
                                    .where(Province.code.in_(codes))).all()) if codes else {}
    country_name = country_name or (lambda code: code)
    result, countries = Regions(), defaultdict(lambda: [0, 0])
    for country, province, n, rev in rows:
        countries[country][0] += int(n)
        countries[country][1] += int(rev)
        if country == "ID":
            result.provinces.append(Place(country, province, names.get(province, "") if province else "",
                                          int(n), int(rev)))
    result.countries = [Place(code, "", country_name(code), n, rev) for code, (n, rev) in countries.items()]
    for places in (result.provinces, result.countries):
        places.sort(key=lambda place: (-place.orders, -place.revenue_idr, place.country_code, place.province_code))
    return result


@dataclass(frozen=True)
class RfqFigures:
    received: int
    quoted: int
    won: int


def rfqs(store, start: date, end: date) -> RfqFigures:
    """RFQs the store received in the period (by when they were sent, WIB), how many it
    quoted, and how many were won (a quote of it accepted)."""
    from promotions.models import Quote, QuoteStatus, Rfq

    since, until = day_start(start), day_start(end + timedelta(days=1))
    quoted = sa.exists().where(Quote.rfq_id == Rfq.id)
    won = sa.exists().where(Quote.rfq_id == Rfq.id, Quote.status == QuoteStatus.ACCEPTED)
    row = db.session.execute(
        sa.select(sa.func.count(), sa.func.count().filter(quoted), sa.func.count().filter(won))
        .select_from(Rfq)
        .where(Rfq.store_id == store.id, Rfq.created_at >= since, Rfq.created_at < until)).one()
    return RfqFigures(*(int(v) for v in row))


@dataclass
class Report:
    """Everything the analytics page, its CSV and the API show for one period."""

    summary: Summary
    series: list[Point]
    bucket: str
    top_products: list[ProductFigures]
    most_viewed: list[ProductFigures]
    regions: Regions
    rfqs: RfqFigures


def report_for(store, period: Period, *, actor, country_name=None) -> Report:
    """The store's analytics for `period`, for its owner only (anyone else: not found)."""
    from catalog.services import require_owner

    require_owner(store, actor)
    start, end = period.start, period.end
    bucket = bucket_of(period)
    found = summary(store, start, end)
    found.period = period
    return Report(found, series(store, start, end, bucket), bucket, top_products(store, start, end),
                  most_viewed(store, start, end), regions(store, start, end, country_name),
                  rfqs(store, start, end))
