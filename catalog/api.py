"""Catalog JSON API under /api/v1: categories, regions, stores, products and product images.

Routes parse the request, call `catalog.services` (the same functions the pages use) and
serialise; the request commits once at its end (`marketplace.web`). Who may do what is decided
by the services: a product that is not yours to change, or a draft that is not yours to see,
answers 404 as if it did not exist. Stores are public, so a write to someone else's store (PATCH
it, add a product to it) answers 403 instead: hiding it would be a lie that helps nobody.

Every route declares itself with `@doc` for /api/v1/openapi.json; the schemas below are the
contract of what the serialisers return (tests hold real responses against them).
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import jsonify, request
from flask_babel import lazy_gettext as _l

from catalog import addresses, services
from catalog import images as image_service
from catalog.models import (
    Category,
    District,
    Product,
    ProductImage,
    ProductStatus,
    Province,
    Regency,
    Store,
    StoreScale,
    Village,
)
from catalog.validation import MAX_PRICE_IDR, MAX_QTY
from marketplace.accounts.models import User
from marketplace.api import (
    api_blueprint,
    doc,
    enum_source,
    json_body,
    list_of,
    login_required_api,
    page_params,
    paginate,
    query_param,
    ref,
    schema,
    text_schema,
)
from marketplace.errors import Forbidden, NotFound, ValidationError
from marketplace.extensions import db
from marketplace.timeutil import isoformat
from marketplace.web import acting_user, current_lang

bp = api_blueprint("catalog_api", __name__)

#: The sorts the public product list offers (the API contract's list).
PRODUCT_SORTS = ("newest", "price_asc", "price_desc", "best_selling")
PRODUCT_STATUSES = tuple(s.value for s in ProductStatus)

# --- schemas ----------------------------------------------------------------------------------

_TIMESTAMP = {"type": "string", "format": "date-time"}
_NULLABLE_STRING = {"type": "string", "nullable": True}

schema("Category", {
    "type": "object", "required": ["slug", "name", "name_en", "children"],
    "properties": {
        "slug": {"type": "string"},
        "name": {"type": "string", "description": "In the Accept-Language language (id or en)."},
        "name_en": {"type": "string"},
        "children": {"type": "array", "items": ref("Category")},
    },
})
schema("Regency", {
    "type": "object", "required": ["code", "name"],
    "description": "A regency (kabupaten) or city (kota), Kemendagri code such as 18.71.",
    "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
})
schema("District", {
    "type": "object", "required": ["code", "name", "postal_codes"],
    "description": "A district (kecamatan; distrik in Papua) with its villages' postal codes.",
    "properties": {"code": {"type": "string", "example": "32.01.01"}, "name": {"type": "string"},
                   "postal_codes": {"type": "array", "items": {"type": "string"}}},
})
schema("Village", {
    "type": "object", "required": ["code", "name", "postal_code"],
    "description": "A village (desa) or urban village (kelurahan).",
    "properties": {"code": {"type": "string", "example": "32.01.01.1001"}, "name": {"type": "string"},
                   "kind": {"type": "string", "enum": ["desa", "kelurahan"]},
                   "postal_code": _NULLABLE_STRING},
})
schema("PlaceMatch", {
    "type": "object", "required": ["label", "province", "regency", "district"],
    "description": "A regency or district whose name holds the typed text, with its parents.",
    "properties": {"label": {"type": "string", "example": "Cibinong, Kabupaten Bogor, Jawa Barat"},
                   "province": ref("Regency"), "regency": ref("Regency"),
                   "district": {"allOf": [ref("Regency")], "nullable": True}},
})
schema("Region", {
    "type": "object", "required": ["code", "name", "regencies"],
    "description": "A province (provinsi) with its regencies and cities.",
    "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                   "regencies": {"type": "array", "items": ref("Regency")}},
})

# Separators the services strip from NIB and WhatsApp numbers: spaces, dots, dashes, brackets.
_SEP = r"[\s.()-]*"
_STORE_WRITABLE = {
    "name": text_schema(120, min_len=3),
    "slug": {"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$", "minLength": 3,
             "maxLength": 80, "nullable": True},
    "description": text_schema(5000, required=False),
    "description_en": {**text_schema(5000, required=False, nullable=True),
                       "description": "The description in English, for export buyers."},
    "province_code": {"type": "string", "x-enum-from": "provinces", "example": "18"},
    "regency_code": {"type": "string", "x-enum-from": "regencies", "example": "18.71",
                     "description": "A regency of the province named by province_code."},
    "district_code": {"type": "string", "pattern": r"^\d{2}\.\d{2}\.\d{2}$", "maxLength": 8,
                      "nullable": True,
                      "example": "18.71.01",
                      "description": "A district (kecamatan) of the regency; GET "
                                     "/api/v1/regencies/{code}/districts lists them."},
    "nib": {"type": "string", "description": "Nomor Induk Berusaha: 13 digits from OSS.",
            "maxLength": 40, "pattern": r"^[\s.-]*(?:[0-9][\s.-]*){13}$",
            "example": "1234567890123"},
    "scale": {"type": "string", "enum": [s.value for s in StoreScale]},
    "whatsapp": {"type": "string", "example": "0812-3456-7890", "maxLength": 32,
                 "pattern": rf"^{_SEP}(?:\+62|62|0)?{_SEP}8(?:{_SEP}[0-9]){{8,11}}{_SEP}$"},
    "halal_cert": text_schema(64, required=False, nullable=True),
    "cooperative": {**text_schema(120, required=False, nullable=True),
                    "description": "The koperasi the store belongs to, if any."},
    "export_ready": {"type": "boolean"},
}
schema("StoreInput", {
    "type": "object",
    "required": ["name", "description", "province_code", "regency_code", "nib", "scale",
                 "whatsapp", "export_ready"],
    "properties": _STORE_WRITABLE,
})
schema("StorePatch", {"type": "object", "properties": _STORE_WRITABLE,
                      "description": "Only the fields present are changed."})
schema("Store", {
    "type": "object",
    "required": ["id", "slug", "name", "description", "description_en", "province_code", "province",
                 "regency_code", "regency", "district_code", "district", "nib", "scale", "whatsapp", "halal_cert",
                 "cooperative", "export_ready", "verified", "verified_at", "url", "created_at",
                 "updated_at"],
    "properties": {
        "id": {"type": "integer"}, "slug": {"type": "string"}, "name": {"type": "string"},
        "description": {"type": "string"}, "description_en": _NULLABLE_STRING,
        "province_code": {"type": "string"}, "province": {"type": "string"},
        "regency_code": {"type": "string"}, "regency": {"type": "string"},
        "district_code": _NULLABLE_STRING, "district": _NULLABLE_STRING,
        "nib": {"type": "string"}, "scale": {"type": "string", "enum": [s.value for s in StoreScale]},
        "whatsapp": {"type": "string"}, "halal_cert": _NULLABLE_STRING,
        "cooperative": _NULLABLE_STRING, "export_ready": {"type": "boolean"},
        "verified": {"type": "boolean"},
        "verified_at": {**_TIMESTAMP, "nullable": True},
        "url": {"type": "string", "description": "The store's web page, /toko/<slug>."},
        "created_at": _TIMESTAMP, "updated_at": _TIMESTAMP,
    },
})
schema("StoreSummary", {
    "type": "object", "required": ["slug", "name", "verified", "province", "regency", "url"],
    "properties": {"slug": {"type": "string"}, "name": {"type": "string"},
                   "verified": {"type": "boolean"}, "province": {"type": "string"},
                   "regency": {"type": "string"}, "url": {"type": "string"}},
})
schema("WholesaleTier", {
    "type": "object", "required": ["min_qty", "unit_price_idr"],
    "description": "From min_qty units on, each unit costs unit_price_idr (harga grosir).",
    "properties": {"min_qty": {"type": "integer", "minimum": 2},
                   "unit_price_idr": {"type": "integer", "minimum": 1}},
})
schema("ProductImage", {
    "type": "object", "required": ["id", "url", "thumb_url"],
    "properties": {"id": {"type": "integer"}, "url": {"type": "string"},
                   "thumb_url": {"type": "string"}},
})

_PRICE = {"type": "integer", "minimum": 1, "maximum": MAX_PRICE_IDR}
_TIER_INPUT = {"type": "object", "required": ["min_qty", "unit_price_idr"],
               "description": "Tiers: more units, a lower unit price, above min_order_qty.",
               "properties": {"min_qty": {"type": "integer", "minimum": 2, "maximum": MAX_QTY},
                              "unit_price_idr": _PRICE}}
_PRODUCT_WRITABLE = {
    "title": text_schema(160, min_len=3),
    "title_en": text_schema(160, min_len=3, required=False, nullable=True),
    "description": text_schema(10000, min_len=10),
    "description_en": text_schema(10000, required=False, nullable=True),
    "category": {"type": "string", "x-enum-from": "categories",
                 "description": "A category slug (see /categories)."},
    "price_idr": {**_PRICE, "description": "Whole rupiah; never a float."},
    "wholesale_tiers": {"type": "array", "maxItems": 10, "items": _TIER_INPUT, "nullable": True},
    "min_order_qty": {"type": "integer", "minimum": 1, "maximum": MAX_QTY},
    "stock": {"type": "integer", "minimum": 0, "maximum": MAX_QTY},
    "weight_g": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
    "sku": {"type": "string", "maxLength": 80,
            "pattern": r"^\s*[A-Za-z0-9][A-Za-z0-9._/-]{0,63}\s*$"},
    "halal": {"type": "boolean"},
    "export_ready": {"type": "boolean"},
    "hs_code": {"type": "string", "nullable": True, "maxLength": 20, "example": "0901.11",
                "pattern": r"^\s*$|^\s*(?:[0-9]\.?){6,10}\s*$"},
    "status": {"type": "string", "enum": list(PRODUCT_STATUSES)},
}
schema("ProductInput", {
    "type": "object",
    "required": ["title", "description", "category", "price_idr", "stock", "weight_g", "sku"],
    "properties": _PRODUCT_WRITABLE,
})
schema("ProductPatch", {"type": "object", "properties": _PRODUCT_WRITABLE,
                        "description": "Only the fields present are changed."})
schema("Product", {
    "type": "object",
    "required": ["id", "title", "title_en", "description", "description_en", "category",
                 "category_name", "price_idr", "wholesale_tiers", "min_order_qty", "stock",
                 "weight_g", "sku", "halal", "export_ready", "hs_code", "status", "url", "store",
                 "images", "created_at", "updated_at"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"}, "title_en": _NULLABLE_STRING,
        "description": {"type": "string"}, "description_en": _NULLABLE_STRING,
        "category": {"type": "string", "description": "The category's slug."},
        "category_name": {"type": "string", "description": "In the Accept-Language language."},
        "price_idr": {"type": "integer"},
        "wholesale_tiers": {"type": "array", "items": ref("WholesaleTier")},
        "min_order_qty": {"type": "integer"}, "stock": {"type": "integer"},
        "weight_g": {"type": "integer"}, "sku": {"type": "string"},
        "halal": {"type": "boolean"}, "export_ready": {"type": "boolean"},
        "hs_code": _NULLABLE_STRING,
        "status": {"type": "string", "enum": list(PRODUCT_STATUSES)},
        "url": {"type": "string", "description": "The product's web page, /produk/<id>."},
        "store": ref("StoreSummary"),
        "images": {"type": "array", "items": ref("ProductImage")},
        "created_at": _TIMESTAMP, "updated_at": _TIMESTAMP,
    },
})

_PAGE_PARAMS = page_params()


def _reference_enums() -> None:
    """Reference data the request schemas take their enums from (seeded by migrations)."""
    enum_source("categories", lambda: db.session.scalars(
        sa.select(Category.slug).order_by(Category.slug)).all())
    enum_source("provinces", lambda: db.session.scalars(
        sa.select(Province.code).order_by(Province.code)).all())
    enum_source("regencies", lambda: db.session.scalars(
        sa.select(Regency.code).where(Regency.retired.is_(False)).order_by(Regency.code)).all())


_reference_enums()


# --- serialisers ------------------------------------------------------------------------------


def store_url(store: Store) -> str:
    """The path of a store's web page."""
    return f"/toko/{store.slug}"


