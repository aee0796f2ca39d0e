"""The phone-first layout at 360x800 in a real browser (Debian's Chromium): the compact header
with the cart's count, the bottom navigation, products on the home page's first screen,
responsive card pictures loaded eagerly only at the top, and pages no wider than the phone.

Set PASAR_SCREENSHOTS=/some/dir to keep the screenshots.
"""
from __future__ import annotations

import re
from datetime import timedelta

from catalog.images import add_image
from marketplace.timeutil import utcnow
from tests.browser.csp import watch_csp
from tests.browser.test_buying import add_to_cart, log_in, snap
from tests.catalog.conftest import image_bytes, make_product, make_store  # noqa: F401  (fixtures)
from tests.promotions.conftest import make_event, officer  # noqa: F401  (fixtures)

PHONE = {"width": 360, "height": 800}

#: The elements sticking out past the right edge of the phone, to say what widened a page.
WIDER_THAN_SCREEN = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
  .slice(0, 8).map(el => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right))"""


def visible_labels(where) -> list[str]:
    """The bottom navigation's labels as shown (without the hidden count read to screen readers)."""
    return where.locator(".bottom-label").evaluate_all(
        "els => els.map(e => e.firstChild.textContent.trim())")


def assert_fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (page.url, width, page.evaluate(WIDER_THAN_SCREEN))


def test_header_is_compact_with_the_cart_count_and_a_bottom_navigation(
        live_server, new_page, make_product, db):
    # given a product a guest has put in the cart
    product = make_product(title="Keripik Pisang Cokelat", price_idr=25000, stock=20)
    page = new_page(**PHONE)
    violations = watch_csp(page)
    add_to_cart(page, live_server, product, 2)

    # when the guest opens the home page on a phone
    page.goto(f"{live_server}/")
    snap(page, "phone-home-header")

    # then the header is at most two short rows, with the cart and its count in it
    assert page.locator("header.site-header").bounding_box()["height"] <= 110
    cart = page.locator("header").get_by_role("link", name="Keranjang, 1 produk")
    assert cart.is_visible() and cart.inner_text().strip() == "1"
    assert page.locator("header").get_by_role("searchbox").is_visible()

    # and the bottom navigation holds the buyer's places, home being the current one
    nav = page.get_by_role("navigation", name="Navigasi utama")
    assert nav.is_visible()
    labels = visible_labels(nav)
    assert labels == ["Beranda", "Kategori", "Keranjang", "Pesanan", "Akun"]
    assert visible_labels(nav.locator("[aria-current=page]")) == ["Beranda"]
    # (its name is "Keranjang, 1 produk": the count is hidden text after the visible label, which
    # Chromium joins with a space, as it does for every positioned box)
    assert nav.get_by_role("link", name=re.compile(r"^Keranjang ?, 1 produk$")).is_visible()
    boxes = [item.bounding_box() for item in nav.get_by_role("link").all()]
    assert all(box["height"] >= 48 and box["width"] >= 64 for box in boxes)  # large touch targets
    assert nav.bounding_box()["y"] + nav.bounding_box()["height"] == PHONE["height"]
    # the end of the page scrolls clear of it
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    footer = page.locator("footer.site-footer").bounding_box()
    assert footer["y"] + footer["height"] <= nav.bounding_box()["y"] + 1

    # the account menu opens on a tap and holds the events, the switches and the login
    page.get_by_label("Menu akun").click()
    menu = page.locator(".account-menu .menu-panel")
    assert menu.get_by_role("link", name="Acara").is_visible()
    assert menu.get_by_role("button", name="English").is_visible()
    assert menu.get_by_label("Mata uang tampilan").is_visible()
    assert menu.get_by_role("link", name="Daftar").is_visible()
    assert_fits_the_phone(page)
    # and closes again on Escape, or on a tap outside it
    page.keyboard.press("Escape")
    assert not menu.is_visible()
    page.get_by_label("Menu akun").click()
    assert menu.is_visible()
    page.locator(".hero-compact").click(position={"x": 4, "y": 4})  # left of the open menu
    assert not menu.is_visible()

    # the categories place lists the categories, and is the current one there
    nav.get_by_role("link", name="Kategori").click()
    page.wait_for_url(f"{live_server}/kategori")
    assert page.get_by_role("link", name="Kopi & Teh").is_visible()
    assert visible_labels(nav.locator("[aria-current=page]")) == ["Kategori"]
    assert_fits_the_phone(page)

    # and on a wide screen the header's bar holds the same places: no bottom navigation
    wide = new_page(width=1280, height=800)
    wide.goto(f"{live_server}/")
    assert not wide.get_by_role("navigation", name="Navigasi utama").is_visible()
    assert wide.locator("header").bounding_box()["height"] <= 70
    assert violations == []


def test_seller_gets_the_sellers_bottom_navigation(live_server, new_page, make_store, db):
    store = make_store(name="Kopi Lereng Tanggamus")
    page = new_page(**PHONE)
    log_in(page, live_server, store.owner)
    page.goto(f"{live_server}/jual")
    nav = page.get_by_role("navigation", name="Navigasi utama")
    labels = visible_labels(nav)
    assert labels == ["Dasbor", "Produk baru", "Pesanan", "Pameran", "Akun"]
    assert visible_labels(nav.locator("[aria-current=page]")) == ["Dasbor"]
    nav.get_by_role("link", name="Pameran").click()
    page.wait_for_url(f"{live_server}/jual/acara")
    assert visible_labels(nav.locator("[aria-current=page]")) == ["Pameran"]
    assert_fits_the_phone(page)


