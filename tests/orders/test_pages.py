"""Order pages: cart, checkout, confirmation, the buyer's and seller's order pages and their
moves, notifications, exchange rates (couriers and shipping settings: test_couriers.py). Given / when / then, asserting on what a
person sees and on the database state that matters (orders, stock, money, status)."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from catalog.models import Product
from marketplace.notifications import Notification
from orders.models import Checkout, Order
from tests.catalog.conftest import image_bytes, make_product, make_store  # noqa: F401  (fixtures)
from tests.conftest import confirm_transfer_of
from tests.orders.conftest import buyer_client, card, stripe_api  # noqa: F401  (fixtures)

JAKARTA_FORM = {"name": "Budi Santoso", "phone": "081234567890", "line1": "Jl. Merdeka 10",
                "district": "Gambir", "country": "ID", "province": "31", "regency": "31.71",
                "postal_code": "10110"}


def text(response) -> str:
    return response.get_data(as_text=True)


def add(client, product, quantity):
    return client.post("/keranjang/tambah", data={"product_id": product.id, "quantity": quantity})


def checkout_form(**overrides) -> dict:
    data = {**JAKARTA_FORM, "payment_method": "bank_transfer", "place": "1"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def place(client, **overrides):
    """Press "Bayar" as a buyer does: the page first shows the total with shipping (calculate),
    and the form carries that total back (`shown_total`) when the order is placed."""
    data = checkout_form(**overrides)
    preview = text(client.post("/checkout", data={**{k: v for k, v in data.items() if k != "place"},
                                                  "calculate": "1"}))
    shown = re.search(r'name="shown_total" type="hidden" value="(\d*)"', preview)
    if shown:
        data["shown_total"] = shown.group(1)
    return client.post("/checkout", data=data)


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def field_error(html: str, field_id: str) -> str:
    """The error text shown in the form field block holding the input `field_id`."""
    match = re.search(r'<div class="field[^"]*has-error">(?:(?!<div class="field).)*?id="%s".*?</div>'
                      % re.escape(field_id), html, re.S)
    assert match, f"no error shown for {field_id}"
    return " ".join(re.findall(r'<small class="error"[^>]*>([^<]*)</small>', match.group(0)))


def place_order(client, *products, quantity=2, **form) -> Checkout:
    """The buyer puts each product in the cart and checks out by bank transfer to Jakarta."""
    for product in products:
        assert add(client, product, quantity).status_code == 302
    response = place(client, **form)
    assert response.status_code == 302, text(response)[:2000]
    from marketplace.extensions import db

    checkout_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return db.session.get(Checkout, checkout_id)


@pytest.fixture
def sold(buyer_client, make_product, make_user, login, app, db):
    """A buyer with a bank-transfer order from a store; the seller logged in on another client."""
    client, buyer = buyer_client()
    product = make_product(price_idr=30000, stock=10, weight_g=400)
    placed = place_order(client, product)
    order = placed.orders[0]
    seller = app.test_client()
    login(seller, product.store.owner)
    return {"buyer": client, "buyer_user": buyer, "seller": seller, "order_id": order.id,
            "product_id": product.id, "seller_user": product.store.owner}


def act(client, order_id, action, **data):
    return client.post(f"/pesanan/{order_id}/aksi", data={"action": action, **data})


def order_status(db, order_id) -> str:
    db.session.expire_all()
    return db.session.get(Order, order_id).status


# --- cart -------------------------------------------------------------------------------------

def test_guest_adds_to_cart_from_the_product_page_and_sees_tier_prices(client, make_product):
    # given a product sold from 2 pieces, cheaper from 10
    product = make_product(title="Keripik Pisang Cokelat", price_idr=25000, stock=30, min_order_qty=2,
                           wholesale_tiers=[{"min_qty": 10, "unit_price_idr": 22000}])
    page = text(client.get(f"/produk/{product.id}"))
    # the page offers an add-to-cart form starting at the minimum order
    assert 'action="/keranjang/tambah"' in page
    assert re.search(r'name="quantity"[^>]*value="2"', page)
    # when a guest adds 10
    response = add(client, product, 10)
    assert response.status_code == 302 and response.headers["Location"] == "/keranjang"
    cart = text(client.get("/keranjang"))
    # then the cart shows the wholesale price, the list price struck through, and the totals
    assert "Keripik Pisang Cokelat" in cart
    assert "Rp22.000" in cart and "<s class=\"muted\">Rp25.000</s>" in cart and "Harga grosir" in cart
    assert "Rp220.000" in cart
    assert "Lanjut ke pembayaran" in cart
    # and the header counts one product in the cart
    assert re.search(r'class="nav-count"[^>]*>1<', cart)
    assert 'aria-label="Keranjang, 1 produk"' in cart


def test_the_next_tier_hint_never_asks_for_more_than_the_stock(client, make_product, db):
    # given a product cheaper from 10 and from 50, with 12 in stock
    product = make_product(title="Kopi Luwak Liwa", price_idr=60000, stock=12,
                           wholesale_tiers=[{"min_qty": 10, "unit_price_idr": 55000},
                                            {"min_qty": 50, "unit_price_idr": 46200}])
    # when a buyer has 1 in the cart, the 10-piece tier is within the stock: it is suggested
    add(client, product, 1)
    cart = text(client.get("/keranjang"))
    assert "Beli 9 lagi untuk harga Rp55.000/pcs." in cart
    # when the buyer has 10, the next tier needs 50 but only 12 are in stock: no hint at all
    client.post("/keranjang/ubah", data={"product_id": product.id, "quantity": 10})
    cart = text(client.get("/keranjang"))
    assert "Rp550.000" in cart and "tier-hint" not in cart and "Beli 40 lagi" not in cart
    # and when the stock drops below the first tier's minimum, nothing is suggested from 1 either
    client.post("/keranjang/ubah", data={"product_id": product.id, "quantity": 1})
    db.session.get(Product, product.id).stock = 8
    db.session.commit()
    cart = text(client.get("/keranjang"))
    assert "Kopi Luwak Liwa" in cart and "tier-hint" not in cart


def test_adding_below_the_minimum_is_refused_on_the_product_page(client, make_product):
    product = make_product(min_order_qty=5, stock=30)
    response = add(client, product, 2)
    assert response.headers["Location"] == f"/produk/{product.id}"
    assert "Minimal pembelian 5." in text(client.get(response.headers["Location"]))
    assert "Keranjang Anda masih kosong." in text(client.get("/keranjang"))


def test_adding_again_adds_to_the_quantity(client, make_product):
    product = make_product(stock=30)
    add(client, product, 2)
    add(client, product, 3)
    assert 'value="5"' in text(client.get("/keranjang"))


def test_cart_update_and_remove(client, make_product, db):
    product = make_product(title="Kopi Bubuk Lampung", price_idr=40000, stock=12, min_order_qty=2,
                           wholesale_tiers=[{"min_qty": 6, "unit_price_idr": 36000}])
    add(client, product, 2)
    # when the buyer raises the quantity into the tier
    response = client.post("/keranjang/ubah", data={"product_id": product.id, "quantity": "6"})
    cart = text(client.get(response.headers["Location"]))
    assert "Keranjang diperbarui." in cart and "Rp216.000" in cart
    # more than the stock is refused, naming the product; the quantity stays
    client.post("/keranjang/ubah", data={"product_id": product.id, "quantity": "13"})
    cart = text(client.get("/keranjang"))
    assert "Kopi Bubuk Lampung: Stok tinggal 12." in cart and 'value="6"' in cart
    # below the minimum too
    client.post("/keranjang/ubah", data={"product_id": product.id, "quantity": "1"})
    assert "Minimal pembelian 2." in text(client.get("/keranjang"))
    # and the remove button empties the cart
    client.post("/keranjang/ubah", data={"product_id": product.id, "quantity": "6", "remove": "1"})
    cart = text(client.get("/keranjang"))
    assert "dihapus dari keranjang" in cart and "Keranjang Anda masih kosong." in cart


def test_cart_shows_stock_problems_and_blocks_checkout(client, make_product, db):
    product = make_product(stock=10)
    add(client, product, 4)
    db.session.get(Product, product.id).stock = 3
    db.session.commit()
    cart = text(client.get("/keranjang"))
    assert "Stok tidak cukup: tinggal 3 pcs." in cart
    assert 'aria-disabled="true">Lanjut ke pembayaran' in cart


# --- checkout ---------------------------------------------------------------------------------

def test_checkout_sends_guests_to_login_and_the_cart_survives_it(app, client, make_product, make_user):
    product = make_product(title="Madu Hutan Way Kanan", stock=5)
    buyer = make_user()
    add(client, product, 2)
    # a guest is asked to log in first, coming back to the checkout
    response = client.get("/checkout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/masuk?next=/checkout"
    response = client.post("/masuk?next=/checkout", data={"email": buyer.email, "password": "rahasia-123",
                                                          "next": "/checkout"})
    assert response.headers["Location"] == "/checkout"
    # and finds the cart there
    page = text(client.get("/checkout"))
    assert "Madu Hutan Way Kanan" in page and "Hitung ongkir" in page


def test_empty_cart_checkout_goes_back_to_the_cart(buyer_client):
    client, _ = buyer_client()
    response = client.get("/checkout")
    assert response.headers["Location"] == "/keranjang"


def test_shipping_is_computed_for_the_address(buyer_client, make_product):
    client, _ = buyer_client()
    product = make_product(weight_g=600, stock=5, price_idr=10000)
    add(client, product, 2)
    page = text(client.get("/checkout"))
    assert "Belum termasuk ongkos kirim" in page
    # when the buyer asks for the shipping to Jakarta (Lampung -> Java: another island, 1.2 kg)
    page = text(client.post("/checkout", data={**JAKARTA_FORM, "payment_method": "bank_transfer",
                                                "calculate": "1"}))
    assert "Antarpulau" in page and "Rp65.000" in page       # 40.000 + 25.000
    assert "Bayar Rp85.000" in page


def test_an_order_is_placed_only_at_the_total_the_buyer_was_shown(buyer_client, make_product, db):
    """Pressing "Buat pesanan" before "Hitung ongkir" once placed an order at a total never shown
    (Rp1.060.000 on screen, Rp1.090.000 charged): now it shows the total with shipping first."""
    client, _ = buyer_client()
    add(client, make_product(price_idr=50000, stock=5, weight_g=1000), 2)
    page = text(client.post("/checkout", data=checkout_form()))     # shipping never shown
    assert count(db, Checkout) == 0
    assert "Total dengan ongkos kirim: Rp" in page and "Bayar Rp" in page
    shown = re.search(r'name="shown_total" type="hidden" value="(\d+)"', page).group(1)
    # a stale total (a price changed meanwhile) is refused the same way
    page = text(client.post("/checkout", data=checkout_form(shown_total=str(int(shown) - 1000))))
    assert count(db, Checkout) == 0 and "Total dengan ongkos kirim" in page
    # the buyer confirms the total shown: placed at exactly that
    response = client.post("/checkout", data=checkout_form(shown_total=shown))
    assert response.status_code == 302
    assert db.session.scalars(sa.select(Checkout)).one().total_idr == int(shown)


def test_bank_transfer_checkout_creates_orders_and_shows_transfer_instructions(
        buyer_client, make_store, make_product, db):
    client, buyer = buyer_client()
    kopi = make_store(name="Kopi Tanggamus Jaya", whatsapp="0812 1111 2222")
    keripik = make_store(name="Keripik Bu Sri", regency_code="18.71")
    a = make_product(store=kopi, price_idr=45000, stock=10, weight_g=250)
    b = make_product(store=keripik, price_idr=20000, stock=10, weight_g=200)
    # when the buyer checks out by bank transfer
    add(client, a, 2)
    add(client, b, 3)
    response = place(client)
    # then one checkout with one order per store exists, stock is reserved, the cart is empty
    assert response.status_code == 302 and response.headers["Location"].startswith("/checkout/")
    checkout = db.session.scalars(sa.select(Checkout)).one()
    assert checkout.buyer_id == buyer.id and checkout.payment_method == "bank_transfer"
    assert len(checkout.orders) == 2
    db.session.expire_all()
    assert db.session.get(Product, a.id).stock == 8 and db.session.get(Product, b.id).stock == 7
    # and the confirmation says how much to transfer (the total and its unique code) for both
    # stores at once, to the marketplace's account, and where to send the proof
    page = text(client.get(response.headers["Location"]))
    assert "silakan transfer" in page
    assert f'Transfer tepat <strong class="price price-big">{rupiah(checkout.amount_due_idr)}</strong>' in page
    assert checkout.amount_due_idr == checkout.total_idr + checkout.unique_code
    assert "8090112233" in page and "a.n. PT Pasar UMKM Lampung" in page
    assert page.count('action="/pesanan/') == 1 and f'action="/pesanan/{checkout.orders[0].id}/bukti-transfer"' in page
    assert "https://wa.me/6281211112222" not in page
    assert rupiah(checkout.total_idr) in page
    assert "Keranjang Anda masih kosong." in text(client.get("/keranjang"))
    # the buyer's order list shows both
    mine = text(client.get("/pesanan"))
    assert "Kopi Tanggamus Jaya" in mine and "Keripik Bu Sri" in mine and "Menunggu pembayaran" in mine


def rupiah(amount: int) -> str:
    from marketplace.i18n import rupiah as fmt

    return fmt(amount)


def test_address_errors_are_shown_under_the_fields_in_indonesian(buyer_client, make_product, db):
    client, _ = buyer_client()
    add(client, make_product(stock=5), 1)
    response = place(client, name="", phone="", postal_code="12", province="18", regency="31.71")
    assert response.status_code == 200
    page = text(response)
    assert field_error(page, "name") == "Wajib diisi."
    assert field_error(page, "phone") == "Wajib diisi."
    assert field_error(page, "postal_code") == "Kode pos Indonesia 5 digit."
    assert field_error(page, "regency") == "Pilih kabupaten/kota di provinsi itu."
    assert "Periksa kembali isian yang ditandai." in page
    # what the buyer typed is kept, and nothing was placed
    assert 'value="Jl. Merdeka 10"' in page
    assert count(db, Checkout) == 0 and count(db, Order) == 0


def test_address_abroad_uses_free_text_region(buyer_client, make_product, db):
    client, _ = buyer_client()
    add(client, make_product(stock=5, weight_g=2500, price_idr=100000), 1)
    page = text(client.post("/checkout", data=checkout_form(
        country="JP", province=None, regency=None, region="Tokyo", city="Chuo-ku",
        postal_code="103-0027", calculate="1", place=None)))
    assert "Luar negeri" in page and "Rp490.000" in page   # 250.000 + 2 × 120.000
    response = place(client, country="JP", province=None, regency=None, region="Tokyo",
                     city="Chuo-ku", postal_code="103-0027")
    assert response.status_code == 302
    address = db.session.scalars(sa.select(Checkout)).one().shipping_address
    assert address["country"] == "JP" and address["province"] == "Tokyo"


def test_out_of_stock_at_checkout_shows_the_message_and_creates_nothing(buyer_client, make_product, db):
    client, _ = buyer_client()
    plenty = make_product(stock=10)
    scarce = make_product(title="Lada Hitam Lampung", stock=3)
    add(client, plenty, 2)
    add(client, scarce, 3)
    # someone else buys the last units meanwhile
    db.session.get(Product, scarce.id).stock = 1
    db.session.commit()
    response = place(client)
    assert response.status_code == 200
    page = text(response)
    assert "Stok Lada Hitam Lampung tidak cukup." in page
    assert 'href="/keranjang">Kembali ke keranjang' in page
    db.session.expire_all()
    assert count(db, Checkout) == 0 and count(db, Order) == 0
    assert db.session.get(Product, plenty.id).stock == 10      # no reservation kept
    assert "Lada Hitam Lampung" in text(client.get("/keranjang"))


# --- bank transfer, seller moves --------------------------------------------------------------

def test_buyer_uploads_a_transfer_proof_and_finance_sees_it_and_confirms(sold, db, make_user, login, app):
    order_id = sold["order_id"]
    # when the buyer sends a photo of the transfer
    response = sold["buyer"].post(f"/pesanan/{order_id}/bukti-transfer", data={
        "image": (io.BytesIO(image_bytes()), "bukti.jpg")}, content_type="multipart/form-data")
    assert response.headers["Location"] == f"/pesanan/{order_id}"
    assert "Bukti transfer terkirim." in text(sold["buyer"].get(f"/pesanan/{order_id}"))
    db.session.expire_all()
    assert db.session.get(Order, order_id).transfer_proof_path
    # then finance sees it on the order, and in its queue with the amount to look for
    clerk = app.test_client()
    login(clerk, make_user(roles=("finance",)))
    page = text(clerk.get(f"/pesanan/{order_id}"))
    assert f'src="/pesanan/{order_id}/bukti-transfer"' in page and "Buka antrean pembayaran" in page
    image = clerk.get(f"/pesanan/{order_id}/bukti-transfer")
    assert image.status_code == 200 and image.mimetype == "image/webp"
    assert image.get_data()[:4] == b"RIFF" and "private" in image.headers["Cache-Control"]
    image.close()
    checkout = db.session.get(Order, order_id).checkout
    queue = text(clerk.get("/keuangan/pembayaran"))
    assert f'id="checkout-{checkout.id}"' in queue and rupiah(checkout.amount_due_idr) in queue
    assert f"Transfer · kode {checkout.unique_code}" in queue and f'href="/pesanan/{order_id}/bukti-transfer"' in queue
    # and confirms it with the bank's reference: the order is paid, the queue empty
    done = clerk.post(f"/keuangan/pembayaran/{checkout.id}/konfirmasi", data={"reference": "BCA 0312 778"})
    assert "dikonfirmasi" in text(clerk.get(done.headers["Location"]))
    assert order_status(db, order_id) == "paid"
    db.session.expire_all()
    paid = db.session.get(Order, order_id).checkout
    assert (paid.payment_reference, paid.confirmed_by_id is not None) == ("BCA 0312 778", True)
    assert "Tidak ada pembayaran yang menunggu." in text(clerk.get("/keuangan/pembayaran"))
    # confirming twice changes nothing and says why
    again = clerk.post(f"/keuangan/pembayaran/{checkout.id}/konfirmasi", data={"reference": ""})
    assert "tidak menunggu konfirmasi lagi" in text(clerk.get(again.headers["Location"]))
    # the seller no longer sees a confirm button: the money went to the marketplace
    assert "Konfirmasi pembayaran" not in text(sold["seller"].get(f"/pesanan/{order_id}"))
    # a stranger does not, not even through the public media route
    stranger = app.test_client()
    login(stranger, make_user())
    assert stranger.get(f"/pesanan/{order_id}/bukti-transfer").status_code == 404
    path = db.session.get(Order, order_id).transfer_proof_path
    assert (Path(app.config["PRIVATE_UPLOAD_DIR"]) / path).is_file()
    assert not list(Path(app.config["UPLOAD_DIR"]).rglob(Path(path).name))
    assert stranger.get(f"/media/{path}").status_code == 404


def test_a_file_that_is_no_photo_is_refused(sold):
    order_id = sold["order_id"]
    response = sold["buyer"].post(f"/pesanan/{order_id}/bukti-transfer", data={
        "image": (io.BytesIO(b"not an image"), "bukti.jpg")}, content_type="multipart/form-data")
    assert "bukan foto" in text(sold["buyer"].get(response.headers["Location"]))


def test_seller_takes_the_order_from_payment_to_delivery_and_buyer_completes(sold, db):
    seller, buyer, order_id = sold["seller"], sold["buyer"], sold["order_id"]
    # the seller finds it in the store's orders, under "waiting for payment"
    listing = text(seller.get("/jual/pesanan"))
    assert f'href="/pesanan/{order_id}"' in listing and sold["buyer_user"].name in listing
    assert re.search(r'Menunggu pembayaran <span class="count">1</span>', listing)
    # and may not confirm the transfer itself: the money went to the marketplace
    assert seller.post(f"/keuangan/pembayaran/{db.session.get(Order, order_id).checkout_id}/konfirmasi",
                       data={"reference": ""}).status_code == 403
    # finance confirms it
    confirm_transfer_of(order_id, seller.application)
    assert order_status(db, order_id) == "paid"
    assert db.session.get(Order, order_id).checkout.payment_status == "paid"
    # accepts it
    act(seller, order_id, "accept")
    assert order_status(db, order_id) == "accepted"
    # tries to ship without a tracking number: told so under the field, nothing changes
    response = act(seller, order_id, "ship", courier="JNE", tracking_number="")
    page = text(response)
    assert response.status_code == 200 and field_error(page, "tracking_number") == "Isi nomor resi."
    assert re.search(r'<option selected value="jne">JNE</option>', page)   # the typed name, as a courier
    assert order_status(db, order_id) == "accepted"
    # ships it properly
    act(seller, order_id, "ship", courier="JNE", tracking_number="JNE1234567890")
    assert order_status(db, order_id) == "shipped"
    page = text(buyer.get(f"/pesanan/{order_id}"))
    assert "JNE1234567890" in page and "Dikirim" in page
    assert 'href="https://www.jne.co.id/tracking-package?awb=JNE1234567890"' in page
    # marks it delivered; the buyer confirms receipt
    act(seller, order_id, "deliver")
    assert order_status(db, order_id) == "delivered"
    page = text(buyer.get(f"/pesanan/{order_id}"))
    assert "Pesanan sudah saya terima" in page
    response = act(buyer, order_id, "complete")
    assert "Terima kasih! Pesanan selesai." in text(buyer.get(response.headers["Location"]))
    assert order_status(db, order_id) == "completed"
    # the history shows every step with its time
    page = text(buyer.get(f"/pesanan/{order_id}"))
    for label in ("Menunggu pembayaran", "Dibayar", "Diterima penjual", "Dikirim", "Sampai tujuan", "Selesai"):
        assert f'<span class="timeline-status">{label}</span>' in page
    assert page.count("<time") >= 6
    # and the seller's "completed" tab counts it
    assert re.search(r'Selesai <span class="count">1</span>', text(seller.get("/jual/pesanan?status=completed")))


def test_an_illegal_move_shows_the_conflict(sold, db):
    seller, order_id = sold["seller"], sold["order_id"]
    confirm_transfer_of(order_id, seller.application)
    act(seller, order_id, "accept")
    # accepting again is not a move an accepted order has
    response = act(seller, order_id, "accept")
    page = text(seller.get(response.headers["Location"]))
    assert "Pesanan berstatus “Diterima penjual” tidak dapat diterima." in page
    assert 'class="flash flash-error"' in page
    assert order_status(db, order_id) == "accepted"
    # the buyer cannot accept for the seller either
    response = act(sold["buyer"], order_id, "ship", courier="x", tracking_number="y")
    assert "Anda tidak dapat melakukan tindakan ini" in text(sold["buyer"].get(response.headers["Location"]))


def test_seller_cancel_needs_a_reason_and_returns_the_stock(sold, db):
    seller, order_id, product_id = sold["seller"], sold["order_id"], sold["product_id"]
    assert db.session.get(Product, product_id).stock == 8
    response = act(seller, order_id, "cancel", reason="  ")
    assert field_error(text(response), "reason") == "Tuliskan alasan pembatalan."
    assert order_status(db, order_id) == "pending_payment"
    response = act(seller, order_id, "cancel", reason="Stok rusak kena banjir")
    assert "stok dikembalikan" in text(seller.get(response.headers["Location"]))
    assert order_status(db, order_id) == "cancelled"
    assert db.session.get(Product, product_id).stock == 10
    page = text(sold["buyer"].get(f"/pesanan/{order_id}"))
    assert "Stok rusak kena banjir" in page and "Dibatalkan" in page


def test_another_user_gets_404_on_the_order_and_its_actions(sold, app, make_user, login, db):
    stranger = app.test_client()
    login(stranger, make_user())
    order_id = sold["order_id"]
    assert stranger.get(f"/pesanan/{order_id}").status_code == 404
    assert act(stranger, order_id, "cancel", reason="iseng").status_code == 404
    assert stranger.post(f"/pesanan/{order_id}/bukti-transfer", data={
        "image": (io.BytesIO(image_bytes()), "x.jpg")}, content_type="multipart/form-data").status_code == 404
    assert stranger.post(f"/pesanan/{order_id}/pengembalian-dana",
                         data={"amount_idr": "1000", "reason": "x"}).status_code == 404
    checkout_id = db.session.get(Order, order_id).checkout_id
    assert stranger.get(f"/checkout/{checkout_id}").status_code == 404
    assert order_status(db, order_id) == "pending_payment"
    # and a guest is sent to log in
    assert app.test_client().get(f"/pesanan/{order_id}").status_code == 302


def test_seller_refunds_part_of_a_paid_transfer_order(sold, db):
    seller, order_id = sold["seller"], sold["order_id"]
    confirm_transfer_of(order_id, seller.application)
    page = text(seller.get(f"/pesanan/{order_id}"))
    assert "Kembalikan dana ke pembeli" in page
    response = seller.post(f"/pesanan/{order_id}/pengembalian-dana", data={"amount_idr": "10.000", "reason": ""})
    assert field_error(text(response), "reason") == "Tuliskan alasan pengembalian dana."
    response = seller.post(f"/pesanan/{order_id}/pengembalian-dana",
                           data={"amount_idr": "Rp10.000", "reason": "Satu bungkus penyok"})
    assert "Dana Rp10.000 dikembalikan ke pembeli." in text(seller.get(response.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(Order, order_id).refunded_idr == 10000


# --- seller settings, notifications, exchange rates -------------------------------------------

def test_notifications_page_shows_the_messages_after_a_move(sold, db):
    seller, buyer, order_id = sold["seller"], sold["buyer"], sold["order_id"]
    # the seller was told about the new order
    page = text(seller.get("/"))
    assert re.search(r'aria-label="Notifikasi, 1 belum dibaca"[^>]*>.*?<span class="nav-count" aria-hidden="true">1<', page, re.S)
    page = text(seller.get("/notifikasi"))
    assert f"Pesanan baru #{order_id} dari {sold['buyer_user'].name}" in page
    assert f'href="/pesanan/{order_id}"' in page and "notif-unread" in page
    # viewing marks them read
    assert "notif-unread" not in text(seller.get("/notifikasi"))
    assert count_unread(db, sold["seller_user"].id) == 0
    # when finance confirms the payment, the buyer is told
    confirm_transfer_of(order_id, seller.application)
    page = text(buyer.get("/notifikasi"))
    assert f"Pembayaran pesanan #{order_id} di " in page and "sudah kami terima" in page


def count_unread(db, user_id) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)))


# --- cards --------------------------------------------------------------------------------------

def test_test_card_route_exists_only_with_a_local_stripe(buyer_client):
    client, _ = buyer_client()
    response = client.post("/pembayaran/kartu-uji", json={"number": "4242424242424242",
                                                          "exp_month": 12, "exp_year": 30, "cvc": "123"})
    assert response.status_code == 404


def test_test_cards_are_refused_without_the_local_stripe_api(app, ctx):
    from orders.payments.stripe import PaymentsUnavailable, create_test_payment_method

    app.config.update(STRIPE_SECRET_KEY="sk_live_would_be_real")
    try:
        with pytest.raises(PaymentsUnavailable):
            create_test_payment_method("4242424242424242", 12, 2030, "123")
    finally:
        app.config.update(STRIPE_SECRET_KEY=None)


def test_card_checkout_through_the_pages(stripe_api, buyer_client, make_product, db):
    client, _ = buyer_client()
    product = make_product(price_idr=50000, stock=5)
    add(client, product, 2)
    page = text(client.get("/checkout"))
    assert 'data-stripe-mode="local"' in page and 'value="card"' in page
    assert "Pembayaran kartu memerlukan JavaScript" in page          # the <noscript> note
    # without a PaymentMethod (no JavaScript) the card cannot be used
    page = text(place(client, payment_method="card"))
    assert "Pembayaran kartu memerlukan JavaScript. Aktifkan JavaScript" in page
    assert count(db, Checkout) == 0
    # card.js (local mode) turns the test card into a PaymentMethod id ...
    made = client.post("/pembayaran/kartu-uji", json={"number": "4242 4242 4242 4242",
                                                      "exp_month": "12", "exp_year": "30", "cvc": "123"})
    assert made.status_code == 200 and made.get_json()["id"].startswith("pm_")
    # ... which the form carries instead of the card
    response = place(client, payment_method="card", payment_method_id=made.get_json()["id"])
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Pembayaran berhasil" in page and "Dibayar" in page
    assert db.session.scalars(sa.select(Checkout)).one().payment_status == "paid"


def test_declined_card_shows_kartu_ditolak_and_leaves_nothing(stripe_api, buyer_client, make_product, db):
    client, _ = buyer_client()
    product = make_product(stock=4)
    add(client, product, 2)
    response = place(client, payment_method="card",
                     payment_method_id=card(stripe_api, "4000000000000341"))
    assert response.status_code == 200
    page = text(response)
    assert "Kartu ditolak" in page
    assert 'name="payment_method_id" type="hidden" value=""' in page
    db.session.expire_all()
    assert count(db, Checkout) == 0 and count(db, Order) == 0
    assert db.session.get(Product, product.id).stock == 4
    assert "Kopi" in text(client.get("/keranjang"))                   # cart kept


def test_one_transfer_pays_every_store_of_the_checkout_at_once(
        buyer_client, make_product, app, login, db, token_for):
    # given a bank-transfer checkout from two stores
    client, buyer = buyer_client()
    coffee = make_product(price_idr=30000, stock=10, title="Kopi Robusta Tanggamus")
    pepper = make_product(price_idr=20000, stock=10, title="Lada Hitam Lampung")
    placed = place_order(client, coffee, pepper)
    first, second = placed.orders
    # then the buyer is asked for one transfer to the marketplace, the total plus its unique code
    done = text(client.get(f"/checkout/{placed.id}"))
    code = db.session.get(Checkout, placed.id).unique_code
    assert 1 <= code <= 999 and done.count('class="payment-box"') == 1
    assert rupiah(placed.total_idr + code) in done and f"Termasuk kode unik {code} rupiah" in done
    assert "Bank Central Asia (BCA)" in done and "8090112233" in done and "PT Pasar UMKM Lampung" in done
    assert "WhatsApp" not in done.split('class="payment-box"', 1)[1].split("</div>", 1)[0]
    # when finance confirms that one transfer
    confirm_transfer_of(first.id, app)
    # then both stores' orders are paid, and the checkout with them
    assert order_status(db, first.id) == "paid" and order_status(db, second.id) == "paid"
    assert db.session.get(Checkout, placed.id).payment_status == "paid"
    head = text(client.get(f"/pesanan/{first.id}")).split('class="panel order-head"', 1)[1].split("</section>", 1)[0]
    assert '<span class="pay-status pay-paid">lunas</span>' in head
    assert f"Checkout {placed.reference} (semua toko)" in head and f'href="/pesanan/{second.id}"' in head
    # each seller sees its own order paid, and not the other store's
    seller = app.test_client()
    login(seller, first.store.owner)
    seller_head = text(seller.get(f"/pesanan/{first.id}")).split('class="panel order-head"', 1)[1]
    seller_head = seller_head.split("</section>", 1)[0]
    assert "pay-paid" in seller_head and "semua toko" not in seller_head
    assert seller.get(f"/pesanan/{second.id}").status_code == 404
    # and the API says so too
    body = app.test_client().get(f"/api/v1/orders/{first.id}", headers=token_for(buyer)).get_json()
    assert body["payment"]["status"] == "paid" and body["payment"]["checkout_status"] == "paid"


def test_the_payment_deadline_and_order_times_say_their_zone(buyer_client, make_product, db):
    # given a bank-transfer checkout
    client, _buyer = buyer_client()
    placed = place_order(client, make_product(price_idr=30000, stock=10))
    # then the transfer deadline is a date, a time and WIB
    done = text(client.get(f"/checkout/{placed.id}"))
    assert re.search(r"Bayar sebelum \d{1,2} \w{3} \d{4} \d\d\.\d\d WIB;", done)
    # and the order page and the list use the same format, in English too
    assert re.search(r"\d{1,2} \w{3} \d{4} \d\d\.\d\d WIB", text(client.get(f"/pesanan/{placed.orders[0].id}")))
    client.post("/bahasa", data={"lang": "en"})
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d WIB", text(client.get("/pesanan")))
    done = text(client.get(f"/checkout/{placed.id}"))
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d WIB", done)


def test_the_postal_code_hint_follows_the_chosen_country(buyer_client, make_product):
    # given a buyer at checkout
    client, _buyer = buyer_client()
    add(client, make_product(price_idr=30000, stock=10), 1)
    # an Indonesian address gets the Indonesian hint
    page = text(client.get("/checkout"))
    assert re.search(r'id="postal_code"[^>]*>\s*<small class="help"[^>]*>Indonesia: 5 digit\.</small>', page)
    # when the buyer chooses Japan, the page shows the hint for abroad, not the Indonesian one
    tokyo = {"name": "Yamada Trading", "phone": "+81 3 1234 5678", "line1": "1-2-3 Nihonbashi",
             "country": "JP", "region": "Tokyo", "city": "Chuo-ku", "postal_code": "103-0027",
             "payment_method": "bank_transfer", "calculate": "1"}
    page = text(client.post("/checkout", data=tokyo))
    assert "Indonesia: 5 digit." not in page.split('id="postal_code"', 1)[1].split("</div>", 1)[0]
    assert re.search(r'id="postal_code"[^>]*>\s*<small class="help"[^>]*>Kode pos sesuai negara tujuan', page)
    # the script gets both hints to swap when the country changes
    assert 'data-hint-id="Indonesia: 5 digit."' in page and 'data-hint-abroad="Kode pos sesuai' in page


def test_an_order_row_counts_one_more_product_in_the_singular(buyer_client, make_product):
    # given an order of two products from one store
    client, _buyer = buyer_client()
    coffee = make_product(price_idr=30000, stock=10)
    pepper = make_product(store=coffee.store, price_idr=20000, stock=10)
    place_order(client, coffee, pepper)
    # then the English list says "+1 more product"
    client.post("/bahasa", data={"lang": "en"})
    page = text(client.get("/pesanan"))
    assert "+1 more product " in page or "+1 more product\n" in page
    assert "+1 more products" not in page
