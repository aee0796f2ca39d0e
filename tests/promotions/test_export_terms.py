"""Export terms (issue 12): an RFQ's Incoterm drives its quote and the order made from it, and a
quote may be made to order beyond today's stock. Through the API (with the OpenAPI contract
checked on every answer) and through the seller's and the buyer's pages."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from catalog.models import Product
from marketplace.money.rates import today_wib
from orders.models import Order
from promotions.models import Quote
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)
from tests.conftest import confirm_transfer_of
from tests.marketplace.test_openapi import OPENAPI_URL, Contract
from tests.orders.conftest import TOKYO
from tests.promotions.test_pages import TOKYO_FORM, field_error, text

VALID = (date.today() + timedelta(days=14)).isoformat()
NEEDED = (date.today() + timedelta(days=60)).isoformat()


@pytest.fixture
def trade(app, client, make_user, make_product, token_for):
    """A seller's 250 g coffee (500 in stock) and a buyer; `rfq(incoterm, quantity)` -> its id."""
    product = make_product(title="Kopi Robusta Tanggamus", price_idr=80000, stock=500, weight_g=250)
    buyer_user = make_user(name="Yamada")
    parties = {"product": product, "buyer_user": buyer_user, "seller_user": product.store.owner,
               "buyer": token_for(buyer_user), "seller": token_for(product.store.owner),
               "contract": Contract(app, client.get(OPENAPI_URL).get_json())}

    def rfq(incoterm, quantity=200):
        made = client.post("/api/v1/rfqs", headers=parties["buyer"], json={
            "product_id": product.id, "quantity": quantity, "destination_country": "JP",
            "incoterm": incoterm, "needed_by": NEEDED})
        assert made.status_code == 201, made.get_json()
        return made.get_json()["id"]

    parties["rfq"] = rfq
    return parties


def quote(client, t, rfq_id, **terms):
    body = {"unit_price_idr": 72000, "min_qty": 100, "lead_time_days": 21, "valid_until": VALID, **terms}
    return t["contract"].call(client, "post", f"/api/v1/rfqs/{rfq_id}/quotes", json=body,
                              headers=t["seller"])


def accept(client, t, quote_id):
    return t["contract"].call(client, "post", f"/api/v1/quotes/{quote_id}/accept", headers=t["buyer"],
                              json={"shipping_address": TOKYO, "payment_method": "bank_transfer"})


@pytest.mark.parametrize("incoterm, terms, shipping, label", [
    ("EXW", {}, 0, "EXW"),
    ("FCA", {"port": "Bandar Lampung"}, 0, "FCA Bandar Lampung"),
    ("FOB", {"port": "Panjang"}, 0, "FOB Panjang"),
    ("CFR", {"port": "Tokyo", "freight_idr": 3_900_000}, 3_900_000, "CFR Tokyo"),
    ("CIF", {"port": "Rotterdam", "freight_idr": 4_500_000}, 4_500_000, "CIF Rotterdam"),
    ("CPT", {"freight_idr": 5_000_000}, 5_000_000, "CPT"),
    ("DAP", {"port": "Yokohama", "freight_idr": 5_200_000}, 5_200_000, "DAP Yokohama"),
    ("DDP", {"freight_idr": 7_000_000}, 7_000_000, "DDP"),
])
def test_each_incoterm_sets_the_orders_shipping_and_terms(client, db, trade, incoterm, terms, shipping,
                                                          label):
    # given an RFQ for 200 packs on this Incoterm (parcel shipping to Tokyo would be Rp6.130.000)
    # when the seller quotes it with what the term needs and the buyer accepts
    made = quote(client, trade, trade["rfq"](incoterm), **terms)
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert (body["incoterm"], body["port"], body["freight_idr"], body["made_to_order"]) == (
        incoterm, terms.get("port"), terms.get("freight_idr", 0), False)
    accepted = accept(client, trade, body["id"])
    assert accepted.status_code == 201, accepted.get_json()
    order = accepted.get_json()["orders"][0]
    # then the order charges the freight line, never parcel shipping (none for EXW, FCA, FOB)
    assert order["shipping_idr"] == shipping
    assert order["total_idr"] == 72000 * 200 + shipping == accepted.get_json()["total_idr"]
    assert order["trade_terms"] == {
        "incoterm": incoterm, "port": terms.get("port"), "label": label, "freight_idr": shipping,
        "freight_included": False,
        "made_to_order": False, "lead_time_days": 21,
        "ready_by": (today_wib() + timedelta(days=21)).isoformat()}
    # and the in-stock quote reserved its 200 units, as any checkout does
    db.session.expire_all()
    assert db.session.get(Product, trade["product"].id).stock == 300
    # the seller's order answer says the same
    seen = trade["contract"].call(client, "get", f"/api/v1/orders/{order['id']}", headers=trade["seller"])
    assert seen.get_json()["trade_terms"]["label"] == label


