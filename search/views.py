"""The search results page: /cari?q=...&filters."""
from __future__ import annotations

from flask import render_template, request, url_for

from marketplace.errors import ValidationError
from marketplace.web import current_lang
from search import bp
from search.engine import run_search
from search.query import SORTS, SearchQuery, parse_query
from search.serialise import item_json

FACET_ORDER = ("category", "price", "province", "regency", "halal", "export_ready", "verified",
               "scale", "in_stock", "store", "event")


def _toggle_url(name: str, value: str | None) -> str:
    """This page's URL with one filter set (or removed when value is None); back to page 1."""
    args = {k: v for k, v in request.args.items() if k not in ("page", name)}
    if name == "price":
        args.pop("min_price", None)
        args.pop("max_price", None)
        if value:
            low, _sep, high = value.partition("-")
            args["min_price"] = low
            if high:
                args["max_price"] = str(int(high) - 1)
    elif value is not None:
        args[name] = value
    return url_for("search.results", **args)


@bp.get("/cari")
def results():
    lang = current_lang()
    errors = {}
    try:
        query = parse_query(request.args, lang=lang, default_per_page=24)
    except ValidationError as exc:
        errors = exc.fields
        query = SearchQuery(q=(request.args.get("q") or "").strip()[:200], lang=lang, per_page=24)
    result = run_search(query)
    items = [item_json(d) for d in result.items]
    pages = max(1, -(-min(result.total, 10_000) // query.per_page))
    return render_template(
        "search/results.html", query=query, result=result, items=items, errors=errors,
        facet_order=FACET_ORDER, toggle_url=_toggle_url, sorts=SORTS, pages=pages,
        active=query.filters())
