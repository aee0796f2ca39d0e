"""Public catalog pages: home, browsing and search, categories, product and store pages."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import url_for


def titles(html: str) -> list[str]:
    """Product titles in the order the grid shows them."""
    return re.findall(r'<h3 class="title">(.*?)</h3>', html)


def test_home_shows_categories_featured_stores_and_newest_products(client, make_store, make_product):
    # given an unverified store with three products and a verified one with a single product
    busy = make_store(name="Keripik Bu Sri")
    for n in range(3):
        make_product(store=busy, title=f"Keripik Pisang {n}", category="keripik", price_idr=15000)
    trusted = make_store(name="Kopi Lereng Verified", verified=True)
    make_product(store=trusted, title="Kopi Robusta Petik Merah", price_idr=45000)
    make_product(store=trusted, title="Kopi Draft Rahasia", status="draft")

    # when a visitor opens the home page
    response = client.get("/")

    # then they see the top-level categories, the verified store first, and the active products
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kopi &amp; Teh" in html and "Kerajinan" in html
    assert 'href="/kategori/kopi-teh"' in html
    assert 'href="/kategori/kopi"' not in html  # subcategories are not home-page chips
    assert html.index("Kopi Lereng Verified") < html.index("Keripik Bu Sri")
    assert "Terverifikasi" in html
    assert "Kopi Robusta Petik Merah" in html and "Rp45.000" in html
    assert "Kopi Draft Rahasia" not in html
    assert titles(html)[0] == "Kopi Robusta Petik Merah"  # newest first


def test_home_without_products_shows_an_empty_state(client):
    html = client.get("/").get_data(as_text=True)
    assert "Belum ada produk" in html


def test_browse_searches_title_and_description_case_insensitively(client, make_product):
    # given products about coffee, honey and a description mentioning 100% robusta
    make_product(title="Kopi Robusta Tanggamus", category="kopi")
    make_product(title="Madu Hutan Way Kambas", category="madu",
                 description="Madu murni dari lebah hutan, tanpa campuran.")
    make_product(title="Bubuk Hitam", description="Campuran 100% robusta pilihan.")

    # when a visitor searches for "ROBUSTA"
    html = client.get("/produk?q=ROBUSTA").get_data(as_text=True)

    # then the matching products show, the other one does not
    assert sorted(titles(html)) == ["Bubuk Hitam", "Kopi Robusta Tanggamus"]
    assert "Hasil pencarian “ROBUSTA”" in html
    # and a percent sign is a literal, not a wildcard
    assert titles(client.get("/produk?q=100%25 r").get_data(as_text=True)) == ["Bubuk Hitam"]


def test_browse_with_no_match_shows_empty_state(client, make_product):
    make_product(title="Kopi Robusta")
    html = client.get("/produk?q=durian").get_data(as_text=True)
    assert "Tidak ada produk yang cocok dengan “durian”." in html
    assert titles(html) == []


def test_browse_sorts_by_price_and_best_selling(client, db, make_product):
    # given three products with different prices and sales
    cheap = make_product(title="Murah", price_idr=10000)
    make_product(title="Sedang", price_idr=20000)
    pricey = make_product(title="Mahal", price_idr=30000)
    cheap.sold_count, pricey.sold_count = 5, 50
    db.session.commit()

    # then each sort orders the grid as asked
    assert titles(client.get("/produk?sort=price_asc").get_data(as_text=True)) == ["Murah", "Sedang", "Mahal"]
    assert titles(client.get("/produk?sort=price_desc").get_data(as_text=True)) == ["Mahal", "Sedang", "Murah"]
    assert titles(client.get("/produk?sort=best_selling").get_data(as_text=True))[:2] == ["Mahal", "Murah"]
    # and an unknown sort falls back to newest first
    assert titles(client.get("/produk?sort=acak").get_data(as_text=True)) == ["Mahal", "Sedang", "Murah"]


def test_category_page_includes_subcategories_sorts_and_paginates(client, make_store, make_product):
    # given 25 coffees and one tea (both under "Kopi & Teh") and one honey
    store = make_store()
    for n in range(25):
        make_product(store=store, title=f"Kopi {n:02d}", category="kopi", price_idr=10000 + n * 1000)
    make_product(store=store, title="Teh Hijau", category="teh", price_idr=5000)
    make_product(store=store, title="Madu Hutan", category="madu", price_idr=1000)

    # when a visitor opens the parent category sorted by lowest price
    response = client.get("/kategori/kopi-teh?sort=price_asc")

    # then the tea (a sibling subcategory) comes first, the honey is absent, 24 per page
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    shown = titles(html)
    assert len(shown) == 24
    assert shown[0] == "Teh Hijau" and shown[1] == "Kopi 00"
    assert "Madu Hutan" not in html
    assert "26 produk" in html
    assert "Rp5.000" in html
    # subcategory chips and breadcrumbs
    assert 'href="/kategori/kopi"' in html and 'href="/kategori/teh"' in html
    assert re.search(r'<nav class="breadcrumbs".*?Beranda.*?Kopi &amp; Teh', html, re.S)
    # and the next-page link keeps the sort
    next_href = re.search(r'<a href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "sort=price_asc" in next_href and "page=2" in next_href

    # when they follow it
    second = titles(client.get(next_href).get_data(as_text=True))

    # then they see the two most expensive coffees
    assert second == ["Kopi 23", "Kopi 24"]


def test_subcategory_page_shows_only_its_products(client, make_product):
    make_product(title="Kopi Luwak", category="kopi")
    make_product(title="Teh Melati", category="teh")
    html = client.get("/kategori/teh").get_data(as_text=True)
    assert titles(html) == ["Teh Melati"]
    # breadcrumbs link back to the parent
    assert 'href="/kategori/kopi-teh"' in html


def test_unknown_category_is_404(client):
    response = client.get("/kategori/tidak-ada")
    assert response.status_code == 404
    assert "Tidak ditemukan." in response.get_data(as_text=True)


def test_product_page_shows_price_tiers_badges_origin_and_store(app, client, make_store, make_product):
    # given a verified store in Tanggamus and a halal, export-ready coffee with wholesale tiers
    store = make_store(name="Kopi Lereng", verified=True, regency_code="18.06",
                       whatsapp="0812-3456-7890")
    product = make_product(store=store, title="Kopi Robusta Petik Merah", price_idr=45000,
                           wholesale_tiers=[{"min_qty": 10, "unit_price_idr": 42000},
                                            {"min_qty": 50, "unit_price_idr": 40000}],
                           halal=True, export_ready=True, hs_code="0901.11", stock=200,
                           weight_g=1250, sku="KLR-001")

    # when a visitor opens the product's page at /produk/<id>
    with app.test_request_context():
        path = url_for("catalog.product_page", product_id=product.id)
    assert path == f"/produk/{product.id}"
    response = client.get(path)

    # then they see everything a buyer needs to decide
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1 class=\"product-title\">Kopi Robusta Petik Merah</h1>" in html
    assert "Rp45.000" in html
    assert "mulai 10 pcs" in html and "Rp42.000/pcs" in html
    assert "mulai 50 pcs" in html and "Rp40.000/pcs" in html
    assert "Halal" in html and "Siap ekspor" in html
    assert "0901.11" in html and "KLR-001" in html
    assert "1.250 g" in html
    assert "Tersedia" in html
    assert "Kabupaten Tanggamus, Lampung" in html
    assert "Kopi Lereng" in html and "Terverifikasi" in html
    assert f'href="/toko/{store.slug}"' in html
    assert 'href="https://wa.me/6281234567890?text=' in html
    assert re.search(r'breadcrumbs.*?/kategori/kopi-teh.*?/kategori/kopi', html, re.S)
    assert "Biji kopi robusta sangrai medium" in html


@pytest.mark.parametrize(("stock", "moq", "label"), [(0, 1, "Habis"), (4, 1, "Stok terbatas"),
                                                      (20, 10, "Stok terbatas"), (100, 1, "Tersedia")])
def test_product_page_stock_state(client, make_product, stock, moq, label):
    product = make_product(stock=stock, min_order_qty=moq)
    html = client.get(f"/produk/{product.id}").get_data(as_text=True)
    assert re.search(rf'class="stock-(ok|low|out)">{label}<', html)


def test_product_page_without_images_or_tiers_still_renders(client, make_product):
    product = make_product(title="Tapis Lampung Motif Kapal", category="tapis", halal=False)
    html = client.get(f"/produk/{product.id}").get_data(as_text=True)
    assert "Tapis Lampung Motif Kapal" in html
    assert "Harga grosir" not in html
    assert "badge-halal" not in html


def test_draft_product_is_hidden_from_others_but_shown_to_its_owner(app, client, make_user,
                                                                     make_product, login):
    # given a draft and an archived product
    draft = make_product(title="Kopi Belum Jadi", status="draft")
    archived = make_product(store=draft.store, title="Kopi Lama", status="archived")

    # then a visitor and another signed-in user get 404 for both
    for product in (draft, archived):
        assert client.get(f"/produk/{product.id}").status_code == 404
    stranger = app.test_client()
    login(stranger, make_user())
    assert stranger.get(f"/produk/{draft.id}").status_code == 404

    # and the owner sees the draft, marked as such, with a link to edit it
    owner = app.test_client()
    login(owner, draft.store.owner)
    response = owner.get(f"/produk/{draft.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kopi Belum Jadi" in html
    assert 'class="badge badge-status-draft">Draft<' in html
    assert f'href="/jual/produk/{draft.id}/ubah"' in html
    assert owner.get(f"/produk/{archived.id}").status_code == 200
    # while the anonymous client still cannot
    assert client.get(f"/produk/{draft.id}").status_code == 404


def test_unknown_product_is_404(client):
    assert client.get("/produk/999999").status_code == 404


def test_store_page_shows_header_and_only_active_products(client, make_store, make_product):
    # given a verified, export-ready small business in a cooperative with a halal certificate
    store = make_store(name="Tapis Ratu Melinting", verified=True, scale="kecil", export_ready=True,
                       regency_code="18.71", cooperative="Koperasi Wanita Tapis Lampung",
                       halal_cert="ID18110000123", whatsapp="+62 813 1111 2222",
                       description="Tapis tulis tangan dari pengrajin Bandar Lampung.")
    make_product(store=store, title="Tapis Motif Pucuk Rebung", category="tapis", price_idr=750000)
    make_product(store=store, title="Tapis Draft", category="tapis", status="draft")

    # when a visitor opens the store
    response = client.get(f"/toko/{store.slug}")

    # then they see who the seller is and what they sell
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Tapis Ratu Melinting</h1>" in html
    assert "Terverifikasi" in html and "Usaha kecil" in html and "Siap ekspor" in html
    assert "Kota Bandar Lampung, Lampung" in html
    assert "Koperasi Wanita Tapis Lampung" in html and "ID18110000123" in html
    assert "Tapis tulis tangan" in html
    assert 'href="https://wa.me/6281311112222' in html
    assert titles(html) == ["Tapis Motif Pucuk Rebung"] and "Rp750.000" in html
    assert "Tapis Draft" not in html


def test_store_page_paginates_products(client, make_store, make_product):
    store = make_store()
    for n in range(25):
        make_product(store=store, title=f"Produk {n:02d}")
    first = client.get(f"/toko/{store.slug}").get_data(as_text=True)
    second = client.get(f"/toko/{store.slug}?page=2").get_data(as_text=True)
    assert len(titles(first)) == 24 and len(titles(second)) == 1
    assert 'rel="next"' in first and 'aria-current="page">2<' in second


def test_unknown_store_is_404(client):
    assert client.get("/toko/tidak-ada").status_code == 404


def test_product_grid_queries_do_not_grow_with_products(app, client, db, make_store, make_product):
    """Stores, regions, images and tiers of a grid load in a fixed number of queries."""

    def queries_for(path: str) -> int:
        statements = []

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(path).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    # given two products from two stores
    for _ in range(2):
        make_product(store=make_store(), wholesale_tiers=[{"min_qty": 10, "unit_price_idr": 40000}])
    db.session.expunge_all()
    few = queries_for("/produk")

    # when there are ten products from five more stores
    for _ in range(5):
        store = make_store()
        for _ in range(2):
            make_product(store=store)
    db.session.expunge_all()
    many = queries_for("/produk")

    # then the page needs no more queries than before
    assert many == few


def test_english_reader_sees_english_titles_and_category_names(client, make_product):
    # given a product with an English title and description
    product = make_product(title="Kopi Robusta Lampung", title_en="Lampung Robusta Coffee",
                           description_en="Medium-roast robusta beans, 250 grams.")
    # when the reader switches to English
    client.post("/bahasa", data={"lang": "en", "next": "/"})

    # then titles, descriptions and category names are the English ones, prices stay rupiah
    html = client.get(f"/produk/{product.id}").get_data(as_text=True)
    assert "Lampung Robusta Coffee" in html and "Medium-roast robusta beans" in html
    assert "Coffee &amp; Tea" in html and "Rp45.000" in html
    assert "Lampung Robusta Coffee" in client.get("/kategori/kopi").get_data(as_text=True)