def test_home_shows_products_on_the_first_screen_with_eager_then_lazy_pictures(
        live_server, new_page, make_store, make_product, make_event, db):
    # given eight verified stores (the old home page stacked their cards before any product),
    # products with photos, and a live event
    for n in range(8):
        store = make_store(name=f"Toko Unggulan {n}", verified=True, export_ready=n % 2 == 0,
                           cooperative="Koperasi Tani Makmur" if n < 3 else None)
        for m in range(2):
            product = make_product(store=store, title=f"Produk {n}-{m}")
            add_image(product, image_bytes(size=(800, 600), color=(40 * n % 255, 90, 30)),
                      actor=store.owner)
    make_event("live", title="Pameran Kopi Nusantara",
               starts_at=(utcnow() - timedelta(hours=2)).isoformat(),
               ends_at=(utcnow() + timedelta(days=1)).isoformat(),
               application_deadline=(utcnow() - timedelta(days=3)).isoformat())
    db.session.commit()

    # when a visitor opens the home page on a phone
    page = new_page(**PHONE)
    violations = watch_csp(page)
    page.goto(f"{live_server}/")
    snap(page, "phone-home")

    # then the first product card starts within the first screen
    cards = page.locator(".card")
    assert cards.first.bounding_box()["y"] < PHONE["height"]
    # the pictures of the first row load at once and first; the others lazily; all responsive
    images = page.locator(".card img")
    first, later = images.nth(0), images.nth(4)
    assert first.get_attribute("loading") == "eager" and first.get_attribute("fetchpriority") == "high"
    assert later.get_attribute("loading") == "lazy" and later.get_attribute("fetchpriority") is None
    srcset = first.get_attribute("srcset")
    assert "-thumb.webp 400w" in srcset and ".webp 800w" in srcset and first.get_attribute("sizes")
    assert first.get_attribute("width") == "400" and first.get_attribute("height") == "400"
    assert first.evaluate("img => img.decode().then(() => img.naturalWidth > 0, () => false)")
    # the event, export-ready and koperasi sections are there, after the newest products
    for heading in ("Produk terbaru", "Acara promosi", "Siap ekspor", "Pilihan koperasi", "Toko unggulan"):
        assert page.get_by_role("heading", name=heading).count() == 1, heading
    assert page.get_by_role("link", name="Pameran Kopi Nusantara").count() == 1
    assert_fits_the_phone(page)
    assert violations == []


def test_store_page_with_a_long_halal_number_fits_a_phone(live_server, new_page, make_store, db):
    # given a store with a long halal certificate number and a cooperative's long name
    store = make_store(name="Kopi Lereng Tanggamus", halal_cert="ID131100003876540223110021",
                       cooperative="Koperasi Produsen Kopi Robusta Tanggamus Sejahtera Bersama")
    # when a visitor opens it on a phone
    page = new_page(**PHONE)
    page.goto(f"{live_server}/toko/{store.slug}")
    # then the number shows, and the page is no wider than the screen
    assert page.get_by_text("ID131100003876540223110021").is_visible()
    assert_fits_the_phone(page)


def _curated_event(make_store, make_product, make_event, officer, db):
    """An event in curation with long words, one product at a regular price of Rp1.250.000."""
    from promotions.services import curate, invite

    store = make_store(name="Kopi Lereng Tanggamus")
    product = make_product(store=store, title="Kopi Robusta Tanggamus Petik Merah Premium 1 kg",
                           price_idr=1_250_000)
    event = make_event("curation", title="Forum Promosi Ekspor Kopi Lampung 2026",
                       venue="Ballroom Hotel Novotel Lampung, Jalan Gatot Subroto Nomor 136",
                       online_url="https://zoom.us/j/98765432109?pwd=AbCdEfGhIjKlMnOpQrStUvWxYz123456")
    invite(event, store, product_ids=[product.id], actor=officer)
    curate(event, [{"product_id": product.id, "event_price_idr": 1_100_000}], actor=officer)
    db.session.commit()
    return event


def test_curation_table_shows_the_regular_price_on_a_phone(
        live_server, new_page, make_store, make_product, make_event, officer, db):
    event = _curated_event(make_store, make_product, make_event, officer, db)
    # when the officer opens the event's desk on a phone
    page = new_page(**PHONE)
    log_in(page, live_server, officer)
    page.goto(f"{live_server}/petugas/acara/{event.slug}")
    snap(page, "phone-curation")
    # then the page fits, and the regular price shows whole, inside the screen
    assert_fits_the_phone(page)
    price = page.locator(".curate-table td", has_text="Rp1.250.000")
    box = price.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert price.evaluate("td => td.scrollWidth <= td.clientWidth")


def test_event_page_fits_a_phone(live_server, new_page, make_store, make_product, make_event,
                                 officer, db):
    from promotions.services import transition_event

    event = _curated_event(make_store, make_product, make_event, officer, db)
    transition_event(event, "publish", actor=officer)
    db.session.commit()
    # when a visitor opens the published event on a phone
    page = new_page(**PHONE)
    page.goto(f"{live_server}/acara/{event.slug}")
    snap(page, "phone-event")
    # then its times, venue and link fit the screen
    assert page.get_by_text("Ballroom Hotel Novotel Lampung").is_visible()
    assert_fits_the_phone(page)
