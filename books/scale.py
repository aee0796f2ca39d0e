"""The store's scale under PP 7/2021 (Peraturan Pemerintah 7/2021 on UMKM), from a year's sales.

PP 7/2021 art. 35 grades a business by its yearly sales ("hasil penjualan tahunan"): mikro up to
Rp2 billion, kecil up to Rp15 billion, menengah up to Rp50 billion; above that it is a large
business ("usaha besar"), no longer an UMKM. Each limit belongs to the lower scale (a business
with exactly Rp2 billion is still mikro).

The figure is `books.statements.annual_sales`: the marketplace's sales and the seller's own
recorded cash sales over the 12 months ending today (WIB). The seller confirms the suggestion; a
confirmation is kept (`ScaleConfirmation`, with the scale before it) and changes `Store.scale`
through catalog's `update_store`, whose `store_changed` signal keeps search right. The kept rows
are what the officers' "naik kelas" count reads (books/officer.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from books.models import ScaleConfirmation
from catalog import services as catalog_services
from catalog.models import Store, StoreScale
from marketplace.accounts.models import User
from marketplace.errors import Conflict
from marketplace.extensions import db
from marketplace.money.rates import today_wib

#: "usaha besar": above menengah; not a scale a store on the marketplace can hold
BESAR = "besar"
#: each scale with the largest yearly sales (rupiah, inclusive) it admits
LIMITS = ((StoreScale.MIKRO.value, 2_000_000_000),
          (StoreScale.KECIL.value, 15_000_000_000),
          (StoreScale.MENENGAH.value, 50_000_000_000))
#: scales from the smallest, for "moved up": a larger rank is a larger business
RANK = {StoreScale.MIKRO.value: 1, StoreScale.KECIL.value: 2, StoreScale.MENENGAH.value: 3, BESAR: 4}

LABELS = {
    StoreScale.MIKRO.value: _l("Usaha mikro"),
    StoreScale.KECIL.value: _l("Usaha kecil"),
    StoreScale.MENENGAH.value: _l("Usaha menengah"),
    BESAR: _l("Usaha besar (bukan UMKM)"),
}


def suggest_scale(annual_sales_idr: int) -> str:
    """The scale PP 7/2021 gives a business with `annual_sales_idr` of yearly sales: "mikro",
    "kecil", "menengah" or "besar" (limits inclusive)."""
    for scale, limit in LIMITS:
        if annual_sales_idr <= limit:
            return scale
    return BESAR


@dataclass(frozen=True)
class Suggestion:
    """What the scale page shows: the suggested scale and the figure it came from."""

    scale: str
    annual_sales_idr: int
    period_start: date
    period_end: date
    current: str

    @property
    def can_confirm(self) -> bool:
        """A large business is not an UMKM: the store keeps a scale the catalog knows."""
        return self.scale != BESAR

    @property
    def changes(self) -> bool:
        return self.scale != self.current


def suggestion_for(store: Store, *, actor: User, today: date | None = None) -> Suggestion:
    """The scale a year's sales suggest for `store` (its owner only)."""
    from books import statements

    catalog_services.require_owner(store, actor)
    end = today or today_wib()
    start = statements.year_before(end)
    sales = int(statements.annual_sales(store, end))
    return Suggestion(scale=suggest_scale(sales), annual_sales_idr=sales, period_start=start,
                      period_end=end, current=store.scale)


def confirm_scale(store: Store, expected: str | None, *, actor: User,
                  today: date | None = None) -> ScaleConfirmation:
    """The owner confirms the suggested scale: recorded with the figure and the scale before,
    and the store's scale changed. `expected` is the scale the page showed: when the figure has
    moved since (a sale paid meanwhile), nothing changes and the seller looks again."""
    suggestion = suggestion_for(store, actor=actor, today=today)
    if expected is not None and expected != suggestion.scale:
        raise Conflict(_l("Penjualan setahun berubah sejak halaman dibuka. Periksa lagi skala yang "
                          "disarankan."), code="scale_changed")
    if not suggestion.can_confirm:
        raise Conflict(_l("Penjualan setahun di atas Rp50 miliar: usaha besar, bukan UMKM. Skala "
                          "toko tidak diubah; hubungi petugas."), code="not_umkm")
    row = ScaleConfirmation(store_id=store.id, scale=suggestion.scale, previous_scale=store.scale,
                            annual_sales_idr=suggestion.annual_sales_idr,
                            period_start=suggestion.period_start, period_end=suggestion.period_end,
                            confirmed_by_id=actor.id)
    db.session.add(row)
    if store.scale != suggestion.scale:
        catalog_services.update_store(store, {"scale": suggestion.scale}, actor=actor)
    db.session.flush()
    return row


def confirmations(store: Store, *, actor: User, limit: int = 20) -> list[ScaleConfirmation]:
    """The store's confirmations, newest first (its owner only)."""
    catalog_services.require_owner(store, actor)
    return list(db.session.scalars(
        sa.select(ScaleConfirmation).where(ScaleConfirmation.store_id == store.id)
        .order_by(ScaleConfirmation.confirmed_at.desc(), ScaleConfirmation.id.desc()).limit(limit)))