def product_url(product: Product) -> str:
    """The path of a product's web page."""
    return f"/produk/{product.id}"


def store_json(store: Store) -> dict:
    """A store as the API shows it (the `Store` schema)."""
    return {
        "id": store.id, "slug": store.slug, "name": store.name, "description": store.description,
        "description_en": store.description_en,
        "province_code": store.province_code, "province": store.province.name,
        "regency_code": store.regency_code, "regency": store.regency.name,
        "district_code": store.district_code,
        "district": store.district.name if store.district is not None else None,
        "nib": store.nib, "scale": store.scale, "whatsapp": store.whatsapp,
        "halal_cert": store.halal_cert, "cooperative": store.cooperative,
        "export_ready": store.export_ready, "verified": store.verified,
        "verified_at": isoformat(store.verified_at), "url": store_url(store),
        "created_at": isoformat(store.created_at), "updated_at": isoformat(store.updated_at),
    }


def store_summary_json(store: Store) -> dict:
    """The few store facts a product carries (the `StoreSummary` schema)."""
    return {"slug": store.slug, "name": store.name, "verified": store.verified,
            "province": store.province.name, "regency": store.regency.name,
            "url": store_url(store)}


def image_json(image: ProductImage) -> dict:
    """A product picture's id and the URLs of the picture and its thumbnail."""
    return {"id": image.id, "url": image_service.image_url(image),
            "thumb_url": image_service.image_url(image, thumb=True)}