def test_an_fob_quote_no_longer_adds_parcel_shipping(client, db, trade):
    # given the reproduction: an FOB Panjang quote for 200 packs of 250 g to a buyer in Tokyo
    made = quote(client, trade, trade["rfq"]("FOB"), port="Panjang").get_json()
    # when the buyer accepts it
    order = accept(client, trade, made["id"]).get_json()["orders"][0]
    # then the order is the goods alone: not the Rp6.130.000 parcel rate to Tokyo on top
    assert (order["subtotal_idr"], order["shipping_idr"], order["total_idr"]) == (14_400_000, 0, 14_400_000)
    assert db.session.scalar(sa.select(Order.shipping_idr)) == 0


def test_a_made_to_order_quote_goes_beyond_stock_into_production_then_ships(client, db, trade, finance):
    # given an RFQ for 2,000 packs while 500 are in stock
    rfq_id = trade["rfq"]("FOB", quantity=2000)
    # when the seller quotes it made to order, ready in 45 days, and the buyer accepts
    made = quote(client, trade, rfq_id, port="Tanjung Priok", made_to_order=True, lead_time_days=45)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["made_to_order"] is True
    order = accept(client, trade, made.get_json()["id"]).get_json()["orders"][0]
    # then no stock is taken for goods that do not exist yet
    db.session.expire_all()
    product = db.session.get(Product, trade["product"].id)
    assert (product.stock, product.sold_count) == (500, 0)
    assert order["status"] == "pending_payment" and order["trade_terms"]["made_to_order"] is True
    assert order["trade_terms"]["ready_by"] == (today_wib() + timedelta(days=45)).isoformat()
    # when finance confirms the transfer, the order waits in production
    c, seller = trade["contract"], trade["seller"]
    paid = c.call(client, "post", f"/api/v1/orders/{order['id']}/transitions", headers=finance,
                  json={"action": "confirm_transfer"}).get_json()
    assert (paid["status"], paid["status_label"]) == ("in_production", "Diproduksi")
    assert [h["status"] for h in paid["history"]] == ["pending_payment", "paid", "in_production"]
    assert paid["allowed_actions"] == []                  # finance moves no order
    seen = c.call(client, "get", f"/api/v1/orders/{order['id']}", headers=seller).get_json()
    assert seen["allowed_actions"] == ["ship", "cancel"]
    # the buyer can no longer cancel it
    refused = c.call(client, "post", f"/api/v1/orders/{order['id']}/transitions", headers=trade["buyer"],
                     json={"action": "cancel"})
    assert refused.status_code == 403
    # and the seller ships it when it is ready
    shipped = c.call(client, "post", f"/api/v1/orders/{order['id']}/transitions", headers=seller,
                     json={"action": "ship", "courier": "Meratus Line", "tracking_number": "MRT-0001"})
    assert shipped.get_json()["status"] == "shipped"
    db.session.expire_all()
    assert db.session.get(Product, trade["product"].id).stock == 500


