"""Seller pages: opening and editing a store, the dashboard, products and their photos."""
from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from catalog.models import Product, ProductImage, Store
from tests.catalog.conftest import image_bytes


def store_form(**overrides) -> dict:
    data = {
        "name": "Keripik Bu Sri", "slug": "", "description": "Keripik pisang dan singkong khas Lampung.",
        "province_code": "18", "regency_code": "18.71", "nib": "9120 0012 3456 7",
        "scale": "kecil", "whatsapp": "0812 7777 8888", "halal_cert": "ID18110000999",
        "cooperative": "Koperasi Maju Bersama", "export_ready": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def product_form(**overrides) -> dict:
    data = {
        "title": "Keripik Pisang Cokelat", "title_en": "Chocolate Banana Chips",
        "description": "Keripik pisang kepok dengan lumuran cokelat, 200 gram.", "description_en": "",
        "category": "keripik", "price_idr": "25.000", "wholesale_tiers": "10:23000; 50:21000",
        "min_order_qty": "1", "stock": "100", "weight_g": "200", "sku": "KRP-01", "halal": "y",
        "hs_code": "", "status": "active",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def text(response) -> str:
    return response.get_data(as_text=True)


def upload(*files) -> dict:
    """Multipart file parts for the `images` input: (bytes, filename) pairs."""
    return {"images": [(io.BytesIO(data), name) for data, name in files]}


# --- opening a store --------------------------------------------------------------------------

def test_anonymous_seller_pages_redirect_to_login(client):
    for path in ("/jual", "/jual/toko/baru", "/jual/produk/baru", "/jual/toko"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/masuk")


def test_the_store_form_narrows_the_place_one_step_at_a_time_without_javascript(client, db, make_user,
                                                                              login):
    # given a buyer on the store form, without JavaScript
    login(client, make_user())
    # when they choose Jawa Barat and press "show"
    page = text(client.post("/jual/toko/baru", data={"province_code": "32", "region_step": "1"}))
    # then only Jawa Barat's regencies are offered, nothing is saved and no error is shown
    assert '<option value="32.01">Kabupaten Bogor</option>' in page
    assert 'value="18.71"' not in page and "Periksa kembali" not in page
    # when they choose Kabupaten Bogor and press "show" again
    page = text(client.post("/jual/toko/baru", data={"province_code": "32", "regency_code": "32.01",
                                                     "region_step": "1"}))
    # then Kabupaten Bogor's districts are offered
    assert '<option value="32.01.01">Cibinong</option>' in page
    # and the store opens with its district and English description
    response = client.post("/jual/toko/baru", data=store_form(
        province_code="32", regency_code="32.01", district_code="32.01.01",
        description_en="Robusta coffee from the slopes of Bogor."))
    assert response.status_code == 302
    store = db.session.scalar(sa.select(Store))
    assert (store.regency_code, store.district_code) == ("32.01", "32.01.01")
    assert store.description_en == "Robusta coffee from the slopes of Bogor."
    # and the store's page shows it to a reader in English, the Indonesian one otherwise
    assert "Robusta coffee from the slopes of Bogor." in text(client.get(f"/toko/{store.slug}?lang=en"))
    assert "Robusta coffee from the slopes" not in text(client.get(f"/toko/{store.slug}?lang=id"))


def test_buyer_opens_a_store_and_becomes_a_seller(client, db, make_user, login):
    # given a signed-in buyer without a store
    buyer = make_user(name="Sri Wahyuni")
    login(client, buyer)
    # who is sent to the store form from the dashboard
    assert client.get("/jual").headers["Location"] == "/jual/toko/baru"
    form_page = text(client.get("/jual/toko/baru"))
    assert "Buka toko Anda" in form_page
    # with every province but no regency before a province is chosen (never 514 options)
    assert '<option value="32">Jawa Barat</option>' in form_page
    assert 'value="18.71"' not in form_page

    # when they submit the form
    response = client.post("/jual/toko/baru", data=store_form())

    # then the store exists with a normalised NIB and WhatsApp number, and they are a seller
    assert response.status_code == 302 and response.headers["Location"] == "/jual"
    store = db.session.scalar(sa.select(Store))
    assert store.owner_id == buyer.id
    assert store.slug == "keripik-bu-sri"
    assert store.nib == "9120001234567"
    assert store.whatsapp == "+6281277778888"
    assert store.export_ready is True and store.scale == "kecil"
    assert store.cooperative == "Koperasi Maju Bersama"
    db.session.refresh(buyer)
    assert buyer.has_role("seller")
    # and the dashboard greets them with their (not yet verified) store
    dashboard = text(client.get("/jual"))
    assert "Keripik Bu Sri" in dashboard and "Kota Bandar Lampung, Lampung" in dashboard
    assert "belum diverifikasi" in dashboard
    assert "Toko Keripik Bu Sri sudah dibuka" in dashboard


def test_store_form_shows_nib_and_whatsapp_errors_under_the_fields(client, db, make_user, login):
    login(client, make_user())

    # when the NIB is too short and the WhatsApp number is not a mobile number
    response = client.post("/jual/toko/baru", data=store_form(nib="12345", whatsapp="021-555"))

    # then the form comes back with both messages, the input kept, and no store is made
    html = text(response)
    assert response.status_code == 200
    assert "Periksa kembali isian yang ditandai." in html
    assert re.search(r'id="nib"[^>]*>\s*(<small class="help"[^>]*>.*?</small>\s*)?'
                     r'<small class="error" id="nib-error">NIB harus 13 digit angka.</small>', html, re.S)
    assert "Nomor WhatsApp tidak valid. Contoh: 0812-3456-7890." in html
    assert 'value="Keripik Bu Sri"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Store)) == 0


def test_store_form_refuses_a_regency_outside_the_province(client, db, make_user, login):
    login(client, make_user())
    html = text(client.post("/jual/toko/baru", data=store_form(province_code="18", regency_code="31.71")))
    assert "Pilih kabupaten/kota di provinsi itu." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Store)) == 0


def test_store_slug_already_taken_is_reported(client, make_store, make_user, login):
    make_store(slug="kopi-enak")
    login(client, make_user())
    html = text(client.post("/jual/toko/baru", data=store_form(slug="kopi-enak")))
    assert "Alamat toko ini sudah dipakai." in html


def test_user_with_a_store_is_sent_to_the_dashboard(client, make_store, login):
    store = make_store()
    login(client, store.owner)
    assert client.get("/jual/toko/baru").headers["Location"] == "/jual"
    assert client.post("/jual/toko/baru", data=store_form()).headers["Location"] == "/jual"


def test_seller_edits_their_store(client, db, make_store, login):
    # given a seller's store
    store = make_store(name="Kopi Lama")
    login(client, store.owner)
    form_page = text(client.get("/jual/toko"))
    assert 'value="Kopi Lama"' in form_page
    assert '<option selected value="18">Lampung</option>' in form_page

    # when they rename it and move it to Metro
    response = client.post("/jual/toko", data=store_form(name="Kopi Baru Metro", regency_code="18.72",
                                                         whatsapp="+62 811 2222 3333"))

    # then the store is changed, its address (slug) kept
    assert response.status_code == 302
    db.session.refresh(store)
    assert store.name == "Kopi Baru Metro" and store.regency_code == "18.72"
    assert store.whatsapp == "+6281122223333"
    assert "Kota Metro, Lampung" in text(client.get(f"/toko/{store.slug}"))


# --- dashboard --------------------------------------------------------------------------------

def test_dashboard_counts_products_by_status_and_filters(client, make_store, make_product, login):
    # given a store with two active products, one draft and one archived
    store = make_store()
    make_product(store=store, title="Kopi Aktif A", sku="A-1", price_idr=45000)
    make_product(store=store, title="Kopi Aktif B", sku="A-2")
    make_product(store=store, title="Kopi Draft", status="draft", sku="D-1")
    make_product(store=store, title="Kopi Arsip", status="archived", sku="R-1")
    login(client, store.owner)

    # when the seller opens the dashboard
    html = text(client.get("/jual"))

    # then they see counts per status and every product with SKU, price, stock and status
    assert re.search(r'Semua <span class="count">4</span>', html)
    assert re.search(r'Aktif <span class="count">2</span>', html)
    assert re.search(r'Draft <span class="count">1</span>', html)
    assert re.search(r'Diarsipkan <span class="count">1</span>', html)
    for title in ("Kopi Aktif A", "Kopi Aktif B", "Kopi Draft", "Kopi Arsip"):
        assert title in html
    assert "A-1" in html and "Rp45.000" in html
    assert 'href="/jual/produk/baru"' in html and 'href="/jual/toko"' in html

    # and filtering by draft shows only the draft
    drafts = text(client.get("/jual?status=draft"))
    assert "Kopi Draft" in drafts and "Kopi Aktif A" not in drafts and "Kopi Arsip" not in drafts


def test_dashboard_links_to_csv_import_and_export(client, make_store, login):
    store = make_store()
    login(client, store.owner)
    html = text(client.get("/jual"))
    assert 'href="/jual/produk/impor"' in html and "Impor CSV" in html
    assert 'href="/jual/produk/ekspor.csv"' in html and "Ekspor CSV" in html


# --- products ---------------------------------------------------------------------------------

def test_seller_adds_a_product_with_wholesale_tiers(client, db, make_store, login):
    # given a seller
    store = make_store()
    login(client, store.owner)
    page = text(client.get("/jual/produk/baru"))
    assert '<option value="kopi">Kopi &amp; Teh › Kopi</option>' in page

    # when they add a product priced "25.000" with two wholesale tiers
    response = client.post("/jual/produk/baru", data=product_form())

    # then it is saved with integer rupiah and the tiers in order
    assert response.status_code == 302 and response.headers["Location"] == "/jual"
    product = db.session.scalar(sa.select(Product))
    assert product.store_id == store.id
    assert product.price_idr == 25000 and product.halal is True and product.export_ready is False
    assert product.title_en == "Chocolate Banana Chips" and product.category.slug == "keripik"
    assert [(t.min_qty, t.unit_price_idr) for t in product.tiers] == [(10, 23000), (50, 21000)]
    # and the product page shows it to everyone
    html = text(client.get(f"/produk/{product.id}"))
    assert "Rp25.000" in html and "mulai 50 pcs" in html and "Rp21.000/pcs" in html


def test_product_form_shows_every_error_including_unreadable_tiers(client, db, make_store, login):
    store = make_store()
    login(client, store.owner)

    # when the tiers text is unreadable and the title and category are missing
    response = client.post("/jual/produk/baru", data=product_form(
        title="", category="", wholesale_tiers="10-23000"))

    # then all three problems are shown and nothing is saved
    html = text(response)
    assert response.status_code == 200
    assert "Tulis tingkatan sebagai jumlah:harga, contoh 10:23000; 50:21000." in html
    assert "Wajib diisi." in html and "Pilih kategori." in html
    assert 'value="10-23000"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 0


def test_unreadable_tiers_alone_still_saves_nothing(client, db, make_store, login):
    store = make_store()
    login(client, store.owner)
    html = text(client.post("/jual/produk/baru", data=product_form(wholesale_tiers="sepuluh")))
    assert "Tulis tingkatan sebagai jumlah:harga" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 0


def test_tiers_must_get_cheaper(client, db, make_store, login):
    store = make_store()
    login(client, store.owner)
    html = text(client.post("/jual/produk/baru", data=product_form(wholesale_tiers="10:26000")))
    assert "Harga grosir harus makin murah untuk jumlah yang makin banyak." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 0


def test_seller_edits_a_product_and_its_tiers(client, db, make_product, login):
    # given a product with one tier
    product = make_product(price_idr=45000, wholesale_tiers=[{"min_qty": 10, "unit_price_idr": 42000}])
    login(client, product.store.owner)
    page = text(client.get(f"/jual/produk/{product.id}/ubah"))
    assert 'value="10:42000"' in page and 'value="45000"' in page
    assert '<option selected value="kopi">' in page

    # when they change the price and the tiers and archive it
    response = client.post(f"/jual/produk/{product.id}/ubah", data=product_form(
        title=product.title, sku=product.sku, category="kopi", price_idr="50.000",
        wholesale_tiers="20:46000; 100:44000", status="archived", halal=None))

    # then the product has the new price, exactly the new tiers, and is archived
    assert response.status_code == 302
    db.session.refresh(product)
    assert product.price_idr == 50000 and product.status == "archived" and product.halal is False
    assert [(t.min_qty, t.unit_price_idr) for t in product.tiers] == [(20, 46000), (100, 44000)]
    # and visitors no longer see it
    client.post("/keluar")
    assert client.get(f"/produk/{product.id}").status_code == 404


def test_unreadable_tiers_on_edit_change_nothing(client, db, make_product, login):
    product = make_product(price_idr=45000, wholesale_tiers=[{"min_qty": 10, "unit_price_idr": 42000}])
    login(client, product.store.owner)
    html = text(client.post(f"/jual/produk/{product.id}/ubah", data=product_form(
        title="Judul Baru", sku=product.sku, wholesale_tiers="10;")))
    assert "Tulis tingkatan sebagai jumlah:harga" in html
    db.session.refresh(product)
    assert product.title != "Judul Baru"
    assert [(t.min_qty, t.unit_price_idr) for t in product.tiers] == [(10, 42000)]


def test_product_new_without_store_goes_to_store_form(client, make_user, login):
    login(client, make_user())
    assert client.get("/jual/produk/baru").headers["Location"] == "/jual/toko/baru"


# --- photos -----------------------------------------------------------------------------------

def test_new_product_with_photo_shows_it_and_media_is_cached(client, db, make_store, login):
    # given a seller
    store = make_store()
    login(client, store.owner)

    # when they add a product with a PNG photo in the same form
    response = client.post("/jual/produk/baru", data={**product_form(), **upload((image_bytes("PNG"), "keripik.png"))},
                           content_type="multipart/form-data")

    # then the product is saved with one re-encoded photo
    assert response.status_code == 302 and response.headers["Location"] == "/jual"
    product = db.session.scalar(sa.select(Product))
    assert len(product.images) == 1
    image = product.images[0]
    assert image.content_type == "image/webp"

    # and the product page shows it, served with long-lived cache headers
    html = text(client.get(f"/produk/{product.id}"))
    assert f'src="/media/{image.path}"' in html
    with client.get(f"/media/{image.path}") as media:
        assert media.status_code == 200
        assert media.mimetype == "image/webp"
        assert "immutable" in media.headers["Cache-Control"]
        assert media.data[:4] == b"RIFF"
    # and the thumbnail is used on the grid
    assert f'src="/media/{image.thumb_path}"' in text(client.get("/produk"))


# A refused photo in the add-product form (a bad file, one too many) is now an error at the
# photo field that saves nothing, the good photos kept: tests/catalog/test_product_form.py.


def test_upload_keeps_the_photos_before_a_refused_one(client, db, make_product, login):
    product = make_product()
    login(client, product.store.owner)

    response = client.post(f"/jual/produk/{product.id}/foto",
                           data=upload((image_bytes("JPEG"), "1.jpg"), (b"bukan foto", "2.jpg"),
                                       (image_bytes("PNG"), "3.png")),
                           content_type="multipart/form-data", follow_redirects=True)

    html = text(response)
    assert "Foto 2.jpg ditolak: Berkas ini bukan foto JPEG, PNG atau WebP yang utuh." in html
    assert "1 foto ditambahkan." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProductImage)) == 1


