"""Couriers from the cart to the buyer's door: the cart API's shipping options, choosing a
courier service at checkout (page and API), free shipping, the seller's shipping settings,
shipping a parcel with its tracking number and the buyer's tracking link. Given / when /
then, asserting on what a person or an API client sees and on the orders stored."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from catalog.models import Product
from marketplace.notifications import Notification, render
from orders.models import Checkout, Order
from orders.shipping import plan_for, set_shipping
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)
from tests.orders.conftest import BANDAR_LAMPUNG, JAKARTA, buyer_client  # noqa: F401  (fixtures)
from tests.orders.test_pages import JAKARTA_FORM, add, count, place, text


def in_its_regency(store) -> dict:
    """An address in the store's own regency (the zone pickup serves)."""
    return {"name": "Wayan", "phone": "0812999000", "line1": "Jl. Pasar Kota Agung 3",
            "regency": store.regency_code, "province": store.province_code, "postal_code": "35384",
            "country": "ID"}


def choose(store, services, *, rates=None, free_from=None):
    from marketplace.extensions import db

    set_shipping(store, services=services, rates=rates or {}, free_shipping_min_idr=free_from,
                 actor=store.owner)
    db.session.commit()


def api_place(client, address=JAKARTA, **body):
    return client.post("/api/v1/checkout", json={"shipping_address": address,
                                                 "payment_method": "bank_transfer", **body})


def move(client, order_id, action, headers, **extra):
    return client.post(f"/api/v1/orders/{order_id}/transitions", json={"action": action, **extra},
                       headers=headers)


# --- the cart API -----------------------------------------------------------------------------

def test_the_cart_api_lists_each_store_services_for_the_destination(buyer_client, make_store, make_product):
    client, _ = buyer_client()
    store = make_store()
    choose(store, ["jne_reg", "jne_yes", "kurir_toko"], free_from=200_000)
    product = make_product(store=store, price_idr=40_000, weight_g=600, stock=9)
    client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 2})
    # before a destination: no options, and what free shipping still needs
    entry = client.get("/api/v1/cart").get_json()["stores"][0]
    assert entry["shipping_options"] == [] and entry["shipping_service"] is None
    assert entry["free_shipping"] == {"min_idr": 200_000, "missing_idr": 120_000, "reached": False}
    # when the destination is Jakarta (another island, 1.2 kg: two kilograms)
    entry = client.get("/api/v1/cart?country=ID&province=31&regency=31.71").get_json()["stores"][0]
    # then the services that go there, cheapest first, with their days; the cheapest is priced
    assert entry["shipping_options"] == [
        {"code": "jne_reg", "courier": "jne", "courier_name": "JNE", "service": "REG",
         "cost_idr": 65_000, "days_min": 3, "days_max": 6, "free": False},
        {"code": "jne_yes", "courier": "jne", "courier_name": "JNE", "service": "YES",
         "cost_idr": 105_000, "days_min": 1, "days_max": 2, "free": False}]
    assert entry["shipping_service"] == "jne_reg" and entry["shipping_idr"] == 65_000
    # and in the store's own province its courier goes too
    entry = client.get("/api/v1/cart?province=18&regency=18.71").get_json()["stores"][0]
    assert [o["code"] for o in entry["shipping_options"]] == ["kurir_toko", "jne_reg", "jne_yes"]


def test_a_store_that_chose_nothing_still_ships_with_the_defaults(buyer_client, make_product):
    client, _ = buyer_client()
    product = make_product(weight_g=600, stock=5, price_idr=10_000)
    client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 2})
    entry = client.get("/api/v1/cart?province=31&regency=31.71").get_json()["stores"][0]
    assert [o["code"] for o in entry["shipping_options"]] == ["jne_reg", "jnt_ez", "pos_kilat"]
    assert entry["shipping_idr"] == 65_000 and entry["free_shipping"] is None


# --- checkout through the API -----------------------------------------------------------------

