"""Issue 13 end to end in Debian's Chromium: money held by the marketplace ("rekening bersama").

A buyer on a phone pays two Lampung stores by one bank transfer carrying its unique code; finance
uploads the bank's statement, which matches it; both sellers ship; the buyer confirms one order
and complains about the other; that seller refunds half and finance transfers it back; the first
seller's verified account is paid by a payout batch; and each seller's statement tells it all.
"""
import re
from pathlib import Path

import sqlalchemy as sa

from marketplace.money.rates import today_wib
from orders.models import Checkout, Order
from tests.browser.csp import watch_csp
from tests.browser.test_buying import add_to_cart, fill_jakarta_address, log_in
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)


def rupiah(amount: int) -> str:
    return "Rp" + f"{amount:,}".replace(",", ".")


def seller_moves(page, base, order_id, *steps, tracking=None):
    page.goto(f"{base}/pesanan/{order_id}")
    for step in steps:
        if step == "Kirim pesanan":
            page.get_by_label("Kurir", exact=True).select_option("jne")
            page.get_by_label("Nomor resi", exact=True).fill(tracking)
        page.get_by_role("button", name=step).click()
        page.wait_for_load_state()


def test_one_transfer_pays_two_stores_held_until_received_refunded_in_part_and_paid_out(
        live_server, new_page, make_store, make_product, make_user, db):
    # given two Lampung stores, a buyer, finance and a trade officer
    coffee_store = make_store(name="Kopi Tanggamus Jaya")
    chips_store = make_store(name="Keripik Bu Sri")
    coffee = make_product(store=coffee_store, title="Kopi Robusta Tanggamus 500 g", price_idr=85_000, stock=10)
    chips = make_product(store=chips_store, title="Keripik Pisang Cokelat", price_idr=30_000, stock=50)
    buyer = make_user(name="Rina Marlina")
    clerk = make_user(name="Dewi Keuangan", roles=("finance",))
    officer = make_user(name="Pak Hendra", roles=("officer",))
    db.session.commit()
    base = live_server

    # when the buyer, on a 360 px phone, puts both in one cart and pays by bank transfer
    phone = new_page(width=360, height=800)
    violations = watch_csp(phone)
    log_in(phone, base, buyer)
    add_to_cart(phone, base, coffee, 1)
    add_to_cart(phone, base, chips, 2)
    phone.get_by_role("link", name="Lanjut ke pembayaran").click()
    phone.wait_for_url(f"{base}/checkout")
    fill_jakarta_address(phone)
    phone.get_by_role("button", name="Hitung ongkir").click()
    phone.wait_for_load_state()
    phone.get_by_label("Transfer bank").check()
    phone.get_by_role("button", name=re.compile(r"^Bayar Rp")).click()
    phone.wait_for_url(re.compile(r".*/checkout/\d+$"))

    # then she is told one exact amount, the total plus its unique code, to the marketplace's account
    db.session.expire_all()
    checkout = db.session.scalars(sa.select(Checkout)).one()
    assert len(checkout.orders) == 2 and 1 <= checkout.unique_code <= 999
    assert checkout.amount_due_idr == checkout.total_idr + checkout.unique_code
    box = phone.locator("#cara-bayar")
    assert box.locator(".pay-amount strong").inner_text() == rupiah(checkout.amount_due_idr)
    assert f"kode unik {checkout.unique_code} rupiah" in box.inner_text()
    assert "Satu transfer untuk semua toko" in box.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # when finance uploads the bank's statement showing that transfer (and a stray credit)
    desk = new_page(width=1280, height=900)
    desk_violations = watch_csp(desk)
    log_in(desk, base, clerk)
    desk.goto(f"{base}/keuangan/mutasi")
    today = today_wib().strftime("%d/%m/%Y")
    statement = ("tanggal;keterangan;jumlah;jenis\n"
                 f"{today};TRSF E-BANKING CR RINA MARLINA;{rupiah(checkout.amount_due_idr)[2:]};kredit\n"
                 f"{today};SETORAN TUNAI;50.000;kredit\n")
    desk.get_by_label("Berkas mutasi (CSV)").set_input_files(
        {"name": "mutasi.csv", "mimeType": "text/csv", "buffer": statement.encode()})
    desk.get_by_role("button", name="Unggah dan cocokkan").click()
    desk.wait_for_load_state()
    # then it is matched: both orders are paid, the stray credit is listed unmatched
    assert "1 transfer dikonfirmasi dari mutasi." in desk.inner_text("body")
    assert "SETORAN TUNAI" in desk.inner_text("body")
    db.session.expire_all()
    orders = {o.store_id: o for o in db.session.scalars(sa.select(Order))}
    kept, complained = orders[coffee_store.id], orders[chips_store.id]
    assert {o.status for o in orders.values()} == {"paid"}

    # when both sellers accept, pack and ship with JNE; the chips seller also marks it arrived
    coffee_desk, chips_desk = new_page(width=360, height=800), new_page(width=360, height=800)
    log_in(coffee_desk, base, coffee_store.owner)
    log_in(chips_desk, base, chips_store.owner)
    seller_moves(coffee_desk, base, kept.id, "Terima pesanan", "Tandai sedang dikemas", "Kirim pesanan",
                 tracking="JNE0001122334")
    seller_moves(chips_desk, base, complained.id, "Terima pesanan", "Tandai sedang dikemas", "Kirim pesanan",
                 "Tandai sudah sampai", tracking="JNE0009988776")

    # and the coffee seller's balance shows the money held, not yet theirs
    coffee_desk.goto(f"{base}/jual/saldo")
    tiles = coffee_desk.locator(".balance-tiles").inner_text()
    assert rupiah(kept.total_idr) in tiles.split("Tersedia")[0]       # held (pending)

    # when the buyer confirms the coffee arrived
    phone.goto(f"{base}/pesanan/{kept.id}")
    phone.get_by_role("button", name="Pesanan sudah saya terima").click()
    phone.wait_for_load_state()
    assert phone.locator(".order-head .order-status").inner_text() == "Selesai"

    # and complains that the chips arrived crushed, naming her account for the refund
    phone.goto(f"{base}/pesanan/{complained.id}")
    phone.get_by_role("link", name="Ajukan komplain").click()
    phone.get_by_label("Barang rusak").check()
    phone.get_by_label("Ceritakan masalahnya").fill("Satu bungkus hancur, isinya remuk.")
    phone.get_by_label("Bank", exact=True).select_option("014")
    phone.get_by_label("Nomor rekening").fill("1234567890")
    phone.get_by_label("Atas nama").fill("Rina Marlina")
    phone.get_by_role("button", name="Kirim komplain").click()
    phone.wait_for_url(re.compile(r".*/komplain/\d+$"))
    complaint_url = phone.url

    # then the chips seller refunds half
    half = complained.total_idr // 2
    chips_desk.goto(complaint_url)
    assert "Satu bungkus hancur, isinya remuk." in chips_desk.inner_text("body")
    chips_desk.get_by_label("Kembalikan dana sebagian").check()
    chips_desk.get_by_label("Jumlah pengembalian sebagian (Rp)").fill(str(half))
    chips_desk.get_by_role("button", name="Kirim jawaban").click()
    chips_desk.wait_for_load_state()
    assert rupiah(half) in chips_desk.locator(".complaint-amount").inner_text()

    # and finance transfers the half back to the buyer's account
    desk.goto(f"{base}/keuangan/komplain")
    refund_row = desk.locator(".refund-to-pay")
    assert rupiah(half) in refund_row.inner_text() and "1234567890" in refund_row.inner_text()
    refund_row.get_by_label("Referensi transfer").fill("BCA-RF-5521")
    refund_row.get_by_role("button", name="Sudah ditransfer").click()
    desk.wait_for_load_state()
    assert desk.locator(".refund-to-pay").count() == 0
    phone.goto(complaint_url)
    assert "Ditransfer" in phone.locator(".refund-account").inner_text()

    # when the coffee seller registers a payout account and the officer verifies it
    coffee_desk.goto(f"{base}/jual/rekening")
    coffee_desk.get_by_label("Bank", exact=True).select_option("014")
    coffee_desk.get_by_label("Nomor rekening").fill("0987654321")
    coffee_desk.get_by_label("Atas nama").fill("Siti Aminah")
    coffee_desk.get_by_role("button", name="Simpan rekening").click()
    coffee_desk.wait_for_load_state()
    assert "Menunggu verifikasi petugas." in coffee_desk.inner_text("body")
    office = new_page(width=1280, height=900)
    log_in(office, base, officer)
    office.goto(f"{base}/admin/rekening-penjual")
    office.get_by_role("button", name="Verifikasi").click()
    office.wait_for_load_state()

    # and finance makes a payout batch, downloads its bulk transfer and marks the line paid
    desk.goto(f"{base}/keuangan/pencairan")
    desk.get_by_label("Saldo minimal yang dicairkan (Rp)").fill("10.000")
    desk.get_by_role("button", name="Buat pencairan").click()
    desk.wait_for_load_state()
    body = desk.inner_text("body")
    assert "Kopi Tanggamus Jaya" in body
    # (the chips order is not completed: its money is still held, so that store has nothing to pay)
    assert "Keripik Bu Sri" not in body
    with desk.expect_download() as download:
        desk.get_by_role("link", name=re.compile("CSV")).click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert "0987654321" in exported and f",{kept.total_idr}," in exported
    desk.get_by_placeholder("Referensi bank").fill("BCA-TRX-778812")
    desk.get_by_role("button", name="Tandai dibayar").click()
    desk.wait_for_load_state()

    # then the coffee seller's statement shows the payment held, released, and paid out
    coffee_desk.goto(f"{base}/jual/saldo")
    statement_text = coffee_desk.locator(".ledger-table").inner_text()
    for kind in ("Pembayaran diterima", "Dana dilepas ke toko", "Pencairan diproses",
                 "Pencairan terkirim ke rekening"):
        assert kind in statement_text, kind
    tiles = coffee_desk.locator(".balance-tiles").inner_text()
    assert rupiah(kept.total_idr) in tiles.split("Sudah dicairkan")[1]
    # and the chips seller's shows the payment and the half refunded, the rest still held
    chips_desk.goto(f"{base}/jual/saldo")
    chips_statement = chips_desk.locator(".ledger-table").inner_text()
    assert "Pembayaran diterima" in chips_statement and "Pengembalian dana ke pembeli" in chips_statement
    assert f"−{rupiah(half)}" in chips_statement
    held = chips_desk.locator(".balance-tiles").inner_text().split("Tersedia")[0]
    assert rupiah(complained.total_idr - half) in held
    assert violations == [] and desk_violations == []
