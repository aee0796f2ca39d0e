"""Stock is never oversold: 50 buyers race for 10 units on PostgreSQL."""
import threading

import sqlalchemy as sa

from catalog.models import Product
from orders.models import Order
from tests.conftest import require_postgresql
from tests.orders.conftest import JAKARTA


def _race(app, buyer_ids, payment) -> dict[int, str]:
    """Each buyer, in a thread of their own started at the same moment, checks out their cart
    as a request does; returns buyer id -> "ok", "declined" or the Conflict code.
    `payment(buyer_id)` gives place_checkout's payment arguments for that buyer."""
    from catalog.addresses import clean_address
    from marketplace.accounts.models import User
    from marketplace.errors import Conflict
    from marketplace.extensions import db as _db
    from orders.cart import UserBag
    from orders.checkout import PaymentDeclined, place_checkout

    start = threading.Barrier(len(buyer_ids), timeout=60)
    outcomes: dict[int, str] = {}
    lock = threading.Lock()

    def buy(buyer_id):
        with app.app_context():
            buyer = _db.session.get(User, buyer_id)
            _db.session.commit()  # hand the connection back: the pool is smaller than the crowd
            start.wait()
            try:
                bag = UserBag(buyer)
                place_checkout(buyer, bag.quantities(), clean_address(JAKARTA),
                               **payment(buyer_id))
                bag.clear()
                _db.session.commit()
                result = "ok"
            except PaymentDeclined:
                _db.session.rollback()
                result = "declined"
            except Conflict as exc:
                _db.session.rollback()
                result = exc.code
            finally:
                _db.session.remove()
            with lock:
                outcomes[buyer_id] = result

    threads = [threading.Thread(target=buy, args=(i,)) for i in buyer_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def test_fifty_concurrent_checkouts_over_ten_units_make_exactly_ten_orders(app, db, make_user,
                                                                          make_product):
    require_postgresql(db, "the race is about PostgreSQL's row locks")
    from orders.cart import UserBag

    product = make_product(stock=10, price_idr=50000)
    buyers = [make_user() for _ in range(50)]
    for buyer in buyers:
        UserBag(buyer).put(product.id, 1)
    db.session.commit()

    outcomes = list(_race(app, [b.id for b in buyers], lambda _buyer: {"payment_method": "bank_transfer"}).values())

    assert outcomes.count("ok") == 10
    assert outcomes.count("out_of_stock") == 40
    db.session.expire_all()
    assert db.session.get(Product, product.id).stock == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 10
    assert db.session.get(Product, product.id).sold_count == 10


def test_card_checkouts_racing_with_declines_neither_oversell_nor_lose_stock(app, db, make_user, make_product,
                                                                            stripe_api):
    """12 card buyers race for 5 units; half the cards are declined. The reservation is committed
    before Stripe is asked and undone on a decline: in the end every unit is either on the shelf
    or in a paid order, and no declined buyer keeps an order."""
    require_postgresql(db, "the race is about PostgreSQL's row locks")
    from orders.cart import UserBag
    from orders.models import Checkout
    from tests.orders.conftest import card

    product = make_product(stock=5, price_idr=50000)
    buyers = [make_user() for _ in range(12)]
    for buyer in buyers:
        UserBag(buyer).put(product.id, 1)
    db.session.commit()
    good, bad = card(stripe_api), card(stripe_api, "4000000000000341")
    plan = [(b.id, good if i % 2 else bad) for i, b in enumerate(buyers)]
    methods = dict(plan)
    outcomes = {buyer_id: ("paid" if result == "ok" else result) for buyer_id, result in _race(
        app, list(methods), lambda b: {"payment_method": "card", "payment_method_id": methods[b]}
    ).items()}

    assert len(outcomes) == 12 and set(outcomes.values()) <= {"paid", "declined", "out_of_stock"}
    db.session.expire_all()
    paid_orders = db.session.scalars(sa.select(Order)).all()
    assert all(o.status == "paid" for o in paid_orders)
    assert {o.buyer_id for o in paid_orders} == {b for b, r in outcomes.items() if r == "paid"}
    assert not any(outcomes[b] == "declined" for b, m in plan if m == good)
    stock = db.session.scalar(sa.select(Product.stock).where(Product.id == product.id))
    # (every reservation may have been a declined card's while the good cards came: then none
    # paid, and the stock is all back, which the last step proves)
    assert stock + len(paid_orders) == 5 and len(paid_orders) <= 5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Checkout)) == len(paid_orders)
    # and what was left is all on sale: one more buyer takes the whole of it
    if stock:
        last = make_user()
        UserBag(last).put(product.id, stock)
        db.session.commit()
        assert _race(app, [last.id], lambda b: {"payment_method": "card",
                                                "payment_method_id": good}) == {last.id: "ok"}
        db.session.expire_all()
        assert db.session.scalar(sa.select(Product.stock).where(Product.id == product.id)) == 0


def test_no_product_row_is_locked_while_stripe_answers(app, buyer_client, make_product, db, stripe_api,
                                                       monkeypatch):
    """While the PaymentIntent is created, another transaction can take the product's row at once."""
    from orders.payments import stripe as gateway
    from tests.orders.conftest import card

    product = make_product(stock=3)
    client, _ = buyer_client()
    client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 1})
    real, probed = gateway.create_intent, []

    def probing_create_intent(*args, **kwargs):
        with db.engine.connect() as other:
            other.execute(sa.text("SET lock_timeout = '1s'"))
            probed.append(other.execute(sa.select(Product.stock).where(Product.id == product.id)
                                        .with_for_update(nowait=True)).scalar())
            other.rollback()
        return real(*args, **kwargs)

    monkeypatch.setattr(gateway, "create_intent", probing_create_intent)
    response = client.post("/api/v1/checkout", json={"shipping_address": JAKARTA, "payment_method": "card",
                                                     "payment_method_id": card(stripe_api)})
    assert response.status_code == 201, response.get_json()
    assert probed == [2]  # the reservation was committed, and its row free, before Stripe was asked
