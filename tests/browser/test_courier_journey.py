"""Issue 12 end to end on a phone (360 x 800, Debian's Chromium): a buyer in Kabupaten Bogor picks
her district with the region picker, chooses J&T for a Lampung store's parcel, pays by transfer;
the seller confirms, ships with J&T and its tracking number; the buyer follows the tracking link.

The courier's site is outside this machine's network, so its address is answered by the browser
context itself (`context.route`): the test proves the link goes to J&T's tracking page with the
number, not that J&T is up.
"""
import re

import sqlalchemy as sa

from orders.models import Order
from tests.browser.csp import watch_csp
from tests.browser.test_buying import log_in
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)
from tests.conftest import confirm_transfer_of

TRACKING = "JP1234567890"


def test_a_bogor_buyer_orders_from_lampung_by_jnt_and_follows_the_tracking_link(
        live_server, new_page, make_store, make_product, make_user, db):
    # given a Tanggamus coffee store with a 1 kg pack, and a buyer
    store = make_store(name="Kopi Tanggamus Jaya")
    coffee = make_product(store=store, title="Kopi Robusta Tanggamus 1 kg", price_idr=120_000,
                          stock=10, weight_g=1000)
    buyer = make_user(name="Siti Rahmawati")
    db.session.commit()

    # when the buyer, on a 360 px phone, puts the coffee in her cart and goes to pay
    page = new_page(width=360, height=800)
    violations = watch_csp(page)
    log_in(page, live_server, buyer)
    page.goto(f"{live_server}/produk/{coffee.id}")
    page.get_by_role("button", name="Tambah ke keranjang").click()
    page.wait_for_url(f"{live_server}/keranjang")
    page.get_by_role("link", name="Lanjut ke pembayaran").click()
    page.wait_for_url(f"{live_server}/checkout")

    # and picks Jawa Barat, then Kabupaten Bogor, then Cibinong: each list loads in place
    page.get_by_label("Nama penerima").fill("Siti Rahmawati")
    page.get_by_label("Nomor telepon").fill("0812 7777 8888")
    page.get_by_label("Alamat (jalan, nomor rumah, RT/RW)").fill("Jl. Tegar Beriman 5")
    page.get_by_label("Provinsi", exact=True).select_option("32")
    regency = page.get_by_label("Kabupaten/kota", exact=True)
    regency.locator('option[value="32.01"]').wait_for(state="attached")
    assert regency.locator("option").count() == 28                # Jawa Barat's 18 + 9, and "choose"
    regency.select_option("32.01")
    district = page.get_by_label("Kecamatan", exact=True)
    district.locator("option", has_text="Cibinong").wait_for(state="attached")
    district.select_option(label="Cibinong")
    page.get_by_label("Kode pos").fill("16914")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360   # nothing wider than the phone

    # and asks for the shipping: the store's services to Jawa (another island), J&T among them
    page.get_by_role("button", name="Hitung ongkir").click()
    page.wait_for_load_state()
    options = page.locator(f"#ship-{store.slug} .ship-option")
    assert options.count() >= 3
    jnt = options.filter(has_text="J&T Express EZ")
    jnt_cost = jnt.locator(".ship-option-cost").inner_text()
    jnt.locator("input[type=radio]").check()
    page.get_by_role("button", name="Hitung ulang").click()
    page.wait_for_load_state()
    assert page.locator(f"#ship-{store.slug} input[value=jnt_ez]").is_checked()
    assert jnt_cost in page.locator(".sums").first.inner_text()
    assert page.get_by_label("Transfer bank").is_checked()
    page.get_by_role("button", name=re.compile(r"^Bayar Rp")).click()
    page.wait_for_url(re.compile(r".*/checkout/\d+$"))
    assert "J&T Express EZ" in page.inner_text("body")

    db.session.expire_all()
    order = db.session.scalars(sa.select(Order)).one()
    assert order.shipping_service == "jnt_ez" and order.shipping_zone == "other_island"
    address = order.checkout.shipping_address
    assert (address["province"], address["regency"]) == ("32", "32.01")
    assert address["district"].startswith("32.01.")

    # then, once finance confirmed the transfer, the seller accepts, packs and ships with J&T
    desk = new_page(width=360, height=800)
    desk_violations = watch_csp(desk)
    log_in(desk, live_server, store.owner)
    desk.goto(f"{live_server}/pesanan/{order.id}")
    assert "Cibinong" in desk.locator(".ship-address").inner_text()
    assert "Kabupaten Bogor" in desk.locator(".ship-address").inner_text()
    confirm_transfer_of(order.id)                                  # finance sees the transfer
    desk.reload()
    for step in ("Terima pesanan", "Tandai sedang dikemas"):
        desk.get_by_role("button", name=step).click()
        desk.wait_for_load_state()
    courier = desk.get_by_label("Kurir", exact=True)
    assert courier.input_value() == "jnt"                          # the buyer's choice comes first
    desk.get_by_label("Nomor resi", exact=True).fill(TRACKING)
    desk.get_by_role("button", name="Kirim pesanan").click()
    desk.wait_for_load_state()
    assert desk.locator(".order-head .order-status").inner_text() == "Dikirim"
    assert desk_violations == []

    # and the buyer's order page links to J&T's tracking page for that number, in a new tab
    seen: list[str] = []

    def jnt_site(route):
        seen.append(route.request.url)
        route.fulfill(status=200, content_type="text/html",
                      body="<!doctype html><title>J&T tracking</title><h1>Lacak kiriman</h1>")

    page.context.route(re.compile(r"https://www\.jet\.co\.id/.*"), jnt_site)
    page.goto(f"{live_server}/pesanan/{order.id}")
    assert page.locator(".courier").inner_text() == "J&T Express"
    assert TRACKING in page.locator(".tracking").inner_text()
    link = page.get_by_role("link", name="Lacak paket di situs J&T Express")
    with page.context.expect_page() as opened:
        link.click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url == f"https://www.jet.co.id/track?awb={TRACKING}" and seen == [tab.url]
    assert tab.title() == "J&T tracking"
    assert violations == []
