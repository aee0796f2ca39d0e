"""Catalog operations: stores, products and wholesale tiers.

Every function takes the acting user and checks they may act; it adds and flushes, and the
caller's request or command commits. Input is a plain dict (from a form, JSON or a CSV row).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from catalog import validation as v
from catalog.addresses import RegionError, clean_region
from catalog.models import Category, Product, ProductStatus, Store, StoreScale, WholesaleTier
from catalog.signals import products_changed, store_changed
from catalog.storage import delete_image_files
from marketplace import audit
from marketplace.accounts.models import Role, User
from marketplace.accounts.services import grant_role
from marketplace.errors import Conflict, Forbidden, NotFound, ValidationError
from marketplace.extensions import db
from marketplace.timeutil import utcnow

STORE_FIELDS = ("name", "slug", "description", "description_en", "province_code", "regency_code",
                "district_code", "nib", "scale", "whatsapp", "halal_cert", "cooperative", "export_ready")
PRODUCT_FIELDS = ("title", "title_en", "description", "description_en", "category", "price_idr",
                  "wholesale_tiers", "min_order_qty", "stock", "weight_g", "sku", "halal",
                  "export_ready", "hs_code", "status")


# --- stores -----------------------------------------------------------------------------------

def _clean_store(data: dict, *, partial: bool, current: Store | None = None) -> dict:
    clean, errors = {}, {}

    def take(name, fn):
        if partial and name not in data:
            return
        try:
            clean[name] = fn(data.get(name))
        except v.FieldError as exc:
            errors[name] = exc.message

    take("name", lambda x: v.clean_text(x, required=True, min_len=3, max_len=120))
    if data.get("slug") not in (None, ""):
        take("slug", v.clean_slug)
    take("description", lambda x: v.clean_text(x, required=False, max_len=5000) or "")
    take("description_en", lambda x: v.clean_text(x, required=False, max_len=5000))
    take("nib", v.clean_nib)
    take("whatsapp", v.clean_whatsapp)
    take("halal_cert", lambda x: v.clean_text(x, required=False, max_len=64))
    take("cooperative", lambda x: v.clean_text(x, required=False, max_len=120))
    take("export_ready", v.clean_bool)

    def scale(x):
        try:
            return StoreScale(str(x or "").strip().lower()).value
        except ValueError:
            raise v.FieldError(_l("Pilih mikro, kecil atau menengah.")) from None

    take("scale", scale)

    province = data.get("province_code", current.province_code if current else None)
    regency = data.get("regency_code", current.regency_code if current else None)
    district = data.get("district_code", current.district_code if current else None)
    if not partial or {"province_code", "regency_code", "district_code"} & set(data):
        try:
            try:
                place = clean_region(province, regency, district)
            except RegionError as exc:
                if exc.part != "district" or "district_code" in data:
                    raise
                place = clean_region(province, regency)  # moved away from the kept district
            clean["province_code"], clean["regency_code"], clean["district_code"] = place
        except RegionError as exc:
            errors[f"{exc.part}_code"] = exc.message
    if errors:
        raise ValidationError(fields=errors)
    return clean


def _unique_slug(base: str, *, exclude_id: int | None = None) -> str:
    slug, n = base, 1
    while True:
        stmt = sa.select(Store.id).where(Store.slug == slug)
        if exclude_id:
            stmt = stmt.where(Store.id != exclude_id)
        if db.session.scalar(stmt) is None:
            return slug
        n += 1
        slug = f"{base[:70]}-{n}"


def create_store(owner: User, data: dict) -> Store:
    """Open a store for `owner` and make them a seller. One store per user."""
    if store_of(owner) is not None:
        raise Conflict(_l("Anda sudah memiliki toko."), code="store_exists")
    clean = _clean_store(data, partial=False)
    if "slug" in clean:
        if db.session.scalar(sa.select(Store.id).where(Store.slug == clean["slug"])) is not None:
            raise ValidationError(fields={"slug": _l("Alamat toko ini sudah dipakai.")})
    else:
        clean["slug"] = _unique_slug(v.slugify(clean["name"]))
    store = Store(owner_id=owner.id, **clean)
    db.session.add(store)
    grant_role(owner, Role.SELLER, actor=None)
    db.session.flush()
    store_changed.send(store)
    return store


def update_store(store: Store, data: dict, *, actor: User) -> Store:
    """Change a store's details; only its owner may."""
    require_owner(store, actor)
    clean = _clean_store(data, partial=True, current=store)
    if "slug" in clean and clean["slug"] != store.slug:
        taken = db.session.scalar(
            sa.select(Store.id).where(Store.slug == clean["slug"], Store.id != store.id))
        if taken is not None:
            raise ValidationError(fields={"slug": _l("Alamat toko ini sudah dipakai.")})
    for key, value in clean.items():
        setattr(store, key, value)
    db.session.flush()
    store_changed.send(store)
    return store


