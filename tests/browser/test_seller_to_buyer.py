"""A seller registers, opens a store and lists a product with a photo; a visitor finds it on
the category page and opens it. Debian's Chromium, a phone-sized screen, CSRF on."""

from PIL import Image


def test_seller_lists_a_product_and_a_visitor_finds_it(live_server, new_page, tmp_path):
    photo = tmp_path / "kopi.jpg"
    Image.new("RGB", (640, 480), (120, 70, 40)).save(photo, "JPEG")

    # given a seller who registers
    seller = new_page()
    seller.goto(f"{live_server}/daftar")
    seller.get_by_label("Nama lengkap").fill("Pak Darmo")
    seller.get_by_label("E-mail").fill("darmo@kopi.test")
    seller.get_by_label("Kata sandi", exact=True).fill("kopi-tanggamus-1")
    seller.get_by_label("Ulangi kata sandi").fill("kopi-tanggamus-1")
    seller.get_by_role("button", name="Daftar").click()
    seller.wait_for_url(f"{live_server}/")

    # when they open a store
    seller.goto(f"{live_server}/jual/toko/baru")
    seller.get_by_label("Nama toko").fill("Kopi Darmo Tanggamus")
    seller.get_by_label("Deskripsi toko", exact=True).fill("Kopi robusta petik merah dari Tanggamus.")
    seller.get_by_label("Provinsi").select_option("18")
    seller.get_by_label("Kabupaten/kota").select_option("18.06")
    seller.get_by_label("NIB (Nomor Induk Berusaha)").fill("9120001234567")
    seller.get_by_label("Nomor WhatsApp").fill("0812 7788 9900")
    seller.get_by_role("button", name="Buka toko").click()
    seller.wait_for_url(f"{live_server}/jual")

    # and add a product with a photo
    seller.goto(f"{live_server}/jual/produk/baru")
    seller.get_by_label("Nama produk", exact=True).fill("Kopi Robusta Darmo 250g")
    seller.get_by_label("Kategori").select_option("kopi")
    seller.get_by_label("Deskripsi", exact=True).fill("Biji kopi robusta sangrai medium, 250 gram.")
    seller.get_by_label("Harga satuan (Rp)").fill("48.000")
    seller.get_by_label("Stok").fill("25")
    seller.get_by_label("Berat (gram)").fill("250")
    seller.get_by_label("SKU (kode produk Anda)").fill("DARMO-250")
    seller.get_by_label("Status").select_option("active")
    seller.locator("input[type=file]").set_input_files(str(photo))
    seller.get_by_role("button", name="Simpan produk").click()
    seller.wait_for_load_state()
    assert "Kopi Robusta Darmo 250g" in seller.content()

    # then a visitor finds it on the category page and opens it
    visitor = new_page()
    visitor.goto(f"{live_server}/kategori/kopi")
    card = visitor.get_by_role("link", name="Kopi Robusta Darmo 250g")
    card.first.click()
    visitor.wait_for_url(f"{live_server}/produk/*")
    assert visitor.get_by_role("heading", name="Kopi Robusta Darmo 250g").is_visible()
    body = visitor.content()
    assert "Rp48.000" in body
    assert "Kopi Darmo Tanggamus" in body and "Kabupaten Tanggamus" in body
    image = visitor.locator(".gallery img").first
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
