"""Display currencies (marketplace/money/): the admins' rates page, the header's switch, the
approximate price beside the rupiah one, and the choice kept across login."""
from __future__ import annotations

import re
from datetime import date, timedelta

from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)
from tests.orders.test_pages import field_error, text


def test_admin_sets_a_usd_rate_and_a_buyer_who_chose_usd_sees_it(app, make_user, login, make_product, db):
    admin = app.test_client()
    login(admin, make_user(roles=("admin",)))
    product = make_product(price_idr=31750)
    valid_on = date.today() - timedelta(days=1)
    page = text(admin.get("/admin/kurs"))
    assert "Belum ada kurs." in page
    response = admin.post("/admin/kurs", data={"currency": "USD", "idr_per_unit": "15.875",
                                               "valid_on": valid_on.isoformat()})
    assert response.headers["Location"] == "/admin/kurs"
    page = text(admin.get("/admin/kurs"))
    assert "Kurs 1 USD = Rp15.875" in page                  # the flash
    assert re.search(r"<strong>USD</strong></td><td[^>]*>Rp15.875</td>", page)
    # a bad rate is shown under its field
    page = text(admin.post("/admin/kurs", data={"currency": "USD", "idr_per_unit": "-3",
                                                "valid_on": valid_on.isoformat()}))
    assert field_error(page, "idr_per_unit") == "Kurs harus angka positif (rupiah per satuan)."
    # a buyer who picks USD sees an approximate dollar price with the rate and its date
    buyer = app.test_client()
    assert "≈" not in text(buyer.get(f"/produk/{product.id}"))
    response = buyer.post("/mata-uang", data={"currency": "USD", "next": f"/produk/{product.id}"})
    assert response.headers["Location"] == f"/produk/{product.id}"
    page = text(buyer.get(f"/produk/{product.id}"))
    assert "≈ US$2,00" in page
    from babel.dates import format_date

    assert f'title="Perkiraan · Kurs 1 USD = Rp15.875 ({format_date(valid_on, "d MMM yyyy", locale="id")})"' in page
    assert "Rp31.750" in page                            # rupiah stays
    # back to rupiah only
    buyer.post("/mata-uang", data={"currency": "IDR", "next": "/"})
    assert "≈" not in text(buyer.get(f"/produk/{product.id}"))


def test_non_admins_get_403_on_exchange_rates(app, make_user, login, client):
    buyer = app.test_client()
    login(buyer, make_user())
    assert buyer.get("/admin/kurs").status_code == 403
    assert buyer.post("/admin/kurs", data={"currency": "USD", "idr_per_unit": "1",
                                           "valid_on": "2026-01-01"}).status_code == 403
    assert client.get("/admin/kurs").status_code == 302     # guests log in first


def test_the_display_currency_survives_login_and_only_admins_see_the_rates_link(app, make_user, login):
    user = make_user()
    client = app.test_client()
    client.post("/mata-uang", data={"currency": "JPY", "next": "/"})
    login(client, user)                          # a new session: the choice is carried over
    page = text(client.get("/"))
    assert re.search(r'<option value="JPY" selected>', page)
    assert 'href="/admin/kurs"' not in page
    admin = login(app.test_client(), make_user(roles=("admin",)))
    assert 'href="/admin/kurs"' in text(admin.get("/"))


def test_a_bad_currency_choice_falls_back_to_rupiah(app, client):
    assert client.post("/mata-uang", data={"currency": "XXX", "next": "https://evil.test/"}
                       ).headers["Location"] == "/"
    assert '<option value="IDR" selected>' in text(client.get("/"))


def test_a_rate_with_decimals_is_kept_and_shown_in_the_indonesian_format(app, make_user, login):
    """The form's own hint format, "12100,50", once answered 500 (Flask-Babel's format_decimal
    takes no locale)."""
    admin = login(app.test_client(), make_user(roles=("admin",)))
    valid_on = (date.today() - timedelta(days=1)).isoformat()
    response = admin.post("/admin/kurs", data={"currency": "EUR", "idr_per_unit": "17.100,50",
                                               "valid_on": valid_on})
    assert response.status_code == 302
    page = text(admin.get("/admin/kurs"))
    assert "Kurs 1 EUR = Rp17.100,5" in page
    assert re.search(r"<strong>EUR</strong></td><td[^>]*>Rp17.100,5</td>", page)
