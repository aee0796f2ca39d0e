"""The store's scale under PP 7/2021 (books/scale.py): the limits at their edges, the page with
the figure it came from, the confirmation (recorded, the store's scale changed, search told),
and who may see it; the owner's API. Given / when / then."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from books.models import ScaleConfirmation
from books.scale import suggest_scale
from books.statements import year_before
from catalog.models import Store
from catalog.signals import store_changed
from marketplace.i18n import local_date
from marketplace.money.rates import today_wib
from tests.books.naik_kelas import cash_sale
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)
from tests.orders.test_pages import text


@pytest.mark.parametrize(("sales", "scale"), [
    (0, "mikro"), (1, "mikro"), (2_000_000_000, "mikro"),
    (2_000_000_001, "kecil"), (15_000_000_000, "kecil"),
    (15_000_000_001, "menengah"), (50_000_000_000, "menengah"),
    (50_000_000_001, "besar"), (10**13, "besar"),
])
def test_the_scale_follows_pp_7_2021_with_each_limit_in_the_lower_scale(sales, scale):
    # given a year's sales / when the scale is suggested / then each limit still belongs below
    assert suggest_scale(sales) == scale


@pytest.fixture
def seller(app, make_store, login):
    """A mikro store whose owner is logged in, with its client."""
    store = make_store(name="Kopi <Lereng>", scale="mikro")
    client = app.test_client()
    login(client, store.owner)
    return store, client


def test_the_page_shows_the_suggestion_its_figure_and_period_and_the_current_scale(seller, db):
    # given a mikro store with Rp2,000,000,001 of cash sales this year
    store, client = seller
    cash_sale(store, 2_000_000_001, today_wib())
    # when its owner opens the scale page
    response = client.get("/jual/skala")
    # then it suggests kecil from that figure over the 12 months ending today, and shows mikro now
    page = text(response)
    assert response.status_code == 200
    assert 'class="scale-current">Usaha mikro<' in page
    assert 'class="scale-suggested">Usaha kecil<' in page
    assert "Rp2.000.000.001" in page
    assert f"{local_date(year_before(today_wib()))} – {local_date(today_wib())}" in page
    assert "Konfirmasi skala Usaha kecil" in page and "Kopi &lt;Lereng&gt;" in page


def test_confirming_records_the_figure_and_changes_the_store_and_tells_search(seller, db):
    # given a mikro store whose year's sales make it kecil, and a listener on store changes
    store, client = seller
    cash_sale(store, 3_500_000_000, today_wib())
    seen = []

    def listener(sender, **extra):
        seen.append(sender.id)

    store_changed.connect(listener)
    try:
        # when the owner confirms the scale the page showed
        response = client.post("/jual/skala", data={"scale": "kecil"})
    finally:
        store_changed.disconnect(listener)
    # then the store is kecil, the confirmation keeps the figure, the period and the scale before
    assert response.status_code == 302 and response.headers["Location"].endswith("/jual/skala")
    db.session.expire_all()
    assert db.session.get(Store, store.id).scale == "kecil"
    row = db.session.scalars(sa.select(ScaleConfirmation)).one()
    assert (row.store_id, row.scale, row.previous_scale, row.annual_sales_idr) == (store.id, "kecil", "mikro",
                                                                                 3_500_000_000)
    assert row.period_end == today_wib() and row.period_start == year_before(today_wib())
    assert row.confirmed_by_id == store.owner_id
    assert store.id in seen  # search's outbox listens to this signal
    # and the page says so, with the confirmation in its history
    page = text(client.get("/jual/skala"))
    assert "Skala usaha dikonfirmasi: Usaha kecil." in page and 'class="scale-current">Usaha kecil<' in page
    assert "Riwayat konfirmasi" in page and "Rp3.500.000.000" in page


def test_confirming_the_same_scale_is_recorded_without_changing_the_store(seller, db):
    # given a mikro store with small sales
    store, client = seller
    cash_sale(store, 25_000_000, today_wib())
    # when the owner confirms mikro
    assert client.post("/jual/skala", data={"scale": "mikro"}).status_code == 302
    # then a confirmation mikro -> mikro is kept (it is not a move up) and the store stays mikro
    row = db.session.scalars(sa.select(ScaleConfirmation)).one()
    assert (row.scale, row.previous_scale) == ("mikro", "mikro")


def test_a_figure_that_moved_since_the_page_was_shown_changes_nothing(seller, db):
    # given a store whose sales now make it kecil, but a page that showed mikro
    store, client = seller
    cash_sale(store, 2_500_000_000, today_wib())
    # when the owner confirms mikro
    response = client.post("/jual/skala", data={"scale": "mikro"})
    # then nothing is recorded, the store keeps its scale, and the page asks to look again
    assert response.status_code == 200
    assert "Periksa lagi skala yang disarankan" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScaleConfirmation)) == 0
    db.session.expire_all()
    assert db.session.get(Store, store.id).scale == "mikro"


def test_a_large_business_is_not_an_umkm_and_cannot_be_confirmed(seller, db):
    # given sales above Rp50 billion
    store, client = seller
    cash_sale(store, 50_000_000_001, today_wib())
    # when the owner opens the page and (from an old form) posts a confirmation
    page = text(client.get("/jual/skala"))
    response = client.post("/jual/skala", data={"scale": "besar"})
    # then the page says "besar" with no confirm button, and the post changes nothing
    assert "Usaha besar (bukan UMKM)" in page and "Konfirmasi skala" not in page
    assert "bukan UMKM" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScaleConfirmation)) == 0


def test_the_scale_page_needs_a_login_and_a_store(app, client, make_user, login):
    # given a visitor and a signed-in buyer without a store
    buyer = app.test_client()
    login(buyer, make_user())
    # when each opens the scale page / then the visitor is sent to log in, the buyer to open a store
    assert "/masuk" in client.get("/jual/skala").headers["Location"]
    assert client.post("/jual/skala", data={"scale": "kecil"}).status_code == 302
    assert buyer.get("/jual/skala").headers["Location"].endswith("/jual/toko/baru")


def test_the_api_gives_the_owner_the_scale_and_the_suggestion(seller, make_store, token_for, client, db):
    # given a store with Rp16 billion of sales this year and another seller
    store, _ = seller
    cash_sale(store, 16_000_000_000, today_wib())
    other = make_store()
    # when its owner, the other seller and a visitor ask for its scale
    mine = client.get(f"/api/v1/stores/{store.slug}/scale", headers=token_for(store.owner))
    theirs = client.get(f"/api/v1/stores/{store.slug}/scale", headers=token_for(other.owner))
    anonymous = client.get(f"/api/v1/stores/{store.slug}/scale")
    # then only the owner gets it: the scale now, the suggestion and its figure and period
    assert mine.status_code == 200
    body = mine.get_json()
    assert body["scale"] == "mikro" and body["suggested_scale"] == "menengah"
    assert body["annual_sales_idr"] == 16_000_000_000 and body["period_end"] == today_wib().isoformat()
    assert body["confirmed_at"] is None
    assert theirs.status_code == 404 and anonymous.status_code == 401
