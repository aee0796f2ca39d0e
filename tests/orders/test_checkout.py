"""Cart and checkout through the API: many stores in one cart, server-side totals, stock."""
import sqlalchemy as sa

from catalog.models import Product
from orders.models import Checkout, Order
from tests.orders.conftest import JAKARTA, TOKYO


def put(client, product_id, quantity):
    return client.put(f"/api/v1/cart/items/{product_id}", json={"quantity": quantity})


def test_guest_cart_applies_tiers_and_checks_stock_and_moq(client, make_product):
    product = make_product(price_idr=25000, stock=30, min_order_qty=2,
                           wholesale_tiers=[{"min_qty": 10, "unit_price_idr": 22000}])
    # below the minimum order
    response = put(client, product.id, 1)
    assert response.status_code == 422
    assert "quantity" in response.get_json()["error"]["fields"]
    # within it: list price
    cart = put(client, product.id, 2).get_json()
    assert cart["lines"][0]["unit_price_idr"] == 25000 and cart["total_idr"] == 50000
    # into the wholesale tier: the unit price drops
    cart = put(client, product.id, 10).get_json()
    assert cart["lines"][0]["unit_price_idr"] == 22000 and cart["lines"][0]["line_total_idr"] == 220000
    # more than the stock
    response = put(client, product.id, 31)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "out_of_stock"
    assert client.get("/api/v1/cart").get_json()["lines"][0]["quantity"] == 10


def test_guest_cart_merges_into_the_account_at_login(app, make_product, make_user, login):
    product = make_product()
    buyer = make_user()
    client = app.test_client()
    put(client, product.id, 3)
    login(client, buyer)
    cart = client.get("/api/v1/cart").get_json()
    assert [(l["product"]["id"], l["quantity"]) for l in cart["lines"]] == [(product.id, 3)]
    # it is the account's cart now: another browser sees it too
    other = app.test_client()
    login(other, buyer)
    assert other.get("/api/v1/cart").get_json()["lines"][0]["quantity"] == 3


def test_three_stores_become_three_orders_paid_once(buyer_client, make_store, make_product, db):
    client, buyer = buyer_client()
    stores = [make_store(regency_code=code) for code in ("18.71", "18.02", "18.13")]
    products = [make_product(store=s, price_idr=10000 * (i + 1), weight_g=600, stock=5)
                for i, s in enumerate(stores)]
    for p in products:
        assert put(client, p.id, 2).status_code == 200
    # when the buyer checks out to Jakarta by bank transfer
    response = client.post("/api/v1/checkout", json={"shipping_address": JAKARTA,
                                                     "payment_method": "bank_transfer"})
    # then one checkout holds three store orders, totals computed on the server
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert len(body["orders"]) == 3
    # and one payment for all three, to the marketplace's account, told apart by its unique code
    payment = body["payment"]
    assert 1 <= payment["unique_code"] <= 999
    assert payment == {"method": "bank_transfer", "status": "pending",
                       "amount_idr": body["total_idr"] + payment["unique_code"],
                       "unique_code": payment["unique_code"], "expires_at": body["expires_at"],
                       "bank_accounts": [{"bank": "Bank Central Asia (BCA)", "bank_code": "014",
                                          "number": "8090112233", "holder": "PT Pasar UMKM Lampung"}]}
    for order, product in zip(sorted(body["orders"], key=lambda o: o["subtotal_idr"]), products):
        assert order["subtotal_idr"] == product.price_idr * 2
        # 1.2 kg from Sumatra to Java: other island, 2 started kilos at the default rate
        assert order["shipping_idr"] == 40000 + 25000
        assert order["total_idr"] == order["subtotal_idr"] + order["shipping_idr"]
        assert order["status"] == "pending_payment"
        assert order["history"][0]["status"] == "pending_payment"
    assert body["total_idr"] == sum(o["total_idr"] for o in body["orders"])
    # stock is reserved, and the cart is empty
    db.session.expire_all()
    assert [db.session.get(Product, p.id).stock for p in products] == [3, 3, 3]
    assert client.get("/api/v1/cart").get_json()["lines"] == []
    # each seller sees their own order only
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 3