def test_the_api_checkout_takes_a_courier_choice_per_store(buyer_client, make_store, make_product, db):
    client, _ = buyer_client()
    kopi, keripik = make_store(), make_store(regency_code="18.71")
    a = make_product(store=kopi, weight_g=600, stock=5, price_idr=10_000)
    b = make_product(store=keripik, weight_g=200, stock=5, price_idr=20_000)
    client.put(f"/api/v1/cart/items/{a.id}", json={"quantity": 2})
    client.put(f"/api/v1/cart/items/{b.id}", json={"quantity": 1})
    # when the buyer chooses J&T for one store and leaves the other to its cheapest
    response = api_place(client, shipping_choices={kopi.slug: "jnt_ez"})
    assert response.status_code == 201, response.get_json()
    orders = {o["store"]["slug"]: o for o in response.get_json()["orders"]}
    # then each order records its service, its cost and its estimate
    assert orders[kopi.slug]["shipping_idr"] == 42_000 + 26_000
    assert orders[kopi.slug]["shipping"] == {
        "courier": "jnt", "courier_name": "J&T Express", "service": "jnt_ez", "service_name": "EZ",
        "days_min": 3, "days_max": 5, "tracking_number": None, "tracking_url": None, "tracks": True}
    assert orders[keripik.slug]["shipping"]["service"] == "jne_reg"
    assert orders[keripik.slug]["shipping_idr"] == 40_000
    assert response.get_json()["total_idr"] == 20_000 + 68_000 + 20_000 + 40_000
    stored = db.session.scalars(sa.select(Order).where(Order.store_id == kopi.id)).one()
    assert (stored.shipping_service, stored.shipping_days_min, stored.shipping_days_max) == ("jnt_ez", 3, 5)


@pytest.mark.parametrize("choices, message", [
    # pickup is for buyers in the store's regency, not in Jakarta
    (lambda slug: {slug: "ambil_sendiri"}, "tidak menawarkan layanan itu"),
    # a store that is not in the cart
    (lambda slug: {"toko-lain": "jne_reg"}, "Toko ini tidak ada di keranjang."),
    # no such service at all (the schema's enum)
    (lambda slug: {slug: "dhl_express"}, "Pilih salah satu"),
])
def test_an_api_choice_the_store_does_not_offer_is_422_and_places_nothing(
        buyer_client, make_product, db, choices, message):
    client, _ = buyer_client()
    product = make_product(stock=5)
    client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 2})
    response = api_place(client, shipping_choices=choices(product.store.slug))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_fields" and set(error) == {"code", "message", "fields"}
    [(field, text_)] = error["fields"].items()
    assert field.startswith("shipping_choices.") and message in text_
    db.session.expire_all()
    assert count(db, Checkout) == 0 and db.session.get(Product, product.id).stock == 5
    # the cart is kept for another try
    assert client.get("/api/v1/cart").get_json()["lines"][0]["quantity"] == 2


def test_a_store_that_ships_nowhere_near_the_address_refuses_the_checkout(buyer_client, make_store,
                                                                          make_product, db):
    client, _ = buyer_client()
    store = make_store()
    choose(store, ["kurir_toko", "ambil_sendiri"])
    product = make_product(store=store, stock=5)
    client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 1})
    response = api_place(client)
    assert response.status_code == 422
    assert "tidak mengirim ke alamat ini" in response.get_json()["error"]["fields"][f"shipping_choices.{store.slug}"]
    assert count(db, Order) == 0
    # in its own regency it sells: pickup is free and preselected
    response = api_place(client, address=in_its_regency(store))
    assert response.status_code == 201
    order = response.get_json()["orders"][0]
    assert order["shipping"]["service"] == "ambil_sendiri" and order["shipping_idr"] == 0


# --- checkout page ----------------------------------------------------------------------------

def radio(page: str, slug: str, code: str) -> str:
    match = re.search(r'<input type="radio" name="ship-%s" value="%s"[^>]*>' % (re.escape(slug), code), page)
    assert match, f"no option {code} for {slug}"
    return match.group(0)


def test_the_checkout_page_offers_each_store_services_and_places_the_chosen_one(
        buyer_client, make_store, make_product, db):
    client, _ = buyer_client()
    store = make_store(name="Kopi Tanggamus Jaya")
    product = make_product(store=store, weight_g=600, stock=5, price_idr=10_000)
    add(client, product, 2)
    # when the buyer asks for the shipping to Jakarta
    page = text(client.post("/checkout", data={**JAKARTA_FORM, "payment_method": "bank_transfer",
                                                "calculate": "1"}))
    # then every default service is a radio button with its price and days, the cheapest checked
    assert "Kurir dari Kopi Tanggamus Jaya" in page
    assert "checked" in radio(page, store.slug, "jne_reg")
    assert "checked" not in radio(page, store.slug, "jnt_ez")
    assert "JNE REG" in page and "J&amp;T Express EZ" in page and "Pos Indonesia Kilat Khusus" in page
    assert "3–6 hari" in page and "Rp65.000" in page and "Rp68.000" in page and "Rp69.000" in page
    assert "Bayar Rp85.000" in page
    # when they choose J&T and press "Hitung ulang" (no JavaScript needed)
    page = text(client.post("/checkout", data={**JAKARTA_FORM, "payment_method": "bank_transfer",
                                                "calculate": "1", f"ship-{store.slug}": "jnt_ez"}))
    assert "checked" in radio(page, store.slug, "jnt_ez") and "Bayar Rp88.000" in page
    # and pay: the order ships with J&T at the price shown
    response = place(client, **{f"ship-{store.slug}": "jnt_ez"})
    assert response.status_code == 302
    order = db.session.scalars(sa.select(Order)).one()
    assert (order.shipping_service, order.shipping_idr, order.total_idr) == ("jnt_ez", 68_000, 88_000)
    done = text(client.get(response.headers["Location"]))
    assert "Pengiriman: J&amp;T Express EZ, perkiraan 3–5 hari." in done


