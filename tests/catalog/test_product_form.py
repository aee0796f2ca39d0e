"""The seller's add-product form on a phone: required fields marked, an error summary that
links to each field, photos kept across a failed submit, active by default, an SKU proposed."""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from catalog.models import Product, ProductImage
from tests.catalog.conftest import image_bytes, product_data
from tests.catalog.test_pages_seller import product_form, text, upload

REQUIRED = ("title", "category", "description", "price_idr", "stock", "weight_g")
OPTIONAL = ("title_en", "description_en", "wholesale_tiers", "min_order_qty", "sku", "hs_code")


def product_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Product))


def pending_tokens(html: str) -> list[str]:
    """The tokens of the kept photos the form shows, ticked."""
    return re.findall(r'<input type="checkbox" name="pending_photos" value="([^"]+)" checked>', html)


def pending_files(app, store) -> list[Path]:
    folder = Path(app.config["PRIVATE_UPLOAD_DIR"]) / "pending-photos" / str(store.id)
    return sorted(folder.glob("*.webp")) if folder.is_dir() else []


def post_new(client, data: dict, *files):
    return client.post("/jual/produk/baru", data={**data, **upload(*files)},
                       content_type="multipart/form-data")


@pytest.fixture
def seller(app, client, make_store, login, tmp_path, monkeypatch):
    """A signed-in seller, with private uploads of this test only (store ids repeat per test)."""
    monkeypatch.setitem(app.config, "PRIVATE_UPLOAD_DIR", str(tmp_path / "private"))
    store = make_store()
    login(client, store.owner)
    return store


# --- required fields ----------------------------------------------------------------------------

def test_required_fields_are_marked_and_the_others_are_not(client, seller):
    # when the seller opens the add-product form
    html = text(client.get("/jual/produk/baru"))

    # then every field the product needs has a visible * in its label and the required attribute
    assert '<span class="req" aria-hidden="true">*</span> wajib diisi' in html
    for name in REQUIRED:
        assert re.search(rf'<label for="{name}">[^<]+</label> <span class="req" aria-hidden="true">\*</span>',
                         html), name
        assert re.search(rf'<(input|select|textarea)[^>]*\bid="{name}"[^>]*\brequired\b', html), name
    # and the optional ones (SKU included: one is proposed) have neither
    for name in OPTIONAL:
        assert not re.search(rf'<label for="{name}">[^<]+</label> <span class="req"', html), name
        assert not re.search(rf'<(input|select|textarea)[^>]*\bid="{name}"[^>]*\brequired\b', html), name
    assert "Boleh dikosongkan: kami buatkan dari nama produk." in html


def test_an_empty_sku_gets_one_made_from_the_title(client, db, seller):
    # when the seller leaves the SKU empty, twice with the same title
    first = client.post("/jual/produk/baru", data=product_form(sku=""))
    second = client.post("/jual/produk/baru", data=product_form(sku=""))

    # then both products are saved, with readable SKUs unique in the store
    assert first.status_code == 302 and second.status_code == 302
    skus = db.session.scalars(sa.select(Product.sku).order_by(Product.id)).all()
    assert skus == ["KERIPIK-PISANG-COKELAT", "KERIPIK-PISANG-COKELAT-2"]
    # and the seller is told which one
    assert "(SKU KERIPIK-PISANG-COKELAT-2)" in text(client.get("/jual"))


def test_the_api_still_requires_an_sku(client, make_store, token_for):
    # given a seller using the JSON API (its contract is unchanged)
    store = make_store()
    body = product_data()
    del body["sku"]

    # when a product comes without an SKU
    response = client.post(f"/api/v1/stores/{store.slug}/products", json=body,
                           headers=token_for(store.owner))

    # then it is refused, naming the field
    assert response.status_code == 422
    assert "sku" in response.get_json()["error"]["fields"]


# --- the error summary --------------------------------------------------------------------------

def test_a_failed_submit_lists_every_error_at_the_top_linked_to_its_field(client, db, seller):
    # when the seller forgets the title and the weight
    response = client.post("/jual/produk/baru", data=product_form(title="", weight_g=""))
    html = text(response)

    # then nothing is saved
    assert product_count(db) == 0
    # and a summary at the top of the form, focusable, counts and links each problem
    summary = re.search(r'<div class="error-summary" id="error-summary" tabindex="-1" data-error-summary'
                        r'[^>]*>(.*?)</div>', html, re.S)
    assert summary is not None
    assert html.index('id="error-summary"') < html.index('enctype="multipart/form-data"')
    assert "Ada 2 isian yang perlu diperbaiki" in summary.group(1)
    links = re.findall(r'<a href="#([a-z_]+)">([^<]*)</a>', summary.group(1))
    assert links == [("title", "Nama produk: Wajib diisi."), ("weight_g", "Berat (gram): Wajib diisi.")]
    # and each field carries its own message, tied to the input
    for name in ("title", "weight_g"):
        assert re.search(rf'<input aria-describedby="{name}-error" aria-invalid="true"[^>]*id="{name}"', html)
        assert f'<small class="error" id="{name}-error">Wajib diisi.</small>' in html
    # while a good field is not marked
    assert re.search(r'<input (?![^>]*aria-invalid)[^>]*id="stock"', html)
    # and the page loads the script that focuses the summary
    assert "/js/form-errors.js" in html


