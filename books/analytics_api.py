"""The store's analytics in the API: `GET /api/v1/stores/{slug}/analytics?from=&to=`."""
from __future__ import annotations

from flask import jsonify, request

from books import analytics
from catalog.services import get_store
from marketplace.api import api_blueprint, doc, login_required_api, query_param, ref, schema
from marketplace.web import acting_user

bp = api_blueprint("analytics_api", __name__)

_int = {"type": "integer"}
_pct = {"type": "number", "nullable": True,
        "description": "Change against the previous period in percent; null when that was 0."}
_totals = {"type": "object", "required": ["revenue_idr", "orders", "units", "average_order_idr"],
           "properties": {"revenue_idr": _int, "orders": _int, "units": _int, "shipping_idr": _int,
                          "average_order_idr": _int, "views": _int}}
schema("AnalyticsProduct", {
    "type": "object", "required": ["product_id", "title", "revenue_idr", "units"],
    "properties": {"product_id": _int, "title": {"type": "string"}, "revenue_idr": _int, "units": _int,
                   "orders": _int, "views": _int,
                   "conversion_pct": {"type": "number", "nullable": True,
                                      "description": "Orders per 100 page views; null without views."}}})
schema("AnalyticsPlace", {
    "type": "object", "required": ["country_code", "orders", "revenue_idr"],
    "properties": {"country_code": {"type": "string"}, "province_code": {"type": "string"},
                   "name": {"type": "string"}, "orders": _int, "revenue_idr": _int}})
schema("StoreAnalytics", {
    "type": "object",
    "required": ["from", "to", "revenue_idr", "orders", "units", "series", "top_products"],
    "properties": {
        "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
        "revenue_idr": {"type": "integer", "description": "Goods value of the orders paid in the period "
                                                          "(subtotal less discount, shipping apart)."},
        "orders": _int, "units": _int, "shipping_idr": _int, "average_order_idr": _int,
        "views": {"type": "integer", "description": "Product page views (robots and the owner not counted)."},
        "conversion_pct": {"type": "number", "nullable": True},
        "previous": {**_totals, "properties": {**_totals["properties"], "from": {"type": "string", "format": "date"},
                                               "to": {"type": "string", "format": "date"}},
                     "description": "The same figures for the period of equal length before."},
        "changes": {"type": "object", "properties": {key: _pct for key in (
            "revenue_pct", "orders_pct", "units_pct", "average_order_pct", "views_pct")}},
        "bucket": {"type": "string", "enum": ["day", "week", "month"],
                   "description": "What one point of the series covers."},
        "series": {"type": "array", "items": {
            "type": "object", "required": ["date", "revenue_idr", "orders"],
            "properties": {"date": {"type": "string", "format": "date"},
                           "until": {"type": "string", "format": "date"},
                           "revenue_idr": _int, "orders": _int, "units": _int}}},
        "top_products": {"type": "array", "items": ref("AnalyticsProduct")},
        "most_viewed": {"type": "array", "items": ref("AnalyticsProduct")},
        "provinces": {"type": "array", "items": ref("AnalyticsPlace")},
        "countries": {"type": "array", "items": ref("AnalyticsPlace")},
        "rfqs": {"type": "object", "properties": {"received": _int, "quoted": _int, "won": _int}}}})


def _product(p: analytics.ProductFigures) -> dict:
    return {"product_id": p.product_id, "title": p.title, "revenue_idr": p.revenue_idr, "units": p.units,
            "orders": p.orders, "views": p.views, "conversion_pct": p.conversion_pct}


def _place(p: analytics.Place) -> dict:
    return {"country_code": p.country_code, "province_code": p.province_code, "name": p.name,
            "orders": p.orders, "revenue_idr": p.revenue_idr}


def report_json(report: analytics.Report) -> dict:
    s = report.summary
    c, p = s.current, s.previous
    return {
        "from": s.period.start.isoformat(), "to": s.period.end.isoformat(),
        "revenue_idr": c.revenue_idr, "orders": c.orders, "units": c.units, "shipping_idr": c.shipping_idr,
        "average_order_idr": c.average_order_idr, "views": s.views, "conversion_pct": s.conversion_pct,
        "previous": {"from": s.period.previous().start.isoformat(), "to": s.period.previous().end.isoformat(),
                     "revenue_idr": p.revenue_idr,
                     "orders": p.orders, "units": p.units, "shipping_idr": p.shipping_idr,
                     "average_order_idr": p.average_order_idr, "views": s.previous_views},
        "changes": {f"{key.removesuffix('_idr')}_pct": pct for key, pct in s.changes.items()},
        "bucket": report.bucket,
        "series": [{"date": pt.start.isoformat(), "until": pt.end.isoformat(), "revenue_idr": pt.revenue_idr,
                    "orders": pt.orders, "units": pt.units} for pt in report.series],
        "top_products": [_product(x) for x in report.top_products],
        "most_viewed": [_product(x) for x in report.most_viewed],
        "provinces": [_place(x) for x in report.regions.provinces],
        "countries": [_place(x) for x in report.regions.countries],
        "rfqs": {"received": report.rfqs.received, "quoted": report.rfqs.quoted, "won": report.rfqs.won},
    }


@bp.get("/stores/<slug>/analytics")
@login_required_api
@doc("The store's sales for a period against the period before: totals, a series, top products, "
     "regions, views, RFQs (its owner). Without from/to: `period` (default the last 30 days); "
     "`from` after `to`, or more than three years, is 422.", auth=True, tags=("books",),
     errors=(401, 404, 422), response=ref("StoreAnalytics"),
     params=[query_param("from", format="date", maxLength=10, description="First day (WIB), YYYY-MM-DD."),
             query_param("to", format="date", maxLength=10, description="Last day (WIB), YYYY-MM-DD."),
             query_param("period", enum=list(analytics.PRESETS), description="A preset when from/to are absent.")])
def store_analytics(slug: str):
    store = get_store(slug)
    from catalog.services import require_owner

    require_owner(store, acting_user())  # "not yours" (404) before "invalid" (422)
    period = analytics.period_from(request.args.get("period"), request.args.get("from"), request.args.get("to"))
    return jsonify(report_json(analytics.report_for(store, period, actor=acting_user())))
