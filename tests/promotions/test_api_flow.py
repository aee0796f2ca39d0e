"""An export promotion forum end to end through the API: officer, seller, export buyer, report."""
from datetime import date, timedelta

import sqlalchemy as sa

from orders.models import Order
from tests.orders.conftest import TOKYO
from tests.promotions.conftest import event_data


def test_forum_from_draft_to_report(client, app, db, officer, make_user, make_store, make_product,
                                    token_for, finance):
    off = token_for(officer)
    # an officer creates the event; it moves only along the allowed path
    created = client.post("/api/v1/events", json=event_data(), headers=off)
    assert created.status_code == 201, created.get_json()
    slug = created.get_json()["slug"]
    assert created.get_json()["status"] == "draft"
    assert client.get(f"/api/v1/events/{slug}").status_code == 404          # drafts are hidden
    bad = client.post(f"/api/v1/events/{slug}/transitions", json={"action": "publish"}, headers=off)
    assert bad.status_code == 409
    assert client.post(f"/api/v1/events/{slug}/transitions", json={"action": "open"},
                       headers=off).get_json()["status"] == "open"

    # a seller applies with products; the officer accepts
    store = make_store(verified=True)
    kopi = make_product(store=store, title="Kopi Robusta Tanggamus", price_idr=80000, stock=500)
    seller = token_for(store.owner)
    applied = client.post(f"/api/v1/events/{slug}/applications", headers=seller,
                          json={"product_ids": [kopi.id], "pitch": "Kopi robusta petik merah siap ekspor."})
    assert applied.status_code == 201, applied.get_json()
    again = client.post(f"/api/v1/events/{slug}/applications", headers=seller,
                        json={"product_ids": [kopi.id], "pitch": "Sekali lagi ya, mohon diterima."})
    assert again.status_code == 409
    # sellers may not decide, officers must give a reason to reject
    app_id = applied.get_json()["id"]
    assert client.post(f"/api/v1/applications/{app_id}/decision", json={"accept": True},
                       headers=seller).status_code == 403
    assert client.post(f"/api/v1/applications/{app_id}/decision", json={"accept": False},
                       headers=off).status_code == 422
    decided = client.post(f"/api/v1/applications/{app_id}/decision",
                          json={"accept": True, "reason": "Produk unggulan"}, headers=off)
    assert decided.get_json()["status"] == "accepted"
    assert [a["status"] for a in client.get("/api/v1/applications", headers=seller).get_json()] == ["accepted"]
    for action in ("curate", "publish"):
        client.post(f"/api/v1/events/{slug}/transitions", json={"action": action}, headers=off)
    event = client.get(f"/api/v1/events/{slug}").get_json()
    assert event["status"] == "published" and event["exhibitors"][0]["slug"] == store.slug
    assert [p["product"]["id"] for p in client.get(f"/api/v1/events/{slug}/products").get_json()] == [kopi.id]

    # an export buyer registers, asks for a quotation, receives a quote and accepts it
    buyer_user = make_user()
    buyer = token_for(buyer_user)
    rfq_body = {"product_id": kopi.id, "quantity": 200, "target_price_idr": 70000,
                "destination_country": "JP", "incoterm": "FOB",
                "needed_by": (date.today() + timedelta(days=60)).isoformat(), "event": slug}
    assert client.post("/api/v1/rfqs", json=rfq_body, headers=buyer).status_code == 403  # not registered
    registered = client.post(f"/api/v1/events/{slug}/registrations", headers=buyer,
                             json={"buyer_type": "export", "company": "Yamada Trading", "country": "JP",
                                   "interests": "robusta, lada"})
    assert registered.status_code == 201
    rfq = client.post("/api/v1/rfqs", json=rfq_body, headers=buyer)
    assert rfq.status_code == 201, rfq.get_json()
    rfq_id = rfq.get_json()["id"]
    assert client.get(f"/api/v1/rfqs/{rfq_id}", headers=token_for(make_user())).status_code == 404
    client.post(f"/api/v1/rfqs/{rfq_id}/messages", json={"body": "Bisa kirim sampel?"}, headers=buyer)
    quote = client.post(f"/api/v1/rfqs/{rfq_id}/quotes", headers=seller, json={
        "unit_price_idr": 72000, "min_qty": 100, "lead_time_days": 21, "port": "Panjang",
        "valid_until": (date.today() + timedelta(days=14)).isoformat()})
    assert quote.status_code == 201, quote.get_json()
    assert client.post(f"/api/v1/rfqs/{rfq_id}/quotes", headers=buyer, json={}).status_code == 404
    accepted = client.post(f"/api/v1/quotes/{quote.get_json()['id']}/accept", headers=buyer,
                           json={"shipping_address": TOKYO, "payment_method": "bank_transfer"})
    assert accepted.status_code == 201, accepted.get_json()
    order = accepted.get_json()["orders"][0]
    assert order["lines"][0]["unit_price_idr"] == 72000 and order["lines"][0]["quantity"] == 200
    assert order["subtotal_idr"] == 72000 * 200
    thread = client.get(f"/api/v1/rfqs/{rfq_id}", headers=seller).get_json()
    assert thread["status"] == "accepted" and thread["messages"][0]["body"] == "Bisa kirim sampel?"

    # finance confirms the transfer; the report counts the deal and its value
    assert client.post(f"/api/v1/orders/{order['id']}/transitions", headers=finance,
                       json={"action": "confirm_transfer"}).status_code == 200
    admin = make_user(roles=("buyer", "admin"))
    from datetime import date as _date

    from marketplace.money.rates import set_rate

    set_rate("USD", "16000", _date.today(), actor=admin)
    db.session.commit()
    report = client.get(f"/api/v1/events/{slug}/report", headers=off).get_json()
    assert report["exhibitors"] == 1 and report["products"] == 1
    assert report["registrations"] == {"total": 1, "by_country": {"JP": 1}, "by_type": {"export": 1}}
    assert (report["rfqs"], report["quotes"], report["deals"], report["orders"]) == (1, 1, 1, 1)
    total = db.session.scalar(sa.select(Order.total_idr))
    assert report["value_idr"] == total
    from decimal import ROUND_HALF_UP, Decimal

    assert report["value_usd"] == float((Decimal(total) / 16000).quantize(Decimal("0.01"), ROUND_HALF_UP))
    assert client.get(f"/api/v1/events/{slug}/report", headers=seller).status_code == 403
    csv_text = client.get(f"/api/v1/events/{slug}/report?format=csv", headers=off).get_data(as_text=True)
    assert "deals,1" in csv_text and "registrations_JP,1" in csv_text