def set_store_verified(store: Store, verified: bool, *, actor: User) -> Store:
    """An officer or admin vouches for a store (documents checked); the badge shows on its pages."""
    if not actor.is_officer:
        raise Forbidden()
    before = {"verified": store.verified}
    store.verified_at = utcnow() if verified else None
    store.verified_by_id = actor.id if verified else None
    db.session.flush()
    audit.record("store.verify" if verified else "store.unverify", store, before=before,
                 after={"verified": store.verified}, actor=actor)
    store_changed.send(store)
    return store


def store_of(user: User) -> Store | None:
    return db.session.scalar(sa.select(Store).where(Store.owner_id == user.id))


def get_store(slug: str) -> Store:
    store = db.session.scalar(sa.select(Store).where(Store.slug == slug))
    if store is None:
        raise NotFound()
    return store


def require_owner(store: Store, actor: User | None) -> None:
    """Only the store's owner may change it or see its drafts; others get 'not found'."""
    if actor is None or not actor.is_authenticated:
        raise NotFound()
    if store.owner_id != actor.id:
        raise NotFound()


# --- products ---------------------------------------------------------------------------------

def clean_product_fields(data: dict, *, partial: bool, current=None,
                         category_ids: Mapping[str, int] | None = None) -> tuple[dict, dict]:
    """Check product input against the catalog's rules, field by field, without raising.

    Returns `(clean, errors)`: the clean values under the model's names (`category_id`, and
    `wholesale_tiers` as sorted (min_qty, unit_price) pairs), and a lazy message per bad field
    keyed by the input name. With `partial`, only the fields present in `data` are checked.
    `current` is the product being changed, or anything with its `price_idr`, `min_order_qty`
    and `tiers`, so the wholesale tiers are checked against its price and minimum order.
    `category_ids` maps category slug to id for callers that check many rows at once (CSV
    import); without it each call looks the category up. SKU uniqueness is left to the caller,
    which knows the store's SKUs.
    """
    clean, errors = {}, {}

    def take(name, fn):
        if partial and name not in data:
            return
        try:
            clean[name] = fn(data.get(name))
        except v.FieldError as exc:
            errors[name] = exc.message

    take("title", lambda x: v.clean_text(x, required=True, min_len=3, max_len=160))
    take("title_en", lambda x: v.clean_text(x, required=False, min_len=3, max_len=160))
    take("description", lambda x: v.clean_text(x, required=True, min_len=10, max_len=10000))
    take("description_en", lambda x: v.clean_text(x, required=False, max_len=10000))
    take("price_idr", v.clean_price)
    take("min_order_qty", lambda x: v.clean_int(x if x not in (None, "") else 1, minimum=1))
    take("stock", lambda x: v.clean_int(x, minimum=0))
    take("weight_g", lambda x: v.clean_int(x, minimum=1, maximum=1_000_000))
    take("sku", v.clean_sku)
    take("halal", v.clean_bool)
    take("export_ready", v.clean_bool)
    take("hs_code", v.clean_hs_code)

    def status(x):
        try:
            return ProductStatus(str(x or "draft").strip().lower()).value
        except ValueError:
            raise v.FieldError(_l("Status harus draft, active atau archived.")) from None

    take("status", status)

    def category(x):
        slug = str(x or "").strip()
        if not slug:
            raise v.FieldError(_l("Pilih kategori."))
        if category_ids is not None:
            cat_id = category_ids.get(slug)
        else:
            cat = category_by_slug(slug)
            cat_id = cat.id if cat is not None else None
        if cat_id is None:
            raise v.FieldError(_l("Kategori tidak dikenal."))
        return cat_id

    if not partial or "category" in data:
        try:
            clean["category_id"] = category(data.get("category"))
        except v.FieldError as exc:
            errors["category"] = exc.message

    if not partial or {"wholesale_tiers", "price_idr", "min_order_qty"} & data.keys():
        price = clean.get("price_idr", current.price_idr if current else None)
        moq = clean.get("min_order_qty", current.min_order_qty if current else 1)
        raw = data.get("wholesale_tiers") if "wholesale_tiers" in data else (
            [{"min_qty": t.min_qty, "unit_price_idr": t.unit_price_idr} for t in current.tiers]
            if current else [])
        try:
            clean["wholesale_tiers"] = v.clean_tiers(raw, price=price, moq=moq)
        except v.FieldError as exc:
            errors["wholesale_tiers"] = exc.message
    return clean, errors


