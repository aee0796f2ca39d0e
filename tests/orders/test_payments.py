"""Card payments through the real Stripe SDK against the local Stripe API (localstripe):
charge, decline, refund, webhooks exactly once, reconciliation, expiry."""
import json
import time

import sqlalchemy as sa

from catalog.models import Product
from orders.models import Checkout, Order, ProcessedWebhook, Refund
from tests.orders.conftest import JAKARTA, WEBHOOK_SECRET, card


def put(client, product_id, quantity):
    response = client.put(f"/api/v1/cart/items/{product_id}", json={"quantity": quantity})
    assert response.status_code == 200, response.get_json()


def pay_by_card(client, payment_method_id=None):
    payload = {"shipping_address": JAKARTA, "payment_method": "card"}
    if payment_method_id:
        payload["payment_method_id"] = payment_method_id
    return client.post("/api/v1/checkout", json=payload)


def intents(base):
    import stripe

    return stripe.StripeClient("sk_test_pasar", base_addresses={"api": base},
                               max_network_retries=0).v1.payment_intents


def test_card_checkout_is_charged_once_in_idr_and_paid(stripe_api, buyer_client, make_product, db):
    client, _ = buyer_client()
    a, b = make_product(price_idr=150000, stock=3), make_product(price_idr=20000, stock=3)
    put(client, a.id, 1)
    put(client, b.id, 2)
    response = pay_by_card(client, card(stripe_api))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["payment"]["status"] == "paid"
    assert {o["status"] for o in body["orders"]} == {"paid"}
    checkout = db.session.get(Checkout, body["id"])
    intent = intents(stripe_api).retrieve(checkout.stripe_payment_intent_id)
    # IDR is two-decimal at Stripe: Rp X is X * 100
    assert intent.amount == body["total_idr"] * 100 and intent.currency == "idr"
    assert intent.status == "succeeded" and intent.metadata["checkout"] == checkout.reference


def test_declined_card_leaves_no_order_reservation_or_charge(stripe_api, buyer_client, make_product, db):
    client, _ = buyer_client()
    product = make_product(stock=4)
    put(client, product.id, 2)
    response = pay_by_card(client, card(stripe_api, "4000000000000341"))
    assert response.status_code == 402
    assert response.get_json()["error"]["code"] == "payment_declined"
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0
    assert db.session.get(Product, product.id).stock == 4
    assert all(pi.status != "succeeded" for pi in intents(stripe_api).list({"limit": 100}).auto_paging_iter())
    assert client.get("/api/v1/cart").get_json()["lines"][0]["quantity"] == 2   # cart kept


def test_seller_refunds_part_then_the_rest(stripe_api, buyer_client, make_product, db, token_for):
    client, _ = buyer_client()
    product = make_product(price_idr=100000, stock=5)
    put(client, product.id, 1)
    order = pay_by_card(client, card(stripe_api)).get_json()["orders"][0]
    seller = token_for(db.session.get(Product, product.id).store.owner)
    first = client.post(f"/api/v1/orders/{order['id']}/refunds", headers=seller,
                        json={"amount_idr": 30000, "reason": "kemasan penyok"})
    assert first.status_code == 201, first.get_json()
    too_much = client.post(f"/api/v1/orders/{order['id']}/refunds", headers=seller,
                           json={"amount_idr": order["total_idr"], "reason": "semua"})
    assert too_much.status_code == 409
    rest = order["total_idr"] - 30000
    second = client.post(f"/api/v1/orders/{order['id']}/refunds", headers=seller,
                         json={"amount_idr": rest, "reason": "batal kirim"})
    assert second.status_code == 201
    assert second.get_json()["order"]["refunded_idr"] == order["total_idr"]
    refunds = db.session.scalars(sa.select(Refund).order_by(Refund.id)).all()
    assert [r.amount_idr for r in refunds] == [30000, rest]
    assert all(r.stripe_refund_id.startswith("re_") for r in refunds)
    # the buyer may not refund themselves
    assert client.post(f"/api/v1/orders/{order['id']}/refunds",
                       json={"amount_idr": 1, "reason": "x"}).status_code == 403


