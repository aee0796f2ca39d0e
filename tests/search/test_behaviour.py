"""Search behaviour shared by both backends: filters, facets, sorting, paging, highlights,
did-you-mean, suggestions, the results page and the index following the database."""
from catalog.models import Product


def search(client, **args):
    response = client.get("/api/v1/search", query_string=args)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def facet(body, name):
    return {b["value"]: b["count"] for b in body["facets"][name]}


def test_facets_count_within_the_query(client, fixed_catalog, backend_name):
    body = search(client, q="keripik")
    assert body["total"] == 3
    assert facet(body, "category")["keripik"] == 3
    assert facet(body, "category")["makanan-ringan"] == 3     # the tree: parents count children
    assert facet(body, "in_stock") == {"true": 2, "false": 1}
    assert [(b["label"], b["count"]) for b in body["facets"]["store"]] == [("Camilan Mbok Sum", 3)]
    assert facet(body, "regency") == {"18.71": 3}
    assert body["facets"]["regency"][0]["label"] == "Kota Bandar Lampung"


def test_a_facet_ignores_its_own_filter(client, fixed_catalog, backend_name):
    # selecting a category still shows the other categories' counts (multi-select facets)
    body = search(client, q="madu", halal="true")
    assert [i["id"] for i in body["items"]] == [fixed_catalog["madu"]]
    assert facet(body, "halal") == {"true": 1, "false": 1}


def test_filters_combine(client, fixed_catalog, backend_name):
    body = search(client, province="18", min_price="20000", max_price="40000", sort="price_asc")
    prices = [i["price_idr"] for i in body["items"]]
    assert prices == sorted(prices) and all(20000 <= p <= 40000 for p in prices)
    assert body["total"] == len(prices) > 3
    assert all(i["store"]["province"] == "Lampung" for i in body["items"])
    only_lampung = search(client, province="18")
    assert facet(only_lampung, "province") == {"18": 23, "31": 1}   # others stay selectable
    assert only_lampung["total"] == 23


def test_sorting_and_paging(client, fixed_catalog, backend_name):
    first = search(client, sort="price_desc", per_page=5, page=1)
    second = search(client, sort="price_desc", per_page=5, page=2)
    assert first["total"] == len(fixed_catalog)
    assert first["items"][0]["id"] == fixed_catalog["tapis"]          # the most expensive
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert len(set(ids)) == 10
    prices = [i["price_idr"] for i in first["items"] + second["items"]]
    assert prices == sorted(prices, reverse=True)
    best = search(client, sort="best_selling", per_page=1)
    assert best["items"][0]["id"] == fixed_catalog["pisang"]


def test_highlight_marks_the_matching_words(client, fixed_catalog, backend_name):
    body = search(client, q="robusta", per_page=1)
    item = body["items"][0]
    assert "<em>" in " ".join(item["highlight"].get("title", []) + item["highlight"].get("title_en", []))


def test_ranking_favours_in_stock_products(client, fixed_catalog, backend_name):
    body = search(client, q="chips")
    ids = [i["id"] for i in body["items"]]
    assert ids.index(fixed_catalog["tempe"]) == len(ids) - 1   # out of stock goes last


def test_did_you_mean_when_nothing_matches(client, fixed_catalog, backend_name):
    body = search(client, q="qopi")
    assert body["total"] == 0
    assert body["did_you_mean"] == "kopi"
    page = client.get("/cari", query_string={"q": "qopi"}).get_data(as_text=True)
    assert "Tidak ada produk yang cocok" in page and "kopi" in page


def test_suggestions_as_you_type(client, fixed_catalog, backend_name):
    response = client.get("/api/v1/search/suggest", query_string={"q": "kopi rob"})
    suggestions = response.get_json()["suggestions"]
    products = [s for s in suggestions if s["type"] == "product"]
    assert products and products[0]["url"].startswith("/produk/")
    assert any("Robusta" in s["text"] for s in products)
    stores = client.get("/api/v1/search/suggest", query_string={"q": "mbok"}).get_json()["suggestions"]
    assert [(s["type"], s["text"]) for s in stores] == [("store", "Camilan Mbok Sum")]
    cats = client.get("/api/v1/search/suggest", query_string={"q": "rempa"}).get_json()["suggestions"]
    assert any(s["type"] == "category" and s["url"] == "/kategori/rempah" for s in cats)


def test_results_page_shows_products_and_facets(client, fixed_catalog, backend_name):
    page = client.get("/cari", query_string={"q": "madu"}).get_data(as_text=True)
    assert "<em>Madu</em> Hutan Murni 500ml" in page and "Rp95.000" in page
    assert '<option value="madu">Madu (2)</option>' in page   # the category facet, in the filter


def test_index_follows_changes_and_deletes(client, fixed_catalog, backend_name, db):
    from catalog.services import delete_product, update_product

    product = db.session.get(Product, fixed_catalog["madu"])
    update_product(product, {"title": "Madu Hutan Sumatra Super", "price_idr": 99000},
                   actor=product.store.owner)
    db.session.commit()
    body = search(client, q="sumatra")
    assert [i["id"] for i in body["items"]] == [product.id]
    assert body["items"][0]["price_idr"] == 99000

    update_product(product, {"status": "draft"}, actor=product.store.owner)
    db.session.commit()
    assert search(client, q="sumatra")["total"] == 0

    other = db.session.get(Product, fixed_catalog["klanceng"])
    delete_product(other, actor=other.store.owner)
    db.session.commit()
    assert search(client, q="klanceng")["total"] == 0


def test_store_change_reaches_its_products(client, fixed_catalog, backend_name, db, make_user):
    from catalog.services import set_store_verified

    product = db.session.get(Product, fixed_catalog["pisang"])
    officer = make_user(roles=("buyer", "officer"))
    set_store_verified(product.store, True, actor=officer)
    db.session.commit()
    body = search(client, q="keripik", verified="true")
    assert body["total"] == 3


def test_bad_parameters_get_the_error_shape(client, app):
    response = client.get("/api/v1/search", query_string={"sort": "cheapest", "per_page": "500",
                                                          "halal": "maybe"})
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"sort", "per_page", "halal"}


def test_results_page_pages_through_many_results(client, fixed_catalog, backend_name):
    first = client.get("/cari", query_string={"sort": "price_asc", "per_page": 10})
    assert first.status_code == 200
    page = first.get_data(as_text=True)
    assert 'rel="next"' in page and "1 / 1" not in page
    second = client.get("/cari", query_string={"sort": "price_asc", "per_page": 10, "page": 2})
    assert second.status_code == 200 and 'rel="prev"' in second.get_data(as_text=True)
