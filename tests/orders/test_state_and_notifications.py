"""The order state machine through the API, notifications at each step, and the mailer."""
import sqlalchemy as sa

from catalog.models import Product
from marketplace.notifications import Notification
from orders.models import Order
from tests.conftest import confirm_transfer_of
from tests.orders.conftest import JAKARTA


def place(client, product, quantity=1):
    client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": quantity})
    response = client.post("/api/v1/checkout", json={"shipping_address": JAKARTA,
                                                     "payment_method": "bank_transfer"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["orders"][0]


def move(client, order_id, action, headers=None, **extra):
    return client.post(f"/api/v1/orders/{order_id}/transitions", json={"action": action, **extra},
                       headers=headers or {})


def test_an_order_walks_its_whole_life(buyer_client, make_product, token_for, finance, db):
    client, buyer = buyer_client()
    product = make_product(stock=5)
    seller = token_for(product.store.owner)
    order = place(client, product, 2)
    # the seller may not accept before payment
    refused = move(client, order["id"], "accept", seller)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "invalid_transition"
    assert move(client, order["id"], "confirm_transfer", finance).get_json()["status"] == "paid"
    assert move(client, order["id"], "accept", seller).get_json()["status"] == "accepted"
    assert move(client, order["id"], "pack", seller).get_json()["status"] == "packed"
    missing = move(client, order["id"], "ship", seller, courier="JNE")
    assert missing.status_code == 422 and "tracking_number" in missing.get_json()["error"]["fields"]
    shipped = move(client, order["id"], "ship", seller, courier="JNE", tracking_number="JNE123")
    assert shipped.get_json()["tracking_number"] == "JNE123"
    # once shipped, nobody can cancel
    assert move(client, order["id"], "cancel", reason="terlambat").status_code == 409
    assert move(client, order["id"], "deliver", seller).get_json()["status"] == "delivered"
    # only the buyer confirms receipt
    assert move(client, order["id"], "complete", seller).status_code == 403
    done = move(client, order["id"], "complete").get_json()
    assert done["status"] == "completed"
    assert [h["status"] for h in done["history"]] == [
        "pending_payment", "paid", "accepted", "packed", "shipped", "delivered", "completed"]
    # each step told the other side
    kinds = db.session.scalars(sa.select(Notification.kind).order_by(Notification.id)).all()
    assert kinds == ["order_placed", "order_paid_seller", "order_paid_buyer", "order_accepted",
                     "order_packed", "order_shipped_tracked", "order_delivered", "order_completed"]


def test_seller_cancel_needs_a_reason_and_returns_stock(buyer_client, make_product, token_for, db):
    client, _ = buyer_client()
    product = make_product(stock=5)
    seller = token_for(product.store.owner)
    order = place(client, product, 3)
    db.session.expire_all()
    assert db.session.get(Product, product.id).stock == 2
    assert move(client, order["id"], "cancel", seller).status_code == 422
    cancelled = move(client, order["id"], "cancel", seller, reason="stok rusak")
    assert cancelled.get_json()["status"] == "cancelled"
    assert cancelled.get_json()["cancel_reason"] == "stok rusak"
    db.session.expire_all()
    assert db.session.get(Product, product.id).stock == 5
    buyer_note = db.session.scalars(sa.select(Notification).where(
        Notification.kind == "order_cancelled")).one()
    assert buyer_note.user_id == db.session.get(Order, order["id"]).buyer_id


def test_strangers_see_nothing_and_sellers_only_their_orders(app, buyer_client, make_product,
                                                              make_user, token_for):
    client, _ = buyer_client()
    mine = make_product()
    order = place(client, mine)
    stranger = token_for(make_user())
    other_seller = token_for(make_product().store.owner)
    for headers in (stranger, other_seller):
        assert client.get(f"/api/v1/orders/{order['id']}", headers=headers).status_code == 404
        assert move(client, order["id"], "accept", headers).status_code == 404
    owner = token_for(mine.store.owner)
    assert client.get(f"/api/v1/orders/{order['id']}", headers=owner).status_code == 200
    listed = client.get(f"/api/v1/stores/{mine.store.slug}/orders", headers=owner).get_json()
    assert [o["id"] for o in listed["items"]] == [order["id"]]
    assert client.get(f"/api/v1/stores/{mine.store.slug}/orders",
                      headers=other_seller).status_code == 404


def test_mailer_sends_the_outbox_in_each_readers_language(app, buyer_client, make_product, db,
                                                          runner):
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.rcpt_tos[0], envelope.content.decode()))
            return "250 OK"

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        client, buyer = buyer_client()
        product = make_product()
        product.store.owner.locale = "en"
        db.session.commit()
        place(client, product)
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        result = runner.invoke(args=["orders", "send-mail"])
        assert result.exit_code == 0 and "sent 1 e-mails" in result.output
        # the seller reads English
        to, message = received[0]
        assert to == product.store.owner.email and "New order #" in message
        assert runner.invoke(args=["orders", "send-mail"]).output.strip() == "sent 0 e-mails"
        assert db.session.scalars(sa.select(Notification)).one().emailed_at is not None
    finally:
        app.config.update(SMTP_HOST=None)
        controller.stop()


