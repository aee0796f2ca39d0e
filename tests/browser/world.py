"""One seeded marketplace for the page-by-page browser checks (tests/browser/test_every_page.py,
test_lighthouse.py): the demo seeder's stores and products with pictures, the demo accounts
(buyer, seller, officer, admin; password catalog.demo.PASSWORD), an event with exhibitors and an
event price, an event open for applications, a placed order, a cart, an RFQ with a made-to-order
quote, an accepted CIF quote's order in production, a rate and a token. A module imports `world`, `site` and `_clean_db` (which overrides the per-test
emptying: the module's tests share the world, emptied at the module's end).
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.conftest import serving
from tests.conftest import clean_database


def seed_world() -> dict:
    """The marketplace every page is looked at in; adds and commits. Returns the path keys."""
    import sqlalchemy as sa

    from catalog import demo
    from catalog.addresses import clean_address
    from catalog.models import Category, Product, Store
    from catalog.services import store_of
    from marketplace.accounts.services import create_token, find_user_by_email
    from marketplace.extensions import db
    from marketplace.money.rates import set_rate, today_wib
    from orders.cart import UserBag
    from orders.checkout import place_checkout
    from orders.payments.escrow import confirm_payment
    from promotions import services, trade
    from tests.orders.conftest import JAKARTA, TOKYO
    from tests.promotions.conftest import event_data

    demo.seed_demo(stores=4, products=24)
    db.session.commit()
    users = {role: find_user_by_email(email) for email, role in demo.ACCOUNTS}
    seller, buyer, officer = users["seller"], users["buyer"], users["officer"]
    store = store_of(seller)
    other = db.session.scalars(sa.select(Store).where(Store.id != store.id).order_by(Store.id)).first()
    mine = db.session.scalars(sa.select(Product).where(Product.store_id == store.id)
                              .order_by(Product.id)).all()
    theirs = db.session.scalars(sa.select(Product).where(Product.store_id == other.id)
                                .order_by(Product.id)).all()

    event = services.create_event(event_data(), actor=officer)
    for action in ("open", "curate"):
        services.transition_event(event, action, actor=officer)
    services.invite(event, store, product_ids=[p.id for p in mine[:3]], actor=officer)
    services.invite(event, other, product_ids=[p.id for p in theirs[:2]], actor=officer)
    services.curate(event, [{"product_id": mine[0].id, "event_price_idr": mine[0].price_idr * 9 // 10,
                             "featured": True}], actor=officer)
    services.transition_event(event, "publish", actor=officer)
    opened = services.create_event(event_data(title="Pameran Kopi dan Rempah Nusantara",
                                              title_en="Nusantara Coffee and Spice Fair",
                                              kind="national_expo"), actor=officer)
    services.transition_event(opened, "open", actor=officer)
    services.apply(opened, store, product_ids=[mine[1].id], pitch="Kopi robusta petik merah.",
                   actor=seller)
    services.apply(opened, other, product_ids=[theirs[0].id], pitch="Produk unggulan kami.",
                   actor=other.owner)

    services.register(event, buyer, {"buyer_type": "export", "company": "Yamada Trading", "country": "JP"})
    rfq = trade.create_rfq(buyer, {"product_id": mine[0].id, "quantity": 200, "destination_country": "JP",
                                   "incoterm": "FOB", "event": event.slug,
                                   "needed_by": (date.today() + timedelta(days=60)).isoformat()})
    trade.make_quote(rfq, {"unit_price_idr": mine[0].price_idr, "min_qty": 100, "lead_time_days": 21,
                           "port": "Panjang", "made_to_order": True,
                           "valid_until": (date.today() + timedelta(days=14)).isoformat()}, actor=seller)
    checkout = place_checkout(buyer, {mine[2].id: 2}, clean_address(JAKARTA),
                              payment_method="bank_transfer")
    # an accepted CIF Rotterdam quote, made to order and paid: an order in production
    cif = trade.create_rfq(buyer, {"product_id": mine[4].id, "quantity": 50, "destination_country": "NL",
                                   "incoterm": "CIF",
                                   "needed_by": (date.today() + timedelta(days=90)).isoformat()})
    cif_quote = trade.make_quote(cif, {"unit_price_idr": mine[4].price_idr, "min_qty": 50,
                                       "lead_time_days": 30, "port": "Rotterdam",
                                       "freight_idr": 2_500_000, "made_to_order": True,
                                       "valid_until": (date.today() + timedelta(days=14)).isoformat()},
                                 actor=seller)
    trade_order = trade.accept_quote(cif_quote, actor=buyer, shipping_address=TOKYO,
                                     payment_method="bank_transfer").orders[0]
    confirm_payment(trade_order.checkout_id, actor=users["admin"])  # finance's part, done by the admin
    UserBag(buyer).put(mine[3].id, 2)
    UserBag(buyer).put(theirs[1].id, 1)
    set_rate("USD", 16250, today_wib(), actor=users["admin"])
    create_token(buyer, "Aplikasi kasir")
    db.session.commit()
    category = db.session.get(Category, mine[0].category_id)
    top = db.session.get(Category, category.parent_id) if category.parent_id else category
    return {"category": top.slug, "product": mine[0].id, "store": store.slug, "event": event.slug,
            "open_event": opened.slug, "checkout": checkout.id, "order": checkout.orders[0].id,
            "rfq": rfq.id, "trade_order": trade_order.id, "emails": {role: user.email for role, user in users.items()}}


@pytest.fixture(autouse=True)
def _clean_db():
    """Overrides tests/conftest.py's per-test emptying: this module's pages share `world`."""
    yield


@pytest.fixture(scope="module")
def world(app):
    from marketplace.extensions import db
    from search.engine import configured_backends, forget_backends

    clean_database(app)
    forget_backends(app)
    with app.app_context():
        for backend in configured_backends():
            backend.clear()
        data = seed_world()
        db.session.remove()
    yield data
    clean_database(app)




@pytest.fixture(scope="module")
def site(app, world):
    """The app with `world` in it, served on loopback; its base URL."""
    with serving(app) as base:
        yield base
