"""The results page's filter panel: the choices of its form and the chips of active filters.

The panel is one GET form to /cari with the same query-string parameters the search reads
(`search.query.parse_query`), so links made before it (facet links, the event page's search)
keep working. Its choices come from the facets of the current search: each select lists the
values that would still find something, with their counts, plus the chosen one even when
nothing matches it any more.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from search.facets import FacetLabels
from search.query import SearchQuery, SearchResult

#: the facets the panel offers as selects, and the yes/no filters it offers as checkboxes
SELECT_FACETS = ("category", "province", "regency", "scale")
CHECK_FACETS = ("halal", "export_ready", "verified", "in_stock")


@dataclass
class Choice:
    """One option of a select (or one checkbox): the value sent, its label, how many match."""

    value: str
    label: str
    count: int
    depth: int = 0  # categories: how deep in the tree (shown indented)


@dataclass
class Chip:
    """An active filter as the buyer sees it, with what to drop to remove it."""

    name: str       # the facet (price for min/max price)
    label: str      # the value's human label; empty for a yes/no filter set to yes
    value: object


def _choices(facet: str, buckets: list[dict], active, labels: FacetLabels) -> list[Choice]:
    choices = [Choice(str(b["value"]), b["label"], b["count"]) for b in buckets]
    if active and all(c.value != active for c in choices):
        choices.append(Choice(active, labels.label(facet, active), 0))
    return sorted(choices, key=lambda c: c.label.casefold())


def _category_tree(choices: list[Choice], labels: FacetLabels) -> list[Choice]:
    """Categories in tree order (each after its nearest listed parent, siblings by name)."""
    listed = {c.value: c for c in choices}
    children: dict[str | None, list[Choice]] = defaultdict(list)
    for choice in choices:  # already sorted by label
        parent = labels.category_parent.get(choice.value)
        while parent is not None and parent not in listed:
            parent = labels.category_parent.get(parent)
        children[parent].append(choice)
    ordered: list[Choice] = []

    def walk(parent: str | None, depth: int) -> None:
        for choice in children.get(parent, []):
            choice.depth = depth
            ordered.append(choice)
            walk(choice.value, depth + 1)

    walk(None, 0)
    return ordered


def select_choices(query: SearchQuery, result: SearchResult, labels: FacetLabels) -> dict:
    """{facet: [Choice]} for the panel's selects."""
    active = query.filters()
    out = {}
    for facet in SELECT_FACETS:
        choices = _choices(facet, result.facets.get(facet, []), active.get(facet), labels)
        out[facet] = _category_tree(choices, labels) if facet == "category" else choices
    return out


def check_counts(result: SearchResult) -> dict[str, int | None]:
    """{yes/no facet: how many products have it}, None when the backend gave no count."""
    counts = {}
    for facet in CHECK_FACETS:
        buckets = {b["value"]: b["count"] for b in result.facets.get(facet, [])}
        counts[facet] = buckets.get("true", 0) if result.facets.get(facet) is not None else None
    return counts


def active_chips(query: SearchQuery, result: SearchResult, labels: FacetLabels,
                 format_price) -> list[Chip]:
    """The active filters as chips, in the panel's order; `format_price` formats rupiah."""
    chips = []
    for name, value in query.filters().items():
        if name == "price":
            low, high = value
            if low is not None and high is not None:
                label = f"{format_price(low)} – {format_price(high)}"
            elif low is not None:
                label = f"≥ {format_price(low)}"
            else:
                label = f"≤ {format_price(high)}"
        elif name in CHECK_FACETS:
            label = "" if value else labels.label(name, False)
        elif name == "store":
            names = {b["value"]: b["label"] for b in result.facets.get("store", [])}
            label = names.get(value, value)
        else:
            label = labels.label(name, value)
        chips.append(Chip(name, label, value))
    return chips
