"""Issue 14 end to end in Debian's Chromium, on a 360x800 phone: a coffee roaster keeps its
books (a cash sale and a purchase in a few taps), opens its income statement, downloads it as a
PDF whose text says the same, and issues a KUR credit pack whose public verification page, seen
by a bank officer with the code, shows the same totals."""
import io
import re

from marketplace.money.rates import today_wib
from tests.browser.csp import watch_csp
from tests.browser.test_buying import log_in
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)


def rupiah(amount: int) -> str:
    return "Rp" + f"{amount:,}".replace(",", ".")


def record(phone, button: str, amount: str, note: str, method: str | None = None) -> None:
    """From the books page, one entry by its button: the amount, how it was paid, a note."""
    phone.get_by_role("link", name=button, exact=True).click()
    phone.wait_for_load_state()
    phone.get_by_label("Jumlah (Rp)").fill(amount)
    if method:
        phone.get_by_label(method, exact=True).check()
    phone.get_by_label("Catatan", exact=True).fill(note)
    phone.get_by_role("button", name="Simpan").click()
    phone.wait_for_url(re.compile(r".*/jual/buku$"))


def test_a_roaster_keeps_its_books_reads_its_statement_and_a_bank_checks_its_credit_pack(
        live_server, new_page, make_store, db):
    from pypdf import PdfReader

    # given a coffee roaster's store, its owner on a 360 px phone
    store = make_store(name="Kopi Way Kanan")
    base = live_server
    phone = new_page(width=360, height=800)
    violations = watch_csp(phone)
    log_in(phone, base, store.owner)

    # when the seller records today's cash sale at the market and a purchase of green beans
    phone.goto(f"{base}/jual/buku")
    record(phone, "Penjualan tunai / di luar marketplace", "1.250.000", "Pasar minggu Blambangan Umpu")
    assert "Tercatat" in phone.locator(".flash").first.inner_text()
    record(phone, "Pembelian bahan / barang dagangan", "400000", "Green bean robusta 10 kg",
           method="Bank / transfer")
    # then the books page shows both, cash and bank moved, and the month's profit
    entries = phone.locator("main .books-table").inner_text()
    assert "Pasar minggu Blambangan Umpu" in entries and "Green bean robusta 10 kg" in entries
    tiles = phone.locator("main .books-tiles").inner_text()
    assert rupiah(1_250_000) in tiles and rupiah(850_000) in tiles
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # when it opens the income statement of this month
    today = today_wib()
    phone.get_by_role("link", name="Laporan keuangan").first.click()
    phone.wait_for_load_state()
    phone.get_by_label("Periode").select_option("month")
    phone.get_by_label("Tahun").select_option(str(today.year))
    phone.get_by_label("Bulan / triwulan ke").fill(str(today.month))
    phone.get_by_role("button", name="Tampilkan").click()
    phone.wait_for_load_state()
    # then sales 1,250,000 less beans 400,000 is the net income, and the position balances
    statement = phone.locator("#laba-rugi")
    assert rupiah(1_250_000) in statement.inner_text()
    net = statement.locator(".net-income").inner_text()
    assert net == rupiah(850_000)
    assert "Jumlah liabilitas dan ekuitas" in phone.locator("#posisi-keuangan").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # when it downloads the PDF, then its text is the same statement
    pdf_url = phone.get_by_role("link", name="PDF (Indonesia)").get_attribute("href")
    pdf = phone.context.request.get(base + pdf_url)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages))
    assert "Laporan laba rugi" in text and "Kopi Way Kanan" in text
    assert "1.250.000" in text and "850.000" in text and "SAK EMKM" in text

    # when it issues a KUR credit pack with everything in it
    phone.goto(f"{base}/jual/kur")
    phone.get_by_role("button", name="Terbitkan paket").click()
    phone.wait_for_load_state()
    code = phone.locator(".pack-code").first.inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)

    # then a bank officer (no account) who has the code sees the pack's totals: the same net income
    bank = new_page(width=360, height=800)
    bank_violations = watch_csp(bank)
    bank.goto(f"{base}/verifikasi")
    bank.get_by_label("Kode verifikasi").fill(code.lower().replace("-", ""))
    bank.get_by_role("button", name="Periksa").click()
    bank.wait_for_load_state()
    result = bank.locator("main").inner_text()
    assert "Kopi Way Kanan" in result and "Berlaku" in result
    assert bank.locator(".verify-statements .net-income").inner_text() == net
    assert rupiah(1_250_000) in bank.locator(".verify-statements").inner_text()
    assert "Pasar minggu" not in result  # the seller's own notes are not in the public summary
    assert bank.evaluate("document.documentElement.scrollWidth") <= 360

    # when the seller revokes the code, then the bank sees it revoked, without figures
    phone.goto(f"{base}/jual/kur")
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_role("button", name="Cabut kode").click()
    phone.wait_for_load_state()
    bank.reload()
    assert "Dicabut" in bank.locator("main").inner_text()
    assert bank.locator(".verify-statements").count() == 0
    assert violations == [] and bank_violations == []
