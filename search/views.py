"""The search results page: /cari?q=...&filters."""
from __future__ import annotations

from flask import render_template, request, url_for

from marketplace.errors import ValidationError
from marketplace.i18n import rupiah
from marketplace.web import current_lang
from search import bp
from search.engine import run_search
from search.facets import facet_labels
from search.filters import CHECK_FACETS, active_chips, check_counts, select_choices
from search.query import SORTS, SearchQuery, parse_query
from search.serialise import result_card

#: parameters the filter form does not offer but carries along when they are set
KEPT_PARAMETERS = ("q", "store", "event", "per_page")


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


def _parse(lang: str) -> tuple[SearchQuery, dict]:
    """The query, and the errors of the parameters that were dropped to make it.

    A bad parameter (a maximum price under the minimum) is left out and reported, and the
    search runs on the rest, so the buyer keeps their other filters while fixing it.
    """
    try:
        return parse_query(request.args, lang=lang, default_per_page=24), {}
    except ValidationError as exc:
        errors = dict(exc.fields)
    rest = {k: v for k, v in request.args.items() if k not in errors}
    try:
        return parse_query(rest, lang=lang, default_per_page=24), errors
    except ValidationError:  # e.g. a page past the window once per_page was dropped
        return SearchQuery(q=(request.args.get("q") or "").strip()[:200], lang=lang,
                           per_page=24), errors


@bp.get("/cari")
def results():
    lang = current_lang()
    query, errors = _parse(lang)
    result = run_search(query)
    labels = facet_labels(lang)
    items = [result_card(d, lang) for d in result.items]
    pages = max(1, -(-min(result.total, 10_000) // query.per_page))
    sort = query.sort if query.sort != "relevance" else None
    clear_args = {k: v for k, v in (("q", query.q), ("sort", sort)) if v}
    return render_template(
        "search/results.html", query=query, result=result, items=items, errors=errors,
        toggle_url=_toggle_url, sorts=SORTS, pages=pages, active=query.filters(),
        choices=select_choices(query, result, labels), check_counts=check_counts(result),
        check_facets=CHECK_FACETS, chips=active_chips(query, result, labels, rupiah),
        kept={k: request.args[k] for k in KEPT_PARAMETERS if request.args.get(k) and k not in errors},
        form=request.args, clear_url=url_for("search.results", **clear_args))
