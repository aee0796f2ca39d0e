"""A release and a refund racing on one order, on PostgreSQL: both paths take the order's row
lock (`orders.ledger.service.lock_order`) and re-read it, so one runs after the other and the
books show one consistent outcome whatever the order of arrival."""
import threading

import sqlalchemy as sa

from tests.conftest import confirm_transfer_of, require_postgresql
from tests.orders.ledger_checks import assert_books_hold, buy, deliver, entries

PAIRS = 4


def _delivered_orders(db, make_user, make_product) -> list[int]:
    """PAIRS delivered transfer orders (no commission), each of its own store and buyer."""

    order_ids = []
    for _ in range(PAIRS):
        order = buy(make_user(), {make_product(price_idr=75000): 1}).orders[0]
        confirm_transfer_of(order.id)
        db.session.commit()
        deliver(order)
        order_ids.append(order.id)
    return order_ids


def _race(app, order_ids, moves) -> list[tuple[int, str, str]]:
    """For each order, the `moves` ("receipt" by its buyer, "refund" of all of it by its seller)
    in threads of their own, released at one moment; each reads the order before the race, so
    it starts from a stale copy. Returns (order id, move, "ok" or the error code)."""
    from orders.models import Order

    start = threading.Barrier(len(moves) * len(order_ids), timeout=60)
    outcomes, lock = [], threading.Lock()

    def run(order_id, what):
        from marketplace.errors import DomainError
        from marketplace.extensions import db as _db
        from orders.payments.service import refund_order
        from orders.services import confirm_receipt

        with app.app_context():
            order = _db.session.get(Order, order_id)  # read before the race: stale on purpose
            buyer, seller, total = order.buyer, order.store.owner, order.total_idr
            start.wait()
            try:
                if what == "receipt":
                    confirm_receipt(order, actor=buyer)
                else:
                    refund_order(order, total, reason="barang tidak sesuai", actor=seller)
                _db.session.commit()
                result = "ok"
            except DomainError as exc:
                _db.session.rollback()
                result = exc.code
            finally:
                _db.session.remove()
            with lock:
                outcomes.append((order_id, what, result))

    threads = [threading.Thread(target=run, args=(i, what)) for i in order_ids for what in moves]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def test_receipt_and_full_refund_racing_on_one_order_leave_one_consistent_effect(app, db, make_user,
                                                                                 make_product):
    require_postgresql(db, "the race is about PostgreSQL's row locks")
    from orders.models import Order

    # given delivered transfer orders
    order_ids = _delivered_orders(db, make_user, make_product)
    # when, for each order, the buyer's receipt and the seller's full refund arrive at once
    outcomes = _race(app, order_ids, ("receipt", "refund"))
    # then both succeed, each once: the order is completed and fully refunded, ...
    assert sorted(outcomes) == sorted((i, w, "ok") for i in order_ids for w in ("receipt", "refund"))
    db.session.expire_all()
    balances = assert_books_hold()
    for order in db.session.scalars(sa.select(Order).where(Order.id.in_(order_ids))):
        assert order.status == "completed" and order.refunded_idr == order.total_idr
        # ... nothing is held, the store was left nothing (released then refunded, or refunded
        # then nothing left to release), and the buyer is owed the whole amount once
        assert balances[f"held:order:{order.id}"] == 0
        assert balances.get(f"available:store:{order.store_id}", 0) == 0
        assert balances[f"refunds_payable:buyer:{order.buyer_id}"] == order.total_idr
    refunds = [e.order_id for e in entries("refund")]
    assert sorted(refunds) == sorted(order_ids)
    assert len(entries("release")) <= PAIRS


def test_two_full_refunds_racing_on_one_order_refund_it_once(app, db, make_user, make_product):
    require_postgresql(db, "the race is about PostgreSQL's row locks")
    from orders.models import Order

    # given delivered transfer orders
    order_ids = _delivered_orders(db, make_user, make_product)
    # when, for each order, two full refunds arrive at once (a double tap, two admins)
    outcomes = _race(app, order_ids, ("refund", "refund"))
    # then one of each pair succeeds and the other finds nothing left to refund
    for order_id in order_ids:
        assert sorted(r for i, _w, r in outcomes if i == order_id) == ["ok", "refund_too_large"]
    db.session.expire_all()
    balances = assert_books_hold()
    for order in db.session.scalars(sa.select(Order).where(Order.id.in_(order_ids))):
        assert order.refunded_idr == order.total_idr and len(order.refunds) == 1
        assert balances[f"held:order:{order.id}"] == 0
        assert balances[f"refunds_payable:buyer:{order.buyer_id}"] == order.total_idr
    assert sorted(e.order_id for e in entries("refund")) == sorted(order_ids)
