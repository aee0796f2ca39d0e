"""Commission rates: what the platform keeps of an order's goods when its money is released.

A rate is in basis points (250 = 2.5%) and set by an admin for a category (its subcategories
inherit it unless they have their own) or for a store; a store's rate wins over its products'
categories; with neither the rate is 0. The rate applies at release, to the goods: the released
amount less the order's shipping, never more than the goods' value, rounded down to the rupiah
(the seller keeps the fraction).
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from catalog.models import Category, Product, Store
from marketplace import audit
from marketplace.errors import Forbidden, NotFound, ValidationError
from marketplace.extensions import db
from orders.ledger.models import CommissionRate

MAX_BP = 10_000


def _category_rates() -> tuple[dict[int, int], dict[int, int | None]]:
    rates = dict(db.session.execute(sa.select(CommissionRate.category_id, CommissionRate.rate_bp)
                                    .where(CommissionRate.category_id.is_not(None))).all())
    parents = dict(db.session.execute(sa.select(Category.id, Category.parent_id)).all()) if rates else {}
    return rates, parents


def _rate_of_category(category_id: int | None, rates: dict, parents: dict) -> int:
    seen = set()
    while category_id is not None and category_id not in seen:
        if category_id in rates:
            return rates[category_id]
        seen.add(category_id)
        category_id = parents.get(category_id)
    return 0


def weighted_rate(order) -> tuple[int, int]:
    """(sum of line_total * rate_bp, sum of line_total) over the order's lines: the store's rate
    for every line when it has one, else each product's category's (a deleted product: 0)."""
    store_rate = db.session.scalar(sa.select(CommissionRate.rate_bp).where(
        CommissionRate.store_id == order.store_id))
    goods = sum(line.line_total_idr for line in order.lines)
    if store_rate is not None:
        return goods * store_rate, goods
    rates, parents = _category_rates()
    if not rates:
        return 0, goods
    ids = [line.product_id for line in order.lines if line.product_id]
    categories = dict(db.session.execute(sa.select(Product.id, Product.category_id)
                                         .where(Product.id.in_(ids))).all()) if ids else {}
    weighted = sum(line.line_total_idr * _rate_of_category(categories.get(line.product_id), rates, parents)
                   for line in order.lines)
    return weighted, goods


def commission_for(order, released_idr: int) -> tuple[int, int]:
    """(commission in rupiah, effective rate in basis points rounded down) on releasing
    `released_idr` of `order`."""
    weighted, goods = weighted_rate(order)
    if weighted <= 0 or goods <= 0:
        return 0, 0
    base = max(0, min(goods - (order.discount_idr or 0), released_idr - order.shipping_idr))
    return (base * weighted) // (goods * MAX_BP), weighted // goods


def _require_admin(actor) -> None:
    if actor is None or not actor.is_admin:
        raise Forbidden()


def parse_percent(text) -> int | None:
    """ "2,5" or "2.5" (percent) -> 250 basis points; None when it is no percentage 0-100 with at
    most two decimals."""
    raw = str(text or "").strip().replace("%", "").replace(" ", "").replace(",", ".")
    whole, _dot, frac = raw.partition(".")
    if not whole.isdigit() or (frac and (not frac.isdigit() or len(frac) > 2)) or raw.count(".") > 1:
        return None
    bp = int(whole) * 100 + int((frac + "00")[:2])
    return bp if bp <= MAX_BP else None


def set_commission_rate(*, rate_bp, category_slug: str | None = None, store_slug: str | None = None,
                        actor) -> CommissionRate:
    """Set (or replace) the rate of one category or one store (an admin)."""
    _require_admin(actor)
    errors = {}
    if isinstance(rate_bp, bool) or not isinstance(rate_bp, int) or not 0 <= rate_bp <= MAX_BP:
        errors["rate"] = _l("Isi persentase 0 sampai 100, paling banyak dua angka desimal.")
    category = store = None
    if bool(category_slug) == bool(store_slug):
        errors["target"] = _l("Pilih satu kategori atau satu toko.")
    elif category_slug:
        category = db.session.scalar(sa.select(Category).where(Category.slug == category_slug))
        if category is None:
            errors["category"] = _l("Kategori tidak dikenal.")
    else:
        store = db.session.scalar(sa.select(Store).where(Store.slug == store_slug.strip()))
        if store is None:
            errors["store"] = _l("Toko tidak ditemukan.")
    if errors:
        raise ValidationError(fields=errors)
    where = (CommissionRate.category_id == category.id) if category else (CommissionRate.store_id == store.id)
    row = db.session.scalar(sa.select(CommissionRate).where(where))
    before = None if row is None else {"rate_bp": row.rate_bp}
    if row is None:
        row = CommissionRate(category_id=category.id if category else None,
                             store_id=store.id if store else None, rate_bp=rate_bp)
        db.session.add(row)
    row.rate_bp = rate_bp
    row.updated_by_id = actor.id
    db.session.flush()
    audit.record("commission.set", row, before=before, actor=actor, after={
        "rate_bp": rate_bp, "category": category.slug if category else None, "store": store.slug if store else None})
    return row


def remove_commission_rate(rate_id: int, *, actor) -> None:
    """Remove a rate (an admin): its category or store falls back to the next rule."""
    _require_admin(actor)
    row = db.session.get(CommissionRate, rate_id)
    if row is None:
        raise NotFound()
    audit.record("commission.remove", row, before={"rate_bp": row.rate_bp, "category_id": row.category_id,
                                                   "store_id": row.store_id}, actor=actor)
    db.session.delete(row)
    db.session.flush()


def commission_rates() -> list[CommissionRate]:
    """Every rate set: stores first, then categories, by name."""
    rows = db.session.scalars(sa.select(CommissionRate).options(
        so.joinedload(CommissionRate.category), so.joinedload(CommissionRate.store))).all()
    return sorted(rows, key=lambda r: (r.store is None, (r.store or r.category).name.lower()))