@pytest.mark.parametrize("incoterm, terms, field, message", [
    ("FOB", {"port": ""}, "port", "Dengan FOB, isi pelabuhan muat (mis. Panjang, Tanjung Priok)."),
    ("CIF", {"port": None, "freight_idr": 1_000_000}, "port",
     "Dengan CIF, isi pelabuhan tujuan (mis. Rotterdam, Tokyo)."),
    ("CIF", {"port": "Rotterdam", "freight_idr": None}, "freight_idr",
     "Dengan CIF penjual menanggung pengangkutan: isi ongkos angkut dalam rupiah (lebih dari 0)."),
    ("DAP", {"freight_idr": 0}, "freight_idr",
     "Dengan DAP penjual menanggung pengangkutan: isi ongkos angkut dalam rupiah (lebih dari 0)."),
    ("EXW", {"freight_idr": 500_000}, "freight_idr",
     "Dengan EXW pembeli menanggung pengangkutan: kosongkan ongkos angkut."),
    ("EXW", {"made_to_order": True, "lead_time_days": 0}, "lead_time_days",
     "Barang yang dibuat sesuai pesanan perlu waktu produksi minimal 1 hari."),
])
def test_a_quote_missing_what_its_term_needs_is_refused(client, db, trade, incoterm, terms, field, message):
    # when the seller quotes without what the Incoterm (or made to order) needs
    refused = quote(client, trade, trade["rfq"](incoterm), **terms)
    # then 422 in the API's error shape, the message under the field, and no quote is kept
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "invalid_fields" and error["fields"] == {field: message}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Quote)) == 0


@pytest.mark.parametrize("incoterm", ["FOB", "CIF", "DDP"])
def test_the_documented_quote_body_alone_is_a_whole_quote(app, client, db, trade, pages, incoterm):
    # given an RFQ for 200 packs, and a program that sends only the four keys API.md documents
    rfq_id = trade["rfq"](incoterm)
    made = quote(client, trade, rfq_id)
    # then the quote is made: the port to be agreed, and no freight line on top of the unit price
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert (body["port"], body["freight_idr"]) == (None, 0)
    # and the order charges 200 x Rp72.000 and nothing more, saying why
    order = accept(client, trade, body["id"]).get_json()["orders"][0]
    assert (order["shipping_idr"], order["total_idr"]) == (0, 200 * 72000)
    freight_term = incoterm != "FOB"
    assert order["trade_terms"]["label"] == incoterm
    assert order["trade_terms"]["freight_included"] is freight_term
    buyer, _ = pages
    page = text(buyer.get(f"/pesanan/{order['id']}"))
    assert ("termasuk dalam harga satuan" in page) is freight_term
    assert ("tidak ada: pengangkutan ditanggung pembeli" in page) is not freight_term


def test_a_quote_beyond_stock_needs_made_to_order_in_either_language(client, db, trade):
    # given an RFQ for 600 packs while 500 are in stock
    rfq_id = trade["rfq"]("FOB", quantity=600)
    # when the seller quotes it as an in-stock quote
    refused = quote(client, trade, rfq_id, port="Panjang")
    # then it is refused, saying how to offer it
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {"made_to_order": (
        "Stok tersedia 500 pcs, kurang dari 600 pcs yang ditawarkan. Tandai “dibuat sesuai pesanan” "
        "dengan waktu produksinya, atau tawarkan paling banyak sejumlah stok.")}
    english = trade["contract"].call(
        client, "post", f"/api/v1/rfqs/{rfq_id}/quotes", headers={**trade["seller"], "Accept-Language": "en"},
        json={"unit_price_idr": 72000, "min_qty": 100, "lead_time_days": 21, "valid_until": VALID,
              "port": "Panjang"})
    assert english.get_json()["error"]["fields"]["made_to_order"] == (
        "Only 500 pcs in stock, fewer than the 600 pcs quoted. Tick “made to order” with its "
        "production time, or quote no more than the stock.")
    # and a minimum above the stock counts too
    assert quote(client, trade, trade["rfq"]("FOB", quantity=10), port="Panjang",
                 min_qty=501).status_code == 422