def product_json(product: Product) -> dict:
    """A product as the API shows it (the `Product` schema); money in integer rupiah."""
    return {
        "id": product.id, "title": product.title, "title_en": product.title_en,
        "description": product.description, "description_en": product.description_en,
        "category": product.category.slug,
        "category_name": product.category.display_name(current_lang()),
        "price_idr": product.price_idr,
        "wholesale_tiers": [{"min_qty": t.min_qty, "unit_price_idr": t.unit_price_idr}
                            for t in product.tiers],
        "min_order_qty": product.min_order_qty, "stock": product.stock,
        "weight_g": product.weight_g, "sku": product.sku, "halal": product.halal,
        "export_ready": product.export_ready, "hs_code": product.hs_code,
        "status": product.status, "url": product_url(product),
        "store": store_summary_json(product.store),
        "images": [image_json(i) for i in product.images],
        "created_at": isoformat(product.created_at), "updated_at": isoformat(product.updated_at),
    }


def me_store(user: User) -> dict:
    """GET /me extension: the caller's store, or None when they do not sell."""
    store = services.store_of(user)
    return {"store": store_json(store) if store is not None else None}


#: What a product's JSON touches, loaded in a fixed number of queries for any page size.
PRODUCT_LOADS = (
    so.joinedload(Product.store).joinedload(Store.province),
    so.joinedload(Product.store).joinedload(Store.regency),
    so.joinedload(Product.category),
    so.selectinload(Product.tiers),
    so.selectinload(Product.images),
)


