"""The analytics page, its CSV, the dashboard's figures and the API: the owner sees its own
store's figures (chart, tables, CSV, JSON); anyone else gets "not found" or the login."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from tests.books.analytics_helpers import pay_at
from tests.orders.conftest import TOKYO, make_product, make_store  # noqa: F401  (fixtures)


@pytest.fixture
def sold(monkeypatch, make_store, make_product, make_user, db):
    """A store with two products sold today (WIB), one abroad, and one sold 40 days ago."""
    from marketplace.timeutil import utcnow

    store = make_store(export_ready=True)
    kopi = make_product(store=store, title="=HYPERLINK(\"x\") <script>alert(1)</script>", price_idr=50_000,
                        stock=100)
    madu = make_product(store=store, title="Madu Hutan", price_idr=120_000, stock=100)
    buyer = make_user()
    now = utcnow()
    pay_at(monkeypatch, now, buyer, {kopi: 3})
    pay_at(monkeypatch, now, buyer, {madu: 1}, TOKYO)
    pay_at(monkeypatch, now - timedelta(days=40), buyer, {madu: 2})
    return store, kopi, madu


def test_the_owner_sees_cards_a_chart_and_the_numbers(app, sold, login, db):
    store, kopi, madu = sold
    client = app.test_client()
    login(client, store.owner)
    # when the seller opens the analytics page (the last 30 days by default)
    page = client.get("/jual/analitik")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # then the cards show the period's revenue, orders and average order
    main = html[html.index("<main"):html.index("</main>")]
    assert "Rp270.000" in main and "Rp135.000" in main
    assert re.search(r"<strong>2</strong><span>pesanan</span>", main)
    # and the chart is inline SVG with nothing the page's CSP would refuse
    svg = main[main.index("<svg"):main.index("</svg>")]
    assert "<script" not in svg and "<style" not in svg and "style=" not in svg
    assert 'viewBox="0 0 480 300"' in svg
    # and product names are escaped, in the chart and in the table
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in main
    # and the numbers are also a table, regions included
    assert "<table" in main and "Jepang" in main and "Daerah Khusus Ibukota Jakarta" in main
    # and the presets link to themselves
    assert 'href="/jual/analitik?periode=7d"' in main
    # and 365 days include the sale of 40 days ago, against nothing before
    year = client.get("/jual/analitik?periode=365d").get_data(as_text=True)
    assert "Rp510.000" in year and "tidak ada pembanding" in year


def test_a_chosen_range_and_a_bad_one(app, sold, login, db):
    from marketplace.money.rates import today_wib

    store, *_ = sold
    client = app.test_client()
    login(client, store.owner)
    today = today_wib()
    # a range of today alone
    html = client.get(f"/jual/analitik?from={today}&to={today}").get_data(as_text=True)
    assert "Rp270.000" in html and f'value="{today}"' in html
    # a range that ends before it starts is refused at its field; the page shows 30 days
    html = client.get(f"/jual/analitik?from={today}&to={today - timedelta(days=3)}").get_data(as_text=True)
    assert "Tanggal awal harus sebelum atau sama dengan tanggal akhir." in html
    assert 'aria-invalid="true"' in html and "Rp270.000" in html


def test_the_csv_has_the_figures_with_formulas_defused(app, sold, login, db):
    store, kopi, madu = sold
    client = app.test_client()
    login(client, store.owner)
    response = client.get("/jual/analitik.csv?periode=30d")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[1][3:6] == ["270000", "2", "4"]
    products = {row[1]: row for row in table if len(row) == 6 and row[1].isdigit()}
    assert products[str(kopi.id)][0].startswith("'=HYPERLINK")
    assert products[str(madu.id)][2:4] == ["120000", "1"]
    # a bad range is not a file
    assert client.get("/jual/analitik.csv?from=2026-13-01").status_code == 422


def test_the_dashboard_shows_the_key_figures_first(app, sold, login, db):
    store, *_ = sold
    client = app.test_client()
    login(client, store.owner)
    html = client.get("/jual").get_data(as_text=True)
    section = html[html.index('class="panel analytics-summary"'):]
    section = section[:section.index("</section>")]
    assert "Penjualan 30 hari terakhir" in section and "Rp270.000" in section
    assert 'href="/jual/analitik"' in section
    # and the account menu links to the page
    assert re.search(r'<a href="/jual/analitik"[^>]*>Analitik</a>', html)


def test_only_the_owner_sees_a_stores_analytics(app, sold, make_store, make_user, login, token_for, db):
    store, *_ = sold
    # a visitor is sent to log in
    anonymous = app.test_client()
    assert anonymous.get("/jual/analitik").status_code == 302
    assert anonymous.get(f"/api/v1/stores/{store.slug}/analytics").status_code == 401
    # another seller sees their own (empty) page, and not this store in the API
    other = make_store()
    client = app.test_client()
    login(client, other.owner)
    assert "Rp270.000" not in client.get("/jual/analitik").get_data(as_text=True)
    assert client.get(f"/api/v1/stores/{store.slug}/analytics",
                      headers=token_for(other.owner)).status_code == 404
    # a buyer without a store is asked to open one, and is not found in the API
    buyer = make_user()
    client = app.test_client()
    login(client, buyer)
    assert client.get("/jual/analitik").headers["Location"].endswith("/jual/toko/baru")
    assert client.get(f"/api/v1/stores/{store.slug}/analytics", headers=token_for(buyer)).status_code == 404


def test_the_api_answers_the_documented_shape(app, client, sold, token_for, db):
    from marketplace.money.rates import today_wib

    store, kopi, madu = sold
    owner = token_for(store.owner)
    today = today_wib()
    response = client.get(f"/api/v1/stores/{store.slug}/analytics?from={today - timedelta(days=6)}&to={today}",
                          headers=owner)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["revenue_idr"], body["orders"], body["units"]) == (270_000, 2, 4)
    assert len(body["series"]) == 7 and body["series"][-1] == {
        "date": today.isoformat(), "until": today.isoformat(), "revenue_idr": 270_000, "orders": 2, "units": 4}
    assert [(p["product_id"], p["revenue_idr"], p["units"]) for p in body["top_products"]] == [
        (kopi.id, 150_000, 3), (madu.id, 120_000, 1)]
    assert {c["country_code"] for c in body["countries"]} == {"ID", "JP"}
    assert body["previous"]["orders"] == 0 and body["changes"]["orders_pct"] is None
    assert body["rfqs"] == {"received": 0, "quoted": 0, "won": 0}
    # a period of a year by preset
    year = client.get(f"/api/v1/stores/{store.slug}/analytics?period=365d", headers=owner).get_json()
    assert year["revenue_idr"] == 510_000 and year["bucket"] == "week"
    # bad periods are 422 in the API's error shape
    for query, field in (("from=2026-03-10&to=2026-03-01", "from"), ("from=2020-01-01&to=2026-03-01", "to"),
                         ("from=2026-02-30", "from"), ("period=forever", "period")):
        refused = client.get(f"/api/v1/stores/{store.slug}/analytics?{query}", headers=owner)
        assert refused.status_code == 422, query
        assert field in refused.get_json()["error"]["fields"], query


def test_the_operation_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/stores/{slug}/analytics"]["get"]
    assert {p["name"] for p in operation["parameters"] if p["in"] == "query"} == {"from", "to", "period"}
    assert "StoreAnalytics" in document["components"]["schemas"]
