"""The programme's "naik kelas" figures for officers: a province's sales over a year by regency
and by category, its stores, and how many of them moved up a scale that year.

Only aggregates, read from the rollups (`SalesDaily` by the store's regency, `ProductSalesDaily`
by the product's top-level category), never a store's name. A cell standing for fewer than
`BOOKS_MIN_STORES` distinct stores is suppressed (its figures are not shown), and so that no
suppressed cell can be worked out from the total, the province's total is suppressed too when
exactly one cell of either table is (or when the whole province has too few stores).

"Moved up" counts the stores with a scale confirmation (books/scale.py) in the year whose scale
ranks above the one it replaced.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app

from books.models import ProductSalesDaily, SalesDaily, ScaleConfirmation
from books.scale import RANK
from catalog.models import Category, Product, Province, Regency, Store
from marketplace.accounts.models import User
from marketplace.errors import Forbidden, NotFound
from marketplace.extensions import db
from marketplace.timeutil import day_start

DEFAULT_PROVINCE = "18"  # Lampung, where the programme started


@dataclass(frozen=True)
class Cell:
    """One row of a table: what it is and its figures, or only that it is suppressed."""

    key: str
    label: object
    stores: int
    orders: int | None
    units: int | None
    revenue_idr: int | None
    suppressed: bool


@dataclass(frozen=True)
class ProvinceFigures:
    province: Province
    year: int
    min_stores: int
    by_regency: list
    by_category: list
    total: Cell
    #: stores registered in the province (today), stores that sold in the year, and those of
    #: them that moved up a scale in the year
    stores: int
    moved_up: int


def min_stores() -> int:
    return int(current_app.config["BOOKS_MIN_STORES"])


def _cell(key, label, stores: int, orders, units, revenue, floor: int) -> Cell:
    hidden = stores < floor
    return Cell(key, label, stores, None if hidden else orders, None if hidden else units,
                None if hidden else revenue, hidden)


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _by_regency(province: str, start: date, end: date, floor: int) -> list[Cell]:
    rows = db.session.execute(
        sa.select(Store.regency_code, Regency.name, sa.func.count(sa.distinct(SalesDaily.store_id)),
                  sa.func.sum(SalesDaily.orders), sa.func.sum(SalesDaily.units), sa.func.sum(SalesDaily.revenue_idr))
        .join(Store, Store.id == SalesDaily.store_id).join(Regency, Regency.code == Store.regency_code)
        .where(Store.province_code == province, SalesDaily.day.between(start, end))
        .group_by(Store.regency_code, Regency.name).order_by(Regency.name)).all()
    return [_cell(code, name, int(stores), int(orders or 0), int(units or 0), int(revenue or 0), floor)
            for code, name, stores, orders, units, revenue in rows]


def _roots() -> dict[int, Category]:
    """Each category's top-level category."""
    cats = {c.id: c for c in db.session.scalars(sa.select(Category))}
    roots = {}
    for cid, cat in cats.items():
        top, seen = cat, set()
        while top.parent_id is not None and top.parent_id in cats and top.id not in seen:
            seen.add(top.id)
            top = cats[top.parent_id]
        roots[cid] = top
    return roots


def _by_category(province: str, start: date, end: date, floor: int, lang: str) -> list[Cell]:
    # per (category, store) in SQL, then up to the top-level category here: distinct stores
    # cannot be added across subcategories
    rows = db.session.execute(
        sa.select(Product.category_id, ProductSalesDaily.store_id, sa.func.sum(ProductSalesDaily.units),
                  sa.func.sum(ProductSalesDaily.revenue_idr))
        .join(Product, Product.id == ProductSalesDaily.product_id)
        .join(Store, Store.id == ProductSalesDaily.store_id)
        .where(Store.province_code == province, ProductSalesDaily.day.between(start, end))
        .group_by(Product.category_id, ProductSalesDaily.store_id)).all()
    roots = _roots()
    tops = {root.id: root for root in roots.values()}
    stores, units, revenue = defaultdict(set), defaultdict(int), defaultdict(int)
    for category_id, store_id, u, r in rows:
        top = roots[category_id].id
        stores[top].add(store_id)
        units[top] += int(u or 0)
        revenue[top] += int(r or 0)
    cells = [_cell(tops[top].slug, tops[top].display_name(lang), len(stores[top]), None, units[top],
                   revenue[top], floor) for top in stores]
    return sorted(cells, key=lambda c: str(c.label))


def _total(province: str, start: date, end: date, floor: int, tables: list[list[Cell]]) -> Cell:
    stores, orders, units, revenue = db.session.execute(
        sa.select(sa.func.count(sa.distinct(SalesDaily.store_id)), sa.func.sum(SalesDaily.orders),
                  sa.func.sum(SalesDaily.units), sa.func.sum(SalesDaily.revenue_idr))
        .join(Store, Store.id == SalesDaily.store_id)
        .where(Store.province_code == province, SalesDaily.day.between(start, end))).one()
    cell = _cell("total", None, int(stores or 0), int(orders or 0), int(units or 0), int(revenue or 0), floor)
    # one suppressed cell is the total less the others: then the total goes too
    if any(sum(c.suppressed for c in table) == 1 for table in tables):
        cell = Cell(cell.key, None, cell.stores, None, None, None, True)
    return cell


def _moved_up(province: str, year: int) -> int:
    since, until = day_start(date(year, 1, 1)), day_start(date(year + 1, 1, 1))
    rows = db.session.execute(
        sa.select(ScaleConfirmation.store_id, ScaleConfirmation.scale, ScaleConfirmation.previous_scale)
        .join(Store, Store.id == ScaleConfirmation.store_id)
        .where(Store.province_code == province, ScaleConfirmation.confirmed_at >= since,
               ScaleConfirmation.confirmed_at < until)).all()
    return len({store_id for store_id, scale, previous in rows
                if previous in RANK and RANK.get(scale, 0) > RANK[previous]})


def province_figures(province_code: str, year: int, *, actor: User, lang: str = "id") -> ProvinceFigures:
    """The figures of a province over a calendar year, for officers (and admins)."""
    if actor is None or not actor.is_authenticated or not actor.is_officer:
        raise Forbidden()
    province = db.session.get(Province, province_code)
    if province is None:
        raise NotFound()
    floor = min_stores()
    start, end = _year_bounds(year)
    by_regency = _by_regency(province.code, start, end, floor)
    by_category = _by_category(province.code, start, end, floor, lang)
    total = _total(province.code, start, end, floor, [by_regency, by_category])
    stores = db.session.scalar(sa.select(sa.func.count(Store.id)).where(Store.province_code == province.code))
    return ProvinceFigures(province=province, year=year, min_stores=floor, by_regency=by_regency,
                           by_category=by_category, total=total, stores=int(stores or 0),
                           moved_up=_moved_up(province.code, year))


def provinces() -> list[Province]:
    return list(db.session.scalars(sa.select(Province).order_by(Province.name)))
