"""Search API: GET /api/v1/search and /api/v1/search/suggest."""
from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify, request

from catalog.models import Category, Store
from catalog.validation import MAX_PRICE_IDR
from marketplace.api import api_blueprint, doc, query_param, ref, schema
from marketplace.extensions import db
from marketplace.web import current_lang
from search.engine import run_search, run_suggest
from search.query import SORTS, parse_query
from search.serialise import item_json

bp = api_blueprint("search_api", __name__)

schema("SearchItem", {
    "type": "object",
    "required": ["id", "title", "price_idr", "url", "store", "highlight", "in_stock"],
    "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"},
        "title_en": {"type": "string", "nullable": True},
        "category": {"type": "string", "nullable": True},
        "category_name": {"type": "string", "nullable": True},
        "price_idr": {"type": "integer"}, "min_order_qty": {"type": "integer"},
        "stock": {"type": "integer"}, "in_stock": {"type": "boolean"},
        "halal": {"type": "boolean"}, "export_ready": {"type": "boolean"},
        "sold_count": {"type": "integer"}, "url": {"type": "string"},
        "thumb_url": {"type": "string", "nullable": True},
        "store": {"type": "object", "required": ["slug", "name", "verified", "url"], "properties": {
            "slug": {"type": "string"}, "name": {"type": "string"}, "verified": {"type": "boolean"},
            "scale": {"type": "string", "nullable": True},
            "province": {"type": "string", "nullable": True},
            "regency": {"type": "string", "nullable": True}, "url": {"type": "string"}}},
        "events": {"type": "array", "items": {"type": "string"}},
        "highlight": {"type": "object", "additionalProperties": {
            "type": "array", "items": {"type": "string"}}},
    },
})
schema("SearchResult", {
    "type": "object",
    "required": ["items", "total", "page", "per_page", "facets", "backend"],
    "properties": {
        "items": {"type": "array", "items": ref("SearchItem")},
        "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
        "facets": {"type": "object", "additionalProperties": {"type": "array", "items": {
            "type": "object", "required": ["value", "label", "count"], "properties": {
                "value": {"type": "string"}, "label": {"type": "string"},
                "count": {"type": "integer"}}}}},
        "backend": {"type": "string", "enum": ["elasticsearch", "embedded"]},
        "did_you_mean": {"type": "string"},
        "degraded": {"type": "boolean",
                     "description": "true when Elasticsearch is configured but down"},
    },
})
schema("Suggestions", {
    "type": "object", "required": ["suggestions"],
    "properties": {"suggestions": {"type": "array", "items": {
        "type": "object", "required": ["type", "text", "url"], "properties": {
            "type": {"type": "string", "enum": ["product", "category", "store"]},
            "text": {"type": "string"}, "url": {"type": "string"}}}}},
})

_PARAMS = [query_param("q", description="what the buyer typed, Indonesian or English"),
           query_param("category", description="category slug; includes its subcategories"),
           query_param("store", description="store slug"),
           query_param("province", description="province code, e.g. 18"),
           query_param("regency", description="regency/city code, e.g. 18.71"),
           query_param("scale", enum=["mikro", "kecil", "menengah"]),
           query_param("event", description="promotion event slug"),
           query_param("min_price", "integer", maximum=MAX_PRICE_IDR),
           query_param("max_price", "integer", maximum=MAX_PRICE_IDR,
                       description="at least min_price"),
           query_param("halal", "boolean"), query_param("export_ready", "boolean"),
           query_param("verified", "boolean"), query_param("in_stock", "boolean"),
           query_param("sort", enum=list(SORTS)),
           # page x per_page stays within the first 10,000 results; parse_query says so
           query_param("page", "integer", "Page number, from 1.", minimum=1),
           query_param("per_page", "integer", "Items per page, 1 to 100.", minimum=1,
                       maximum=100)]


@bp.get("/search")
@doc("Search active products with filters, facets and highlights", params=_PARAMS,
     errors=(422,), tags=("search",), response=ref("SearchResult"))
def search():
    query = parse_query(request.args, lang=current_lang())
    result = run_search(query)
    body = result.as_json()
    body["items"] = [item_json(d, query.lang) for d in result.items]
    return jsonify(body)


def category_and_store_suggestions(text: str, lang: str, limit: int = 3) -> list[dict]:
    """Categories and stores whose name contains what was typed (small tables: the database)."""
    text = text.lower()  # matched literally: autoescape keeps a typed % or _ from being a wildcard
    out = []
    cats = db.session.scalars(
        sa.select(Category).where(sa.or_(sa.func.lower(Category.name).contains(text, autoescape=True),
                                         sa.func.lower(Category.name_en).contains(text, autoescape=True)))
        .order_by(Category.position).limit(limit)).all()
    out += [{"type": "category", "text": c.display_name(lang), "url": f"/kategori/{c.slug}"}
            for c in cats]
    stores = db.session.scalars(
        sa.select(Store).where(sa.func.lower(Store.name).contains(text, autoescape=True))
        .order_by(Store.verified_at.is_(None), Store.name).limit(limit)).all()
    out += [{"type": "store", "text": s.name, "url": f"/toko/{s.slug}"} for s in stores]
    return out


@bp.get("/search/suggest")
@doc("Suggestions as the buyer types: products, categories, stores",
     params=[query_param("q", description="the text typed so far")], tags=("search",),
     response=ref("Suggestions"))
def suggest():
    text = (request.args.get("q") or "").strip()[:100]
    if len(text) < 2:
        return jsonify({"suggestions": []})
    lang = current_lang()
    products, _backend = run_suggest(text)
    suggestions = [{"type": "product",
                    "text": (p.get("title_en") if lang == "en" and p.get("title_en") else p["title"]),
                    "url": f"/produk/{p['id']}"} for p in products]
    suggestions += category_and_store_suggestions(text, lang)
    return jsonify({"suggestions": suggestions})
