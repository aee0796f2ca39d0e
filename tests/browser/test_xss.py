"""Stored XSS through messages, in a real browser (issue 8).

A seller titles a product with markup; a buyer has 3 in the cart; the seller lowers the stock to
1; the buyer presses "Buat pesanan". The out-of-stock message names the product: it must show the
title as text, and no script may run. Any `dialog` (alert, confirm, prompt) fails the test.

The Content-Security-Policy header is stripped from every response here, so the test holds the
escaping itself, not the policy that would also block inline scripts.
"""
import re

import pytest

from tests.browser.test_buying import add_to_cart, fill_jakarta_address, log_in
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>Keripik"


def _without_csp(route):
    response = route.fetch(max_redirects=0)  # let the browser follow redirects itself
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-security-policy"}
    route.fulfill(response=response, headers=headers)


@pytest.mark.parametrize("lang,expected", [
    ("id", f"Stok {HOSTILE} tidak cukup."),
    ("en", f"Not enough stock of {HOSTILE}."),
])
def test_out_of_stock_message_shows_a_hostile_title_as_text(
        live_server, new_page, make_store, make_product, make_user, db, lang, expected):
    from catalog.services import update_product

    # given a product titled with markup, and a buyer with 3 of it in the cart at the checkout
    store = make_store(name="Toko <b>Sri</b>")
    product = make_product(store=store, title=HOSTILE, price_idr=25000, stock=5)
    buyer = make_user(name="<img src=y onerror=alert(3)>Rina")
    db.session.commit()
    page = new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.route("**/*", _without_csp)
    log_in(page, live_server, buyer)
    add_to_cart(page, live_server, product, 3)
    if lang == "en":
        page.get_by_label("Menu akun").click()  # the language switch is in the account menu
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
    page.goto(f"{live_server}/checkout")
    fill_jakarta_address(page) if lang == "id" else _fill_address_en(page)

    # when the seller lowers the stock to 1 and the buyer places the order
    update_product(product, {"stock": 1}, actor=store.owner)
    db.session.commit()
    page.get_by_role("button", name=re.compile("Buat pesanan|Place order")).click()
    page.wait_for_load_state()
    # the total with shipping is shown first; the buyer confirms it
    page.get_by_role("button", name=re.compile(r"^(Bayar|Pay) Rp")).click()
    page.wait_for_load_state()

    # then no script ran, and the message shows the title as text
    page.wait_for_timeout(500)  # an img onerror fires once its request has failed
    assert dialogs == []
    alert = page.locator(".flash-error", has_text=expected[:12])
    assert alert.first.inner_text().startswith(expected), alert.first.inner_text()
    assert page.locator("img[src=x], img[src=y]").count() == 0
    assert page.locator("script:not([src])").count() == 0


def _fill_address_en(page):
    page.locator("[name=name]").fill("Rina Wulandari")
    page.locator("[name=phone]").fill("0813 2222 3333")
    page.locator("[name=line1]").fill("Jl. Cikini Raya 12")
    page.locator("[name=province]").select_option("31")
    page.locator("[name=regency]").select_option("31.71")
    page.locator("[name=postal_code]").fill("10330")
