"""Pages of the store's scale, its credit packs, the public check of a pack's code, and the
officers' "naik kelas" figures (books/scale.py, books/credit.py, books/officer.py)."""
from __future__ import annotations

from datetime import date

from babel.dates import format_date
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import HiddenField, SelectChoice, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from books import bp, credit, officer, scale
from catalog.access import store_required
from marketplace.auth import officer_required
from marketplace.extensions import limiter
from marketplace.money.rates import today_wib
from marketplace.pdf import pdf_response
from marketplace.seo import absolute_url
from marketplace.web import acting_user, current_lang, service_call


class ConfirmScaleForm(FlaskForm):
    """The "confirm" button: the scale the page showed (CSRF and that only)."""

    scale = HiddenField()


class PackForm(FlaskForm):
    """What the seller shares in a new pack."""

    sections = SelectMultipleField(_l("Isi paket"), choices=[SelectChoice(k, v) for k, v in credit.SECTION_LABELS.items()],
                                   default=list(credit.SECTIONS), validate_choice=False,
                                   option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))


class RevokeForm(FlaskForm):
    """A pack's "revoke" button (CSRF only)."""


# --- scale ----------------------------------------------------------------------------------

@bp.route("/jual/skala", methods=["GET", "POST"])
@store_required(message=None)
def scale_page(store):
    """The scale a year's sales suggest (PP 7/2021), the figure, and the store's current scale."""
    me = acting_user()
    form = ConfirmScaleForm()
    if form.validate_on_submit():
        with service_call(form) as call:
            row = scale.confirm_scale(store, form.scale.data or None, actor=me)
        if call.ok:
            flash(_("Skala usaha dikonfirmasi: %(scale)s.", scale=scale.LABELS[row.scale]), "success")
            return redirect(url_for("books.scale_page"))
    suggestion = scale.suggestion_for(store, actor=me)
    form.scale.data = suggestion.scale
    return render_template("books/scale.html", store=store, suggestion=suggestion, form=form,
                           labels=scale.LABELS, limits=scale.LIMITS,
                           history=scale.confirmations(store, actor=me))


# --- credit packs ---------------------------------------------------------------------------

@bp.route("/jual/kur", methods=["GET", "POST"])
@store_required(message=None)
def credit_packs(store):
    """The store's credit packs, the form to issue one, and each pack's revoke button."""
    me = acting_user()
    form = PackForm()
    if form.validate_on_submit():
        with service_call(form) as call:
            pack = credit.issue_pack(store, form.sections.data, actor=me)
        if call.ok:
            flash(_("Paket pengajuan KUR diterbitkan. Kode verifikasi: %(code)s", code=pack.code), "success")
            return redirect(url_for("books.credit_packs"))
    return render_template("books/credit_packs.html", store=store, form=form, revoke_form=RevokeForm(),
                           packs=credit.packs_of(store, actor=me), labels=credit.SECTION_LABELS,
                           period=credit.pack_period(today_wib()))


@bp.post("/jual/kur/<int:pack_id>/cabut")
@store_required(message=None)
def credit_pack_revoke(store, pack_id: int):
    """Revoke a pack's code: the bank's check then says "revoked"."""
    form = RevokeForm()
    if not form.validate_on_submit():
        abort(400)
    pack = credit.revoke_pack(store, pack_id, actor=acting_user())  # another store's: 404
    flash(_("Kode %(code)s dicabut.", code=pack.code), "success")
    return redirect(url_for("books.credit_packs"))


def _statements_fragment(store, pack) -> Markup | None:
    """The statements as books.exports draws them for PDFs, when that module offers it and the
    books still give the figures frozen in the pack (else the pack's own frozen tables)."""
    frozen = pack.contents.get("statements")
    if frozen is None:
        return None
    try:
        from books import exports
    except ImportError:
        return None
    draw = getattr(exports, "statements_html", None)
    if draw is None:
        return None
    live = credit.frozen_statements(store, pack.period_start, pack.period_end)
    same = all(live["income"][k] == frozen["income"][k] for k in credit.INCOME_TOTALS) and all(
        live["position"][k] == frozen["position"][k] for k in credit.POSITION_TOTALS)
    if not same:
        return None
    # our own template's output (every value escaped there), not user text
    return Markup(draw(store, pack.period_start, pack.period_end, current_lang()))


def _pack_html(store, pack) -> str:
    return render_template("books/credit_pack.html", store=store, pack=pack, c=pack.contents,
                           verify_url=absolute_url(url_for("books.verify_code", code=pack.code)),
                           verify_form_url=absolute_url(url_for("books.verify")),
                           statements_html=_statements_fragment(store, pack), labels=scale.LABELS,
                           lang=current_lang(), month_label=month_label)


def month_label(key: str) -> str:
    """A pack's month key ("2026-01") as its name in the reader's language ("Januari 2026")."""
    year, month = key.split("-")
    return format_date(date(int(year), int(month), 1), "LLLL y", locale=current_lang())


@bp.get("/jual/kur/<int:pack_id>")
@store_required(message=None)
def credit_pack_page(store, pack_id: int):
    """The pack as a printable page (the HTML of its PDF)."""
    return _pack_html(store, credit.pack_of(store, pack_id, actor=acting_user()))


@bp.get("/jual/kur/<int:pack_id>.pdf")
@store_required(message=None)
def credit_pack_pdf(store, pack_id: int):
    """The pack as a PDF (503 while the PDF libraries are not installed here)."""
    pack = credit.pack_of(store, pack_id, actor=acting_user())
    return pdf_response(lambda: _pack_html(store, pack), f"paket-kur-{pack.code}.pdf")


# --- the public check -------------------------------------------------------------------------

def _verify_limit() -> str:
    from flask import current_app

    return current_app.config["BOOKS_VERIFY_RATE_LIMIT"]


def _noindex(html: str):
    response = make_response(html)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/verifikasi")
@limiter.limit(_verify_limit, exempt_when=lambda: "kode" not in request.args)
def verify():
    """The form where a bank officer types a pack's code (GET: no session, nothing changes)."""
    typed = request.args.get("kode")
    error = None
    if typed is not None:
        code = credit.normalise_code(typed)
        if code is not None:
            return redirect(url_for("books.verify_code", code=code))
        error = _("Kode verifikasi terdiri dari 12 huruf dan angka, misalnya ABCD-EFGH-JK23.")
    return _noindex(render_template("books/credit_verify.html", summary=None, error=error,
                                    typed=(typed or "")[:40]))


@bp.get("/verifikasi/<code>")
@limiter.limit(_verify_limit)
def verify_code(code: str):
    """A pack's public check: the store, the issue date, its status and its totals only."""
    summary = credit.public_summary(code)
    return _noindex(render_template("books/credit_verify.html", summary=summary, error=None, typed="",
                                    month_label=month_label))


# --- officers ---------------------------------------------------------------------------------

@bp.get("/petugas/naik-kelas")
@officer_required
def officer_figures():
    """A province's sales by regency and category over a year, and its stores moving up."""
    this_year = today_wib().year
    province = request.args.get("provinsi") or officer.DEFAULT_PROVINCE
    year_raw = request.args.get("tahun") or ""
    year = int(year_raw) if year_raw.isdigit() and 2000 <= int(year_raw) <= this_year else this_year
    figures = officer.province_figures(province[:2], year, actor=acting_user(), lang=current_lang())
    return render_template("books/officer_figures.html", figures=figures, provinces=officer.provinces(),
                           years=list(range(this_year, max(2000, this_year - 6) - 1, -1)))