def _delivered(client, product, seller, db, *, days_ago: float):
    from datetime import timedelta

    from marketplace.timeutil import utcnow
    from orders.models import OrderEvent

    order = place(client, product, 1)
    confirm_transfer_of(order["id"], client.application)
    for action, extra in (("accept", {}), ("ship", {"courier": "JNE", "tracking_number": "JNE1"}),
                          ("deliver", {})):
        assert move(client, order["id"], action, seller, **extra).status_code == 200
    event = db.session.scalars(sa.select(OrderEvent).where(
        OrderEvent.order_id == order["id"], OrderEvent.action == "deliver")).one()
    event.at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return order["id"]


def test_delivered_orders_complete_by_themselves_and_the_buyer_is_told_first(
        app, buyer_client, make_product, token_for, runner, db):
    """AUTO_COMPLETE_DAYS (7) after delivery the order completes; AUTO_COMPLETE_NOTICE_DAYS (2)
    before, the buyer hears of it, once."""
    client, buyer = buyer_client()
    product = make_product(stock=10)
    seller = token_for(product.store.owner)
    fresh = _delivered(client, product, seller, db, days_ago=1)
    soon = _delivered(client, product, seller, db, days_ago=5.5)
    due = _delivered(client, product, seller, db, days_ago=7.5)
    for _ in range(2):  # safe to repeat: the second run changes nothing
        result = runner.invoke(args=["jobs", "run", "orders.auto_complete"])
        assert result.exit_code == 0, result.output
    db.session.expire_all()
    statuses = {o.id: o.status for o in db.session.scalars(sa.select(Order))}
    assert statuses == {fresh: "delivered", soon: "delivered", due: "completed"}
    warned = db.session.scalars(sa.select(Notification).where(
        Notification.kind == "order_auto_complete_soon")).all()
    assert [(n.user_id, n.params["order"]) for n in warned] == [(buyer.id, soon)]
    done = db.session.scalars(sa.select(Notification.user_id).where(
        Notification.kind == "order_auto_completed")).all()
    assert sorted(done) == sorted([buyer.id, product.store.owner_id])
    page = client.get("/notifikasi").get_data(as_text=True)
    assert f"Pesanan #{soon} akan selesai otomatis dalam 2 hari." in page


def _shipped(client, product, seller, db, *, days_ago: float, estimate_days: int | None):
    from datetime import timedelta

    from marketplace.timeutil import utcnow
    from orders.models import OrderEvent

    order = place(client, product, 1)
    confirm_transfer_of(order["id"], client.application)
    for action, extra in (("accept", {}), ("ship", {"courier": "JNE", "tracking_number": "JNE2"})):
        assert move(client, order["id"], action, seller, **extra).status_code == 200
    event = db.session.scalars(sa.select(OrderEvent).where(
        OrderEvent.order_id == order["id"], OrderEvent.action == "ship")).one()
    event.at = utcnow() - timedelta(days=days_ago)
    db.session.get(Order, order["id"]).shipping_days_max = estimate_days
    db.session.commit()
    return order["id"]


def test_shipped_orders_past_the_couriers_estimate_complete_by_themselves(
        app, buyer_client, make_product, token_for, runner, db):
    """A seller who never marks delivery cannot hold the money forever: AUTO_COMPLETE_DAYS (7)
    after the courier's latest estimate the order completes and its money is released; the
    buyer hears of it AUTO_COMPLETE_NOTICE_DAYS (2) before. Without an estimate it waits."""
    from orders.ledger import service as ledger

    client, buyer = buyer_client()
    product = make_product(stock=10)
    seller = token_for(product.store.owner)
    # estimate 3 days: arrived by day 3, completes after day 10, is announced after day 8
    due = _shipped(client, product, seller, db, days_ago=11, estimate_days=3)
    soon = _shipped(client, product, seller, db, days_ago=9, estimate_days=3)
    on_its_way = _shipped(client, product, seller, db, days_ago=4, estimate_days=3)
    no_estimate = _shipped(client, product, seller, db, days_ago=40, estimate_days=None)
    for _ in range(2):  # safe to repeat
        result = runner.invoke(args=["jobs", "run", "orders.auto_complete"])
        assert result.exit_code == 0, result.output
    db.session.expire_all()
    statuses = {o.id: o.status for o in db.session.scalars(sa.select(Order))}
    assert statuses == {due: "completed", soon: "shipped", on_its_way: "shipped", no_estimate: "shipped"}
    assert ledger.released(db.session.get(Order, due)) and not ledger.released(db.session.get(Order, soon))
    warned = db.session.scalars(sa.select(Notification).where(
        Notification.kind == "order_auto_complete_soon")).all()
    assert [(n.user_id, n.params["order"]) for n in warned] == [(buyer.id, soon)]


def test_the_auto_complete_notice_counts_its_days_in_both_languages(app):
    """The notice's wording follows its count: "in 1 day", "in 2 days" (a Plural message)."""
    from flask_babel import force_locale

    from marketplace.notifications import render

    # given notices of one and of two days
    one = Notification(user_id=1, kind="order_auto_complete_soon", params={"order": 7, "days": 1})
    two = Notification(user_id=1, kind="order_auto_complete_soon", params={"order": 7, "days": 2})
    with app.test_request_context("/"):
        # when they are read in English and in Indonesian
        with force_locale("en"):
            english = render(one), render(two)
        with force_locale("id"):
            indonesian = render(one)
    # then each has its own form
    assert english[0].startswith("Order #7 will be completed automatically in 1 day.")
    assert english[1].startswith("Order #7 will be completed automatically in 2 days.")
    assert indonesian.startswith("Pesanan #7 akan selesai otomatis dalam 1 hari.")