def test_event_price_applies_only_during_the_event(client, db, officer, make_event, make_store,
                                                   make_product, token_for, make_user):
    from datetime import timedelta

    from marketplace.timeutil import utcnow
    from promotions.services import curate, invite

    store = make_store()
    product = make_product(store=store, price_idr=50000, stock=10)
    now = utcnow()
    event = make_event("curation", starts_at=(now - timedelta(hours=1)).isoformat(),
                       ends_at=(now + timedelta(hours=5)).isoformat(), application_deadline="")
    invite(event, store, product_ids=[product.id], actor=officer)
    curate(event, [{"product_id": product.id, "event_price_idr": 42000, "featured": True}], actor=officer)
    db.session.commit()
    buyer = token_for(make_user())
    client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 1}, headers=buyer)
    # not yet published: the normal price
    assert client.get("/api/v1/cart", headers=buyer).get_json()["lines"][0]["unit_price_idr"] == 50000
    client.post(f"/api/v1/events/{event.slug}/transitions", json={"action": "publish"},
                headers=token_for(officer))
    assert client.get("/api/v1/cart", headers=buyer).get_json()["lines"][0]["unit_price_idr"] == 42000
    # the order remembers where the price came from
    placed = client.post("/api/v1/checkout", headers=buyer, json={
        "shipping_address": TOKYO, "payment_method": "bank_transfer"}).get_json()
    assert placed["orders"][0]["subtotal_idr"] == 42000
    assert db.session.scalar(sa.select(Order.source)) == f"event:{event.slug}"
    # searchable within the event
    found = client.get("/api/v1/search", query_string={"event": event.slug}).get_json()
    assert [i["id"] for i in found["items"]] == [product.id]


def test_curation_refuses_bad_values_with_field_errors(client, officer, make_event, make_store,
                                                       make_product, token_for, db):
    from promotions.services import invite

    store = make_store()
    product = make_product(store=store, price_idr=50000)
    event = make_event("curation")
    invite(event, store, product_ids=[product.id], actor=officer)
    db.session.commit()
    response = client.put(f"/api/v1/events/{event.slug}/products", headers=token_for(officer),
                          json={"items": [{"product_id": product.id, "position": "first"},
                                          {"product_id": product.id, "event_price_idr": 60000}]})
    assert response.status_code == 422  # a position that is not a number breaks the schema
    assert set(response.get_json()["error"]["fields"]) == {"items"}
    response = client.put(f"/api/v1/events/{event.slug}/products", headers=token_for(officer),
                          json={"items": [{"product_id": product.id, "position": 1},
                                          {"product_id": product.id, "event_price_idr": 60000}]})
    assert response.status_code == 422  # an event price above the normal price: the service
    assert set(response.get_json()["error"]["fields"]) == {"items.1.event_price_idr"}
