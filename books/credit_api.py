"""The store's scale in the API: `GET /api/v1/stores/{slug}/scale` (its owner), the same
suggestion the scale page shows (books/scale.py)."""
from __future__ import annotations

from flask import jsonify

from books import scale
from catalog.services import get_store
from marketplace.api import api_blueprint, doc, login_required_api, ref, schema
from marketplace.timeutil import isoformat
from marketplace.web import acting_user

bp = api_blueprint("books_scale_api", __name__)

_SCALES = [scale_ for scale_, _limit in scale.LIMITS]
schema("StoreScale", {
    "type": "object",
    "required": ["scale", "suggested_scale", "annual_sales_idr", "period_start", "period_end"],
    "properties": {
        "scale": {"type": "string", "enum": _SCALES, "description": "The store's scale now."},
        "suggested_scale": {"type": "string", "enum": [*_SCALES, scale.BESAR],
                            "description": "The scale PP 7/2021 gives the year's sales (limits inclusive: "
                                           "mikro up to Rp2 billion, kecil up to Rp15 billion, menengah up "
                                           "to Rp50 billion; above, besar: not an UMKM)."},
        "annual_sales_idr": {"type": "integer", "description":
                             "Sales over the 12 months ending today (WIB): marketplace sales less "
                             "refunds and the seller's own recorded sales."},
        "period_start": {"type": "string", "format": "date"},
        "period_end": {"type": "string", "format": "date"},
        "confirmed_at": {"type": "string", "format": "date-time", "nullable": True,
                         "description": "When the owner last confirmed a scale, if ever."}}})


@bp.get("/stores/<slug>/scale")
@login_required_api
@doc("The store's scale and the one a year's sales suggest (its owner)", auth=True, tags=("books",),
     errors=(401, 404), response=ref("StoreScale"))
def store_scale(slug: str):
    store, me = get_store(slug), acting_user()
    suggestion = scale.suggestion_for(store, actor=me)
    last = scale.confirmations(store, actor=me, limit=1)
    return jsonify({"scale": store.scale, "suggested_scale": suggestion.scale,
                    "annual_sales_idr": suggestion.annual_sales_idr,
                    "period_start": suggestion.period_start.isoformat(),
                    "period_end": suggestion.period_end.isoformat(),
                    "confirmed_at": isoformat(last[0].confirmed_at) if last else None})