def _clean_product(data: dict, *, store: Store, partial: bool, current: Product | None) -> dict:
    clean, errors = clean_product_fields(data, partial=partial, current=current)
    if "sku" in clean:
        stmt = sa.select(Product.id).where(Product.store_id == store.id, Product.sku == clean["sku"])
        if current is not None:
            stmt = stmt.where(Product.id != current.id)
        if db.session.scalar(stmt) is not None:
            errors["sku"] = _l("SKU ini sudah dipakai produk lain di toko Anda.")
    if errors:
        raise ValidationError(fields=errors)
    return clean


def _apply(product: Product, clean: dict) -> None:
    tiers = clean.pop("wholesale_tiers", None)
    for key, value in clean.items():
        setattr(product, key, value)
    if tiers is not None:
        wanted = dict(tiers)
        for tier in list(product.tiers):
            if tier.min_qty not in wanted:
                product.tiers.remove(tier)
            else:
                tier.unit_price_idr = wanted.pop(tier.min_qty)
        for qty, unit in wanted.items():
            product.tiers.append(WholesaleTier(min_qty=qty, unit_price_idr=unit))
        product.tiers.sort(key=lambda t: t.min_qty)


#: The longest title part of a proposed SKU, so that a counter suffix still fits in 64.
_SKU_BASE_LEN = 24


def propose_sku(store: Store, title: str, *, exclude: Product | None = None) -> str:
    """An SKU for a product whose seller left it empty (the web form; the API and CSV still
    require one): the first words of the title in capitals, `KERIPIK-PISANG-COKELAT`, with
    `-2`, `-3`... when the store already uses it (`exclude`, the product being edited, aside).

    Family sellers coming from Tokopedia or Shopee, where an SKU is optional, mostly have none;
    a readable one made for them keeps the store's CSV export and re-import working.
    """
    ascii_title = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Z0-9]+", ascii_title.upper())
    base = ""
    for word in words:
        candidate = f"{base}-{word}" if base else word
        if len(candidate) > _SKU_BASE_LEN:
            break
        base = candidate
    base = base or (words[0][:_SKU_BASE_LEN] if words else "PRODUK")
    # the base is only [A-Z0-9-], so it holds no LIKE wildcards
    stmt = sa.select(Product.sku).where(Product.store_id == store.id, Product.sku.like(f"{base}%"))
    if exclude is not None:
        stmt = stmt.where(Product.id != exclude.id)
    taken = set(db.session.scalars(stmt))
    sku, n = base, 1
    while sku in taken:
        n += 1
        sku = f"{base}-{n}"
    return sku


def create_product(store: Store, data: dict, *, actor: User) -> Product:
    """Add a product to the actor's own store."""
    require_owner(store, actor)
    clean = _clean_product(data, store=store, partial=False, current=None)
    product = Product(store_id=store.id)
    _apply(product, clean)
    db.session.add(product)
    db.session.flush()
    products_changed.send(product)
    return product


def update_product(product: Product, data: dict, *, actor: User) -> Product:
    """Change some of a product's fields (those present in `data`)."""
    require_owner(product.store, actor)
    clean = _clean_product(data, store=product.store, partial=True, current=product)
    _apply(product, clean)
    product.updated_at = utcnow()
    db.session.flush()
    products_changed.send(product)
    return product


def delete_product(product: Product, *, actor: User) -> None:
    """Remove a product and its images from the actor's store."""
    require_owner(product.store, actor)
    for image in product.images:
        delete_image_files(image)
    product_id = product.id
    db.session.delete(product)
    db.session.flush()
    products_changed.send(None, product_ids=[product_id])


def category_by_slug(slug: str) -> Category | None:
    return db.session.scalar(sa.select(Category).where(Category.slug == slug))


def category_ids_by_slug() -> dict[str, int]:
    """Every category's id by slug, in one query, for checking many products at once."""
    return dict(db.session.execute(sa.select(Category.slug, Category.id)).all())


def category_subtree_ids(category: Category) -> list[int]:
    """The category and all its descendants."""
    ids, frontier = [category.id], [category.id]
    while frontier:
        frontier = list(db.session.scalars(
            sa.select(Category.id).where(Category.parent_id.in_(frontier))))
        ids.extend(frontier)
    return ids


def visible_product(product_id: int, viewer: User | None) -> Product:
    """An active product for anyone; a draft or archived one only for its store's owner."""
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound()
    if product.status != ProductStatus.ACTIVE:
        require_owner(product.store, viewer)
    return product


def owned_product(product_id: int, actor: User | None) -> Product:
    """A product of the actor's own store, else NotFound."""
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound()
    require_owner(product.store, actor)
    return product