# --- reference data ---------------------------------------------------------------------------


@bp.get("/categories")
@doc("The product category tree", tags=("catalog",),
     response={"type": "array", "items": ref("Category")})
def categories():
    """All categories as a tree, in their display order."""
    lang = current_lang()
    rows = db.session.scalars(
        sa.select(Category).order_by(Category.position, Category.id)).all()
    nodes = {c.id: {"slug": c.slug, "name": c.display_name(lang), "name_en": c.name_en,
                    "children": []} for c in rows}
    roots = []
    for c in rows:
        if c.parent_id is None or c.parent_id not in nodes:
            roots.append(nodes[c.id])
        else:
            nodes[c.parent_id]["children"].append(nodes[c.id])
    return jsonify(roots)


@bp.get("/regions")
@doc("Provinces with all their regencies and cities (514 in all)", tags=("catalog",),
     response={"type": "array", "items": ref("Region")})
def regions():
    """Every province and its regencies, by Kemendagri code."""
    provinces = db.session.scalars(
        sa.select(Province).options(so.selectinload(Province.regencies))
        .order_by(Province.code)).all()
    return jsonify([{"code": p.code, "name": p.name,
                     "regencies": [{"code": r.code, "name": r.name} for r in p.regencies]}
                    for p in provinces])


@bp.get("/regencies/<code>/districts")
@doc("The districts of a regency, with postal codes", tags=("catalog",),
     response={"type": "array", "items": ref("District")})
