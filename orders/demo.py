"""Orders' part of the demo marketplace (`flask seed-demo`): each demo store's couriers.

Registered on `catalog.demo.demo_extras`, so the catalog's seeder never imports orders. The
first store (the demo seller's) offers most services, its own delivery and pickup, a cheaper
own rate in its regency and free shipping from Rp500.000; the others keep the defaults or
choose a few services, as real stores would.
"""
from __future__ import annotations

import random

from catalog.models import Store
from orders.couriers import DEFAULT_SERVICES, OWN_DELIVERY, PICKUP, SERVICES
from orders.shipping import set_shipping

DEMO_SELLER_SERVICES = ["jne_reg", "jne_yes", "jnt_ez", "sicepat_reg", "pos_kilat", "pos_ems",
                        OWN_DELIVERY, PICKUP]
_COURIER_SERVICES = [code for code in SERVICES if code not in (OWN_DELIVERY, PICKUP, "pos_ems")]


def seed_shipping(stores: list[Store], rng: random.Random) -> None:
    """Give the new demo stores a courier choice (adds and flushes)."""
    for i, store in enumerate(stores):
        if i == 0:
            set_shipping(store, services=DEMO_SELLER_SERVICES,
                         rates={OWN_DELIVERY: {"same_regency": (5_000, 1_000)}},
                         free_shipping_min_idr=500_000, actor=store.owner)
            continue
        if rng.random() < 0.4:
            continue  # keeps the marketplace's default services
        services = rng.sample(_COURIER_SERVICES, rng.randint(2, 4))
        if rng.random() < 0.5:
            services.append(OWN_DELIVERY)
        if rng.random() < 0.3:
            services.append(PICKUP)
        if rng.random() < 0.3:
            services.append("pos_ems")
        threshold = rng.choice([None, None, 150_000, 250_000, 300_000])
        set_shipping(store, services=services or list(DEFAULT_SERVICES), rates={},
                     free_shipping_min_idr=threshold, actor=store.owner)
