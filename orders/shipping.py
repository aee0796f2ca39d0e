"""Shipping cost: a weight-based rate table per destination zone, set by each store.

No courier API: a store says what it charges to send the first kilogram and each further
kilogram to each zone; stores that have not set a zone use the marketplace defaults below.
Zones come from the store's region and the destination (same regency, same province, same
island group, another island, abroad).
"""
from __future__ import annotations

import math

import sqlalchemy as sa

from catalog.models import Store
from marketplace.extensions import db
from orders.models import ShippingRate
from orders.models import ShippingZone as Z

#: rupiah for the first kg and each further started kg, when a store has not set its own
DEFAULT_RATES: dict[str, tuple[int, int]] = {
    Z.SAME_REGENCY: (10_000, 5_000),
    Z.SAME_PROVINCE: (15_000, 8_000),
    Z.SAME_ISLAND: (25_000, 15_000),
    Z.OTHER_ISLAND: (40_000, 25_000),
    Z.INTERNATIONAL: (250_000, 120_000),
}

_ISLAND_GROUPS = {
    "sumatra": {"11", "12", "13", "14", "15", "16", "17", "18", "19", "21"},
    "java": {"31", "32", "33", "34", "35", "36"},
    "bali_nusa_tenggara": {"51", "52", "53"},
    "kalimantan": {"61", "62", "63", "64", "65"},
    "sulawesi": {"71", "72", "73", "74", "75", "76"},
    "maluku": {"81", "82"},
    "papua": {"91", "92", "93", "94", "95", "96"},
}


def island_of(province_code: str) -> str | None:
    for island, codes in _ISLAND_GROUPS.items():
        if province_code in codes:
            return island
    return None


def zone_for(store: Store, address: dict) -> str:
    """The zone a parcel from `store` to `address` travels in."""
    if (address.get("country") or "ID").upper() != "ID":
        return Z.INTERNATIONAL
    province, regency = address.get("province"), address.get("regency")
    if regency and regency == store.regency_code:
        return Z.SAME_REGENCY
    if province == store.province_code:
        return Z.SAME_PROVINCE
    if province and island_of(province) == island_of(store.province_code):
        return Z.SAME_ISLAND
    return Z.OTHER_ISLAND


def rates_for(store: Store) -> dict[str, tuple[int, int]]:
    """The store's rate per zone, defaults filled in."""
    rates = dict(DEFAULT_RATES)
    for row in db.session.scalars(sa.select(ShippingRate).where(ShippingRate.store_id == store.id)):
        rates[row.zone] = (row.first_kg_idr, row.next_kg_idr)
    return rates


def shipping_cost(store: Store, address: dict, weight_g: int,
                  rates: dict[str, tuple[int, int]] | None = None) -> tuple[int, str]:
    """(rupiah, zone) to send `weight_g` grams from `store` to `address`."""
    zone = zone_for(store, address)
    first, nxt = (rates or rates_for(store))[zone]
    kilos = max(1, math.ceil(max(weight_g, 1) / 1000))
    return first + (kilos - 1) * nxt, zone


def set_rates(store: Store, rates: dict[str, tuple[int, int]], *, actor) -> None:
    """Replace the store's own rates (its owner only); zones left out use the defaults."""
    from flask_babel import lazy_gettext as _l

    from catalog.services import require_owner
    from marketplace.errors import ValidationError

    require_owner(store, actor)
    errors = {}
    for zone, (first, nxt) in rates.items():
        if zone not in DEFAULT_RATES:
            errors[zone] = _l("Zona tidak dikenal.")
        elif not (isinstance(first, int) and isinstance(nxt, int)) or first < 0 or nxt < 0:
            errors[zone] = _l("Tarif harus bilangan bulat rupiah, 0 atau lebih.")
    if errors:
        raise ValidationError(fields=errors)
    db.session.execute(sa.delete(ShippingRate).where(ShippingRate.store_id == store.id))
    db.session.add_all(ShippingRate(store_id=store.id, zone=z, first_kg_idr=f, next_kg_idr=n)
                       for z, (f, n) in rates.items())
    db.session.flush()
