"""CSV import and export of a store's products: the service, the seller's pages and the CLI."""
from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from catalog import csv_io
from catalog.models import Product, WholesaleTier
from catalog.signals import products_changed

HEADER = ("sku", "title", "description", "category", "price_idr", "wholesale_tiers", "stock",
          "weight_g", "status")


def row(sku: str, **overrides) -> dict:
    values = {"sku": sku, "title": f"Kopi Robusta {sku}",
              "description": "Kopi robusta sangrai medium dari Tanggamus.", "category": "kopi",
              "price_idr": "45000", "wholesale_tiers": "", "stock": "20", "weight_g": "250",
              "status": "active"}
    values.update(overrides)
    return values


def csv_bytes(rows, header=HEADER, *, delimiter=",", bom=False) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(c, "") for c in header])
    return (b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8")


def problems(report) -> list[tuple]:
    """The report as a reader sees it: (line, column, message) in the reader's language."""
    return [(p.line, p.column, str(p.message)) for p in report.errors]


def products_of(db, store) -> dict[str, Product]:
    db.session.expire_all()
    return {p.sku: p for p in db.session.scalars(sa.select(Product).where(Product.store_id == store.id))}


@pytest.fixture
def req(app, ctx):
    """A request context, so lazy messages render (in Indonesian, the default language)."""
    with app.test_request_context():
        yield


@pytest.fixture
def store(make_store, req):
    return make_store()


# --- the service ------------------------------------------------------------------------------

def test_import_creates_products_from_a_comma_separated_file(db, store):
    # given a file with two new SKUs, one with wholesale tiers
    data = csv_bytes([row("KOPI-1", wholesale_tiers="10:42000; 50:40000"),
                      row("KOPI-2", price_idr="30000", stock="0")])

    # when the owner imports it
    report = csv_io.import_products(store, data, actor=store.owner)
    db.session.commit()

    # then both products exist with the file's values
    assert report.ok and report.written
    assert (report.rows, report.created, report.updated, report.rejected) == (2, 2, 0, 0)
    products = products_of(db, store)
    assert products["KOPI-1"].price_idr == 45000 and products["KOPI-1"].stock == 20
    assert [(t.min_qty, t.unit_price_idr) for t in products["KOPI-1"].tiers] == [(10, 42000), (50, 40000)]
    assert products["KOPI-2"].price_idr == 30000 and products["KOPI-2"].stock == 0
    assert products["KOPI-2"].status == "active" and products["KOPI-2"].category.slug == "kopi"
    assert sorted(report.product_ids) == sorted(p.id for p in products.values())


def test_excel_semicolon_file_with_bom_and_thousands_dots_is_read(db, store):
    # given what Excel in an Indonesian locale saves: BOM, ';' and "25.000"
    data = csv_bytes([row("KRP-1", title="Keripik Pisang Cokelat", category="keripik",
                          price_idr="25.000", wholesale_tiers="10:23000; 50:21000")],
                     delimiter=";", bom=True)

    # when it is imported
    report = csv_io.import_products(store, data, actor=store.owner)

    # then the semicolons inside the quoted tiers cell are not taken for separators
    assert problems(report) == []
    product = products_of(db, store)["KRP-1"]
    assert product.title == "Keripik Pisang Cokelat" and product.price_idr == 25000
    assert [(t.min_qty, t.unit_price_idr) for t in product.tiers] == [(10, 23000), (50, 21000)]


def test_existing_sku_updates_that_product(db, store, make_product):
    # given a product already in the store, with tiers
    old = make_product(store=store, sku="KOPI-9", price_idr=50000, stock=3,
                       wholesale_tiers=[{"min_qty": 10, "unit_price_idr": 45000}])
    old_id = old.id

    # when a file with its SKU and new values is imported
    report = csv_io.import_products(
        store, csv_bytes([row("KOPI-9", price_idr="52000", stock="80",
                              wholesale_tiers="20:48000")]), actor=store.owner)
    db.session.commit()

    # then that product is updated in place, not duplicated
    assert (report.created, report.updated) == (0, 1)
    products = products_of(db, store)
    assert list(products) == ["KOPI-9"]
    product = products["KOPI-9"]
    assert product.id == old_id
    assert (product.price_idr, product.stock) == (52000, 80)
    assert [(t.min_qty, t.unit_price_idr) for t in product.tiers] == [(20, 48000)]


def test_columns_left_out_are_kept_on_update_and_defaulted_on_create(db, store, make_product):
    # given an active halal product, and a file without the status and halal columns
    make_product(store=store, sku="OLD-1", status="active", halal=True,
                 wholesale_tiers=[{"min_qty": 10, "unit_price_idr": 40000}])
    header = ("sku", "title", "description", "category", "price_idr", "stock", "weight_g")

    # when it updates that product and creates another
    report = csv_io.import_products(store, csv_bytes([row("OLD-1", stock="7"), row("NEW-1")],
                                                     header=header), actor=store.owner)

    # then the old product keeps its status, halal flag and tiers; the new one is a draft
    assert problems(report) == [] and (report.created, report.updated) == (1, 1)
    products = products_of(db, store)
    assert (products["OLD-1"].status, products["OLD-1"].halal, products["OLD-1"].stock) == ("active", True, 7)
    assert [(t.min_qty, t.unit_price_idr) for t in products["OLD-1"].tiers] == [(10, 40000)]
    assert (products["NEW-1"].status, products["NEW-1"].halal, products["NEW-1"].min_order_qty) == ("draft", False, 1)


def test_one_bad_row_means_nothing_is_written_by_default(db, store):
    # given a file whose rows 3 and 4 are wrong
    data = csv_bytes([row("A-1"), row("A-2", price_idr="abc"),
                      row("A-3", category="kopii", stock="-1")])

    # when it is imported all-or-nothing
    report = csv_io.import_products(store, data, actor=store.owner)

    # then every problem is named by line, column and message, and nothing was written
    assert problems(report) == [
        (3, "price_idr", "Harus bilangan bulat."),
        (4, "category", "Kategori tidak dikenal."),
        (4, "stock", "Minimal 0."),
    ]
    assert report.rejected == 2 and not report.written
    assert (report.created, report.updated) == (0, 0)
    assert products_of(db, store) == {}


def test_valid_rows_only_writes_the_good_rows_and_reports_the_bad(db, store):
    # given a file with one bad row among good ones
    data = csv_bytes([row("B-1"), row("B-2", title="Ko"), row("B-3")])

    # when the seller asks for the valid rows only
    report = csv_io.import_products(store, data, actor=store.owner, valid_only=True)
    db.session.commit()

    # then the good rows are in and the bad one is reported
    assert problems(report) == [(3, "title", "Minimal 3 karakter.")]
    assert (report.created, report.rejected) == (2, 1) and report.written
    assert sorted(products_of(db, store)) == ["B-1", "B-3"]


def test_line_numbers_count_lines_of_the_file_not_records(db, store):
    # given a description spanning three lines (quoted), then a bad row
    data = csv_bytes([row("C-1", description="Baris satu\nbaris dua\nbaris tiga dari deskripsi."),
                      row("C-2", weight_g="0")])

    # when it is imported
    report = csv_io.import_products(store, data, actor=store.owner)

    # then the bad row is reported at the line a spreadsheet or editor shows for it
    assert problems(report) == [(5, "weight_g", "Minimal 1.")]


def test_missing_required_columns_refuse_the_file(db, store):
    # given a file without the price and stock columns
    header = ("sku", "title", "description", "category", "weight_g")
    report = csv_io.import_products(store, csv_bytes([row("D-1")], header=header), actor=store.owner)

    # then the file is refused, naming the columns
    assert report.fatal and not report.written
    assert problems(report) == [(1, None, "Kolom wajib tidak ada: price_idr, stock.")]
    assert products_of(db, store) == {}


def test_unknown_columns_are_warned_about_and_ignored(db, store):
    header = HEADER + ("warna",)
    report = csv_io.import_products(store, csv_bytes([row("E-1", warna="merah")], header=header),
                                    actor=store.owner)

    assert report.ok and report.created == 1
    assert [(w.line, w.column, str(w.message)) for w in report.warnings] == [
        (1, "warna", 'Kolom "warna" tidak dikenal dan diabaikan.')]


def test_duplicate_skus_in_the_file_are_reported_on_each_line(db, store):
    # given the same SKU twice (even in valid-only mode: which row is meant is unclear)
    data = csv_bytes([row("F-1"), row("F-2"), row("F-1", price_idr="46000")])
    report = csv_io.import_products(store, data, actor=store.owner, valid_only=True)

    assert problems(report) == [
        (2, "sku", "SKU F-1 muncul lebih dari sekali dalam berkas (juga di baris 4)."),
        (4, "sku", "SKU F-1 muncul lebih dari sekali dalam berkas (juga di baris 2)."),
    ]
    assert sorted(products_of(db, store)) == ["F-2"]


def test_too_many_rows_refuse_the_file(db, store):
    data = csv_bytes([row(f"G-{i}") for i in range(4)])
    report = csv_io.import_products(store, data, actor=store.owner, max_rows=3)

    assert report.fatal and not report.written
    assert problems(report) == [(None, None, "Berkas berisi lebih dari 3 baris data. Bagi menjadi beberapa berkas.")]
    assert products_of(db, store) == {}


def test_a_file_that_is_not_utf8_is_refused_with_the_line(db, store):
    # given a file saved as Windows-1252 ("é" is one byte there, not valid UTF-8)
    text = "sku,title,description,category,price_idr,stock,weight_g\r\n" \
           "H-1,Kopi Lampung,Kopi robusta sangrai,kopi,45000,1,250\r\n" \
           "H-2,Café Lampung,Kopi robusta sangrai,kopi,45000,1,250\r\n"
    report = csv_io.import_products(store, text.encode("cp1252"), actor=store.owner)

    assert report.fatal
    assert problems(report) == [(3, None, 'Berkas ini bukan teks UTF-8 (masalah pertama di baris 3). '
                                          'Di Excel, simpan sebagai "CSV UTF-8".')]


def test_bad_wholesale_tiers_are_reported_on_their_column(db, store):
    data = csv_bytes([row("T-1", wholesale_tiers="10-23000"),
                      row("T-2", wholesale_tiers="10:50000"),
                      row("T-3", wholesale_tiers="1:40000")])
    report = csv_io.import_products(store, data, actor=store.owner)

    assert problems(report) == [
        (2, "wholesale_tiers", "Tulis tingkatan sebagai jumlah:harga, contoh 10:23000; 50:21000."),
        (3, "wholesale_tiers", "Harga grosir harus makin murah untuk jumlah yang makin banyak."),
        (4, "wholesale_tiers", "Tingkatan harga tidak valid: Minimal 2."),
    ]


def test_without_a_tiers_column_kept_tiers_must_fit_the_new_price(db, store, make_product):
    # given a product with a tier at Rp40.000, and a file lowering its price below that tier
    make_product(store=store, sku="K-1", price_idr=45000,
                 wholesale_tiers=[{"min_qty": 10, "unit_price_idr": 40000}])
    header = ("sku", "title", "description", "category", "price_idr", "stock", "weight_g")
    report = csv_io.import_products(store, csv_bytes([row("K-1", price_idr="39000")], header=header),
                                    actor=store.owner)

    assert problems(report) == [
        (2, "wholesale_tiers", "Harga grosir yang tersimpan tidak cocok dengan harga baru: "
                               "Harga grosir harus makin murah untuk jumlah yang makin banyak.")]
    assert products_of(db, store)["K-1"].price_idr == 45000


def test_another_stores_sku_is_not_touched(db, store, make_store, make_product):
    # given another store with SKU "SAMA-1"
    other = make_store()
    theirs = make_product(store=other, sku="SAMA-1", price_idr=99000)

    # when my file has that SKU
    report = csv_io.import_products(store, csv_bytes([row("SAMA-1")]), actor=store.owner)
    db.session.commit()

    # then I get a new product and theirs is unchanged
    assert report.created == 1
    db.session.expire_all()
    assert db.session.get(Product, theirs.id).price_idr == 99000
    assert products_of(db, store)["SAMA-1"].price_idr == 45000


def test_only_the_owner_may_import(db, store, make_user):
    from marketplace.errors import NotFound

    with pytest.raises(NotFound):
        csv_io.import_products(store, csv_bytes([row("X-1")]), actor=make_user())


def test_one_products_changed_signal_names_every_product(db, store, make_product):
    existing = make_product(store=store, sku="S-1")
    calls = []

    def listener(sender, **extra):
        calls.append((sender, sorted(extra.get("product_ids") or [])))

    products_changed.connect(listener)
    try:
        report = csv_io.import_products(store, csv_bytes([row("S-1"), row("S-2"), row("S-3")]),
                                        actor=store.owner)
    finally:
        products_changed.disconnect(listener)

    ids = {p.sku: p.id for p in products_of(db, store).values()}
    assert calls == [(None, sorted(ids.values()))]
    assert existing.id in calls[0][1] and report.updated == 1


def test_a_failure_while_writing_leaves_nothing_half_written(db, store, monkeypatch):
    # given small write chunks and a listener that fails after the rows went out
    monkeypatch.setattr(csv_io, "CHUNK_SIZE", 2)

    def broken(sender, **extra):
        raise RuntimeError("indexer down")

    products_changed.connect(broken)
    try:
        with pytest.raises(RuntimeError):
            csv_io.import_products(store, csv_bytes([row(f"R-{i}") for i in range(5)]),
                                   actor=store.owner)
    finally:
        products_changed.disconnect(broken)

    # when the caller rolls back, as every request and command does on an error
    db.session.rollback()

    # then none of the five products is there
    assert products_of(db, store) == {}


def test_export_round_trips_through_import(db, store, make_product):
    # given products with every kind of field
    make_product(store=store, sku="EX-1", title="Kopi Luwak Liar", title_en="Wild Civet Coffee",
                 description="Kopi luwak liar,\n\"asli\" dari Lampung Barat.", description_en="Wild civet coffee.",
                 price_idr=250000, min_order_qty=2, stock=5, weight_g=200, halal=True,
                 export_ready=True, hs_code="0901.21", status="draft",
                 wholesale_tiers=[{"min_qty": 10, "unit_price_idr": 240000},
                                  {"min_qty": 50, "unit_price_idr": 230000}])
    make_product(store=store, sku="EX-2", category="madu", halal=False, status="archived")
    before = {sku: _fields(p) for sku, p in products_of(db, store).items()}

    # when the store is exported and the file imported back
    text = csv_io.export_products(store, actor=store.owner)
    report = csv_io.import_products(store, text.encode("utf-8"), actor=store.owner)

    # then the export has the import's columns, and importing it changes nothing
    assert text.startswith("\ufeff" + ",".join(csv_io.COLUMNS) + "\r\n")
    assert "10:240000; 50:230000" in text
    assert problems(report) == [] and (report.created, report.updated) == (0, 2)
    assert {sku: _fields(p) for sku, p in products_of(db, store).items()} == before


def _fields(p: Product) -> tuple:
    return (p.title, p.title_en, p.description, p.description_en, p.category_id, p.price_idr,
            p.min_order_qty, p.stock, p.weight_g, p.halal, p.export_ready, p.hs_code, p.status,
            [(t.min_qty, t.unit_price_idr) for t in p.tiers])


def test_ten_thousand_rows_are_all_imported(app, db, store, monkeypatch):
    # given 10,000 generated rows, a third with wholesale tiers (search indexing is not tested here)
    monkeypatch.setitem(app.config, "SEARCH_DISPATCH_ON_COMMIT", False)
    rows = [row(f"BULK-{i:05d}", price_idr=str(20000 + i),
                wholesale_tiers="12:19000; 60:18000" if i % 3 == 0 else "", stock=str(i % 97))
            for i in range(10_000)]

    # when they are imported through the service
    report = csv_io.import_products(store, csv_bytes(rows), actor=store.owner)
    db.session.commit()

    # then every one is there with its own values
    assert problems(report) == [] and report.created == 10_000
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Product)
                              .where(Product.store_id == store.id))
    assert count == 10_000
    product = db.session.scalar(sa.select(Product).where(Product.sku == "BULK-09999"))
    assert (product.price_idr, product.stock) == (29999, 9999 % 97)
    tiers = db.session.scalar(sa.select(sa.func.count()).select_from(WholesaleTier))
    assert tiers == 2 * 3334


