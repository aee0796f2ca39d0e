"""An export promotion forum in a real browser (Debian's Chromium, a phone-sized screen, CSRF on):
an officer creates and publishes an event; a seller applies and is accepted; an export buyer
registers, sends an RFQ, receives a quote and accepts it; the report counts the deal.

The officer, the seller and the buyer each use their own browser context. The seller's store
and product are seeded through the services. Set PASAR_SCREENSHOTS=/some/dir to keep
phone-sized screenshots of the event page and the report.
"""
import os
import re
from datetime import date, timedelta

import sqlalchemy as sa

from orders.models import Order, OrderLine
from promotions.models import Event, Quote, Rfq
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)
from tests.conftest import PASSWORD


def snap(page, name: str) -> None:
    folder = os.environ.get("PASAR_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def log_in(page, base: str, user) -> None:
    page.goto(f"{base}/masuk")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()


def test_export_forum_from_event_to_deal(live_server, new_page, db, make_user, make_store,
                                        make_product):
    base = live_server
    # given an officer, a seller with a product, and an export buyer
    officer_user = make_user(roles=("buyer", "officer"), name="Bu Ratna Dinas")
    store = make_store(name="Kopi Lereng Tanggamus", export_ready=True)
    make_product(store=store, title="Kopi Robusta Tanggamus 1 kg", price_idr=80000, stock=500)
    buyer_user = make_user(name="Yamada Taro")
    seller_user = store.owner
    db.session.commit()

    # an officer creates the event and opens it for applications
    officer = new_page()
    log_in(officer, base, officer_user)
    officer.get_by_label("Menu akun").click()  # the officer's desk is in the account menu
    officer.get_by_role("link", name="Kelola acara").first.click()
    officer.get_by_role("link", name="Acara baru").first.click()
    start = date.today() + timedelta(days=20)
    officer.get_by_label("Judul acara", exact=True).fill("Forum Promosi Ekspor Kopi Lampung")
    officer.get_by_label("Jenis acara").select_option("export_forum")
    officer.get_by_label("Deskripsi", exact=True).fill(
        "Temu bisnis eksportir kopi Lampung dengan pembeli dari Jepang.")
    officer.get_by_label("Zona waktu acara").select_option("Asia/Jakarta")
    officer.get_by_label("Mulai", exact=True).fill(f"{start.isoformat()}T09:00")
    officer.get_by_label("Selesai", exact=True).fill(f"{(start + timedelta(days=1)).isoformat()}T17:00")
    officer.get_by_label("Tempat (opsional)").fill("Bandar Lampung")
    officer.get_by_label("Pasar tujuan (kode negara)").fill("JP, SG")
    officer.get_by_role("button", name="Simpan acara").click()
    officer.wait_for_url(re.compile(r".*/petugas/acara/[\w-]+$"))
    assert "tersimpan sebagai draf" in officer.content()
    slug = officer.url.rsplit("/", 1)[1]
    officer.get_by_role("button", name="Buka pendaftaran peserta").click()
    officer.wait_for_load_state()
    assert officer.get_by_role("button", name="Terbitkan acara").count() == 0

    # a seller finds it and applies with a product
    seller = new_page()
    log_in(seller, base, seller_user)
    seller.goto(f"{base}/acara")
    seller.get_by_role("link", name=re.compile("Forum Promosi Ekspor Kopi Lampung")).click()
    seller.get_by_role("link", name="Daftarkan toko sebagai peserta").click()
    seller.get_by_label(re.compile("Kopi Robusta Tanggamus 1 kg")).check()
    seller.get_by_label("Mengapa produk Anda cocok untuk acara ini?").fill(
        "Robusta petik merah, kapasitas 2 ton per bulan, sudah ekspor ke Malaysia.")
    seller.get_by_role("button", name="Kirim pendaftaran").click()
    seller.wait_for_url(f"{base}/jual/acara")
    assert "Menunggu keputusan" in seller.content()

    # the officer accepts, closes applications and publishes
    officer.reload()
    officer.get_by_role("button", name="Terima", exact=True).click()
    officer.wait_for_load_state()
    assert "Kopi Lereng Tanggamus diterima sebagai peserta." in officer.content()
    officer.get_by_role("button", name="Tutup pendaftaran, mulai kurasi").click()
    officer.wait_for_load_state()
    officer.get_by_role("button", name="Terbitkan acara").click()
    officer.wait_for_load_state()
    assert "Status acara sekarang: Terbit." in officer.content()
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    assert event.status == "published"

    # an export buyer registers on the event page
    buyer = new_page()
    log_in(buyer, base, buyer_user)
    buyer.goto(f"{base}/acara/{slug}")
    assert buyer.get_by_role("heading", name="Forum Promosi Ekspor Kopi Lampung").is_visible()
    assert buyer.locator("time[data-countdown]").is_visible()
    buyer.get_by_label("Pembeli ekspor (luar negeri)").check()
    buyer.get_by_label("Nama perusahaan / usaha").fill("Yamada Coffee Trading")
    buyer.get_by_label("Negara", exact=True).select_option("JP")
    buyer.get_by_role("button", name="Daftar ke acara ini").click()
    buyer.wait_for_load_state()
    assert "Anda terdaftar" in buyer.content()
    snap(buyer, "event-page")

    # sends an RFQ from the product card
    buyer.get_by_role("link", name="Minta penawaran (RFQ)").click()
    buyer.wait_for_url(re.compile(r".*/rfq/baru\?.*"))
    buyer.get_by_label("Jumlah yang dibutuhkan (pcs)").fill("200")
    buyer.get_by_label("Harga sasaran per pcs (Rp, opsional)").fill("70.000")
    buyer.get_by_label("Incoterm").select_option("FOB")
    buyer.get_by_label("Dibutuhkan paling lambat").fill((date.today() + timedelta(days=60)).isoformat())
    buyer.get_by_role("button", name="Kirim permintaan").click()
    buyer.wait_for_url(re.compile(r".*/rfq/\d+$"))
    rfq = db.session.scalar(sa.select(Rfq))
    assert (rfq.quantity, rfq.destination_country, rfq.incoterm) == (200, "JP", "FOB")

    # the seller answers with a quote
    seller.goto(f"{base}/rfq")
    seller.get_by_role("link", name=re.compile("Kopi Robusta Tanggamus 1 kg")).click()
    seller.get_by_label("Harga per pcs (Rp)").fill("72.000")
    seller.get_by_label("Minimal pesanan (pcs)").fill("100")
    seller.get_by_label("Waktu produksi/siap kirim (hari)").fill("21")
    seller.get_by_label("Berlaku sampai").fill((date.today() + timedelta(days=14)).isoformat())
    seller.get_by_label("Pelabuhan muat").fill("Panjang")
    seller.get_by_role("button", name="Kirim penawaran").click()
    seller.wait_for_load_state()
    assert "Penawaran terkirim ke pembeli." in seller.content()

    # the buyer accepts it with an address in Tokyo, paying by bank transfer
    buyer.reload()
    assert "Rp72.000/pcs" in buyer.content()
    buyer.get_by_label("Nomor telepon").fill("+81 3 1234 5678")
    buyer.get_by_label("Alamat (jalan, nomor rumah, RT/RW)").fill("1-2-3 Nihonbashi")
    buyer.locator("#accept-form").get_by_label("Negara", exact=True).select_option("JP")
    assert buyer.get_by_label("Provinsi", exact=True).is_hidden()
    buyer.get_by_label("Provinsi / negara bagian (opsional)").fill("Tokyo")
    buyer.get_by_label("Kota (opsional)").fill("Chuo-ku")
    buyer.get_by_label("Kode pos").fill("103-0027")
    buyer.get_by_role("button", name="Terima dan buat pesanan").click()
    buyer.wait_for_url(re.compile(r".*/pesanan/\d+$"))
    order = db.session.scalar(sa.select(Order))
    assert buyer.url.endswith(f"/pesanan/{order.id}")
    line = db.session.scalar(sa.select(OrderLine))
    assert (line.unit_price_idr, line.quantity) == (72000, 200)
    assert db.session.scalar(sa.select(Quote.status)) == "accepted"

    # the report counts the deal
    officer.goto(f"{base}/petugas/acara/{slug}")
    officer.get_by_role("link", name="Laporan").click()
    officer.wait_for_url(f"{base}/petugas/acara/{slug}/laporan")
    deals = officer.locator(".bar-chart li", has_text="Kesepakatan").locator(".bar-value")
    assert deals.inner_text() == "1"
    assert "Jepang" in officer.content()
    snap(officer, "report")
    with officer.expect_download() as download:
        officer.get_by_role("link", name="Unduh CSV").click()
    with open(download.value.path(), encoding="utf-8") as csv_file:
        assert "deals,1" in csv_file.read()
