"""A seller's bookkeeping pages: the books (`/jual/buku`), recording an entry in a few taps, a
stock count, voiding, receipts; and the SAK EMKM statements (`/jual/laporan`, PDF and XLSX)."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from books import bp, chart, exports, services, statements
from books.forms import EntryForm, StockCountForm, VoidForm
from catalog.access import store_required
from catalog.models import Product, ProductStatus
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.forms import apply_errors
from marketplace.i18n import rupiah
from marketplace.money.rates import today_wib
from marketplace.pdf import pdf_response
from marketplace.web import acting_user, paginate, service_call

PER_PAGE = 25
#: the big buttons of the books page: (kind, category or None, label) for the few taps
QUICK = (
    ("income", "cash_sale"), ("expense", "materials"), ("expense", None), ("asset", None),
    ("loan_in", None), ("loan_out", None), ("owner_in", None), ("owner_out", None),
)


@bp.get("/jual/buku")
@store_required(message=None)
def books_home(store):
    """The store's books: where its money is, this month's figures, the latest entries."""
    today = today_wib()
    month = statements.statements(store, today.replace(day=1), today)
    page = paginate(services.entries_select(store), PER_PAGE)
    return render_template("books/books_home.html", store=store, month=month, page=page, kinds=chart.KINDS,
                           quick=QUICK, void_form=VoidForm(formdata=None), today=today)


@bp.route("/jual/buku/catat", methods=["GET", "POST"])
@store_required(message=None)
def record_entry(store):
    """Record one entry: the kind (and a category) preset by the button that led here."""
    kind = request.values.get("jenis") or request.form.get("kind") or "income"
    if kind not in chart.KINDS:
        abort(404)
    form = EntryForm()
    form.kind.data = kind
    form.for_kind(kind)
    if request.method == "GET":
        form.entry_date.data = today_wib().isoformat()
        category = request.args.get("kategori")
        if category in chart.KINDS[kind].categories:
            form.category.data = category
        if kind == "asset":
            form.useful_life_months.data = str(chart.ASSET_LIFE_MONTHS.get(form.category.data or "equipment"))
    if form.validate_on_submit():
        upload = form.receipt.data
        receipt = upload.read() if upload and getattr(upload, "filename", "") else None
        with service_call(form) as call:
            entry = services.record_entry(store, form.data_for_service(), receipt, actor=acting_user())
        if call.ok:
            flash(_("Tercatat: %(kind)s %(amount)s.", kind=chart.KINDS[entry.kind].label,
                    amount=rupiah(entry.amount_idr)), "success")
            return redirect(url_for("books.books_home"))
    return render_template("books/books_entry.html", store=store, form=form, kind=chart.KINDS[kind],
                           kinds=chart.KINDS)


@bp.route("/jual/buku/stok", methods=["GET", "POST"])
@store_required(message=None)
def stock_count(store):
    """What the stock on hand is worth at cost: from the catalog's stock, or a total."""
    form = StockCountForm()
    products = db.session.scalars(db.select(Product).where(
        Product.store_id == store.id, Product.status != ProductStatus.ARCHIVED).order_by(Product.title)).all()
    costs = services.last_unit_costs(store)
    cost_errors: dict = {}
    if request.method == "GET":
        form.entry_date.data = today_wib().isoformat()
    if form.validate_on_submit():
        data = {"date": form.entry_date.data, "note": form.note.data}
        if form.source.data == "manual":
            data["amount_idr"] = form.amount.data
        else:
            data["unit_costs"] = {str(p.id): request.form.get(f"cost-{p.id}", "") for p in products}
        try:
            services.record_stock_count(store, data, actor=acting_user())
        except DomainError as exc:
            db.session.rollback()
            cost_errors = {k.split(".", 1)[1]: v for k, v in exc.fields.items() if k.startswith("unit_costs.")}
            for message in apply_errors(form, exc):
                flash(message, "error")
        else:
            flash(_("Nilai stok tersimpan."), "success")
            return redirect(url_for("books.books_home"))
    return render_template("books/books_stock.html", store=store, form=form, products=products, costs=costs,
                           cost_errors=cost_errors, typed=request.form)


@bp.post("/jual/buku/<int:entry_id>/batal")
@store_required(message=None)
def void_entry(store, entry_id: int):
    if not VoidForm().validate_on_submit():
        abort(400)
    with service_call() as call:
        services.void_entry(store, entry_id, actor=acting_user())
    if call.ok:
        flash(_("Catatan dibatalkan; jurnal pembaliknya dicatat."), "success")
    return redirect(url_for("books.books_home"))


@bp.get("/jual/buku/<int:entry_id>/nota")
@store_required(message=None)
def receipt(store, entry_id: int):
    """An entry's receipt photo, for the store's owner only (never cached)."""
    path = services.receipt_file(store, entry_id)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/webp", max_age=0, conditional=False, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- statements --------------------------------------------------------------------------------

def _period(store):
    try:
        kind, year, number, start, end = statements.parse_period(request.args, today_wib())
    except DomainError as exc:
        for message in exc.fields.values():
            flash(message, "error")
        kind, year, number, start, end = statements.parse_period({}, today_wib())
    return kind, year, number, start, end


@bp.get("/jual/laporan")
@store_required(message=None)
def statements_page(store):
    """The statements of a month, a quarter or a year, on screen, with PDF and XLSX links."""
    kind, year, number, start, end = _period(store)
    return render_template("books/books_statements.html", store=store, s=statements.statements(store, start, end),
                           kind=kind, year=year, number=number, periods=statements.PERIODS,
                           years=range(today_wib().year, max(2000, store.created_at.year - 5) - 1, -1),
                           args={"periode": kind, "tahun": year, "ke": number})


def _export_lang() -> str:
    lang = request.args.get("bahasa", "id")
    return lang if lang in ("id", "en") else "id"


@bp.get("/jual/laporan.pdf")
@store_required(message=None)
def statements_pdf(store):
    """The statements as a PDF, in Indonesian or English (`bahasa`)."""
    kind, year, number, start, end = _period(store)
    lang = _export_lang()

    def page():
        with force_locale(lang):
            return exports.statements_document(statements.statements(store, start, end), lang)

    return pdf_response(page, exports.filename(store, start, end, lang, "pdf"))


@bp.get("/jual/laporan.xlsx")
@store_required(message=None)
def statements_xlsx(store):
    kind, year, number, start, end = _period(store)
    lang = _export_lang()
    with force_locale(lang):
        data = exports.statements_xlsx(statements.statements(store, start, end))
    response = Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = \
        f'attachment; filename="{exports.filename(store, start, end, lang, "xlsx")}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response

