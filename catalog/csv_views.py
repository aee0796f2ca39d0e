"""Seller pages for moving products in and out as CSV: import with a report, export, a template.

Routes live on the catalog blueprint. The work is `catalog.csv_io`'s; these views parse the
upload, call it and show the report; the request commits at its end, and an import that wrote
nothing is rolled back.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField

from catalog import bp, csv_io
from catalog.access import store_required
from catalog.models import Category, Store
from marketplace.extensions import db
from marketplace.timeutil import utcnow
from marketplace.web import acting_user

#: Problems listed on the page; a file with more shows the first ones and a count.
MAX_SHOWN_PROBLEMS = 300

#: What each column holds, for the help table on the import page.
COLUMN_HELP = {
    "sku": _l("Kode produk unik di toko Anda. SKU yang sudah ada memperbarui produk itu; SKU baru membuat produk baru."),
    "title": _l("Nama produk, 3–160 karakter."),
    "title_en": _l("Nama produk dalam bahasa Inggris (boleh kosong)."),
    "description": _l("Deskripsi, minimal 10 karakter."),
    "description_en": _l("Deskripsi dalam bahasa Inggris (boleh kosong)."),
    "category": _l("Kode kategori, lihat daftar di bawah (mis. kopi)."),
    "price_idr": _l("Harga satuan dalam rupiah, bilangan bulat (25000 atau 25.000)."),
    "wholesale_tiers": _l("Harga grosir sebagai jumlah:harga, mis. 10:23000; 50:21000 (boleh kosong)."),
    "min_order_qty": _l("Jumlah minimum pembelian (kosong = 1)."),
    "stock": _l("Stok, bilangan bulat 0 atau lebih."),
    "weight_g": _l("Berat dalam gram, untuk ongkos kirim."),
    "halal": _l("Bersertifikat halal: ya/tidak atau true/false."),
    "export_ready": _l("Siap ekspor: ya/tidak atau true/false."),
    "hs_code": _l("Kode HS untuk ekspor, mis. 0901.21 (boleh kosong)."),
    "status": _l("draft, active atau archived (kosong = draft)."),
}


class ImportForm(FlaskForm):
    """The CSV upload; rules about the rows live in `catalog.csv_io`."""

    file = FileField(_l("Berkas CSV"), validators=[
        FileRequired(_l("Pilih berkas CSV.")),
        FileAllowed(["csv", "txt"], _l("Unggah berkas .csv.")),
    ])
    valid_only = BooleanField(_l("Impor baris yang valid saja"))


def _delimiter() -> str:
    """`?pemisah=titik-koma` gives ';'-separated files, which Excel in Indonesian opens directly."""
    return ";" if request.args.get("pemisah") == "titik-koma" else ","


def _csv_response(text: str, filename: str) -> Response:
    return Response(text, content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    })


@bp.route("/jual/produk/impor", methods=["GET", "POST"])
@store_required
def import_products(store: Store):
    """Upload a CSV of products; show what was created, updated and refused, row by row."""
    form = ImportForm()
    report, status = None, 200
    if form.validate_on_submit():
        report = csv_io.import_products(store, form.file.data.read(), actor=acting_user(),
                                        valid_only=form.valid_only.data)
        if not report.written:
            db.session.rollback()
            if report.errors:
                status = 422
    elif form.is_submitted():
        status = 422
    categories = db.session.scalars(sa.select(Category).order_by(Category.position, Category.id))
    return render_template(
        "catalog/import.html", form=form, store=store, report=report,
        problems=report.errors[:MAX_SHOWN_PROBLEMS] if report else [],
        columns=[(c, c in csv_io.REQUIRED_COLUMNS, COLUMN_HELP[c]) for c in csv_io.COLUMNS],
        categories=list(categories), max_rows=csv_io.MAX_ROWS,
    ), status


@bp.get("/jual/produk/ekspor.csv")
@store_required
def export_products(store: Store):
    """Download the store's products as CSV, ready to edit and import back."""
    text = csv_io.export_products(store, actor=acting_user(), delimiter=_delimiter())
    return _csv_response(text, f"produk-{store.slug}-{utcnow():%Y%m%d}.csv")


@bp.get("/jual/produk/templat-impor.csv")
def import_template():
    """An empty import file with the header line."""
    return _csv_response(csv_io.template_csv(delimiter=_delimiter()), "templat-impor-produk.csv")
