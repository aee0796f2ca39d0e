"""Orders' part of the demo marketplace (`flask seed-demo`): each demo store's couriers, and
the marketplace's own bank accounts and merchant QRIS that demo buyers pay into.

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


#: the demo marketplace's own accounts buyers pay into (made up: a demo, not a real account)
DEMO_BANK_ACCOUNTS = (("014", "8090112233", "PT Pasar UMKM Lampung (demo)"),
                      ("121", "3810012345", "PT Pasar UMKM Lampung (demo)"))


def demo_qris() -> str:
    """A static merchant QRIS for the demo marketplace, valid by EMVCo's rules (tag 26 names
    the national QRIS repository with a made-up NMID)."""
    from orders.payments.qris import encode

    return encode([("00", "01"), ("01", "11"),
                   ("26", [("00", "ID.CO.QRIS.WWW"), ("01", "936000000000000001"),
                           ("02", "ID1026000000001"), ("03", "UMI")]),
                   ("52", "5399"), ("53", "360"), ("58", "ID"), ("59", "PASAR UMKM DEMO"),
                   ("60", "BANDAR LAMPUNG"), ("61", "35111")])


def seed_payment_accounts(stores: list[Store], rng: random.Random) -> None:
    """Give the demo marketplace its bank accounts and merchant QRIS, once (adds and flushes)."""
    import sqlalchemy as sa

    from marketplace.extensions import db
    from orders.models import PlatformBankAccount, QrisMerchant

    if db.session.scalar(sa.select(sa.func.count()).select_from(PlatformBankAccount)):
        return
    for code, number, holder in DEMO_BANK_ACCOUNTS:
        db.session.add(PlatformBankAccount(bank_code=code, number=number, holder=holder))
    db.session.add(QrisMerchant(payload=demo_qris(), merchant_name="PASAR UMKM DEMO",
                                merchant_city="BANDAR LAMPUNG"))
    db.session.flush()