# --- the pages ----------------------------------------------------------------------------------

@pytest.fixture
def pages(app, login, trade):
    buyer, seller = app.test_client(), app.test_client()
    login(buyer, trade["buyer_user"])
    login(seller, trade["seller_user"])
    return buyer, seller


def test_the_seller_quote_form_asks_what_the_term_needs(client, db, trade, pages):
    _, seller = pages
    # given an FOB and a CIF request
    fob, cif = trade["rfq"]("FOB"), trade["rfq"]("CIF")
    # then the FOB form asks for the port of loading, suggesting Indonesian ports, and no freight
    page = text(seller.get(f"/rfq/{fob}"))
    assert re.search(r'<label for="port">Pelabuhan muat</label> <span class="req"', page)
    assert 'list="export-ports"' in page and '<option value="Panjang">Panjang (Bandar Lampung)</option>' in page
    assert 'id="freight_idr"' not in page
    assert "Dengan FOB pembeli menanggung pengangkutan: pesanan tidak memuat ongkos kirim." in page
    assert 'id="made_to_order"' in page and "Stok saat ini 500 pcs." in page
    # and the CIF form the port of destination and the freight line with insurance
    page = text(seller.get(f"/rfq/{cif}"))
    assert re.search(r'<label for="port">Pelabuhan tujuan</label> <span class="req"', page)
    assert re.search(r'<label for="freight_idr">Ongkos angkut dan asuransi \(Rp\)</label>', page)
    assert 'list="export-ports"' not in page


def test_the_quote_form_shows_the_services_refusals_under_its_fields(client, db, trade, pages):
    _, seller = pages
    rfq_id = trade["rfq"]("CIF", quantity=900)
    # when the seller sends a CIF quote without port or freight, for more than the stock
    page = text(seller.post(f"/rfq/{rfq_id}/penawaran", data={
        "unit_price_idr": "72.000", "min_qty": "100", "lead_time_days": "0", "valid_until": VALID}))
    # then each message stands under its field and nothing is kept
    assert field_error(page, "port") == "Dengan CIF, isi pelabuhan tujuan (mis. Rotterdam, Tokyo)."
    assert field_error(page, "freight_idr").startswith("Dengan CIF penjual menanggung pengangkutan")
    assert field_error(page, "made_to_order").startswith("Stok tersedia 500 pcs, kurang dari 900 pcs")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Quote)) == 0
    # when made to order without a production time
    page = text(seller.post(f"/rfq/{rfq_id}/penawaran", data={
        "unit_price_idr": "72.000", "min_qty": "100", "lead_time_days": "0", "valid_until": VALID,
        "port": "Rotterdam", "freight_idr": "6.130.000", "made_to_order": "y"}))
    assert field_error(page, "lead_time_days") == "Barang yang dibuat sesuai pesanan perlu waktu produksi minimal 1 hari."
    # and with one it is sent, the freight read in rupiah
    sent = seller.post(f"/rfq/{rfq_id}/penawaran", data={
        "unit_price_idr": "72.000", "min_qty": "100", "lead_time_days": "30", "valid_until": VALID,
        "port": "Rotterdam", "freight_idr": "6.130.000", "made_to_order": "y"})
    assert sent.status_code == 302
    made = db.session.scalar(sa.select(Quote))
    assert (made.port, made.freight_idr, made.made_to_order, made.lead_time_days) == (
        "Rotterdam", 6_130_000, True, 30)