def test_upload_refuses_a_file_that_is_not_a_picture(client, db, make_product, login):
    product = make_product()
    login(client, product.store.owner)

    response = client.post(f"/jual/produk/{product.id}/foto",
                           data=upload((b"%PDF-1.4 bukan foto", "katalog.jpg")),
                           content_type="multipart/form-data", follow_redirects=True)

    html = text(response)
    assert "Foto katalog.jpg ditolak: Berkas ini bukan foto JPEG, PNG atau WebP yang utuh." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProductImage)) == 0


def test_ninth_photo_is_refused(app, client, db, make_product, login):
    # given a product that already has eight photos
    from catalog.images import add_image

    product = make_product()
    for n in range(8):
        add_image(product, image_bytes("JPEG", color=(n * 30, 40, 40)), actor=product.store.owner)
    db.session.commit()
    login(client, product.store.owner)
    edit = text(client.get(f"/jual/produk/{product.id}/ubah"))
    assert "(8/8)" in edit and "batas maksimal" in edit

    # when the seller uploads a ninth
    response = client.post(f"/jual/produk/{product.id}/foto", data=upload((image_bytes("PNG"), "ke9.png")),
                           content_type="multipart/form-data", follow_redirects=True)

    # then it is refused with a message and the product keeps eight
    assert "Paling banyak 8 foto per produk." in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProductImage)) == 8