def test_the_summary_follows_the_language(client, db, seller):
    client.post("/bahasa", data={"lang": "en"})
    html = text(client.post("/jual/produk/baru", data=product_form(title="", weight_g="")))
    assert "2 fields need fixing" in html


# --- photos kept across a failed submit ---------------------------------------------------------

def test_a_photo_is_kept_after_an_error_and_attached_by_the_next_submit(app, client, db, seller):
    # when the seller picks a photo but forgets the title
    response = post_new(client, product_form(title=""), (image_bytes("JPEG", size=(800, 600)), "kopi.jpg"))

    # then no product row is written
    html = text(response)
    assert response.status_code == 200 and product_count(db) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProductImage)) == 0
    # and the photo is kept as a pending upload in private storage, shown with a preview
    [token] = pending_tokens(html)
    assert len(pending_files(app, seller)) == 2  # the picture and its thumbnail
    assert "1 foto sudah dipilih dan disimpan sementara" in html
    preview = re.search(r'<img src="(/jual/produk/foto-sementara/[^"]+)" alt="kopi.jpg"', html).group(1)
    with client.get(preview) as shown:
        assert shown.status_code == 200 and shown.mimetype == "image/webp"
        assert shown.headers["Cache-Control"] == "private, no-store"

    # when they fix the title and send the form again, without choosing the photo again
    response = client.post("/jual/produk/baru", data={**product_form(), "pending_photos": token})

    # then the product is created with that photo, served publicly
    assert response.status_code == 302 and response.headers["Location"] == "/jual"
    product = db.session.scalar(sa.select(Product))
    assert len(product.images) == 1 and product.images[0].width == 800
    with client.get(f"/media/{product.images[0].path}") as media:
        assert media.status_code == 200
    # and the pending files are gone, so the token cannot be used twice
    assert pending_files(app, seller) == []
    assert client.get(preview).status_code == 404


def test_a_kept_photo_comes_before_newly_chosen_ones_and_an_unticked_one_is_dropped(app, client, db,
                                                                                    seller):
    # given two photos kept after a failed submit
    html = text(post_new(client, product_form(stock=""),
                         (image_bytes("JPEG", color=(10, 10, 10)), "a.jpg"),
                         (image_bytes("PNG", color=(200, 200, 200)), "b.png")))
    first, second = pending_tokens(html)

    # when the seller unticks the second and adds a new one
    response = client.post("/jual/produk/baru", data={
        **product_form(), "pending_photos": [first], **upload((image_bytes("PNG"), "c.png"))},
        content_type="multipart/form-data")

    # then the product has the kept one first, then the new one
    assert response.status_code == 302
    product = db.session.scalar(sa.select(Product))
    assert len(product.images) == 2
    assert [i.position for i in product.images] == [0, 1]


def test_a_refused_photo_is_an_error_at_the_photo_field_and_the_good_one_is_kept(app, client, db, seller):
    # when the second file is not a picture, everything else being right
    html = text(post_new(client, product_form(), (image_bytes("JPEG"), "a.jpg"), (b"bukan gambar", "b.jpg")))

    # then no product is saved, the message is next to the photo field and in the summary
    assert product_count(db) == 0
    message = "b.jpg: Berkas ini bukan foto JPEG, PNG atau WebP yang utuh."
    assert f'<small class="error" id="images-error">{message}</small>' in html
    assert f'<a href="#images">Foto produk: {message}</a>' in html
    # and the good photo waits for the next submit
    [token] = pending_tokens(html)
    response = client.post("/jual/produk/baru", data={**product_form(), "pending_photos": token})
    assert response.status_code == 302
    assert len(db.session.scalar(sa.select(Product)).images) == 1


def test_a_too_big_photo_is_refused_next_to_the_field_in_english_too(app, client, db, seller, monkeypatch):
    # given an upload limit of 400 KB the photo is over (the browser's script did not run);
    # under 500 KB, so the test client's multipart body stays in memory
    monkeypatch.setitem(app.config, "MAX_IMAGE_BYTES", 400 * 1024)
    big = os.urandom(400 * 1024 + 1)

    # when the seller sends it
    html = text(post_new(client, product_form(), (big, "besar.jpg")))

    # then nothing is saved and the reason is next to the photo field, in their language
    assert product_count(db) == 0
    assert '<small class="error" id="images-error">besar.jpg: Foto terlalu besar (maks. 0,4 MB).</small>' in html
    client.post("/bahasa", data={"lang": "en"})
    html = text(post_new(client, product_form(), (big, "big.jpg")))
    assert "big.jpg: The photo is too large (max. 0.4 MB)." in html
    # and the page tells the browser's script the limits
    assert 'data-max-bytes="409600"' in html and 'data-max-side="1600"' in html


