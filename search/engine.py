"""Which backend answers: Elasticsearch when it is configured and up, else the embedded one.

The backends of an app, the marks of a recently failed one and the label caches live in one
`SearchState` at `app.extensions["search"]` (made by `search.init_app`), so two apps in one
process (tests) never share a client or a failure mark.
"""
from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app

from search.backend import BackendUnavailable, SearchBackend
from search.elasticsearch import ElasticsearchBackend
from search.embedded import EmbeddedBackend
from search.facets import LabelCache, facet_labels
from search.query import SearchQuery, SearchResult

log = logging.getLogger(__name__)


class SearchState:
    """One app's search state: its backend clients, failure marks and caches."""

    def __init__(self) -> None:
        self.backends: dict[str, SearchBackend] = {}
        #: backend name -> time.monotonic() until which it is left alone
        self.down_until: dict[str, float] = {}
        self.labels = LabelCache()
        #: one outbox dispatcher at a time in this process (PostgreSQL adds an advisory lock)
        self.dispatch_lock = threading.Lock()

    def forget(self) -> None:
        """Close and drop the clients, failure marks and caches (tests switch configuration)."""
        for backend in self.backends.values():
            backend.close()
        self.backends.clear()
        self.down_until.clear()
        self.labels.clear()


def init_app(app: Flask) -> None:
    """Give `app` its search state."""
    app.extensions["search"] = SearchState()


def state(app: Flask | None = None) -> SearchState:
    """The search state of `app` (the current app by default)."""
    return (app or current_app).extensions["search"]


def elasticsearch_backend() -> SearchBackend | None:
    """The Elasticsearch backend when ELASTICSEARCH_URL is set, else None."""
    config = current_app.config
    if not config["ELASTICSEARCH_URL"]:
        return None
    backends = state().backends
    if "elasticsearch" not in backends:
        backends["elasticsearch"] = ElasticsearchBackend.from_config(config)
    return backends["elasticsearch"]


def embedded_backend() -> SearchBackend:
    """The embedded SQLite backend (always there)."""
    backends = state().backends
    if "embedded" not in backends:
        backends["embedded"] = EmbeddedBackend.from_config(current_app.config)
    return backends["embedded"]


def configured_backends() -> list[SearchBackend]:
    """Every index the outbox keeps up to date: the embedded one always, Elasticsearch if set."""
    es = elasticsearch_backend()
    return [embedded_backend()] + ([es] if es else [])


def mark_down(backend: SearchBackend) -> None:
    """Remember a failure for a short while, so saves and searches do not wait on a dead node."""
    state().down_until[backend.name] = time.monotonic() + current_app.config["SEARCH_RETRY_SECONDS"]


def mark_up(backend: SearchBackend) -> None:
    """Forget a failure: the backend answered again."""
    state().down_until.pop(backend.name, None)


def recently_down(backend: SearchBackend) -> bool:
    """Whether the backend failed within the last SEARCH_RETRY_SECONDS."""
    return state().down_until.get(backend.name, 0) > time.monotonic()


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
    """Product suggestions as the buyer types, and the name of the backend that gave them."""
    es = elasticsearch_backend()
    if es is not None and not recently_down(es):
        try:
            return es.suggest(text, limit), es.name
        except BackendUnavailable:
            mark_down(es)
    backend = embedded_backend()
    return backend.suggest(text, limit), backend.name


def forget_backends(app: Flask | None = None) -> None:
    """Drop the app's clients, failure marks and caches (tests switch configuration)."""
    state(app).forget()