def test_the_buyer_sees_the_terms_before_accepting_and_on_the_order(client, db, trade, pages):
    buyer, seller = pages
    # given a CIF Rotterdam quote, made to order, for 900 packs while 500 are in stock
    rfq_id = trade["rfq"]("CIF", quantity=900)
    made = quote(client, trade, rfq_id, port="Rotterdam", freight_idr=6_130_000, made_to_order=True,
                 lead_time_days=30).get_json()
    ready = today_wib() + timedelta(days=30)
    # then the buyer's RFQ page states the terms, the freight and the total before accepting
    page = text(buyer.get(f"/rfq/{rfq_id}"))
    assert "<strong>CIF Rotterdam</strong> · <span class=\"made-to-order\">dibuat sesuai pesanan</span>" in page
    assert "(termasuk ongkos angkut dan asuransi Rp6.130.000)" in page
    assert "<strong>Syarat perdagangan:</strong> CIF Rotterdam</p>" in page
    assert f"<strong>Dibuat sesuai pesanan:</strong> perkiraan siap {ready.day} " in page
    sums = re.search(r'<dl class="sums accept-terms">(.*?)</dl>', page, re.S).group(1)
    assert "<dt>Subtotal produk</dt><dd>Rp64.800.000</dd>" in sums  # 900 x 72.000
    assert "<dt>Ongkos angkut dan asuransi</dt><dd>Rp6.130.000</dd>" in sums
    assert "Rp70.930.000" in sums
    # when the buyer accepts on the page
    accepted = buyer.post(f"/penawaran/{made['id']}/terima", data=TOKYO_FORM)
    order = db.session.scalar(sa.select(Order))
    assert accepted.status_code == 302 and accepted.headers["Location"] == f"/pesanan/{order.id}"
    assert (order.shipping_idr, order.total_idr) == (6_130_000, 70_930_000)
    # then the buyer's and the seller's order pages show the term and the freight line
    for who in (buyer, seller):
        page = text(who.get(f"/pesanan/{order.id}"))
        assert '<dd class="trade-terms">CIF Rotterdam</dd>' in page
        assert "<dt>Ongkos angkut (CIF Rotterdam)</dt><dd>Rp6.130.000</dd>" in page
        assert "<dt>Produksi</dt><dd>dibuat sesuai pesanan, perkiraan siap" in page
        assert "<dt>Zona</dt>" not in page
    # once paid it reads "Diproduksi", with the day it should be ready, and the seller ships it
    confirm_transfer_of(order.id)
    page = text(buyer.get(f"/pesanan/{order.id}"))
    assert "Diproduksi" in page and "Penjual sedang memproduksi pesanan Anda; perkiraan siap" in page
    page = text(seller.get(f"/pesanan/{order.id}"))
    assert "Pesanan ini dibuat sesuai pesanan; perkiraan siap" in page and "Kirim pesanan" in page
    assert f'href="/pesanan/{order.id}"' in text(seller.get("/jual/pesanan?status=in_production"))
    # by the shipping line it arranged, typed (no parcel courier carries it)
    assert re.search(r'<input[^>]*id="courier"[^>]*placeholder="mis. Meratus Line, Maersk, JNE"', page)
    shipped = seller.post(f"/pesanan/{order.id}/aksi", data={
        "action": "ship", "courier": "Maersk", "tracking_number": "MAEU-123456"})
    assert shipped.status_code == 302
    db.session.refresh(order)
    assert order.status == "shipped"


def test_an_fob_order_page_says_the_buyer_carries_and_no_shipping_is_charged(client, db, trade, pages):
    buyer, _ = pages
    # given an accepted FOB Panjang quote
    made = quote(client, trade, trade["rfq"]("FOB"), port="Panjang").get_json()
    page = text(buyer.get(f"/rfq/{made['rfq_id']}"))
    assert "(tanpa ongkos kirim: dengan FOB pembeli menanggung pengangkutan)" in page
    assert "FOB Panjang · tanpa ongkos kirim: pengangkutan ditanggung pembeli</p>" in page
    order = accept(client, trade, made["id"]).get_json()["orders"][0]
    # then its page names the term and charges no shipping
    page = text(buyer.get(f"/pesanan/{order['id']}"))
    assert '<dd class="trade-terms">FOB Panjang</dd>' in page
    assert "<dt>Ongkos angkut (FOB Panjang)</dt><dd>Rp0</dd>" in page
    assert "tidak ada: pengangkutan ditanggung pembeli" in page