def test_cancelling_a_paid_card_order_refunds_it_and_returns_stock(stripe_api, buyer_client,
                                                                    make_product, db):
    client, _ = buyer_client()
    product = make_product(stock=5)
    put(client, product.id, 2)
    order = pay_by_card(client, card(stripe_api)).get_json()["orders"][0]
    response = client.post(f"/api/v1/orders/{order['id']}/transitions",
                           json={"action": "cancel", "reason": "salah pesan"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "cancelled"
    assert response.get_json()["refunded_idr"] == order["total_idr"]
    db.session.expire_all()
    assert db.session.get(Product, product.id).stock == 5


def _signed(payload: dict, secret=WEBHOOK_SECRET, at=None) -> tuple[bytes, str]:
    import hashlib
    import hmac

    body = json.dumps(payload).encode()
    at = int(at or time.time())
    signature = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={at},v1={signature}"


def _event(event_id, type_, obj):
    return {"id": event_id, "object": "event", "type": type_, "api_version": "2017-08-15",
            "created": int(time.time()), "livemode": False, "data": {"object": obj}}


def test_webhook_marks_paid_exactly_once_and_refuses_forgeries(stripe_api, buyer_client,
                                                               make_product, db, app):
    client, _ = buyer_client()
    product = make_product(stock=5)
    put(client, product.id, 1)
    # a checkout whose card is confirmed on the client (no payment method sent): pending
    body = pay_by_card(client).get_json()
    assert body["payment"]["status"] == "pending" and body["payment"]["client_secret"]
    checkout = db.session.get(Checkout, body["id"])
    event = _event("evt_paid_1", "payment_intent.succeeded",
                   {"id": checkout.stripe_payment_intent_id, "object": "payment_intent",
                    "status": "succeeded", "amount": checkout.total_idr * 100, "metadata": {}})
    hook = app.test_client()
    payload, signature = _signed(event)
    # forged (wrong secret) and stale signatures are refused
    forged = hook.post("/webhooks/stripe", data=_signed(event, "whsec_wrong")[0],
                       headers={"Stripe-Signature": _signed(event, "whsec_wrong")[1]})
    assert forged.status_code == 400
    stale_body, stale_sig = _signed(event, at=time.time() - 3600)
    assert hook.post("/webhooks/stripe", data=stale_body,
                     headers={"Stripe-Signature": stale_sig}).status_code == 400
    # the real one pays the checkout
    first = hook.post("/webhooks/stripe", data=payload, headers={"Stripe-Signature": signature})
    assert first.status_code == 200 and first.get_json()["outcome"] == "paid"
    # delivered again: nothing changes
    again = hook.post("/webhooks/stripe", data=payload, headers={"Stripe-Signature": signature})
    assert again.status_code == 200 and again.get_json()["outcome"] == "duplicate"
    db.session.expire_all()
    order = db.session.scalars(sa.select(Order)).one()
    assert order.status == "paid"
    assert [e.action for e in order.events].count("pay") == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProcessedWebhook)) == 1


def test_reconcile_completes_a_payment_whose_webhook_was_lost(stripe_api, buyer_client, make_product,
                                                              db, runner):
    client, _ = buyer_client()
    product = make_product(stock=5)
    put(client, product.id, 1)
    body = pay_by_card(client).get_json()
    checkout = db.session.get(Checkout, body["id"])
    # the buyer's card is confirmed at Stripe, but no webhook reaches us
    api = intents(stripe_api)
    api.update(checkout.stripe_payment_intent_id, {"payment_method": card(stripe_api)})
    api.confirm(checkout.stripe_payment_intent_id)
    result = runner.invoke(args=["orders", "reconcile"])
    assert result.exit_code == 0, result.output
    assert "paid: 1" in result.output
    db.session.expire_all()
    assert db.session.scalars(sa.select(Order)).one().status == "paid"


def test_expire_releases_stock_and_cancels_the_intent(stripe_api, buyer_client, make_product, db,
                                                      runner):
    client, _ = buyer_client()
    product = make_product(stock=5)
    put(client, product.id, 3)
    body = pay_by_card(client).get_json()
    checkout = db.session.get(Checkout, body["id"])
    checkout.expires_at = checkout.created_at.replace(year=2000)
    db.session.commit()
    result = runner.invoke(args=["orders", "expire"])
    assert result.exit_code == 0 and "expired 1 orders" in result.output
    db.session.expire_all()
    assert db.session.get(Product, product.id).stock == 5
    assert db.session.scalars(sa.select(Order)).one().status == "expired"
    assert intents(stripe_api).retrieve(checkout.stripe_payment_intent_id).status == "canceled"
    # running it again changes nothing
    assert "expired 0 orders" in runner.invoke(args=["orders", "expire"]).output


def test_real_webhook_from_the_local_stripe_server(stripe_api, buyer_client, make_product, db, app):
    """localstripe signs and POSTs payment_intent.succeeded to our endpoint over HTTP."""
    import threading
    import urllib.parse
    import urllib.request

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/webhooks/stripe"
        urllib.request.urlopen(urllib.request.Request(
            f"{stripe_api}/_config/webhooks/pasar", method="POST",
            data=urllib.parse.urlencode({"url": url, "secret": WEBHOOK_SECRET}).encode()), timeout=10)
        client, _ = buyer_client()
        product = make_product(stock=5)
        put(client, product.id, 1)
        body = pay_by_card(client).get_json()
        checkout = db.session.get(Checkout, body["id"])
        api = intents(stripe_api)
        api.update(checkout.stripe_payment_intent_id, {"payment_method": card(stripe_api)})
        api.confirm(checkout.stripe_payment_intent_id)
        deadline = time.time() + 15
        while time.time() < deadline:
            db.session.expire_all()
            if db.session.get(Checkout, body["id"]).payment_status == "paid":
                break
            time.sleep(0.2)
        assert db.session.get(Checkout, body["id"]).payment_status == "paid"
        # (an event of an earlier test's declined card may still be in localstripe's queue)
        assert "payment_intent.succeeded" in db.session.scalars(sa.select(ProcessedWebhook.event_type)).all()
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
