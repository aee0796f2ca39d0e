"""The officers' "naik kelas" figures (books/officer.py): a province's sales over a year by
regency and by top-level category from the rollups, the stores moving up a scale, and the
suppression of cells standing for fewer than BOOKS_MIN_STORES stores (and of the total when
it would give one away). Hand-made rollup rows; given / when / then."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from books import officer
from books.models import ProductSalesDaily, SalesDaily, ScaleConfirmation
from marketplace.errors import Forbidden
from tests.books.naik_kelas import WIB
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)
from tests.orders.test_pages import text

YEAR = 2026


def sold(db, store, day: date, revenue: int, orders: int = 1, units: int = 1, product=None) -> None:
    """A day of a store's (and a product's) paid sales in the rollups."""
    db.session.add(SalesDaily(store_id=store.id, day=day, orders=orders, units=units, revenue_idr=revenue,
                              shipping_idr=0))
    if product is not None:
        db.session.add(ProductSalesDaily(product_id=product.id, day=day, store_id=store.id, orders=orders,
                                         units=units, revenue_idr=revenue))
    db.session.commit()


def confirmed(db, store, scale: str, previous: str, at: datetime) -> None:
    db.session.add(ScaleConfirmation(store_id=store.id, scale=scale, previous_scale=previous,
                                     annual_sales_idr=1, period_start=date(2025, 1, 1),
                                     period_end=date(2025, 12, 31), confirmed_at=at))
    db.session.commit()


@pytest.fixture
def province(db, make_store, make_product):
    """Lampung in 2026: three stores in Tanggamus (kopi, kopi, teh), one in Bandar Lampung
    (keripik), two in Metro (kopi, madu); a store in Jakarta; sales of 2025 that do not count."""
    stores = {}
    for name, regency, category in (("Tanggamus A", "18.06", "kopi"), ("Tanggamus B", "18.06", "kopi"),
                                    ("Tanggamus C", "18.06", "teh"), ("Bandar Solo", "18.71", "keripik"),
                                    ("Metro A", "18.72", "kopi"), ("Metro B", "18.72", "madu")):
        store = make_store(name=f"Toko {name}", province_code="18", regency_code=regency)
        stores[name] = (store, make_product(store=store, category=category))
    jakarta = make_store(name="Toko Jakarta", province_code="31", regency_code="31.71")
    stores["Jakarta"] = (jakarta, make_product(store=jakarta, category="kopi"))
    for i, name in enumerate(("Tanggamus A", "Tanggamus B", "Tanggamus C")):
        store, product = stores[name]
        sold(db, store, date(YEAR, 3, 1 + i), 100_000 * (i + 1), orders=2, units=3, product=product)
    sold(db, *[stores["Bandar Solo"][0], date(YEAR, 5, 5), 900_000], orders=4, units=9,
         product=stores["Bandar Solo"][1])
    for name in ("Metro A", "Metro B"):
        sold(db, stores[name][0], date(YEAR, 6, 1), 50_000, product=stores[name][1])
    sold(db, stores["Jakarta"][0], date(YEAR, 6, 1), 7_000_000, product=stores["Jakarta"][1])
    sold(db, stores["Tanggamus A"][0], date(YEAR - 1, 12, 31), 5_000_000, product=stores["Tanggamus A"][1])
    return stores


@pytest.fixture
def officer_user(make_user):
    return make_user(roles=("officer",), name="Petugas Dinas")


def test_sales_by_regency_show_only_cells_of_three_stores_or_more(province, officer_user, db):
    # when an officer reads Lampung's 2026
    figures = officer.province_figures("18", YEAR, actor=officer_user)
    cells = {c.key: c for c in figures.by_regency}
    # then Tanggamus (3 stores) shows its figures; Bandar Lampung (1) and Metro (2) are suppressed
    assert (cells["18.06"].stores, cells["18.06"].orders, cells["18.06"].units, cells["18.06"].revenue_idr) == \
        (3, 6, 9, 600_000)
    for key in ("18.71", "18.72"):
        assert cells[key].suppressed and cells[key].revenue_idr is None and cells[key].orders is None
    # the province's total (two cells hidden: neither can be worked out) counts 2026 only, Lampung only
    assert not figures.total.suppressed and figures.total.revenue_idr == 600_000 + 900_000 + 100_000
    assert figures.total.stores == 6 and figures.stores == 6 and figures.min_stores == 3


def test_sales_by_category_add_up_to_the_top_level_category_with_distinct_stores(province, officer_user, db):
    # when the officer reads the categories
    cells = {c.key: c for c in officer.province_figures("18", YEAR, actor=officer_user).by_category}
    # then kopi and teh make "Kopi & Teh" with 4 distinct stores; snacks and honey (1 store
    # each) are suppressed
    assert set(cells) == {"kopi-teh", "makanan-ringan", "madu"}
    drinks = cells["kopi-teh"]
    assert (drinks.stores, drinks.units, drinks.revenue_idr, drinks.suppressed) == (4, 10, 650_000, False)
    assert str(drinks.label) == "Kopi & Teh"
    for key in ("makanan-ringan", "madu"):
        assert cells[key].suppressed and cells[key].revenue_idr is None and cells[key].units is None


def test_one_suppressed_cell_takes_the_total_with_it(province, officer_user, make_store, make_product, db):
    # given a third Metro store: now only Bandar Lampung is below three stores by regency
    third = make_store(name="Toko Metro C", province_code="18", regency_code="18.72")
    sold(db, third, date(YEAR, 7, 1), 10_000, product=make_product(store=third, category="madu"))
    # when the officer reads the figures
    figures = officer.province_figures("18", YEAR, actor=officer_user)
    # then the total is suppressed too (it less the shown cells would be Bandar Lampung's sales)
    assert [c.key for c in figures.by_regency if c.suppressed] == ["18.71"]
    assert figures.total.suppressed and figures.total.revenue_idr is None


def test_the_minimum_comes_from_the_configuration(province, officer_user, app, db):
    # given BOOKS_MIN_STORES = 1
    app.config["BOOKS_MIN_STORES"] = 1
    try:
        figures = officer.province_figures("18", YEAR, actor=officer_user)
    finally:
        app.config["BOOKS_MIN_STORES"] = 3
    # then nothing is suppressed
    assert not any(c.suppressed for c in figures.by_regency + figures.by_category + [figures.total])


def test_stores_that_moved_up_a_scale_this_year_are_counted_once(province, officer_user, db):
    # given confirmations: up (twice for one store), down, the same, last year, and in Jakarta
    a, b, c = (province[n][0] for n in ("Tanggamus A", "Tanggamus B", "Tanggamus C"))
    confirmed(db, a, "kecil", "mikro", datetime(YEAR, 2, 1, 9, tzinfo=WIB))
    confirmed(db, a, "menengah", "kecil", datetime(YEAR, 9, 1, 9, tzinfo=WIB))
    confirmed(db, b, "mikro", "kecil", datetime(YEAR, 3, 1, 9, tzinfo=WIB))
    confirmed(db, c, "mikro", "mikro", datetime(YEAR, 3, 1, 9, tzinfo=WIB))
    confirmed(db, province["Metro A"][0], "kecil", "mikro", datetime(YEAR, 1, 1, 0, 30, tzinfo=WIB))
    confirmed(db, province["Metro B"][0], "kecil", "mikro", datetime(YEAR - 1, 12, 31, 23, 30, tzinfo=WIB))
    confirmed(db, province["Jakarta"][0], "kecil", "mikro", datetime(YEAR, 5, 1, 9, tzinfo=WIB))
    # when the officer reads 2026 / then Tanggamus A and Metro A moved up (WIB year bounds)
    assert officer.province_figures("18", YEAR, actor=officer_user).moved_up == 2


def test_only_officers_get_the_figures(province, make_user, db):
    # given a seller / when they ask / then refused
    with pytest.raises(Forbidden):
        officer.province_figures("18", YEAR, actor=province["Metro A"][0].owner)


def test_the_page_shows_aggregates_without_store_names(province, officer_user, app, login, db):
    # given an officer logged in
    client = app.test_client()
    login(client, officer_user)
    # when they open the page for Lampung 2026
    response = client.get("/petugas/naik-kelas", query_string={"provinsi": "18", "tahun": str(YEAR)})
    # then the regencies and categories show, small cells as "< 3 toko", and no store's name
    page = text(response)
    assert response.status_code == 200
    assert "Kabupaten Tanggamus" in page and "Rp600.000" in page and "&lt; 3 toko" in page
    assert "Kopi &amp; Teh" in page and "Rp650.000" in page and "Rp1.600.000" in page
    assert "Rp900.000" not in page  # Bandar Lampung's one store
    for store, _product in province.values():
        assert store.name not in page and store.slug not in page
    # and another province is one choice away (Jakarta: one store, everything suppressed)
    jakarta = text(client.get("/petugas/naik-kelas", query_string={"provinsi": "31", "tahun": str(YEAR)}))
    assert "Rp7.000.000" not in jakarta and "&lt; 3 toko" in jakarta
    assert client.get("/petugas/naik-kelas", query_string={"provinsi": "99"}).status_code == 404


def test_the_page_is_for_officers_only(province, app, client, login, make_user, db):
    # given a visitor, a buyer and a seller
    buyer, seller = app.test_client(), app.test_client()
    login(buyer, make_user())
    login(seller, province["Metro A"][0].owner)
    # when each opens the page / then the visitor is sent to log in, the others refused
    assert "/masuk" in client.get("/petugas/naik-kelas").headers["Location"]
    assert buyer.get("/petugas/naik-kelas").status_code == 403
    assert seller.get("/petugas/naik-kelas").status_code == 403