def regency_districts(code: str):
    regency = db.session.get(Regency, code)
    if regency is None or regency.retired:
        raise NotFound(_l("Kabupaten/kota itu tidak ada."))
    return jsonify([{"code": d.code, "name": d.name, "postal_codes": postal}
                    for d, postal in addresses.districts_of(code)])


@bp.get("/districts/<code>/villages")
@doc("The villages (desa and kelurahan) of a district", tags=("catalog",),
     response={"type": "array", "items": ref("Village")})
def district_villages(code: str):
    district = db.session.get(District, code)
    if district is None or district.retired:
        raise NotFound(_l("Kecamatan itu tidak ada."))
    villages = db.session.scalars(sa.select(Village).where(
        Village.district_code == code, Village.retired.is_(False)).order_by(Village.name)).all()
    return jsonify([{"code": v.code, "name": v.name, "postal_code": v.postal_code,
                     "kind": "kelurahan" if v.code.rsplit(".", 1)[1].startswith("1") else "desa"}
                    for v in villages])


@bp.get("/places")
@doc("Regencies and districts whose name holds the typed text (address type-ahead)",
     tags=("catalog",),
     params=[query_param("q", description="at least 2 letters, e.g. cibinong", maxLength=80)],
     response={"type": "array", "items": ref("PlaceMatch")})
def places():
    def brief(place):
        return {"code": place.code, "name": place.name} if place is not None else None

    return jsonify([{"label": m.label, "province": brief(m.province), "regency": brief(m.regency),
                     "district": brief(m.district)}
                    for m in addresses.find_places(request.args.get("q", ""))])


# --- stores -----------------------------------------------------------------------------------


def _store_for_owner(slug: str, actor: User) -> Store:
    """The store at `slug`, which the actor must own: 404 if missing, 403 if someone else's."""
    store = services.get_store(slug)
    if store.owner_id != actor.id:
        raise Forbidden()
    return store


@bp.post("/stores")
@login_required_api
@doc("Open your store (makes you a seller); one store per account", status=201, auth=True,
     errors=(401, 409, 422), tags=("catalog",), request_body=ref("StoreInput"),
     response=ref("Store"))
def create_store():
    """Open the caller's store; a second one is a 409 store_exists."""
    store = services.create_store(acting_user(), json_body())
    return jsonify(store_json(store)), 201


@bp.get("/stores/<slug>")
@doc("A store", errors=(404,), tags=("catalog",), response=ref("Store"))
def get_store(slug: str):
    """Any store, by its slug."""
    return jsonify(store_json(services.get_store(slug)))


@bp.patch("/stores/<slug>")
@login_required_api
@doc("Change your store (403 when it is someone else's)", auth=True,
     errors=(401, 403, 404, 422), tags=("catalog",), request_body=ref("StorePatch"),
     response=ref("Store"))
def update_store(slug: str):
    """Change some of the caller's store's fields."""
    actor = acting_user()
    store = _store_for_owner(slug, actor)
    store = services.update_store(store, json_body(), actor=actor)
    return jsonify(store_json(store))


# --- products ---------------------------------------------------------------------------------


def _status_arg() -> str | None:
    status = request.args.get("status") or None
    if status is not None and status not in PRODUCT_STATUSES:
        raise ValidationError(fields={"status": _l("Status harus draft, active atau archived.")})
    return status


@bp.get("/products")
@doc("Active products, filtered and sorted", errors=(422,), tags=("catalog",),
     params=[query_param("category", description="A category slug; includes its subcategories."),
             query_param("store", description="A store slug."),
             query_param("sort", enum=list(PRODUCT_SORTS), default="newest"),
             *_PAGE_PARAMS],
     response=list_of(ref("Product")))
def list_products():
    """The active products a buyer may browse; unknown filters are a 422, not an empty list."""
    fields = {}
    category = store = None
    if slug := request.args.get("category"):
        category = services.category_by_slug(slug)
        if category is None:
            fields["category"] = _l("Kategori tidak dikenal.")
    if slug := request.args.get("store"):
        store = db.session.scalar(sa.select(Store).where(Store.slug == slug))
        if store is None:
            fields["store"] = _l("Toko tidak dikenal.")
    sort = request.args.get("sort") or "newest"
    if sort not in PRODUCT_SORTS:
        fields["sort"] = _l("Urutan harus newest, price_asc, price_desc atau best_selling.")
    if fields:
        raise ValidationError(fields=fields)
    stmt = services.active_products(category=category, store=store, sort=sort)
    return jsonify(paginate(stmt.options(*PRODUCT_LOADS), product_json))


