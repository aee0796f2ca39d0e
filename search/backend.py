"""The search backend interface: what Elasticsearch and the embedded backend both provide.

Both backends take the same documents and SearchQuery and answer the same SearchResult, so
pages, the API and the shared behaviour tests do not care which one answered. This module
imports no backend; `search.engine` chooses between them.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from search.query import SearchQuery, SearchResult

if TYPE_CHECKING:
    from search.facets import FacetLabels


class BackendUnavailable(Exception):
    """The backend could not be reached; callers fall back or retry later."""


class SearchBackend(ABC):
    """What every backend provides."""

    name = "abstract"

    @abstractmethod
    def apply(self, upserts: list[dict], deletes: list[int], *, patient: bool = True) -> None:
        """Write fresh documents and remove gone ones (idempotent).

        `patient` (a reindex, `flask search sync`): a remote backend waits and retries with
        backoff; False (the dispatch inside a request): one quick try, the outbox keeps the rest.
        """

    @abstractmethod
    def search(self, query: SearchQuery, labels: FacetLabels) -> SearchResult:
        """One page of products matching `query`, with facets labelled by `labels`."""

    @abstractmethod
    def suggest(self, text: str, limit: int = 6) -> list[dict]:
        """Products whose title starts like `text` as it is typed: [{id, title, url}]."""

    @abstractmethod
    def reindex(self, documents: Iterator[dict], total: int,
                progress: Callable[[int], None] | None = None) -> dict:
        """Build a fresh index from `documents` and switch to it; returns figures."""

    @abstractmethod
    def clear(self) -> None:
        """Drop everything (tests, and `flask search reindex` from scratch)."""

    @abstractmethod
    def healthy(self) -> bool:
        """Whether the backend answers at all (`flask search status`)."""

    @abstractmethod
    def document_count(self) -> int:
        """How many documents the live index holds (0 when there is no index yet)."""

    def close(self) -> None:  # noqa: B027  (optional: only backends holding connections override it)
        """Release connections (when the app forgets its backends)."""
