"""Stock is never oversold: 50 buyers race for 10 units on PostgreSQL."""
import threading

import pytest
import sqlalchemy as sa

from catalog.models import Product
from orders.models import Order
from tests.orders.conftest import JAKARTA


def test_fifty_concurrent_checkouts_over_ten_units_make_exactly_ten_orders(app, db, make_user,
                                                                          make_product):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the race is about PostgreSQL's row locks")
    from catalog.addresses import clean_address
    from marketplace.errors import Conflict
    from orders.cart import UserBag
    from orders.checkout import place_checkout

    product = make_product(stock=10, price_idr=50000)
    buyers = [make_user() for _ in range(50)]
    for buyer in buyers:
        UserBag(buyer).put(product.id, 1)
    db.session.commit()
    buyer_ids = [b.id for b in buyers]

    start = threading.Barrier(len(buyer_ids), timeout=60)
    outcomes: list[str] = []
    lock = threading.Lock()

    def buy(buyer_id):
        from marketplace.accounts.models import User
        from marketplace.extensions import db as _db

        with app.app_context():
            buyer = _db.session.get(User, buyer_id)
            _db.session.commit()  # hand the connection back: the pool is smaller than the crowd
            start.wait()
            try:
                bag = UserBag(buyer)
                place_checkout(buyer, bag.quantities(), clean_address(JAKARTA),
                               payment_method="bank_transfer")
                bag.clear()
                _db.session.commit()
                result = "ok"
            except Conflict as exc:
                _db.session.rollback()
                result = exc.code
            finally:
                _db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=buy, args=(i,)) for i in buyer_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert outcomes.count("ok") == 10
    assert outcomes.count("out_of_stock") == 40
    db.session.expire_all()
    assert db.session.get(Product, product.id).stock == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 10
    assert db.session.get(Product, product.id).sold_count == 10