# --- the seller's pages -----------------------------------------------------------------------

def upload(client, data: bytes, *, valid_only=False, name="produk.csv", lang=None):
    form = {"file": (io.BytesIO(data), name)}
    if valid_only:
        form["valid_only"] = "y"
    return client.post("/jual/produk/impor" + (f"?lang={lang}" if lang else ""), data=form,
                       content_type="multipart/form-data")


def test_import_page_needs_a_login(client):
    response = client.get("/jual/produk/impor")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_a_user_without_a_store_is_sent_to_open_one(client, login, make_user):
    login(client, make_user())
    response = client.get("/jual/produk/impor")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/jual/toko/baru")
    response = client.get("/jual/produk/ekspor.csv")
    assert response.status_code == 302 and response.headers["Location"].endswith("/jual/toko/baru")


def test_upload_with_a_bad_row_shows_the_report_and_saves_nothing(client, login, db, store):
    # given the seller on the import page
    login(client, store.owner)
    page = client.get("/jual/produk/impor")
    assert page.status_code == 200 and "impor baris yang valid saja" in page.get_data(as_text=True).lower()

    # when they upload a file whose row 3 has a word for a price
    response = upload(client, csv_bytes([row("P-1"), row("P-2", price_idr="empat puluh ribu")]))

    # then the page names the row, column and problem, and nothing was saved
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tidak ada yang disimpan" in html
    assert "<td class=\"nowrap\">3</td>" in html and "<code>price_idr</code>" in html
    assert "Harus bilangan bulat." in html and "P-2" in html
    assert products_of(db, store) == {}
    # and importing the valid rows only, in English, counts the refused row in the singular
    english = upload(client, csv_bytes([row("P-1"), row("P-2", price_idr="x")]), valid_only=True,
                     lang="en")
    assert "1 row was rejected and not saved:" in english.get_data(as_text=True)


