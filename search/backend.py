"""The search backend interface, and the choice between Elasticsearch and the embedded one.

Both backends take the same documents and SearchQuery and answer the same SearchResult, so
pages, the API and the shared behaviour tests do not care which one answered.
"""
from __future__ import annotations

import logging
import time
from typing import Callable, Iterable, Iterator

from flask import current_app

from search.query import SearchQuery, SearchResult

log = logging.getLogger(__name__)


class BackendUnavailable(Exception):
    """The backend could not be reached; callers fall back or retry later."""


class SearchBackend:
    """What every backend provides."""

    name = "abstract"

    def apply(self, upserts: list[dict], deletes: list[int]) -> None:
        """Write fresh documents and remove gone ones (idempotent)."""
        raise NotImplementedError

    def search(self, query: SearchQuery, labels: "FacetLabels") -> SearchResult:
        raise NotImplementedError

    def suggest(self, text: str, limit: int = 6) -> list[dict]:
        """Products whose title starts like `text` as it is typed: [{id, title, url}]."""
        raise NotImplementedError

    def reindex(self, documents: Iterator[dict], total: int,
                progress: Callable[[int], None] | None = None) -> dict:
        """Build a fresh index from `documents` and switch to it; returns figures."""
        raise NotImplementedError

    def clear(self) -> None:
        """Drop everything (tests, and `flask search reindex` from scratch)."""
        raise NotImplementedError

    def healthy(self) -> bool:
        raise NotImplementedError

    def document_count(self) -> int:
        """How many documents the live index holds (0 when there is no index yet)."""
        raise NotImplementedError


class FacetLabels:
    """Human labels for facet values (category names in the reader's language, regions)."""

    def __init__(self, lang: str):
        import sqlalchemy as sa

        from catalog.models import Category, Province, Regency
        from marketplace.extensions import db

        self.lang = lang
        self.category = {
            slug: (name_en if lang == "en" else name)
            for slug, name, name_en in db.session.execute(
                sa.select(Category.slug, Category.name, Category.name_en))
        }
        self.category_parent = {}
        rows = db.session.execute(sa.select(Category.id, Category.slug, Category.parent_id)).all()
        by_id = {r.id: r.slug for r in rows}
        for r in rows:
            self.category_parent[r.slug] = by_id.get(r.parent_id)
        self.province = dict(db.session.execute(sa.select(Province.code, Province.name)).all())
        self.regency = dict(db.session.execute(sa.select(Regency.code, Regency.name)).all())

    def label(self, facet: str, value) -> str:
        from flask_babel import gettext as _

        if facet == "category":
            return self.category.get(value, value)
        if facet == "province":
            return self.province.get(value, value)
        if facet == "regency":
            return self.regency.get(value, value)
        if facet in ("halal", "export_ready", "verified", "in_stock"):
            return _("Ya") if value in (True, "true", 1) else _("Tidak")
        if facet == "scale":
            return {"mikro": _("Mikro"), "kecil": _("Kecil"), "menengah": _("Menengah")}.get(value, value)
        return str(value)


def price_bucket_value(low: int, high: int | None) -> str:
    return f"{low}-{high}" if high is not None else f"{low}-"


def price_bucket_label(low: int, high: int | None) -> str:
    from flask_babel import get_locale

    key = (str(get_locale() or "id"), low, high)
    if key not in _bucket_labels:
        _bucket_labels[key] = _price_bucket_label(low, high)
    return _bucket_labels[key]


_bucket_labels: dict[tuple, str] = {}


def _price_bucket_label(low: int, high: int | None) -> str:
    from flask_babel import gettext as _

    from marketplace.i18n import rupiah

    if high is None:
        return _("di atas %(p)s", p=rupiah(low))
    if low == 0:
        return _("di bawah %(p)s", p=rupiah(high))
    return f"{rupiah(low)} – {rupiah(high)}"


_backends: dict[str, SearchBackend] = {}
_down_until: dict[str, float] = {}


def _key(app) -> str:
    return f"{id(app)}"


def elasticsearch_backend() -> SearchBackend | None:
    """The Elasticsearch backend when ELASTICSEARCH_URL is set, else None."""
    app = current_app._get_current_object()
    if not app.config.get("ELASTICSEARCH_URL"):
        return None
    key = _key(app) + ":es"
    if key not in _backends:
        from search.elasticsearch import ElasticsearchBackend

        _backends[key] = ElasticsearchBackend.from_config(app.config)
    return _backends[key]


def embedded_backend() -> SearchBackend:
    app = current_app._get_current_object()
    key = _key(app) + ":embedded"
    if key not in _backends:
        from search.embedded import EmbeddedBackend

        _backends[key] = EmbeddedBackend.from_config(app.config)
    return _backends[key]


def configured_backends() -> list[SearchBackend]:
    """Every index the outbox keeps up to date: the embedded one always, Elasticsearch if set."""
    es = elasticsearch_backend()
    return [embedded_backend()] + ([es] if es else [])


def backend_by_name(name: str) -> SearchBackend | None:
    for backend in configured_backends():
        if backend.name == name:
            return backend
    return None


def mark_down(backend: SearchBackend) -> None:
    """Remember a failure for a short while, so saves and searches do not wait on a dead node."""
    _down_until[backend.name] = time.monotonic() + current_app.config.get("SEARCH_RETRY_SECONDS", 30)


def mark_up(backend: SearchBackend) -> None:
    _down_until.pop(backend.name, None)


def recently_down(backend: SearchBackend) -> bool:
    return _down_until.get(backend.name, 0) > time.monotonic()


_labels_cache: dict[str, tuple[float, FacetLabels]] = {}
LABELS_TTL = 60.0


def facet_labels(lang: str) -> FacetLabels:
    """Facet labels per language, cached in the process for a minute (reference data), so a
    search needs no database round trip."""
    now = time.monotonic()
    cached = _labels_cache.get(lang)
    if cached is None or cached[0] < now:
        cached = (now + LABELS_TTL, FacetLabels(lang))
        _labels_cache[lang] = cached
    return cached[1]


def run_search(query: SearchQuery) -> SearchResult:
    """Answer with Elasticsearch when it is configured and up, else with the embedded backend.

    A fall back from a configured Elasticsearch is marked `degraded`, so pages can say so.
    """
    labels = facet_labels(query.lang)
    es = elasticsearch_backend()
    degraded = False
    if es is not None:
        if not recently_down(es):
            started = time.perf_counter()
            try:
                result = es.search(query, labels)
                result.took_ms = (time.perf_counter() - started) * 1000
                mark_up(es)
                return result
            except BackendUnavailable as exc:
                log.warning("Elasticsearch unavailable, searching the embedded index: %s", exc)
                mark_down(es)
        degraded = True
    started = time.perf_counter()
    result = embedded_backend().search(query, labels)
    result.took_ms = (time.perf_counter() - started) * 1000
    result.degraded = degraded
    return result


def run_suggest(text: str, limit: int = 6) -> tuple[list[dict], str]:
    es = elasticsearch_backend()
    if es is not None and not recently_down(es):
        try:
            return es.suggest(text, limit), es.name
        except BackendUnavailable:
            mark_down(es)
    backend = embedded_backend()
    return backend.suggest(text, limit), backend.name


def forget_backends() -> None:
    """Drop cached clients and failure marks (tests switch configuration)."""
    for backend in _backends.values():
        close = getattr(backend, "close", None)
        if close:
            close()
    _backends.clear()
    _down_until.clear()
    _labels_cache.clear()


def iter_chunks(items: Iterable, size: int):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
