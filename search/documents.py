"""Search documents: what the indexes hold for each active product.

A document carries everything a result card needs (so a search needs no database round trip)
and every field a filter or facet needs. `document_fields` lets other domains add fields
(promotions adds the events a product is curated for) without search importing them.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from types import SimpleNamespace

import sqlalchemy as sa
import sqlalchemy.orm as so

from catalog.models import Category, Product, ProductImage, ProductStatus, Province, Regency, Store
from marketplace.extensions import db
from marketplace.hooks import Hook
from marketplace.timeutil import as_utc

#: Each takes a list of product ids and the session to read with, and returns
#: {product_id: {field: value}} to merge in.
document_fields = Hook("document_fields",
                       "Functions (product_ids, session) -> {id: {field: value}} merged into documents.")


class Lookups:
    """Categories and regions, loaded once per batch job (they are small)."""

    def __init__(self, session: so.Session | None = None):
        session = session or db.session
        cats = session.scalars(sa.select(Category)).all()
        self.categories = {c.id: c for c in cats}
        self.provinces = dict(session.execute(sa.select(Province.code, Province.name)).all())
        self.regencies = dict(session.execute(sa.select(Regency.code, Regency.name)).all())

    def category_path(self, category_id: int) -> list[Category]:
        path, node = [], self.categories.get(category_id)
        while node is not None:
            path.append(node)
            node = self.categories.get(node.parent_id) if node.parent_id else None
        return list(reversed(path))


def _version(product: Product, store: Store) -> int:
    """Monotonic document version: the later of the product's and the store's last change."""
    stamps = [as_utc(product.updated_at), as_utc(store.updated_at)]
    latest = max(s for s in stamps if s is not None)
    return int(latest.timestamp() * 1_000_000)


def build_document(product: Product, lookups: Lookups) -> dict:
    store = product.store
    path = lookups.category_path(product.category_id)
    leaf = path[-1] if path else None
    thumb = product.images[0].thumb_path if product.images else None
    created: datetime = as_utc(product.created_at)
    return {
        "id": product.id,
        "version": _version(product, store),
        "title": product.title,
        "title_en": product.title_en or "",
        "description": product.description or "",
        "description_en": product.description_en or "",
        "category": leaf.slug if leaf else None,
        "category_path": [c.slug for c in path],
        "category_name": leaf.name if leaf else "",
        "category_name_en": leaf.name_en if leaf else "",
        "store_slug": store.slug,
        "store_name": store.name,
        "store_verified": store.verified_at is not None,
        "store_scale": store.scale,
        "province": store.province_code,
        "province_name": lookups.provinces.get(store.province_code, ""),
        "regency": store.regency_code,
        "regency_name": lookups.regencies.get(store.regency_code, ""),
        "price_idr": product.price_idr,
        "min_order_qty": product.min_order_qty,
        "stock": product.stock,
        "in_stock": product.stock > 0,
        "halal": product.halal,
        "export_ready": product.export_ready,
        "sold_count": product.sold_count,
        "created_at": created.isoformat(),
        "thumb": thumb,
        "events": [],
    }


def _product_query():
    return (
        sa.select(Product)
        .where(Product.status == ProductStatus.ACTIVE)
        .options(so.joinedload(Product.store), so.selectinload(Product.images),
                 so.lazyload(Product.tiers))  # documents carry no tiers: do not load them
        .order_by(Product.id)
    )


def _extend(docs: list[dict], session: so.Session) -> list[dict]:
    if docs:
        ids = [d["id"] for d in docs]
        for extra in document_fields.call(ids, session):
            for doc in docs:
                doc.update(extra.get(doc["id"], {}))
    return docs


def documents_for(product_ids: Iterable[int], session: so.Session | None = None
                  ) -> tuple[list[dict], list[int]]:
    """Fresh documents for the given ids, and the ids that are gone (deleted or not active)."""
    session = session or db.session
    ids = sorted(set(product_ids))
    if not ids:
        return [], []
    lookups = Lookups(session)
    docs = []
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start:chunk_start + 500]
        products = session.scalars(_product_query().where(Product.id.in_(chunk))).all()
        docs.extend(build_document(p, lookups) for p in products)
    found = {d["id"] for d in docs}
    return _extend(docs, session), [i for i in ids if i not in found]


def product_ids_of_stores(store_ids: Iterable[int], session: so.Session | None = None) -> list[int]:
    session = session or db.session
    ids = list(set(store_ids))
    if not ids:
        return []
    return list(session.scalars(sa.select(Product.id).where(Product.store_id.in_(ids))))


def changed_since(since, session: so.Session | None = None) -> tuple[list[dict], list[int]]:
    """Documents for products changed (or whose store changed) since `since`."""
    session = session or db.session
    ids = session.scalars(
        sa.select(Product.id).join(Store).where(
            sa.or_(Product.updated_at >= since, Store.updated_at >= since))).all()
    return documents_for(ids, session)


def count_active() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Product).where(Product.status == ProductStatus.ACTIVE))


_FIRST_THUMB = (
    sa.select(ProductImage.thumb_path).where(ProductImage.product_id == Product.id)
    .order_by(ProductImage.position, ProductImage.id).limit(1).correlate(Product).scalar_subquery()
)
_STREAM_COLUMNS = (
    Product.id, Product.title, Product.title_en, Product.description, Product.description_en,
    Product.category_id, Product.price_idr, Product.min_order_qty, Product.stock, Product.halal,
    Product.export_ready, Product.sold_count, Product.created_at, Product.updated_at,
    Store.slug.label("store_slug"), Store.name.label("store_name"),
    Store.verified_at.label("store_verified_at"), Store.scale.label("store_scale"),
    Store.province_code.label("store_province"), Store.regency_code.label("store_regency"),
    Store.updated_at.label("store_updated_at"), _FIRST_THUMB.label("thumb"),
)


def _as_product(row) -> SimpleNamespace:
    """A plain row shaped like the Product that build_document reads (no ORM objects: the bulk
    reindex reads rows several times faster this way)."""
    store = SimpleNamespace(slug=row.store_slug, name=row.store_name,
                            verified_at=row.store_verified_at, scale=row.store_scale,
                            province_code=row.store_province, regency_code=row.store_regency,
                            updated_at=row.store_updated_at)
    images = [SimpleNamespace(thumb_path=row.thumb)] if row.thumb else []
    return SimpleNamespace(**{c: getattr(row, c) for c in (
        "id", "title", "title_en", "description", "description_en", "category_id", "price_idr",
        "min_order_qty", "stock", "halal", "export_ready", "sold_count", "created_at",
        "updated_at")}, store=store, images=images)


def stream_documents(batch_size: int = 2000) -> Iterator[dict]:
    """Every active product's document, read in keyset-paged batches of plain rows: never the
    whole catalog in memory."""
    with so.Session(db.engine) as session:
        lookups = Lookups(session)
        last_id = 0
        while True:
            rows = session.execute(
                sa.select(*_STREAM_COLUMNS).join(Store, Store.id == Product.store_id)
                .where(Product.status == ProductStatus.ACTIVE, Product.id > last_id)
                .order_by(Product.id).limit(batch_size)).all()
            if not rows:
                return
            docs = _extend([build_document(_as_product(r), lookups) for r in rows], session)
            last_id = rows[-1].id
            yield from docs