def test_upload_valid_rows_only_saves_the_good_rows(client, login, db, store):
    login(client, store.owner)
    response = upload(client, csv_bytes([row("V-1"), row("V-2", stock="banyak")]), valid_only=True)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 produk baru dibuat dan 0 produk diperbarui." in html
    assert "<code>stock</code>" in html
    assert sorted(products_of(db, store)) == ["V-1"]


def test_upload_needs_a_file(client, login, store):
    login(client, store.owner)
    response = client.post("/jual/produk/impor", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Pilih berkas CSV." in response.get_data(as_text=True)


def test_export_downloads_the_stores_products(client, login, store, make_product):
    make_product(store=store, sku="DL-1", title="Madu Hutan Way Kanan", category="madu")
    login(client, store.owner)

    response = client.get("/jual/produk/ekspor.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="produk-{store.slug}-')
    lines = response.get_data().decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(csv_io.COLUMNS)
    assert lines[1].startswith("DL-1,Madu Hutan Way Kanan,")

    excel = client.get("/jual/produk/ekspor.csv?pemisah=titik-koma").get_data().decode("utf-8-sig")
    assert excel.splitlines()[0] == ";".join(csv_io.COLUMNS)


def test_template_is_the_header_line(client):
    response = client.get("/jual/produk/templat-impor.csv")
    assert response.status_code == 200
    assert response.get_data().decode("utf-8-sig") == ",".join(csv_io.COLUMNS) + "\r\n"


# --- the CLI ----------------------------------------------------------------------------------

def test_cli_import_writes_and_summarises(runner, db, store, tmp_path):
    path = tmp_path / "produk.csv"
    path.write_bytes(csv_bytes([row("CLI-1"), row("CLI-2")], delimiter=";"))

    result = runner.invoke(args=["catalog", "import", str(path), "--store", store.slug])

    assert result.exit_code == 0, result.output
    assert "2 baris: 2 dibuat, 0 diperbarui, 0 ditolak" in result.output
    assert "(100%)" in result.output  # the progress counter
    assert sorted(products_of(db, store)) == ["CLI-1", "CLI-2"]


def test_cli_import_with_a_bad_row_prints_the_report_and_fails(runner, db, store, tmp_path):
    path = tmp_path / "produk.csv"
    path.write_bytes(csv_bytes([row("CLI-1"), row("CLI-2", price_idr="0")]))

    result = runner.invoke(args=["catalog", "import", str(path), "--store", store.slug])

    assert result.exit_code == 1
    assert "baris 3, kolom price_idr, SKU CLI-2: Minimal 1." in result.output
    assert "Tidak ada yang disimpan." in result.output
    assert products_of(db, store) == {}


def test_cli_import_valid_only_writes_the_good_rows(runner, db, store, tmp_path):
    path = tmp_path / "produk.csv"
    path.write_bytes(csv_bytes([row("CLI-1"), row("CLI-2", price_idr="0")]))

    result = runner.invoke(args=["catalog", "import", str(path), "--store", store.slug,
                                 "--valid-only"])

    assert result.exit_code == 0, result.output
    assert "2 baris: 1 dibuat, 0 diperbarui, 1 ditolak" in result.output
    assert sorted(products_of(db, store)) == ["CLI-1"]


def test_cli_export_writes_a_file_that_imports_back(runner, db, store, make_product, tmp_path):
    make_product(store=store, sku="OUT-1", price_idr=61000)
    path = tmp_path / "ekspor.csv"

    result = runner.invoke(args=["catalog", "export", "--store", store.slug, "-o", str(path)])

    assert result.exit_code == 0, result.output
    assert "1 produk diekspor" in result.output
    text = path.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[1].startswith("OUT-1,")
    again = runner.invoke(args=["catalog", "import", str(path), "--store", store.slug])
    assert again.exit_code == 0 and "0 dibuat, 1 diperbarui" in again.output


def test_cli_unknown_store_is_an_error(runner, req, tmp_path):
    path = tmp_path / "produk.csv"
    path.write_bytes(csv_bytes([row("CLI-1")]))
    result = runner.invoke(args=["catalog", "import", str(path), "--store", "tidak-ada"])
    assert result.exit_code != 0 and "tidak-ada" in result.output