def test_upload_several_photos_then_reorder_and_delete(client, db, make_product, login):
    # given a product without photos
    product = make_product()
    login(client, product.store.owner)

    # when the seller uploads two photos at once
    response = client.post(f"/jual/produk/{product.id}/foto",
                           data=upload((image_bytes("JPEG"), "1.jpg"), (image_bytes("WEBP"), "2.webp")),
                           content_type="multipart/form-data", follow_redirects=True)
    assert "2 foto ditambahkan." in text(response)
    db.session.expire_all()
    first, second = product.images

    # and makes the second the main photo
    client.post(f"/jual/produk/{product.id}/foto/{second.id}/utama")
    db.session.expire_all()
    assert [i.id for i in product.images] == [second.id, first.id]
    html = text(client.get(f"/produk/{product.id}"))
    assert f'id="gallery-main" src="/media/{second.path}"' in html

    # and deletes it
    second_id, second_path = second.id, second.path
    client.post(f"/jual/produk/{product.id}/foto/{second_id}/hapus")
    db.session.expire_all()
    assert [i.id for i in product.images] == [first.id]
    with client.get(f"/media/{second_path}") as gone:
        assert gone.status_code == 404


def test_upload_without_a_file_says_so(client, make_product, login):
    product = make_product()
    login(client, product.store.owner)
    response = client.post(f"/jual/produk/{product.id}/foto", data={}, follow_redirects=True)
    assert "Pilih berkas foto." in text(response)


