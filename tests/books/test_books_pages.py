"""The seller's bookkeeping pages and API (books/views.py, books/api.py): recording in a few
taps, stock counts, voiding, receipts, the statements on screen, as PDF and as XLSX."""
from __future__ import annotations

import io
import re

import pytest

from tests.books.conftest import record
from tests.books.test_statements import NOV, roaster_november
from tests.catalog.conftest import image_bytes
from tests.conftest import require_service


@pytest.fixture
def seller(app, roaster, login):
    client = app.test_client()
    login(client, roaster.owner)
    return client


def test_a_cash_sale_and_a_purchase_in_a_few_taps_with_a_receipt(seller, roaster, db):
    from books.models import BookEntry

    # given the books page, which offers the common entries as buttons
    page = seller.get("/jual/buku").get_data(as_text=True)
    assert "/jual/buku/catat?jenis=income&amp;kategori=cash_sale" in page
    # when the seller records a cash sale from its button, and a purchase with a receipt photo
    form = seller.get("/jual/buku/catat?jenis=income&kategori=cash_sale").get_data(as_text=True)
    assert '<option selected value="cash_sale">' in form
    done = seller.post("/jual/buku/catat", data={"jenis": "income", "category": "cash_sale",
                                                 "entry_date": "2026-11-12", "amount": "250.000",
                                                 "method": "cash", "note": "Pasar minggu <b>"})
    assert done.status_code == 302
    seller.post("/jual/buku/catat", data={
        "jenis": "expense", "category": "materials", "entry_date": "2026-11-13", "amount": "90000",
        "method": "bank", "receipt": (io.BytesIO(image_bytes()), "nota.jpg")}, content_type="multipart/form-data")
    # then both are in the books, the note escaped, the receipt served to the owner only
    entries = db.session.scalars(db.select(BookEntry).order_by(BookEntry.id)).all()
    assert [(e.kind, e.category, e.amount_idr, e.method) for e in entries] == [
        ("income", "cash_sale", 250_000, "cash"), ("expense", "materials", 90_000, "bank")]
    page = seller.get("/jual/buku").get_data(as_text=True)
    assert "Pasar minggu &lt;b&gt;" in page and "<b>" not in page.split("Pasar minggu")[1][:10]
    photo = seller.get(f"/jual/buku/{entries[1].id}/nota")
    assert photo.status_code == 200 and photo.headers["Cache-Control"] == "private, no-store"
    photo.close()
    assert seller.get(f"/jual/buku/{entries[0].id}/nota").status_code == 404


def test_a_bad_entry_shows_its_errors_under_the_fields_and_records_nothing(seller, db):
    from books.models import BookEntry

    page = seller.post("/jual/buku/catat", data={"jenis": "expense", "category": "wages",
                                                 "entry_date": "kemarin", "amount": "-3", "method": "cash"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Tanggal tidak valid" in html and "Jumlah harus lebih dari nol" in html or \
        "Harus bilangan bulat rupiah" in html
    assert 'aria-invalid="true"' in html
    assert db.session.scalar(db.select(db.func.count()).select_from(BookEntry)) == 0
    # an unknown kind is no page
    assert seller.get("/jual/buku/catat?jenis=hadiah").status_code == 404


def test_stock_from_the_catalog_on_the_page_and_voiding_an_entry(seller, roaster, make_product, db):
    from books.models import BookEntry

    beans = make_product(store=roaster, title="Robusta 1 kg", stock=40)
    page = seller.get("/jual/buku/stok").get_data(as_text=True)
    assert f'name="cost-{beans.id}"' in page
    # a bad unit cost is shown at its product
    bad = seller.post("/jual/buku/stok", data={"entry_date": "2026-11-30", "source": "catalog",
                                               f"cost-{beans.id}": "abc"}).get_data(as_text=True)
    assert f'id="cost-{beans.id}-error"' in bad
    seller.post("/jual/buku/stok", data={"entry_date": "2026-11-30", "source": "catalog",
                                         f"cost-{beans.id}": "60.000"})
    count = db.session.scalar(db.select(BookEntry))
    assert count.amount_idr == 2_400_000 and count.details[0]["unit_cost_idr"] == 60_000
    # voiding it from the list
    assert seller.post(f"/jual/buku/{count.id}/batal").status_code == 302
    db.session.refresh(count)
    assert count.voided_at is not None
    assert "Dibatalkan" in seller.get("/jual/buku").get_data(as_text=True)


def test_the_statements_page_pdf_and_xlsx_of_november(seller, roaster, db):
    from openpyxl import load_workbook

    roaster_november(roaster)
    # the page shows the hand-worked figures
    page = seller.get("/jual/laporan?periode=month&tahun=2026&ke=11").get_data(as_text=True)
    assert "Laporan laba rugi" in page and "Laporan posisi keuangan" in page and "Catatan atas laporan" in page
    assert "Rp3.500.000" in page and "Rp74.000.000" in page and "Mesin sangrai 5 kg" in page
    # a bad period is said, and the default period shown
    bad = seller.get("/jual/laporan?periode=minggu&tahun=1990&ke=99")
    assert bad.status_code == 200 and "Pilih bulan, triwulan atau tahun" in bad.get_data(as_text=True)
    # the workbook has the statements with numbers in its cells
    xlsx = seller.get("/jual/laporan.xlsx?periode=month&tahun=2026&ke=11&bahasa=en")
    assert xlsx.status_code == 200 and xlsx.headers["Cache-Control"] == "private, no-store"
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["Income statement", "Financial position", "Fixed assets"]
    income = {row[0]: row[1] for row in book["Income statement"].iter_rows(values_only=True) if row and row[0]}
    assert income["Net profit (loss)"] == 3_500_000 and income["Gross profit"] == 7_500_000
    position = {row[0]: row[1] for row in book["Financial position"].iter_rows(values_only=True) if row and row[0]}
    assert position["Total assets"] == 74_000_000 == position["Total liabilities and equity"]


def test_the_statements_pdf_in_both_languages(seller, roaster, db):
    from pypdf import PdfReader

    from marketplace.pdf import pdf_unavailable

    require_service("WeasyPrint's libraries (Pango)", pdf_unavailable() is None,
                    f"{pdf_unavailable()}; scripts/pdf.sh installs them")
    roaster_november(roaster)
    for lang, words in (("id", ("Laporan laba rugi", "Laba (rugi) bersih", "SAK EMKM")),
                        ("en", ("Income statement", "Net profit (loss)", "SAK EMKM"))):
        response = seller.get(f"/jual/laporan.pdf?periode=month&tahun=2026&ke=11&bahasa={lang}")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages))
        for word in words:
            assert word in text, (lang, word)
        assert "3.500.000" in text and "74.000.000" in text and "Kopi Way Kanan" in text


