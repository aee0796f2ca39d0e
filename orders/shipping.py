"""Shipping cost: which courier services a store offers to a destination, and what each costs.

The destination's zone comes from the store's region and the address (same regency, same
province, same island group, another island, abroad). A store offers the services it chose
(`StoreShipping`; `couriers.DEFAULT_SERVICES` until it chooses), each at the store's own rate
for the zone when it set one (`ShippingRate`), else the service's default; a service that does
not serve the zone is not offered there. A parcel costs the first kilogram plus each further
started kilogram. When the store's subtotal in the order reaches its free-shipping threshold,
every service it offers in Indonesia costs the buyer nothing. No courier API is called.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from catalog.models import Store
from catalog.validation import MAX_PRICE_IDR
from marketplace.errors import ValidationError
from marketplace.extensions import db
from orders.couriers import DEFAULT_SERVICES, SERVICES, Rate, Service
from orders.models import ShippingRate, StoreShipping
from orders.models import ShippingZone as Z

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


def parcel_cost(rate: Rate, weight_g: int) -> int:
    """Rupiah for `weight_g` grams at (first kg, each further started kg); at least one kg."""
    first, nxt = rate
    kilos = max(1, math.ceil(max(weight_g, 1) / 1000))
    return first + (kilos - 1) * nxt


@dataclass
class ShippingPlan:
    """What a store offers: its services in its order, its own rates, its free-shipping threshold."""

    services: list[Service]
    own_rates: dict[tuple[str, str], Rate] = field(default_factory=dict)   # (service, zone)
    free_shipping_min_idr: int | None = None
    chosen: bool = False      # False: the store has chosen nothing, the defaults apply

    def rate(self, service: Service, zone: str) -> Rate | None:
        """The store's rate for a service to a zone (its own, else the default), or None
        when the service does not go there."""
        if not service.serves(zone):
            return None
        if service.free:
            return (0, 0)
        return self.own_rates.get((service.code, zone), service.rates[zone])

    def free_shipping(self, subtotal_idr: int, zone: str | None) -> bool:
        """Whether an order of this subtotal ships free (domestic zones only)."""
        return (self.free_shipping_min_idr is not None and zone != Z.INTERNATIONAL
                and subtotal_idr >= self.free_shipping_min_idr)

    def missing_for_free(self, subtotal_idr: int) -> int | None:
        """How much more to spend for free shipping (0 once reached), None without a threshold."""
        if self.free_shipping_min_idr is None:
            return None
        return max(0, self.free_shipping_min_idr - subtotal_idr)


@dataclass(frozen=True)
class ShippingOption:
    """A service the buyer may choose for one store's parcel, priced for it."""

    service: Service
    cost_idr: int
    days_min: int
    days_max: int
    free: bool = False       # free by the store's threshold (pickup is free anyway)

    @property
    def code(self) -> str:
        return self.service.code


def plan_for(store: Store) -> ShippingPlan:
    """The store's shipping offer, defaults filled in."""
    settings = db.session.get(StoreShipping, store.id)
    codes = [c for c in (settings.services if settings else []) if c in SERVICES]
    own = {(row.service, row.zone): (row.first_kg_idr, row.next_kg_idr)
           for row in db.session.scalars(sa.select(ShippingRate).where(ShippingRate.store_id == store.id))}
    return ShippingPlan(services=[SERVICES[c] for c in (codes or DEFAULT_SERVICES)], own_rates=own,
                        free_shipping_min_idr=settings.free_shipping_min_idr if settings else None,
                        chosen=bool(codes))


def shipping_options(plan: ShippingPlan, zone: str, weight_g: int,
                     subtotal_idr: int) -> list[ShippingOption]:
    """The services `plan` offers to `zone`, priced for the parcel, cheapest first (then the
    quickest, then the store's order)."""
    free = plan.free_shipping(subtotal_idr, zone)
    options = []
    for service in plan.services:
        rate = plan.rate(service, zone)
        if rate is None:
            continue
        cost = 0 if free else parcel_cost(rate, weight_g)
        days_min, days_max = service.days[zone]
        options.append(ShippingOption(service, cost, days_min, days_max, free and not service.free))
    return sorted(options, key=lambda o: (o.cost_idr, o.days_max, o.days_min))


def set_shipping(store: Store, *, services: list[str], rates: dict[str, dict[str, tuple]],
                 free_shipping_min_idr, actor) -> None:
    """Replace the store's shipping offer (its owner only): the services it offers (at least
    one), its own rates `{service: {zone: (first kg, next kg)}}` for those services (a zone left
    out, or given as (None, None), uses the default; one of the two left None takes the
    default's), and its free-shipping threshold (None: none)."""
    from catalog.services import require_owner

    require_owner(store, actor)
    errors: dict = {}
    chosen = list(dict.fromkeys(services))
    unknown = [code for code in chosen if code not in SERVICES]
    if unknown:
        errors["services"] = _l("Layanan tidak dikenal: %(codes)s.", codes=", ".join(unknown))
    elif not chosen:
        errors["services"] = _l("Pilih minimal satu layanan pengiriman.")
    rows = []
    for code in chosen:
        service = SERVICES.get(code)
        if service is None:
            continue
        for zone, pair in (rates.get(code) or {}).items():
            first, nxt = pair
            if first is None and nxt is None:
                continue
            key = f"rates.{code}.{zone}"
            if service.free:
                errors[key] = _l("Ambil sendiri selalu gratis.")
            elif not service.serves(zone):
                errors[key] = _l("Layanan ini tidak melayani zona itu.")
            else:
                default_first, default_next = service.rates[zone]
                first = default_first if first is None else first
                nxt = default_next if nxt is None else nxt
                if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_PRICE_IDR
                           for v in (first, nxt)):
                    errors[key] = _l("Tarif harus bilangan bulat rupiah, 0 atau lebih.")
                else:
                    rows.append(ShippingRate(store_id=store.id, service=code, zone=zone,
                                             first_kg_idr=first, next_kg_idr=nxt))
    threshold = free_shipping_min_idr
    if threshold is not None and (not isinstance(threshold, int) or isinstance(threshold, bool)
                                  or not 1 <= threshold <= MAX_PRICE_IDR):
        errors["free_shipping_min_idr"] = _l("Isi jumlah rupiah (lebih dari 0), atau kosongkan.")
    if errors:
        raise ValidationError(fields=errors)
    db.session.execute(sa.delete(ShippingRate).where(ShippingRate.store_id == store.id))
    db.session.add_all(rows)
    settings = db.session.get(StoreShipping, store.id)
    if settings is None:
        settings = StoreShipping(store_id=store.id)
        db.session.add(settings)
    settings.services = chosen
    settings.free_shipping_min_idr = threshold
    db.session.flush()