SORTS = {
    "newest": (Product.created_at.desc(), Product.id.desc()),
    "price_asc": (Product.price_idr.asc(), Product.id.asc()),
    "price_desc": (Product.price_idr.desc(), Product.id.desc()),
    "best_selling": (Product.sold_count.desc(), Product.id.desc()),
    "title": (Product.title.asc(), Product.id.asc()),
}


def active_products(*, category: Category | None = None, store: Store | None = None,
                    sort: str = "newest") -> sa.Select:
    """A query for the active products a buyer may browse, filtered and sorted."""
    stmt = sa.select(Product).where(Product.status == ProductStatus.ACTIVE)
    if category is not None:
        stmt = stmt.where(Product.category_id.in_(category_subtree_ids(category)))
    if store is not None:
        stmt = stmt.where(Product.store_id == store.id)
    return stmt.order_by(*SORTS.get(sort, SORTS["newest"]))


def store_products(store: Store, *, actor: User, status: str | None = None) -> sa.Select:
    """All products of the actor's own store, drafts included, newest first."""
    require_owner(store, actor)
    stmt = sa.select(Product).where(Product.store_id == store.id)
    if status:
        stmt = stmt.where(Product.status == status)
    return stmt.order_by(Product.updated_at.desc(), Product.id.desc())


# --- queries for the catalog pages (added with catalog/views.py) ------------------------------

def featured_stores(limit: int = 8) -> list[tuple[Store, int]]:
    """Stores to show on the home page with their active-product counts: verified stores first,
    then those with the most active products, then the newest."""
    import sqlalchemy.orm as so

    counts = (sa.select(Product.store_id, sa.func.count().label("n"))
              .where(Product.status == ProductStatus.ACTIVE)
              .group_by(Product.store_id).subquery())
    n_active = sa.func.coalesce(counts.c.n, 0)
    stmt = (sa.select(Store, n_active)
            .outerjoin(counts, counts.c.store_id == Store.id)
            .order_by(Store.verified_at.is_(None), n_active.desc(), Store.created_at.desc(),
                      Store.id.desc())
            .limit(limit)
            .options(so.selectinload(Store.regency), so.selectinload(Store.province)))
    return [(store, n) for store, n in db.session.execute(stmt)]


def matching_text(stmt: sa.Select, q: str | None) -> sa.Select:
    """Narrow a product query to a case-insensitive substring match of `q` in the title (either
    language) or description. A plain SQL filter until the search package takes over."""
    q = (q or "").strip().lower()
    if not q:
        return stmt
    return stmt.where(sa.or_(
        sa.func.lower(Product.title).contains(q, autoescape=True),
        sa.func.lower(sa.func.coalesce(Product.title_en, "")).contains(q, autoescape=True),
        sa.func.lower(Product.description).contains(q, autoescape=True),
    ))


def product_counts_by_status(store: Store, *, actor: User) -> dict[str, int]:
    """How many products of the actor's own store are draft, active and archived."""
    require_owner(store, actor)
    counts = {status.value: 0 for status in ProductStatus}
    rows = db.session.execute(sa.select(Product.status, sa.func.count())
                              .where(Product.store_id == store.id).group_by(Product.status))
    for status, n in rows:
        counts[status] = n
    return counts


def stores_for_review(*, actor: User, verified: bool | None = None, q: str | None = None) -> sa.Select:
    """Stores for an officer to check, unverified-first then newest; optionally only verified or
    unverified ones, and only those whose name contains `q` (case-insensitive)."""
    if not actor.is_officer:
        raise Forbidden()
    stmt = sa.select(Store)
    if verified is True:
        stmt = stmt.where(Store.verified_at.is_not(None))
    elif verified is False:
        stmt = stmt.where(Store.verified_at.is_(None))
    q = (q or "").strip().lower()
    if q:
        stmt = stmt.where(sa.func.lower(Store.name).contains(q, autoescape=True))
    return stmt.order_by(Store.verified_at.is_not(None), Store.created_at.desc(), Store.id.desc())


def category_tree() -> list[tuple[Category, list[Category]]]:
    """Every category in tree order (a parent, then its children by position), each paired with
    its path from the top-level category down to itself."""
    rows = db.session.scalars(sa.select(Category).order_by(Category.position, Category.id)).all()
    children: dict[int | None, list[Category]] = {}
    for cat in rows:
        children.setdefault(cat.parent_id, []).append(cat)
    ordered: list[tuple[Category, list[Category]]] = []

    def walk(parent_id: int | None, path: list[Category]) -> None:
        for cat in children.get(parent_id, []):
            ordered.append((cat, path + [cat]))
            walk(cat.id, path + [cat])

    walk(None, [])
    return ordered


def category_path(category: Category) -> list[Category]:
    """The category's ancestors from the top level down, ending with the category itself."""
    path, node = [], category
    while node is not None:
        path.append(node)
        node = node.parent
    return path[::-1]
