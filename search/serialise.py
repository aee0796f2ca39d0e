"""Search documents as the API and pages show them."""
from __future__ import annotations

from flask import url_for


def item_json(doc: dict) -> dict:
    """A search hit as a compact product card, with the matched fragments in `highlight`."""
    thumb = doc.get("thumb")
    return {
        "id": doc["id"],
        "title": doc["title"],
        "title_en": doc.get("title_en") or None,
        "category": doc.get("category"),
        "category_name": doc.get("category_name"),
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