def test_changing_the_courier_without_recomputing_shows_the_new_total_first(buyer_client, make_product, db):
    client, _ = buyer_client()
    product = make_product(weight_g=600, stock=5, price_idr=10_000)
    add(client, product, 2)
    preview = text(client.post("/checkout", data={**JAKARTA_FORM, "payment_method": "bank_transfer",
                                                   "calculate": "1"}))
    shown = re.search(r'name="shown_total" type="hidden" value="(\d+)"', preview).group(1)
    # the buyer ticks J&T and presses "Bayar" at once: the total shown was JNE's
    page = text(client.post("/checkout", data={**JAKARTA_FORM, "payment_method": "bank_transfer",
                                                "place": "1", "shown_total": shown,
                                                f"ship-{product.store.slug}": "jnt_ez"}))
    assert count(db, Checkout) == 0
    assert "Total dengan ongkos kirim: Rp88.000" in page
    assert "checked" in radio(page, product.store.slug, "jnt_ez")


def test_a_service_not_offered_for_the_address_is_a_form_error_at_that_store(buyer_client, make_store,
                                                                             make_product, db):
    client, _ = buyer_client()
    store = make_store()
    choose(store, ["jne_reg", "kurir_toko"])
    product = make_product(store=store, stock=5)
    add(client, product, 1)
    # the buyer chose the store's own courier for Bandar Lampung, then changed the address to
    # Jakarta and pressed "Bayar"
    response = place(client, **{f"ship-{store.slug}": "kurir_toko"})
    assert response.status_code == 200
    page = text(response)
    box = re.search(r'<fieldset class="ship-options has-error" id="ship-%s">.*?</fieldset>' % store.slug,
                    page, re.S)
    assert box and "tidak menawarkan layanan itu ke alamat ini" in box.group(0)
    assert count(db, Checkout) == 0
    # the services that do go there are offered, the cheapest checked
    assert "checked" in radio(page, store.slug, "jne_reg")
    assert f'name="ship-{store.slug}" value="kurir_toko"' not in page


# --- free shipping ----------------------------------------------------------------------------

def test_free_shipping_from_the_store_threshold_in_the_cart_and_at_checkout(buyer_client, make_store,
                                                                            make_product, db):
    client, _ = buyer_client()
    store = make_store()
    choose(store, ["jne_reg", "jnt_ez"], free_from=100_000)
    product = make_product(store=store, price_idr=30_000, weight_g=500, stock=10)
    # under the threshold the cart says how much more it takes
    add(client, product, 2)
    cart = text(client.get("/keranjang"))
    assert "Belanja Rp40.000 lagi di toko ini untuk gratis ongkir (minimal Rp100.000)." in cart
    # at the threshold the cart says shipping is free
    client.post("/keranjang/ubah", data={"product_id": product.id, "quantity": 4})
    assert "Gratis ongkir dari toko ini" in text(client.get("/keranjang"))
    # and the checkout charges no shipping for that store
    page = text(client.post("/checkout", data={**JAKARTA_FORM, "payment_method": "bank_transfer",
                                                "calculate": "1"}))
    assert "Gratis ongkir" in page and "Bayar Rp120.000" in page
    assert place(client).status_code == 302
    order = db.session.scalars(sa.select(Order)).one()
    # every service is free then, so the quickest is preselected
    assert order.shipping_idr == 0 and order.total_idr == 120_000 and order.shipping_service == "jnt_ez"


# --- the seller's settings --------------------------------------------------------------------

