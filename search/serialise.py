"""Search documents as the API and pages show them."""
from __future__ import annotations

from flask import url_for

from catalog.models import in_language
from search import text as t


def item_json(doc: dict, lang: str = "id") -> dict:
    """A search hit as a compact product card, with the matched fragments in `highlight`.

    `title`/`title_en` are the product's own fields (as in the catalog API); `category_name` is
    the category's name in `lang`, as `GET /api/v1/categories` names it.
    """
    thumb = doc.get("thumb")
    return {
        "id": doc["id"],
        "title": doc["title"],
        "title_en": doc.get("title_en") or None,
        "category": doc.get("category"),
        "category_name": in_language(lang, doc.get("category_name"), doc.get("category_name_en")),
        "price_idr": doc["price_idr"],
        "min_order_qty": doc.get("min_order_qty", 1),
        "stock": doc.get("stock", 0),
        "in_stock": bool(doc.get("in_stock")),
        "halal": bool(doc.get("halal")),
        "export_ready": bool(doc.get("export_ready")),
        "sold_count": doc.get("sold_count", 0),
        "url": f"/produk/{doc['id']}",
        "thumb_url": url_for("web.media", filename=thumb) if thumb else None,
        "store": {
            "slug": doc["store_slug"], "name": doc["store_name"],
            "verified": bool(doc.get("store_verified")), "scale": doc.get("store_scale"),
            "province": doc.get("province_name"), "regency": doc.get("regency_name"),
            "url": f"/toko/{doc['store_slug']}",
        },
        "events": doc.get("events") or [],
        "highlight": doc.get("highlight") or {},
    }


def _shown_field(doc: dict, field: str, lang: str) -> str:
    """Which of `field` / `field_en` a reader of `lang` sees (per field, as `in_language`)."""
    english = f"{field}_en"
    return english if in_language(lang, "", doc.get(english)) else field


def result_card(doc: dict, lang: str) -> dict:
    """A search hit as the results page shows it to a reader of `lang`.

    The title and the snippet are each in the reader's language when the product has that
    field, else in Indonesian, and are marked up from that same field's highlight only (a
    match in the other language's field marks nothing). The snippet is the description's
    matching fragment, or its start, cut to `search.text.SNIPPET_CHARS` characters. Both are
    safe HTML: the only tags are the highlights' `<em>`.
    """
    card = item_json(doc, lang)
    highlights = card["highlight"]
    title_field = _shown_field(doc, "title", lang)
    description_field = _shown_field(doc, "description", lang)
    card["display_title"] = t.marked((highlights.get(title_field) or [None])[0],
                                     doc.get(title_field) or "")
    card["snippet"] = t.marked((highlights.get(description_field) or [None])[0],
                               doc.get(description_field) or "", t.SNIPPET_CHARS)
    return card
