"""The add-product form on a 360x800 phone (Debian's Chromium, CSRF on): a 12 MP photo over the
5 MB limit is made smaller in the browser before upload, a failed submit puts the focus on the
error summary and keeps the photo, and the fixed form creates the product with its picture."""
from __future__ import annotations

import re

import sqlalchemy as sa
from PIL import Image

from catalog.models import Product
from tests.browser.csp import watch_csp
from tests.browser.test_buying import log_in
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)


def noisy_photo(path, size=(4000, 3000)) -> None:
    """A 12 MP JPEG that stays big: noise does not compress."""
    bands = [Image.effect_noise(size, 64) for _ in range(3)]
    Image.merge("RGB", bands).save(path, "JPEG", quality=92)


def test_a_12_megapixel_photo_is_shrunk_in_the_browser_and_kept_after_an_error(
        app, live_server, new_page, make_store, db, tmp_path):
    # given a seller on a phone and a 12 MP photo over the upload limit
    limit = app.config["MAX_IMAGE_BYTES"]
    photo = tmp_path / "kopi-12mp.jpg"
    noisy_photo(photo)
    assert photo.stat().st_size > limit
    store = make_store(name="Kopi Darmo")
    page = new_page(360, 800)
    csp = watch_csp(page)
    bodies = []
    page.on("request", lambda r: bodies.append(len(r.post_data_buffer or b""))
            if r.method == "POST" and r.url.endswith("/jual/produk/baru") else None)
    log_in(page, live_server, store.owner)

    # when they choose the photo on the add-product form
    page.goto(f"{live_server}/jual/produk/baru")
    page.locator("input[type=file]").set_input_files(str(photo))

    # then the browser redraws it smaller and tells them the new size
    status = page.locator("[data-photo-status]")
    status.filter(has_text="diperkecil").wait_for()
    assert re.search(r"kopi-12mp\.jpg diperkecil: .* MB → .* MB \(1600×1200 piksel\)", status.inner_text())
    chosen = page.locator("input[type=file]").evaluate(
        "i => ({n: i.files.length, size: i.files[0].size, type: i.files[0].type})")
    assert chosen["n"] == 1 and chosen["type"] == "image/jpeg" and chosen["size"] < limit

    # when they send the form without a title
    page.get_by_label("Kategori").select_option("kopi")
    page.get_by_label("Deskripsi", exact=True).fill("Biji kopi robusta sangrai medium, 250 gram.")
    page.get_by_label("Harga satuan (Rp)").fill("48.000")
    page.get_by_label("Stok").fill("25")
    page.get_by_label("Berat (gram)").fill("250")
    page.get_by_role("button", name="Simpan produk").click()
    page.wait_for_load_state()

    # then the focus is on the error summary at the top, nothing is saved, and the photo is kept
    summary = page.locator("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert "Ada 1 isian yang perlu diperbaiki" in summary.inner_text()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 0
    preview = page.locator(".pending-photos img")
    assert preview.evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.get_by_label("Pakai foto ini").is_checked()
    # and nothing is wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # when they follow the summary's link, the title field gets the focus
    summary.get_by_role("link", name="Nama produk: Wajib diisi.").click()
    assert page.evaluate("document.activeElement.id") == "title"
    page.keyboard.type("Kopi Robusta Darmo 250g")
    page.get_by_role("button", name="Simpan produk").click()
    page.wait_for_url(f"{live_server}/jual")

    # then the product is created, published, with the picture the browser made smaller
    product = db.session.scalar(sa.select(Product))
    assert product.title == "Kopi Robusta Darmo 250g" and product.status == "active"
    assert len(product.images) == 1 and (product.images[0].width, product.images[0].height) == (1600, 1200)
    assert bodies and max(bodies) < limit  # the 12 MP original never left the phone
    assert "Produk Kopi Robusta Darmo 250g tersimpan (SKU KOPI-ROBUSTA-DARMO-250G)." in page.content()
    assert csp == []