def test_the_seller_chooses_couriers_own_rates_and_free_shipping(app, make_product, buyer_client, login, db):
    product = make_product(weight_g=1500, stock=10, price_idr=10_000)
    store = product.store
    seller = app.test_client()
    login(seller, store.owner)
    # given a store that never chose: the defaults are ticked and the market rates shown
    page = text(seller.get("/jual/ongkir"))
    assert "belum memilih kurir" in page
    for code in ("jne_reg", "jnt_ez", "pos_kilat", "pos_ems"):
        assert re.search(r'<input checked id="svc_%s"' % code, page), code
    assert re.search(r'<input id="svc_sicepat_reg"', page)
    assert "Kurir toko" in page and "Ambil sendiri" in page and "AnterAja" in page
    assert 'placeholder="40000"' in page and "Tarif pasar Rp40.000 + Rp25.000/kg" in page
    # choosing nothing is refused, and so is a negative rate (under its zone)
    response = seller.post("/jual/ongkir", data={"free_shipping_min": ""})
    assert "Pilih minimal satu layanan pengiriman." in text(response)
    response = seller.post("/jual/ongkir", data={"svc_jne_reg": "y", "first_jne_reg_same_island": "-1"})
    assert "Tarif harus bilangan bulat rupiah, 0 atau lebih." in text(response)
    assert not plan_for(store).chosen                        # nothing kept
    db.session.rollback()
    # when the seller keeps JNE REG (cheaper to other islands), adds its own courier and free
    # shipping from Rp200.000
    response = seller.post("/jual/ongkir", data={
        "svc_jne_reg": "y", "svc_kurir_toko": "y", "first_jne_reg_other_island": "30.000",
        "next_jne_reg_other_island": "7.000", "free_shipping_min": "Rp200.000"})
    assert response.headers["Location"] == "/jual/ongkir"
    page = text(seller.get("/jual/ongkir"))
    assert "Pengaturan pengiriman tersimpan." in page
    assert 'value="30000"' in page and 'value="200000"' in page
    assert page.count('<details class="own-rates" open>') == 1       # JNE REG's own rates, shown
    assert re.search(r'<input checked id="svc_kurir_toko"', page) and re.search(r'<input id="svc_jnt_ez"', page)
    # then a buyer in Jakarta pays 30.000 + 7.000 for 1.5 kg, with JNE REG the only service there
    client, _ = buyer_client()
    add(client, product, 1)
    page = text(client.post("/checkout", data={**JAKARTA_FORM, "payment_method": "bank_transfer",
                                                "calculate": "1"}))
    assert "Rp37.000" in page and f'name="ship-{store.slug}" value="jnt_ez"' not in page
    assert "Belanja Rp190.000 lagi di toko ini untuk gratis ongkir." in page
    assert place(client).status_code == 302
    order = db.session.scalars(sa.select(Order)).one()
    assert order.shipping_idr == 37_000 and order.shipping_service == "jne_reg"


# --- shipping the parcel ----------------------------------------------------------------------

@pytest.fixture
def paid_order(buyer_client, make_store, make_product, token_for, finance):
    """paid_order(address, choices, services) -> (buyer client, seller headers, order id): an
    order paid by transfer and accepted by the seller; `address` may be a function of the store."""

    def make(address=JAKARTA, choices=None, services=None):
        client, _ = buyer_client()
        store = make_store()
        if services:
            choose(store, services)
        product = make_product(store=store, stock=5)
        client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 1})
        response = api_place(client, address=address(store) if callable(address) else address,
                             shipping_choices=choices or {})
        assert response.status_code == 201, response.get_json()
        order_id = response.get_json()["orders"][0]["id"]
        seller = token_for(store.owner)
        assert move(client, order_id, "confirm_transfer", finance).status_code == 200
        assert move(client, order_id, "accept", seller).status_code == 200
        return client, seller, order_id

    return make


def test_shipping_with_the_buyer_courier_gives_the_buyer_a_tracking_link(paid_order, app, db):
    client, seller, order_id = paid_order()
    # the buyer's page has no ship form
    assert 'name="tracking_number"' not in text(client.get(f"/pesanan/{order_id}"))
    # when the seller ships with only a tracking number (odd characters in it)
    response = move(client, order_id, "ship", seller, tracking_number="JNE/12&3 <b>")
    assert response.status_code == 200, response.get_json()
    shipping = response.get_json()["shipping"]
    link = "https://www.jne.co.id/tracking-package?awb=JNE%2F12%263%20%3Cb%3E"
    assert shipping["courier"] == "jne" and shipping["tracking_url"] == link
    assert response.get_json()["courier"] == "JNE"
    # then the buyer's order page shows the courier and links to the courier's own page,
    # the number escaped, opening the courier's site
    page = text(client.get(f"/pesanan/{order_id}"))
    assert '<dd class="courier">JNE</dd>' in page and "JNE/12&amp;3 &lt;b&gt;" in page
    assert re.search(r'<a class="track-link" href="%s" target="_blank" rel="noopener">Lacak paket di situs JNE</a>'
                     % re.escape(link.replace("&", "&amp;")), page)
    assert "JNE REG" in page and "perkiraan 3–6 hari" in page
    # and the buyer's notification names the courier and the tracking page
    note = db.session.scalars(sa.select(Notification).where(Notification.kind == "order_shipped_tracked")).one()
    with app.test_request_context():
        assert render(note) == (f"Pesanan #{order_id} dikirim dengan JNE, resi JNE/12&3 <b>. "
                                f"Lacak paketnya di {link}")
    notes = text(client.get("/notifikasi"))
    assert "Lacak paketnya di https://www.jne.co.id/tracking-package?awb=JNE%2F12%263%20%3Cb%3E" in notes


