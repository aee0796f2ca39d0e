"""Buying in a real browser (Debian's Chromium, a phone-sized screen, CSRF on): a guest's cart
from two stores paid by card through card.js in local mode, and a bank transfer confirmed by its
seller. Stores and products are seeded through the services (make_store/make_product).

Set PASAR_SCREENSHOTS=/some/dir to keep phone-sized screenshots of the pages on the way.
"""
import os
import re

import sqlalchemy as sa
from PIL import Image

from marketplace.i18n import rupiah
from orders.models import Checkout, Order
from tests.browser.csp import watch_csp
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)
from tests.conftest import PASSWORD
from tests.orders.conftest import stripe_api  # noqa: F401  (fixture)


def snap(page, name: str) -> None:
    folder = os.environ.get("PASAR_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def log_in(page, base: str, user) -> None:
    page.goto(f"{base}/masuk")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()


def add_to_cart(page, base: str, product, quantity: int) -> None:
    page.goto(f"{base}/produk/{product.id}")
    page.get_by_label("Jumlah").fill(str(quantity))
    page.get_by_role("button", name="Tambah ke keranjang").click()
    page.wait_for_url(f"{base}/keranjang")


def fill_jakarta_address(page) -> None:
    page.get_by_label("Nama penerima").fill("Rina Wulandari")
    page.get_by_label("Nomor telepon").fill("0813 2222 3333")
    page.get_by_label("Alamat (jalan, nomor rumah, RT/RW)").fill("Jl. Cikini Raya 12")
    page.get_by_label("Provinsi", exact=True).select_option("31")
    page.get_by_label("Kabupaten/kota", exact=True).select_option("31.71")
    page.get_by_label("Kode pos").fill("10330")


def test_guest_cart_from_two_stores_paid_by_card_reaches_both_sellers(
        live_server, new_page, stripe_api, make_store, make_product, make_user, db):
    # given two stores with a product each, and a buyer with an account
    kopi = make_store(name="Kopi Tanggamus Jaya")
    keripik = make_store(name="Keripik Bu Sri", regency_code="18.71")
    beans = make_product(store=kopi, title="Kopi Robusta Petik Merah", price_idr=48000, stock=20,
                         min_order_qty=2, wholesale_tiers=[{"min_qty": 5, "unit_price_idr": 44000}])
    chips = make_product(store=keripik, title="Keripik Pisang Cokelat", price_idr=25000, stock=20)
    buyer = make_user(name="Rina Wulandari")
    sellers = [kopi.owner, keripik.owner]
    db.session.commit()

    # when a guest fills a cart from both stores (every page under the strict CSP, none violated)
    page = new_page()
    violations = watch_csp(page)
    add_to_cart(page, live_server, beans, 5)
    add_to_cart(page, live_server, chips, 3)
    assert "Kopi Tanggamus Jaya" in page.content() and "Keripik Bu Sri" in page.content()
    assert "Rp220.000" in page.content()                       # 5 × the Rp44.000 tier price
    snap(page, "cart")

    # goes to pay, is asked to log in, and comes back to the checkout with the same cart
    page.get_by_role("link", name="Lanjut ke pembayaran").click()
    page.wait_for_url(re.compile(r".*/masuk\?next=.*checkout"))
    page.get_by_label("E-mail").fill(buyer.email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{live_server}/checkout")
    assert "Kopi Robusta Petik Merah" in page.content()

    # fills the address and asks for the shipping cost
    fill_jakarta_address(page)
    page.get_by_role("button", name="Hitung ongkir").click()
    page.wait_for_load_state()
    assert page.get_by_text("Antarpulau").first.is_visible()

    # pays with the local test card, typed into card.js's test inputs
    page.get_by_label("Kartu kredit/debit").check()
    assert page.locator("#card-fields").is_visible()
    page.get_by_label("Nomor kartu uji").fill("4242 4242 4242 4242")
    page.get_by_label("Berlaku sampai (BB/TT)").fill("12/30")
    page.get_by_label("CVC").fill("123")
    # the card inputs have no name: the form itself can never post a card number
    assert page.locator("#card-fields input[name]").count() == 0
    snap(page, "checkout")
    page.get_by_role("button", name=re.compile(r"^Bayar Rp")).click()
    page.wait_for_url(re.compile(r".*/checkout/\d+$"))
    assert page.get_by_role("heading", name=re.compile("Pembayaran berhasil")).is_visible()
    snap(page, "checkout_done")
    assert "script-src 'self' https://js.stripe.com" in page.evaluate(
        "() => fetch(location.href).then(r => r.headers.get('content-security-policy'))")
    assert violations == []

    db.session.expire_all()
    checkout = db.session.scalars(sa.select(Checkout)).one()
    assert checkout.payment_method == "card" and checkout.payment_status == "paid"
    assert checkout.stripe_payment_intent_id
    assert {o.status for o in checkout.orders} == {"paid"}

    # then each seller finds their own order, paid
    for seller, product in zip(sellers, (beans, chips)):
        desk = new_page()
        desk_violations = watch_csp(desk)
        log_in(desk, live_server, seller)
        desk.goto(f"{live_server}/jual/pesanan")
        assert "Rina Wulandari" in desk.content()
        assert desk.locator(".order-row").count() == 1
        desk.locator(".order-row a").first.click()
        desk.wait_for_url(re.compile(r".*/pesanan/\d+$"))
        assert desk.locator(".order-head .order-status").inner_text() == "Dibayar"
        assert product.title in desk.content()
        assert desk.get_by_role("button", name="Terima pesanan").is_visible()
        snap(desk, f"seller_order_{seller.id}")
        assert desk_violations == []


def test_bank_transfer_to_the_marketplace_is_confirmed_by_finance(
        live_server, new_page, make_store, make_product, make_user, db, tmp_path):
    proof = tmp_path / "bukti.jpg"
    Image.new("RGB", (480, 640), (230, 230, 240)).save(proof, "JPEG")
    store = make_store(name="Tapis Lampung Indah")
    cloth = make_product(store=store, title="Kain Tapis Motif Kapal", price_idr=350000, stock=4,
                         weight_g=300, category="tapis")
    buyer = make_user(name="Dewi Anggraini")
    clerk = make_user(roles=("finance",), name="Tim Keuangan")
    seller = store.owner
    db.session.commit()

    # given a buyer who orders and chooses bank transfer
    page = new_page()
    log_in(page, live_server, buyer)
    add_to_cart(page, live_server, cloth, 1)
    page.get_by_role("link", name="Lanjut ke pembayaran").click()
    page.wait_for_url(f"{live_server}/checkout")
    fill_jakarta_address(page)
    assert page.get_by_label("Transfer bank").is_checked()
    page.get_by_role("button", name=re.compile("Buat pesanan|Bayar")).click()
    # the total with shipping is shown first; the buyer confirms it
    page.wait_for_load_state()
    assert "Total dengan ongkos kirim" in page.content()
    page.get_by_role("button", name=re.compile(r"^Bayar Rp")).click()
    page.wait_for_url(re.compile(r".*/checkout/\d+$"))
    assert "Transfer tepat" in page.content() and "Tapis Lampung Indah" in page.content()
    assert "8090112233" in page.locator(".bank-accounts").inner_text()
    snap(page, "checkout_done_transfer")

    # when they upload a photo of the transfer
    page.locator("input[type=file][name=image]").set_input_files(str(proof))
    page.get_by_role("button", name="Kirim bukti transfer").click()
    page.wait_for_load_state()
    assert "Bukti transfer terkirim" in page.content()
    order_id = db.session.scalars(sa.select(Order.id)).one()

    # and finance, in its queue, finds the transfer with its proof and confirms it
    desk = new_page()
    log_in(desk, live_server, clerk)
    desk.goto(f"{live_server}/keuangan/pembayaran")
    checkout = db.session.get(Order, order_id).checkout
    item = desk.locator(f"#checkout-{checkout.id}")
    assert rupiah(checkout.total_idr + checkout.unique_code) in item.inner_text()
    with desk.expect_popup() as shown:
        item.get_by_role("link", name="bukti transfer").click()
    shown.value.wait_for_load_state()
    assert shown.value.evaluate("document.images[0].naturalWidth") > 0
    snap(desk, "finance_queue")
    item.get_by_placeholder("Referensi bank (opsional)").fill("BCA 0312 778")
    item.get_by_role("button", name="Konfirmasi diterima").click()
    desk.wait_for_load_state()
    assert "dikonfirmasi" in desk.content()

    # then the order is paid in the database, and its seller sees it paid
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    assert order.status == "paid" and order.checkout.payment_status == "paid"
    shop = new_page()
    log_in(shop, live_server, seller)
    shop.goto(f"{live_server}/pesanan/{order_id}")
    assert shop.locator(".order-head .order-status").inner_text() == "Dibayar"
    # the buyer's page says so too
    page.goto(f"{live_server}/pesanan/{order_id}")
    assert page.locator(".order-head .order-status").inner_text() == "Dibayar"
    snap(page, "buyer_order")