def test_nine_photos_keep_eight_and_the_next_submit_attaches_them(app, client, db, seller):
    files = [(image_bytes("PNG", color=(n * 25, 40, 40)), f"{n}.png") for n in range(9)]

    html = text(post_new(client, product_form(), *files))

    assert product_count(db) == 0
    assert "8.png: paling banyak 8 foto per produk." in html
    tokens = pending_tokens(html)
    assert len(tokens) == 8
    response = client.post("/jual/produk/baru", data={**product_form(), "pending_photos": tokens})
    assert response.status_code == 302
    assert len(db.session.scalar(sa.select(Product)).images) == 8


def test_another_sellers_pending_photo_cannot_be_used(app, client, db, seller, make_store, login):
    # given a photo kept for one seller
    [token] = pending_tokens(text(post_new(client, product_form(title=""), (image_bytes("JPEG"), "a.jpg"))))

    # when another seller sends its token
    other = make_store()
    login(client, other.owner)
    assert client.get(f"/jual/produk/foto-sementara/{token}").status_code == 404
    html = text(client.post("/jual/produk/baru", data={**product_form(), "pending_photos": token}))

    # then it is not attached and nothing is saved
    assert "Foto yang dipilih sebelumnya sudah kedaluwarsa. Pilih fotonya lagi." in html
    assert product_count(db) == 0
    assert len(pending_files(app, seller)) == 2


def test_a_forged_token_is_refused(client, db, seller):
    html = text(client.post("/jual/produk/baru", data={**product_form(), "pending_photos": "../../etc"}))
    assert "Foto yang dipilih sebelumnya sudah kedaluwarsa." in html
    assert product_count(db) == 0
    assert client.get("/jual/produk/foto-sementara/bukan.token").status_code == 404


def test_expired_pending_photos_are_purged_by_the_job(app, client, db, seller):
    from marketplace.jobs import run_now

    # given two kept photos, one left more than a day ago
    html_old = text(post_new(client, product_form(title=""), (image_bytes("JPEG"), "lama.jpg")))
    [old_token] = pending_tokens(html_old)
    old_files = pending_files(app, seller)
    day_ago = time.time() - 25 * 3600
    for path in old_files:
        os.utime(path, (day_ago, day_ago))
    [fresh_token] = pending_tokens(text(post_new(client, product_form(title=""),
                                                 (image_bytes("PNG"), "baru.png"))))

    # when the cleanup job runs
    removed = run_now("catalog.purge_pending_photos")

    # then the old one is gone, the fresh one stays
    assert removed >= 1
    assert not any(p.exists() for p in old_files)
    assert len(pending_files(app, seller)) == 2
    # and the old token no longer attaches anything, the fresh one does
    html = text(client.post("/jual/produk/baru", data={**product_form(), "pending_photos": old_token}))
    assert "sudah kedaluwarsa" in html and product_count(db) == 0
    assert client.post("/jual/produk/baru", data={
        **product_form(), "pending_photos": fresh_token}).status_code == 302
    assert len(db.session.scalar(sa.select(Product)).images) == 1


# --- status -------------------------------------------------------------------------------------

def test_a_new_product_is_active_unless_the_seller_chooses_draft(client, db, seller):
    # when the seller opens the form
    html = text(client.get("/jual/produk/baru"))

    # then "active" comes first and is chosen; draft is the other, explicit choice
    select = re.search(r'<select[^>]*id="status"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option (?:selected )?value="(\w+)"', select) == ["active", "draft"]
    assert '<option selected value="active">Aktif (tampil di toko)</option>' in select
    # and a product sent with it is published
    client.post("/jual/produk/baru", data=product_form(status="active"))
    assert db.session.scalar(sa.select(Product.status)) == "active"


def test_the_edit_form_still_offers_archiving(client, make_product, login):
    product = make_product(status="draft")
    login(client, product.store.owner)
    html = text(client.get(f"/jual/produk/{product.id}/ubah"))
    assert '<option selected value="draft">' in html and 'value="archived"' in html


def test_the_api_default_status_stays_draft(client, make_store, token_for, db):
    store = make_store()
    body = product_data()
    del body["status"]
    response = client.post(f"/api/v1/stores/{store.slug}/products", json=body,
                           headers=token_for(store.owner))
    assert response.status_code == 201 and response.get_json()["status"] == "draft"
