"""What a buyer asks the search for, and what they get back, independent of the backend."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from marketplace.errors import ValidationError

SORTS = ("relevance", "price_asc", "price_desc", "newest", "best_selling")
SCALES = ("mikro", "kecil", "menengah")
MAX_WINDOW = 10_000  # results reachable by paging, as on every large marketplace

#: price facet buckets (from, to) in rupiah; to is exclusive, None is open-ended
PRICE_BUCKETS = [(0, 25_000), (25_000, 50_000), (50_000, 100_000), (100_000, 250_000),
                 (250_000, None)]

BOOL_FILTERS = ("halal", "export_ready", "verified", "in_stock")


@dataclass
class SearchQuery:
    """A parsed, validated search request."""

    q: str = ""
    category: str | None = None
    store: str | None = None
    province: str | None = None
    regency: str | None = None
    scale: str | None = None
    event: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    halal: bool | None = None
    export_ready: bool | None = None
    verified: bool | None = None
    in_stock: bool | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    lang: str = "id"

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def filters(self) -> dict:
        """The active filters, by facet name."""
        out = {}
        for name in ("category", "store", "province", "regency", "scale", "event"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        for name in BOOL_FILTERS:
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.min_price is not None or self.max_price is not None:
            out["price"] = (self.min_price, self.max_price)
        return out


@dataclass
class SearchResult:
    items: list[dict]
    total: int
    page: int
    per_page: int
    facets: dict[str, list[dict]]
    backend: str
    did_you_mean: str | None = None
    degraded: bool = False
    took_ms: float = 0.0
    extra: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        body = {"items": self.items, "total": self.total, "page": self.page,
                "per_page": self.per_page, "facets": self.facets, "backend": self.backend}
        if self.did_you_mean:
            body["did_you_mean"] = self.did_you_mean
        if self.degraded:
            body["degraded"] = True
        return body


def _bool(value: str | None, name: str, errors: dict) -> bool | None:
    if value is None or value == "":
        return None
    v = value.strip().lower()
    if v in ("1", "true", "yes", "ya"):
        return True
    if v in ("0", "false", "no", "tidak"):
        return False
    errors[name] = _l("Harus true atau false.")
    return None


def _int(value: str | None, name: str, errors: dict, minimum: int = 0) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
        if number < minimum:
            raise ValueError
        return number
    except ValueError:
        errors[name] = _l("Harus bilangan bulat mulai dari %(n)d.", n=minimum)
        return None


def parse_query(args, *, lang: str = "id", default_per_page: int = 20) -> SearchQuery:
    """Build a SearchQuery from request arguments; ValidationError lists every bad one."""
    errors: dict = {}
    query = SearchQuery(lang=lang)
    query.q = (args.get("q") or "").strip()[:200]
    for name in ("category", "store", "province", "regency", "event"):
        value = (args.get(name) or "").strip()
        setattr(query, name, value or None)
    scale = (args.get("scale") or "").strip().lower()
    if scale:
        if scale not in SCALES:
            errors["scale"] = _l("Pilih mikro, kecil atau menengah.")
        query.scale = scale
    query.min_price = _int(args.get("min_price"), "min_price", errors)
    query.max_price = _int(args.get("max_price"), "max_price", errors)
    if query.min_price is not None and query.max_price is not None and query.min_price > query.max_price:
        errors["max_price"] = _l("Harga maksimum harus di atas harga minimum.")
    for name in BOOL_FILTERS:
        setattr(query, name, _bool(args.get(name), name, errors))
    sort = (args.get("sort") or "relevance").strip()
    if sort not in SORTS:
        errors["sort"] = _l("Urutan tidak dikenal.")
    query.sort = sort
    query.page = _int(args.get("page"), "page", errors, minimum=1) or 1
    per_page = _int(args.get("per_page"), "per_page", errors, minimum=1)
    if per_page is not None and per_page > 100:
        errors["per_page"] = _l("Harus bilangan bulat 1 sampai 100.")
    query.per_page = per_page or default_per_page
    if query.page * query.per_page > MAX_WINDOW and "page" not in errors:
        errors["page"] = _l("Hanya %(n)s hasil pertama yang dapat dibuka; persempit pencarian.", n=MAX_WINDOW)
    if errors:
        raise ValidationError(fields=errors)
    return query