# --- deleting ---------------------------------------------------------------------------------

def test_deleting_a_product_asks_first(client, db, make_product, login):
    product = make_product(title="Kopi Akan Dihapus")
    login(client, product.store.owner)

    # when the seller presses delete on the edit page
    ask = client.post(f"/jual/produk/{product.id}/hapus")

    # then they are asked to confirm and nothing is deleted yet
    assert ask.status_code == 200
    assert "Hapus produk ini?" in text(ask) and 'name="confirm" value="1"' in text(ask)
    assert db.session.get(Product, product.id) is not None

    # when they confirm
    done = client.post(f"/jual/produk/{product.id}/hapus", data={"confirm": "1"}, follow_redirects=True)

    # then the product is gone
    assert "Produk Kopi Akan Dihapus dihapus." in text(done)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 0


# --- someone else's product -------------------------------------------------------------------

OTHER_SELLER_ROUTES = [
    ("get", "/jual/produk/{pid}/ubah"),
    ("post", "/jual/produk/{pid}/ubah"),
    ("post", "/jual/produk/{pid}/foto"),
    ("post", "/jual/produk/{pid}/foto/{iid}/hapus"),
    ("post", "/jual/produk/{pid}/foto/{iid}/utama"),
    ("post", "/jual/produk/{pid}/hapus"),
]


