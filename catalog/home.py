"""The home page's sections: the newest products mixed across stores, export-ready and koperasi
picks, and the sections other domains add through `home_sections` (promotions: the live and
upcoming events; catalog never imports promotions).

A koperasi is a cooperative; a store that belongs to one names it in `Store.cooperative`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import render_template
from markupsafe import Markup

from catalog.models import Product, ProductStatus, Store
from marketplace.extensions import db
from marketplace.hooks import Hook

#: How many cards a home section shows, and how many of them one store may fill.
PICKS = 8
PER_STORE = 2

home_sections = Hook("home_sections", "Functions () -> HomeSection | None: sections other domains "
                                      "add to the home page, after the newest products.")


@dataclass(frozen=True)
class HomeSection:
    """A section of the home page: `template` rendered with `context` (the registering domain
    passes the helpers its templates need, since the page is catalog's). Lower `order` first."""

    template: str
    context: dict = field(default_factory=dict)
    order: int = 50

    def render(self) -> Markup:
        """The section's HTML (its template escapes what it shows)."""
        return Markup(render_template(self.template, **self.context))


def mixed_product_ids(*conditions, limit: int = PICKS, per_store: int = PER_STORE) -> list[int]:
    """Ids of the newest active products matching `conditions` (on Product and Store), at most
    `per_store` of each store, so one busy store does not fill the section. One query."""
    rank = sa.func.row_number().over(partition_by=Product.store_id,
                                     order_by=(Product.created_at.desc(), Product.id.desc()))
    ranked = (sa.select(Product.id, Product.created_at, rank.label("rank"))
              .join(Store, Store.id == Product.store_id)
              .where(Product.status == ProductStatus.ACTIVE, *conditions)
              .subquery())
    return list(db.session.scalars(
        sa.select(ranked.c.id).where(ranked.c.rank <= per_store)
        .order_by(ranked.c.created_at.desc(), ranked.c.id.desc()).limit(limit)))


def home_picks(limit: int = PICKS) -> dict[str, list[Product]]:
    """The product sections of the home page, each mixed across stores: "newest", "export"
    (the product or its store is export-ready) and "koperasi" (its store belongs to a
    cooperative). The products of all three load together (stores, regions, pictures and tiers
    included), so the page's queries do not grow with its cards."""
    ids = {
        "newest": mixed_product_ids(limit=limit),
        "export": mixed_product_ids(sa.or_(Product.export_ready.is_(True), Store.export_ready.is_(True)),
                                    limit=limit),
        "koperasi": mixed_product_ids(sa.func.coalesce(Store.cooperative, "") != "", limit=limit),
    }
    wanted = {i for section in ids.values() for i in section}
    loaded = {p.id: p for p in db.session.scalars(
        sa.select(Product).where(Product.id.in_(wanted))
        .options(so.selectinload(Product.store).selectinload(Store.regency)))} if wanted else {}
    return {name: [loaded[i] for i in section if i in loaded] for name, section in ids.items()}


def other_sections() -> list[HomeSection]:
    """The sections registered by other domains that have something to show, in order."""
    found = [section for section in home_sections.call() if section is not None]
    return sorted(found, key=lambda section: section.order)
