"""The display currency in a real browser on a 360 px phone: a guest picks USD in the header, sees
the flash and the rate notice, and the dollar estimates beside the rupiah prices fit the screen
(no horizontal scroll) on the home, category, search, product and cart pages."""
from __future__ import annotations

from datetime import date, timedelta

from babel.dates import format_date

from tests.browser.csp import watch_csp
from tests.browser.test_buying import snap
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)


def test_a_phone_buyer_picks_usd_and_every_price_page_fits_360px(
        live_server, new_page, make_store, make_product, make_user, db):
    from marketplace.money.rates import set_rate

    # given a USD rate and products with long prices (a Rp1.500.000 cloth with wholesale tiers)
    day = date.today() - timedelta(days=1)
    set_rate("USD", "15875", day, actor=make_user(roles=("admin",)))
    store = make_store(name="Tapis Ratu Pesisir")
    tapis = make_product(store=store, title="Kain Tapis Lampung Motif Pucuk Rebung", price_idr=1_587_500, category="tapis",
                         stock=50, wholesale_tiers=[{"min_qty": 10, "unit_price_idr": 1_428_750}])
    for n in range(5):
        make_product(store=store, title=f"Selendang Tenun Tapis {n}", price_idr=450_000 + n * 1000, category="tapis")
    db.session.commit()
    page = new_page(360, 800)
    violations = watch_csp(page)

    # when a guest picks USD in the header's account menu (the select submits itself)
    page.goto(f"{live_server}/")
    page.get_by_label("Menu akun").click()
    page.get_by_label("Mata uang tampilan").select_option("USD")
    page.wait_for_selector(".fx-notice")

    # then the flash confirms, and the notice shows the rate and its date
    assert "Harga kini disertai perkiraan dalam USD" in page.locator(".flash").inner_text()
    shown_day = format_date(day, "d MMM yyyy", locale="id")
    assert page.locator(".fx-notice").inner_text() == (
        f"Harga dalam USD hanya perkiraan, dengan kurs 1 USD = Rp15.875 ({shown_day}). "
        "Pembayaran tetap dalam rupiah.")

    page.goto(f"{live_server}/produk/{tapis.id}")
    page.get_by_label("Jumlah").fill("12")
    page.get_by_role("button", name="Tambah ke keranjang").click()
    page.wait_for_url(f"{live_server}/keranjang")
    for path in ("/", "/kategori/tapis", "/cari?q=tapis", f"/produk/{tapis.id}", "/keranjang"):
        page.goto(f"{live_server}{path}")
        assert page.locator(".fx-notice").is_visible(), path
        assert page.locator(".fx").first.is_visible(), path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide"
        snap(page, "fx" + path.replace("/", "_").replace("?", "_"))
    # the cart's total: Rp17.145.000 for 12 at the tier price, about US$1.080,00
    total = page.locator(".cart-total-row").inner_text()
    assert "Rp17.145.000" in total and "≈ US$1.080,00" in total
    assert violations == []