@pytest.mark.parametrize(("method", "route"), OTHER_SELLER_ROUTES)
def test_other_seller_gets_404_on_someone_elses_product(client, db, make_store, make_product, login,
                                                        method, route):
    # given a product with a photo, and another seller
    from catalog.images import add_image

    product = make_product(title="Milik Orang Lain")
    image = add_image(product, image_bytes("JPEG"), actor=product.store.owner)
    db.session.commit()
    other = make_store()
    login(client, other.owner)

    # when the other seller tries the route
    data = {**product_form(title="Dibajak", sku=product.sku), "confirm": "1",
            **upload((image_bytes("PNG"), "x.png"))}
    path = route.format(pid=product.id, iid=image.id)
    response = client.get(path) if method == "get" else client.post(
        path, data=data, content_type="multipart/form-data")

    # then it does not exist for them, and nothing changed
    assert response.status_code == 404
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    assert product.title == "Milik Orang Lain"
    assert [i.id for i in product.images] == [image.id]


def test_image_of_another_product_is_404(client, db, make_store, make_product, login):
    from catalog.images import add_image

    store = make_store()
    mine = make_product(store=store)
    theirs = make_product()
    image = add_image(theirs, image_bytes("JPEG"), actor=theirs.store.owner)
    db.session.commit()
    login(client, store.owner)
    assert client.post(f"/jual/produk/{mine.id}/foto/{image.id}/hapus").status_code == 404
    assert client.post(f"/jual/produk/{mine.id}/foto/{image.id}/utama").status_code == 404
    db.session.expire_all()
    assert len(db.session.get(Product, theirs.id).images) == 1