def test_the_seller_may_ship_with_another_known_courier_but_not_an_unknown_one(paid_order, db):
    client, seller, order_id = paid_order()
    unknown = move(client, order_id, "ship", seller, courier="DHL", tracking_number="1")
    assert unknown.status_code == 422 and "Kurir tidak dikenal" in unknown.get_json()["error"]["fields"]["courier"]
    # the store's own courier does not go to Jakarta
    far = move(client, order_id, "ship", seller, courier="kurir_toko")
    assert far.status_code == 422 and "tidak mengirim ke alamat pesanan ini" in far.get_json()["error"]["fields"]["courier"]
    assert db.session.get(Order, order_id).status == "accepted"
    # a typed name is mapped to its courier
    shipped = move(client, order_id, "ship", seller, courier="J&T", tracking_number="JP0012")
    assert shipped.status_code == 200
    assert shipped.get_json()["shipping"]["courier"] == "jnt"
    assert shipped.get_json()["shipping"]["tracking_url"] == "https://www.jet.co.id/track?awb=JP0012"
    assert shipped.get_json()["shipping"]["service"] == "jne_reg"   # what the buyer chose stays


def test_own_delivery_and_pickup_need_no_tracking_number(paid_order, db, app):
    client, seller, order_id = paid_order(address=BANDAR_LAMPUNG, services=["jne_reg", "kurir_toko"])
    assert db.session.get(Order, order_id).shipping_service == "kurir_toko"   # the cheapest here
    shipped = move(client, order_id, "ship", seller)
    assert shipped.status_code == 200, shipped.get_json()
    assert shipped.get_json()["shipping"]["tracking_url"] is None
    assert shipped.get_json()["shipping"]["tracks"] is False
    page = text(client.get(f"/pesanan/{order_id}"))
    assert '<dd class="courier">Kurir toko</dd>' in page and "track-link" not in page
    assert db.session.scalars(sa.select(Notification.kind).where(
        Notification.kind.like("order_shipped%"))).all() == ["order_shipped_own"]
    # pickup in the store's regency: "ship" tells the buyer it is ready to collect
    client, seller, order_id = paid_order(address=in_its_regency, services=["ambil_sendiri", "jne_reg"])
    assert move(client, order_id, "ship", seller).status_code == 200
    assert "Ambil sendiri di toko" in text(client.get(f"/pesanan/{order_id}"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.kind == "order_ready_pickup")) == 1


def test_the_ship_form_offers_the_couriers_for_the_zone_with_the_buyer_choice_first(
        paid_order, app, login, db):
    client, seller_headers, order_id = paid_order(choices=None)
    order = db.session.get(Order, order_id)
    seller = app.test_client()
    login(seller, order.store.owner)
    page = text(seller.get(f"/pesanan/{order_id}"))
    select = re.search(r'<select[^>]*name="courier".*?</select>', page, re.S).group(0)
    assert re.findall(r'value="([a-z_]+)"', select) == ["jne", "jnt", "sicepat", "anteraja", "pos"]
    assert '<option selected value="jne">JNE</option>' in select
    assert "Pembeli memilih JNE REG." in page
    # shipping through the page without a number: told so under the field
    response = seller.post(f"/pesanan/{order_id}/aksi", data={"action": "ship", "courier": "pos",
                                                             "tracking_number": ""})
    assert response.status_code == 200 and "Isi nomor resi." in text(response)
    assert '<option selected value="pos">Pos Indonesia</option>' in text(response)
    response = seller.post(f"/pesanan/{order_id}/aksi", data={"action": "ship", "courier": "pos",
                                                             "tracking_number": "P2412000123"})
    assert response.status_code == 302
    db.session.expire_all()
    shipped = db.session.get(Order, order_id)
    assert (shipped.status, shipped.courier, shipped.tracking_number) == ("shipped", "pos", "P2412000123")
    page = text(client.get(f"/pesanan/{order_id}"))
    assert 'href="https://www.posindonesia.co.id/id/tracking/P2412000123"' in page
