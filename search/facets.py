"""Facet labels: the human names of facet values, in the reader's language.

Category names, provinces and regencies come from the database (reference data, cached per app
for a minute, so a search needs no database round trip); yes/no, scales and price buckets are
translated strings.
"""
from __future__ import annotations

import time

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from catalog.models import Category, Province, Regency, in_language
from marketplace.extensions import db
from marketplace.i18n import current_lang, rupiah

#: seconds facet labels are kept before they are read from the database again
LABELS_TTL = 60.0


class FacetLabels:
    """Human labels for facet values (category names in the reader's language, regions)."""

    def __init__(self, lang: str):
        self.lang = lang
        self.category = {
            slug: in_language(lang, name, name_en)
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
        """The label of one facet value (the value itself when it has no other name)."""
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


class LabelCache:
    """Per-app caches of facet labels (by language) and price bucket labels (by locale)."""

    def __init__(self) -> None:
        self.labels: dict[str, tuple[float, FacetLabels]] = {}
        self.buckets: dict[tuple, str] = {}

    def clear(self) -> None:
        """Forget everything (tests switch configuration)."""
        self.labels.clear()
        self.buckets.clear()


def _cache() -> LabelCache:
    return current_app.extensions["search"].labels


def facet_labels(lang: str) -> FacetLabels:
    """Facet labels per language, cached for the app for a minute (reference data)."""
    cache = _cache().labels
    now = time.monotonic()
    cached = cache.get(lang)
    if cached is None or cached[0] < now:
        cached = (now + LABELS_TTL, FacetLabels(lang))
        cache[lang] = cached
    return cached[1]


def price_bucket_value(low: int, high: int | None) -> str:
    """The facet value of a price bucket: "low-high", or "low-" when open-ended."""
    return f"{low}-{high}" if high is not None else f"{low}-"


def price_bucket_label(low: int, high: int | None) -> str:
    """The label of a price bucket in the current locale ("di bawah Rp25.000"), cached."""
    cache = _cache().buckets
    key = (current_lang(), low, high)
    if key not in cache:
        cache[key] = _bucket_label(low, high)
    return cache[key]


def _bucket_label(low: int, high: int | None) -> str:
    if high is None:
        return _("di atas %(p)s", p=rupiah(low))
    if low == 0:
        return _("di bawah %(p)s", p=rupiah(high))
    return f"{rupiah(low)} – {rupiah(high)}"