def test_the_books_are_their_owners_only(app, roaster, make_user, login, token_for, db):
    entry = record(roaster, date="2026-11-12", kind="income", category="cash_sale", amount_idr=1000)
    other = app.test_client()
    login(other, make_user(roles=("seller",)))
    # another user has no store: sent to open one; an anonymous visitor to log in
    assert other.get("/jual/buku").status_code == 302
    assert app.test_client().get("/jual/laporan").status_code == 302
    assert app.test_client().get(f"/jual/buku/{entry.id}/nota").status_code == 302
    # in the API, another user's token sees nothing
    stranger = token_for(make_user())
    client = app.test_client()
    for path in (f"/api/v1/stores/{roaster.slug}/books/entries", f"/api/v1/stores/{roaster.slug}/books/income-statement"):
        assert client.get(path, headers=stranger).status_code == 404
    assert client.post(f"/api/v1/stores/{roaster.slug}/books/entries", headers=stranger, json={
        "date": "2026-11-12", "kind": "income", "category": "cash_sale", "amount_idr": 5}).status_code == 404
    assert client.get(f"/api/v1/stores/{roaster.slug}/books/entries").status_code == 401


def test_the_api_records_entries_and_answers_the_income_statement(app, roaster, token_for, db):
    owner = token_for(roaster.owner)
    client = app.test_client()
    base = f"/api/v1/stores/{roaster.slug}/books"
    # when the owner records November through the API
    made = client.post(f"{base}/entries", headers=owner, json={
        "date": "2026-11-12", "kind": "income", "category": "cash_sale", "amount_idr": 14_000_000})
    assert made.status_code == 201
    body = made.get_json()
    assert body["kind"] == "income" and body["amount_idr"] == 14_000_000 and body["journal_entry_id"]
    client.post(f"{base}/entries", headers=owner, json={
        "date": "2026-11-25", "kind": "expense", "category": "wages", "amount_idr": 3_000_000, "note": "Upah"})
    # then the income statement has API.md's shape and the figures
    income = client.get(f"{base}/income-statement?from=2026-11-01&to=2026-11-30", headers=owner).get_json()
    assert (income["revenue_idr"], income["expenses_idr"], income["net_income_idr"]) == (
        14_000_000, 3_000_000, 11_000_000)
    assert {(line["category"], line["amount_idr"]) for line in income["lines"]} == {
        ("penjualan_tunai", 14_000_000), ("gaji", 3_000_000)}
    position = client.get(f"{base}/financial-position?at=2026-11-30", headers=owner).get_json()
    assert position["balanced"] and position["assets_idr"] == 11_000_000
    listed = client.get(f"{base}/entries", headers=owner).get_json()
    assert listed["total"] == 2 and listed["items"][0]["date"] == "2026-11-25"
    # voiding through the API, twice: 409 the second time
    void = client.post(f"{base}/entries/{body['id']}/void", headers=owner)
    assert void.status_code == 200 and void.get_json()["voided"] is True
    again = client.post(f"{base}/entries/{body['id']}/void", headers=owner)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_voided"
    # bad input is 422 in the API's error shape
    for bad in ({"date": "2026-11-31", "kind": "income", "category": "cash_sale", "amount_idr": 5},
                {"date": "2026-11-01", "kind": "income", "category": "wages", "amount_idr": 5},
                {"date": "2026-11-01", "kind": "income", "category": "cash_sale", "amount_idr": "5"}):
        refused = client.post(f"{base}/entries", headers=owner, json=bad)
        assert refused.status_code == 422 and refused.get_json()["error"]["fields"], bad
    wrong = client.get(f"{base}/income-statement?from=2026-12-01&to=2026-11-01", headers=owner)
    assert wrong.status_code == 422 and "from" in wrong.get_json()["error"]["fields"]
    assert NOV  # the hand-worked month lives in test_statements
