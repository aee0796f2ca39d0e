"""Catalog API: reference data, stores, products, lists and images; the happy paths and the
validation a client meets (422 with the fields named, 409 for conflicts)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from catalog.models import Product, ProductImage, Store
from marketplace.accounts.models import User
from tests.catalog.conftest import image_bytes, product_data, store_data


@pytest.fixture
def seller(make_user, token_for):
    """A buyer about to open a store, and their bearer-token headers."""
    user = make_user(name="Rina Wati")
    return user, token_for(user)


@pytest.fixture
def shop(client, seller):
    """A store opened through the API: (store json, owner headers)."""
    _user, headers = seller
    response = client.post("/api/v1/stores", json=store_data(name="Kopi Lereng Rina"),
                           headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json(), headers


def _fields(response) -> set[str]:
    return set(response.get_json()["error"]["fields"])


# --- reference data ---------------------------------------------------------------------------


def test_categories_are_a_tree_named_in_the_callers_language(client):
    tree = client.get("/api/v1/categories").get_json()
    roots = {node["slug"]: node for node in tree}
    assert "kopi-teh" in roots and "kopi" not in roots
    kopi_teh = roots["kopi-teh"]
    assert kopi_teh["name"] == "Kopi & Teh"
    assert [c["slug"] for c in kopi_teh["children"]] == ["kopi", "teh"]
    assert kopi_teh["children"][0] == {"slug": "kopi", "name": "Kopi", "name_en": "Coffee",
                                       "children": []}
    english = client.get("/api/v1/categories", headers={"Accept-Language": "en"}).get_json()
    assert english[0]["name"] == "Coffee & Tea"
    assert english[0]["children"][0]["name"] == "Coffee"


def test_regions_list_every_province_and_lampungs_15_regencies(client):
    regions = client.get("/api/v1/regions").get_json()
    assert len(regions) == 38
    lampung = next(p for p in regions if p["code"] == "18")
    assert lampung["name"] == "Lampung"
    assert len(lampung["regencies"]) == 15
    assert {"code": "18.71", "name": "Kota Bandar Lampung"} in lampung["regencies"]
    assert [r["code"] for r in lampung["regencies"]] == sorted(r["code"] for r in lampung["regencies"])


# --- stores -----------------------------------------------------------------------------------


def test_opening_a_store_makes_the_user_a_seller(client, seller, db):
    user, headers = seller
    response = client.post("/api/v1/stores", json=store_data(
        name="Tapis Siger Rina", whatsapp="0812 3456 7890", halal_cert="ID18110000123",
        cooperative="Koperasi Wanita Tani", export_ready=True), headers=headers)
    assert response.status_code == 201
    store = response.get_json()
    assert store["slug"] == "tapis-siger-rina"
    assert store["url"] == "/toko/tapis-siger-rina"
    assert store["province_code"] == "18" and store["province"] == "Lampung"
    assert store["regency_code"] == "18.06" and store["regency"] == "Kabupaten Tanggamus"
    assert store["whatsapp"] == "+6281234567890"
    assert store["nib"] == "1234567890123" and store["scale"] == "mikro"
    assert store["halal_cert"] == "ID18110000123"
    assert store["cooperative"] == "Koperasi Wanita Tani"
    assert store["export_ready"] is True
    assert store["verified"] is False and store["verified_at"] is None
    assert store["created_at"].endswith("+00:00")
    db.session.expire_all()
    assert db.session.get(User, user.id).roles == ["buyer", "seller"]
    assert client.get("/api/v1/stores/tapis-siger-rina").get_json() == store


def test_store_with_a_chosen_slug_and_a_taken_one(client, make_user, token_for):
    first = client.post("/api/v1/stores", json=store_data(slug="kopi-tanggamus"),
                        headers=token_for(make_user()))
    assert first.status_code == 201 and first.get_json()["slug"] == "kopi-tanggamus"
    taken = client.post("/api/v1/stores", json=store_data(slug="kopi-tanggamus"),
                        headers=token_for(make_user()))
    assert taken.status_code == 422 and _fields(taken) == {"slug"}


def test_a_second_store_is_409(client, shop, db):
    _store, headers = shop
    response = client.post("/api/v1/stores", json=store_data(), headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "store_exists"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Store)) == 1


@pytest.mark.parametrize("overrides, fields", [
    ({"nib": "12345"}, {"nib"}),
    ({"nib": "12345678901ab"}, {"nib"}),
    ({"nib": ""}, {"nib"}),
    ({"whatsapp": "12345"}, {"whatsapp"}),
    ({"scale": "raksasa"}, {"scale"}),
    ({"province_code": "99"}, {"province_code"}),
    ({"regency_code": "31.71"}, {"regency_code"}),  # Jakarta Pusat is not in Lampung
    ({"name": "", "export_ready": "mungkin"}, {"name", "export_ready"}),
])
def test_store_validation_names_the_bad_fields(client, seller, db, overrides, fields):
    _user, headers = seller
    response = client.post("/api/v1/stores", json=store_data(**overrides), headers=headers)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_fields"
    assert set(error["fields"]) == fields
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Store)) == 0


def test_store_body_must_be_a_json_object(client, seller):
    _user, headers = seller
    response = client.post("/api/v1/stores", json=["bukan", "objek"], headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_json"


def test_owner_patches_some_store_fields(client, shop):
    store, headers = shop
    response = client.patch(f"/api/v1/stores/{store['slug']}", headers=headers,
                            json={"description": "Kopi robusta dan luwak.", "regency_code": "18.71"})
    assert response.status_code == 200
    patched = response.get_json()
    assert patched["description"] == "Kopi robusta dan luwak."
    assert patched["regency"] == "Kota Bandar Lampung"
    assert patched["name"] == store["name"] and patched["nib"] == store["nib"]
    bad = client.patch(f"/api/v1/stores/{store['slug']}", headers=headers, json={"nib": "1"})
    assert bad.status_code == 422 and _fields(bad) == {"nib"}


def test_unknown_store_is_404(client):
    response = client.get("/api/v1/stores/tidak-ada")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


# --- products ---------------------------------------------------------------------------------


def test_create_product_answers_the_full_product(client, shop, db):
    store, headers = shop
    body = product_data(title="Kopi Robusta Tanggamus", title_en="Tanggamus Robusta Coffee",
                        price_idr=45000, min_order_qty=2, hs_code="0901.11",
                        wholesale_tiers=[{"min_qty": 50, "unit_price_idr": 40000},
                                         {"min_qty": 10, "unit_price_idr": 42000}])
    response = client.post(f"/api/v1/stores/{store['slug']}/products", json=body, headers=headers)
    assert response.status_code == 201
    product = response.get_json()
    assert product["url"] == f"/produk/{product['id']}"
    assert product["title"] == "Kopi Robusta Tanggamus"
    assert product["title_en"] == "Tanggamus Robusta Coffee"
    assert product["category"] == "kopi" and product["category_name"] == "Kopi"
    assert product["price_idr"] == 45000 and type(product["price_idr"]) is int
    assert product["wholesale_tiers"] == [{"min_qty": 10, "unit_price_idr": 42000},
                                          {"min_qty": 50, "unit_price_idr": 40000}]
    assert (product["min_order_qty"], product["stock"], product["weight_g"]) == (2, 20, 250)
    assert product["hs_code"] == "0901.11" and product["halal"] is True
    assert product["status"] == "active" and product["images"] == []
    assert product["store"] == {"slug": store["slug"], "name": "Kopi Lereng Rina",
                                "verified": False, "province": "Lampung",
                                "regency": "Kabupaten Tanggamus", "url": store["url"]}
    assert product["created_at"].endswith("+00:00")
    row = db.session.get(Product, product["id"])
    assert row.price_idr == 45000 and [t.min_qty for t in row.tiers] == [10, 50]


def test_product_json_follows_the_callers_language(client, make_product):
    product = make_product()
    english = client.get(f"/api/v1/products/{product.id}",
                         headers={"Accept-Language": "en"}).get_json()
    assert english["category_name"] == "Coffee"
    assert client.get(f"/api/v1/products/{product.id}").get_json()["category_name"] == "Kopi"


@pytest.mark.parametrize("price", [25000.5, 25000.0, "25000.5", True, 0, -5, None])
def test_money_is_never_a_float(client, shop, db, price):
    store, headers = shop
    response = client.post(f"/api/v1/stores/{store['slug']}/products", headers=headers,
                           json=product_data(price_idr=price))
    assert response.status_code == 422
    assert _fields(response) == {"price_idr"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 0


@pytest.mark.parametrize("tiers", [
    [{"min_qty": 10, "unit_price_idr": 50000}],                     # dearer than the list price
    [{"min_qty": 1, "unit_price_idr": 40000}],                      # not above the minimum order
    [{"min_qty": 10, "unit_price_idr": 40000.5}],                   # a float
    [{"min_qty": 10, "unit_price_idr": 42000}, {"min_qty": 20, "unit_price_idr": 43000}],
    [{"min_qty": 10, "unit_price_idr": 42000}, {"min_qty": 10, "unit_price_idr": 41000}],
    [{"min_qty": 10}],
    "10:42000",
    [[10, 42000]],
])
def test_bad_wholesale_tiers_are_refused(client, shop, tiers):
    store, headers = shop
    response = client.post(f"/api/v1/stores/{store['slug']}/products", headers=headers,
                           json=product_data(price_idr=45000, wholesale_tiers=tiers))
    assert response.status_code == 422
    assert _fields(response) == {"wholesale_tiers"}


def test_product_validation_names_every_bad_field(client, shop):
    store, headers = shop
    response = client.post(f"/api/v1/stores/{store['slug']}/products", headers=headers, json={
        "title": "K", "description": "pendek", "category": "tidak-ada", "price_idr": "mahal",
        "stock": -1, "weight_g": 0, "sku": "", "status": "dijual", "hs_code": "12"})
    assert response.status_code == 422
    assert _fields(response) == {"title", "description", "category", "price_idr", "stock",
                                 "weight_g", "sku", "status", "hs_code"}


def test_sku_is_unique_within_a_store(client, shop):
    store, headers = shop
    url = f"/api/v1/stores/{store['slug']}/products"
    assert client.post(url, headers=headers, json=product_data(sku="KOPI-1")).status_code == 201
    again = client.post(url, headers=headers, json=product_data(sku="KOPI-1"))
    assert again.status_code == 422 and _fields(again) == {"sku"}


def test_owner_patches_then_deletes_a_product(client, shop, db):
    store, headers = shop
    created = client.post(f"/api/v1/stores/{store['slug']}/products", headers=headers,
                          json=product_data(price_idr=45000)).get_json()
    url = f"/api/v1/products/{created['id']}"
    # when the owner changes the price and adds a tier
    patched = client.patch(url, headers=headers, json={
        "price_idr": 50000, "wholesale_tiers": [{"min_qty": 12, "unit_price_idr": 47000}]})
    assert patched.status_code == 200
    body = patched.get_json()
    assert body["price_idr"] == 50000
    assert body["wholesale_tiers"] == [{"min_qty": 12, "unit_price_idr": 47000}]
    assert body["title"] == created["title"]
    # a tier must stay cheaper than a later price cut
    cut = client.patch(url, headers=headers, json={"price_idr": 46000})
    assert cut.status_code == 422 and _fields(cut) == {"wholesale_tiers"}
    assert client.patch(url, headers=headers, json={"price_idr": 1.5}).status_code == 422
    # when they delete it
    deleted = client.delete(url, headers=headers)
    assert deleted.status_code == 204 and deleted.data == b""
    # then it is gone
    assert client.get(url).status_code == 404
    assert client.delete(url, headers=headers).status_code == 404
    assert db.session.get(Product, created["id"]) is None


def test_drafts_are_listed_for_their_owner_only_and_with_status_filter(client, shop, make_product,
                                                                       db):
    store, headers = shop
    url = f"/api/v1/stores/{store['slug']}/products"
    draft = client.post(url, headers=headers, json=product_data(status="draft")).get_json()
    active = client.post(url, headers=headers, json=product_data(status="active")).get_json()
    assert draft["status"] == "draft"
    mine = client.get(url, headers=headers).get_json()
    assert {p["id"] for p in mine["items"]} == {draft["id"], active["id"]}
    drafts = client.get(url + "?status=draft", headers=headers).get_json()
    assert [p["id"] for p in drafts["items"]] == [draft["id"]]
    public = client.get(url).get_json()
    assert [p["id"] for p in public["items"]] == [active["id"]] and public["total"] == 1
    assert client.get(f"/api/v1/products/{draft['id']}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/products/{draft['id']}").status_code == 404
    bad = client.get(url + "?status=dijual", headers=headers)
    assert bad.status_code == 422 and _fields(bad) == {"status"}


# --- lists ------------------------------------------------------------------------------------


def test_list_pagination_shape_and_limits(client, make_store, make_product):
    store = make_store()
    for n in range(5):
        make_product(store=store, price_idr=10000 + n)
    make_product(store=store, status="draft")
    page = client.get("/api/v1/products?per_page=2&page=2&sort=price_asc").get_json()
    assert set(page) == {"items", "total", "page", "per_page"}
    assert (page["total"], page["page"], page["per_page"]) == (5, 2, 2)
    assert [p["price_idr"] for p in page["items"]] == [10002, 10003]
    last = client.get("/api/v1/products?per_page=2&page=3").get_json()
    assert len(last["items"]) == 1
    assert client.get("/api/v1/products?per_page=2&page=9").get_json()["items"] == []
    default = client.get("/api/v1/products").get_json()
    assert default["page"] == 1 and default["per_page"] == 20 and len(default["items"]) == 5
    assert client.get("/api/v1/products?per_page=100").status_code == 200
    for query, field in [("per_page=101", "per_page"), ("per_page=0", "per_page"),
                         ("per_page=dua", "per_page"), ("page=0", "page"), ("page=-1", "page")]:
        response = client.get(f"/api/v1/products?{query}")
        assert response.status_code == 422, query
        assert _fields(response) == {field}, query


def test_list_sorts(client, make_store, make_product, db):
    store = make_store()
    cheap = make_product(store=store, price_idr=15000)
    dear = make_product(store=store, price_idr=90000)
    popular = make_product(store=store, price_idr=30000)
    popular.sold_count = 40
    db.session.commit()

    def ids(sort):
        return [p["id"] for p in client.get(f"/api/v1/products?sort={sort}").get_json()["items"]]

    assert ids("price_asc") == [cheap.id, popular.id, dear.id]
    assert ids("price_desc") == [dear.id, popular.id, cheap.id]
    assert ids("newest") == [popular.id, dear.id, cheap.id]
    assert ids("best_selling")[0] == popular.id
    bad = client.get("/api/v1/products?sort=termurah")
    assert bad.status_code == 422 and _fields(bad) == {"sort"}


def test_list_filters_by_category_with_its_descendants_and_by_store(client, make_store,
                                                                    make_product):
    tanggamus, metro = make_store(), make_store(regency_code="18.72")
    kopi = make_product(store=tanggamus, category="kopi")
    teh = make_product(store=metro, category="teh")
    lada = make_product(store=tanggamus, category="lada")
    make_product(store=tanggamus, category="kopi", status="archived")

    def ids(query):
        response = client.get(f"/api/v1/products?{query}")
        assert response.status_code == 200, response.get_json()
        return {p["id"] for p in response.get_json()["items"]}

    assert ids("") == {kopi.id, teh.id, lada.id}
    assert ids("category=kopi-teh") == {kopi.id, teh.id}
    assert ids("category=kopi") == {kopi.id}
    assert ids("category=rempah") == {lada.id}
    assert ids("category=madu") == set()
    assert ids(f"store={tanggamus.slug}") == {kopi.id, lada.id}
    assert ids(f"store={metro.slug}&category=kopi-teh") == {teh.id}
    unknown = client.get("/api/v1/products?category=tidak-ada&store=tidak-ada")
    assert unknown.status_code == 422 and _fields(unknown) == {"category", "store"}


def test_listing_runs_the_same_number_of_queries_for_1_or_many_products(app, client, make_store,
                                                                        make_product, db):
    from catalog.images import add_image

    def queries_for_listing() -> int:
        statements = []

        def count(*_args):
            statements.append(1)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            response = client.get("/api/v1/products?per_page=50")
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        assert response.status_code == 200
        return len(statements), len(response.get_json()["items"])

    def add(regency):
        product = make_product(store=make_store(regency_code=regency),
                               wholesale_tiers=[{"min_qty": 10, "unit_price_idr": 40000}])
        add_image(product, image_bytes(), actor=product.store.owner)
        db.session.commit()

    add("18.04")
    one, n1 = queries_for_listing()
    for regency in ("18.06", "18.01", "18.07", "18.02", "18.71"):
        add(regency)
    many, n6 = queries_for_listing()
    assert (n1, n6) == (1, 6)
    assert many == one


# --- images -----------------------------------------------------------------------------------


def test_upload_a_png_then_it_is_served_and_listed(client, shop, app, db):
    store, headers = shop
    product = client.post(f"/api/v1/stores/{store['slug']}/products", headers=headers,
                          json=product_data()).get_json()
    import io

    response = client.post(f"/api/v1/products/{product['id']}/images", headers=headers,
                           data={"image": (io.BytesIO(image_bytes("PNG", size=(800, 600))),
                                           "kopi.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 201
    image = response.get_json()
    assert set(image) == {"id", "url", "thumb_url"}
    for url in (image["url"], image["thumb_url"]):
        assert url.startswith("/media/")
        with client.get(url) as served:
            assert served.status_code == 200
            assert served.headers["Content-Type"] == "image/webp"
            assert served.data[:4] == b"RIFF"
    assert client.get(f"/api/v1/products/{product['id']}").get_json()["images"] == [image]
    # when the owner deletes the picture, its files go too
    deleted = client.delete(f"/api/v1/products/{product['id']}/images/{image['id']}",
                            headers=headers)
    assert deleted.status_code == 204
    assert client.get(image["url"]).status_code == 404
    assert client.get(f"/api/v1/products/{product['id']}").get_json()["images"] == []
    assert client.delete(f"/api/v1/products/{product['id']}/images/{image['id']}",
                         headers=headers).status_code == 404


@pytest.mark.parametrize("payload, name", [
    (b"ini bukan foto, hanya teks biasa", "foto.jpg"),
    (b"\xff\xd8\xff\xe0 JFIF but truncated", "potong.jpg"),
    (b"GIF89a" + b"\x00" * 40, "gerak.gif"),
    (b"", "kosong.jpg"),
])
def test_a_file_that_is_not_a_picture_is_422(client, shop, db, payload, name):
    import io

    store, headers = shop
    product = client.post(f"/api/v1/stores/{store['slug']}/products", headers=headers,
                          json=product_data()).get_json()
    response = client.post(f"/api/v1/products/{product['id']}/images", headers=headers,
                           data={"image": (io.BytesIO(payload), name, "image/jpeg")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert _fields(response) == {"image"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProductImage)) == 0


def test_an_upload_without_the_image_field_is_422(client, shop):
    store, headers = shop
    product = client.post(f"/api/v1/stores/{store['slug']}/products", headers=headers,
                          json=product_data()).get_json()
    response = client.post(f"/api/v1/products/{product['id']}/images", headers=headers,
                           data={"foto": "x"}, content_type="multipart/form-data")
    assert response.status_code == 422 and _fields(response) == {"image"}



def test_a_product_holds_a_limited_number_of_pictures(app, client, shop):
    import io

    store, headers = shop
    product = client.post(f"/api/v1/stores/{store['slug']}/products", headers=headers,
                          json=product_data()).get_json()
    url = f"/api/v1/products/{product['id']}/images"

    def upload():
        return client.post(url, headers=headers, content_type="multipart/form-data",
                           data={"image": (io.BytesIO(image_bytes()), "kopi.jpg")})

    limit = app.config["MAX_IMAGES_PER_PRODUCT"]
    app.config["MAX_IMAGES_PER_PRODUCT"] = 2
    try:
        responses = [upload() for _ in range(3)]
    finally:
        app.config["MAX_IMAGES_PER_PRODUCT"] = limit
    assert [r.status_code for r in responses] == [201, 201, 409]
    assert responses[2].get_json()["error"]["code"] == "too_many_images"
    assert _fields(responses[2]) == {"image"}
    images = client.get(f"/api/v1/products/{product['id']}").get_json()["images"]
    assert [i["id"] for i in images] == [r.get_json()["id"] for r in responses[:2]]