@bp.get("/stores/<slug>/products")
@doc("A store's products: all statuses for its owner, active ones for everyone else",
     errors=(404, 422), tags=("catalog",),
     params=[query_param("status", enum=list(PRODUCT_STATUSES),
                         description="Only this status (drafts and archived: owner only)."),
             *_PAGE_PARAMS],
     response=list_of(ref("Product")))
def list_store_products(slug: str):
    """The store's products; its owner also sees drafts and archived ones."""
    store = services.get_store(slug)
    status = _status_arg()
    actor = acting_user()
    if actor is not None and store.owner_id == actor.id:
        stmt = services.store_products(store, actor=actor, status=status)
    else:
        stmt = services.active_products(store=store)
        if status is not None and status != ProductStatus.ACTIVE:
            stmt = stmt.where(sa.false())
    return jsonify(paginate(stmt.options(*PRODUCT_LOADS), product_json))


@bp.get("/products/<int:product_id>")
@doc("A product (a draft or archived one only for its owner)", errors=(404,),
     tags=("catalog",), response=ref("Product"))
def get_product(product_id: int):
    """An active product, or the caller's own product in any status."""
    return jsonify(product_json(services.visible_product(product_id, acting_user())))


@bp.post("/stores/<slug>/products")
@login_required_api
@doc("Add a product to your store (403 when it is someone else's)", status=201, auth=True,
     errors=(401, 403, 404, 422), tags=("catalog",), request_body=ref("ProductInput"),
     response=ref("Product"))
def create_product(slug: str):
    """Add a product to the caller's store."""
    actor = acting_user()
    store = _store_for_owner(slug, actor)
    product = services.create_product(store, json_body(), actor=actor)
    return jsonify(product_json(product)), 201


@bp.patch("/products/<int:product_id>")
@login_required_api
@doc("Change your product", auth=True, errors=(401, 404, 422), tags=("catalog",),
     request_body=ref("ProductPatch"), response=ref("Product"))
def update_product(product_id: int):
    """Change some of the caller's product's fields; someone else's product is a 404."""
    actor = acting_user()
    product = services.owned_product(product_id, actor)
    product = services.update_product(product, json_body(), actor=actor)
    return jsonify(product_json(product))


@bp.delete("/products/<int:product_id>")
@login_required_api
@doc("Delete your product and its images", status=204, auth=True, errors=(401, 404),
     tags=("catalog",))
def delete_product(product_id: int):
    """Delete the caller's product; someone else's product is a 404."""
    actor = acting_user()
    services.delete_product(services.owned_product(product_id, actor), actor=actor)
    return "", 204


@bp.post("/products/<int:product_id>/images")
@login_required_api
@doc("Upload a picture of your product (JPEG, PNG or WebP; re-encoded)", status=201, auth=True,
     errors=(401, 404, 409, 413, 422), tags=("catalog",), content_type="multipart/form-data",
     request_body={"type": "object", "required": ["image"],
                   "properties": {"image": {"type": "string", "format": "binary"}}},
     response=ref("ProductImage"))
def upload_image(product_id: int):
    """Attach the uploaded `image` to the caller's product."""
    actor = acting_user()
    # Read (without flushing a bearer token's pending last-use write), decode, then write: no
    # database write lock is held while the picture is decoded and re-encoded.
    with db.session.no_autoflush:
        product = services.owned_product(product_id, actor)
    upload = request.files.get("image")
    if upload is None:
        raise ValidationError(fields={"image": _l("Pilih berkas foto.")})
    prepared = image_service.prepare_image(upload.read())
    image = image_service.add_image(product, prepared, actor=actor)
    return jsonify(image_json(image)), 201


@bp.delete("/products/<int:product_id>/images/<int:image_id>")
@login_required_api
@doc("Remove a picture from your product", status=204, auth=True, errors=(401, 404),
     tags=("catalog",))
def delete_image(product_id: int, image_id: int):
    """Remove one of the caller's product's pictures."""
    actor = acting_user()
    image_service.delete_image(services.owned_product(product_id, actor), image_id, actor=actor)
    return "", 204