def test_out_of_stock_checkout_leaves_nothing_behind(buyer_client, make_product, db):
    client, _buyer = buyer_client()
    plenty, scarce = make_product(stock=10), make_product(stock=2)
    put(client, plenty.id, 3)
    put(client, scarce.id, 2)
    # someone else buys the last units meanwhile
    db.session.get(Product, scarce.id).stock = 1
    db.session.commit()
    response = client.post("/api/v1/checkout", json={"shipping_address": JAKARTA,
                                                     "payment_method": "bank_transfer"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "out_of_stock"
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Checkout)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0
    assert db.session.get(Product, plenty.id).stock == 10       # no reservation kept
    assert len(client.get("/api/v1/cart").get_json()["lines"]) == 2


def test_invalid_address_gets_field_errors(buyer_client, make_product):
    client, _ = buyer_client()
    put(client, make_product().id, 1)
    # A body that breaks its schema is refused with every field the schema names ...
    response = client.post("/api/v1/checkout", json={
        "shipping_address": {"name": "", "country": "ID", "province": "18", "regency": "31.71",
                             "postal_code": "12"}, "payment_method": "bank_transfer"})
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert {"shipping_address.name", "shipping_address.phone",
            "shipping_address.line1"} <= set(fields)
    # ... and a well-formed one with the rules only the address service knows (a regency of
    # another province, an Indonesian postal code of 5 digits).
    response = client.post("/api/v1/checkout", json={
        "shipping_address": {"name": "Ani", "phone": "081234567890", "line1": "Jl. Kartini 1",
                             "country": "ID", "province": "18", "regency": "31.71",
                             "postal_code": "12"}, "payment_method": "bank_transfer"})
    assert response.status_code == 422
    assert {"shipping_address.regency", "shipping_address.postal_code"} <= set(
        response.get_json()["error"]["fields"])


def test_export_buyer_ships_abroad_at_the_international_rate(buyer_client, make_product):
    client, _ = buyer_client()
    product = make_product(weight_g=2500, price_idr=100000, stock=10)
    put(client, product.id, 1)
    cart = client.get("/api/v1/cart", query_string={"country": "JP"}).get_json()
    assert cart["stores"][0]["zone"] == "international"
    assert cart["stores"][0]["shipping_idr"] == 250000 + 2 * 120000
    response = client.post("/api/v1/checkout", json={"shipping_address": TOKYO,
                                                     "payment_method": "bank_transfer"})
    assert response.status_code == 201
    assert response.get_json()["orders"][0]["shipping_address"]["country"] == "JP"


def test_checkout_needs_login_and_a_cart(client, buyer_client):
    assert client.post("/api/v1/checkout", json={}).status_code == 401
    logged_in, _ = buyer_client()
    response = logged_in.post("/api/v1/checkout", json={"shipping_address": JAKARTA,
                                                        "payment_method": "bank_transfer"})
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "empty_cart"


def test_same_idempotency_key_places_once(buyer_client, make_product, db):
    client, _ = buyer_client()
    put(client, make_product(stock=5).id, 1)
    payload = {"shipping_address": JAKARTA, "payment_method": "bank_transfer"}
    first = client.post("/api/v1/checkout", json=payload, headers={"Idempotency-Key": "k-1"})
    again = client.post("/api/v1/checkout", json=payload, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Checkout)) == 1


def test_checkout_input_reports_the_address_and_the_payment_method_together(app, db):
    import pytest

    from marketplace.errors import ValidationError
    from orders.checkout import checkout_input

    bad_region = {**JAKARTA, "province": "18"}  # Jakarta's regency is not in Lampung
    with pytest.raises(ValidationError) as caught:
        checkout_input(bad_region, "cash")
    assert {"shipping_address.regency", "payment_method"} <= set(caught.value.fields)
    with pytest.raises(ValidationError) as caught:
        checkout_input(JAKARTA, "cash")
    assert set(caught.value.fields) == {"payment_method"}
    assert checkout_input(JAKARTA, "bank_transfer")["regency"] == "31.71"


def test_place_checkout_takes_quantities_and_leaves_the_cart_to_its_caller(app, db, make_user,
                                                                        make_product):
    """An accepted quote or a bench passes quantities of its own: the buyer's cart is untouched
    until the caller empties it, and the address is not cleaned a second time."""
    from catalog.addresses import clean_address
    from orders.cart import UserBag
    from orders.checkout import place_checkout

    buyer, in_cart, bought = make_user(), make_product(stock=5), make_product(stock=5, price_idr=40000)
    UserBag(buyer).put(in_cart.id, 2)
    placed = place_checkout(buyer, {bought.id: 3}, clean_address(JAKARTA),
                            payment_method="bank_transfer")
    assert [(line.product_id, line.quantity) for line in placed.orders[0].lines] == [(bought.id, 3)]
    assert placed.orders[0].subtotal_idr == 120000
    assert UserBag(buyer).quantities() == {in_cart.id: 2}
    assert db.session.scalar(sa.select(Product.stock).where(Product.id == bought.id)) == 2
