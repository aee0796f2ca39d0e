"""Orders' counters on /metrics: checkouts placed and card payments that failed."""
from __future__ import annotations

from tests.marketplace.test_ops import sample
from tests.orders.conftest import JAKARTA, card


def scrape(client, name, labels):
    return sample(client.get("/metrics").get_data(as_text=True), name, labels)


def put(client, product_id, quantity):
    assert client.put(f"/api/v1/cart/items/{product_id}", json={"quantity": quantity}).status_code == 200


def test_checkout_counter_counts_a_placed_checkout(buyer_client, make_product):
    client, _buyer = buyer_client()
    labels = {"payment_method": "bank_transfer"}
    before = scrape(client, "pasar_checkouts_total", labels)
    assert before is not None  # declared at zero before any checkout
    put(client, make_product(stock=5).id, 2)
    response = client.post("/api/v1/checkout", json={"shipping_address": JAKARTA,
                                                     "payment_method": "bank_transfer"})
    assert response.status_code == 201, response.get_json()
    assert scrape(client, "pasar_checkouts_total", labels) == before + 1
    # a refused checkout (the cart is empty now) is not counted
    refused = client.post("/api/v1/checkout", json={"shipping_address": JAKARTA,
                                                    "payment_method": "bank_transfer"})
    assert refused.status_code == 422
    assert scrape(client, "pasar_checkouts_total", labels) == before + 1


def test_a_declined_card_counts_a_payment_failure_and_no_checkout(stripe_api, buyer_client, make_product):
    client, _buyer = buyer_client()
    declined = {"kind": "declined"}
    failures = scrape(client, "pasar_payment_failures_total", declined)
    checkouts = scrape(client, "pasar_checkouts_total", {"payment_method": "card"})
    put(client, make_product(stock=4).id, 1)
    response = client.post("/api/v1/checkout", json={
        "shipping_address": JAKARTA, "payment_method": "card",
        "payment_method_id": card(stripe_api, "4000000000000341")})
    assert response.status_code == 402, response.get_json()
    assert scrape(client, "pasar_payment_failures_total", declined) == failures + 1
    assert scrape(client, "pasar_checkouts_total", {"payment_method": "card"}) == checkouts


def test_a_processed_webhook_leaves_a_log_line_with_its_ids(db, caplog):
    import logging

    from orders.payments.stripe import WebhookEvent
    from orders.payments.webhooks import handle_event

    event = WebhookEvent(id="evt_log_1", type="payment_intent.succeeded", object_id="pi_unknown",
                         object={"id": "pi_unknown", "status": "succeeded"})
    with caplog.at_level(logging.INFO, logger="orders.payments.webhooks"):
        assert handle_event(event) == "unknown_intent"
        assert handle_event(event) == "duplicate"
    lines = [r for r in caplog.records if r.getMessage() == "webhook processed"]
    assert [(r.event_id, r.event_type, r.object_id, r.outcome) for r in lines] == [
        ("evt_log_1", "payment_intent.succeeded", "pi_unknown", "unknown_intent"),
        ("evt_log_1", "payment_intent.succeeded", "pi_unknown", "duplicate")]
