"""Order pages shared parts, and shipping rates, exchange rates and the display
currency. The cart and checkout are in cart_views.py, the orders themselves in order_views.py.

As in catalog/views.py, each view parses the request with a form from orders.forms, calls a
service (orders.cart, orders.checkout, orders.services, orders.shipping, marketplace.money) and
renders. Services only flush: a view commits after a successful call and rolls back when a
service raises a DomainError, which it shows under the form fields or as a flash message.

Card payments never post card numbers to this server in production: see `checkout` and
static/js/card.js.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from flask import abort, current_app, flash, g, redirect, render_template, session, url_for
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from catalog.access import store_required
from catalog.models import Province, Regency
from marketplace.auth import admin_required
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.forms import apply_errors
from marketplace.i18n import rupiah
from marketplace.money import DISPLAY_CURRENCIES, current_rate, format_foreign, latest_rates, set_rate
from marketplace.web import acting_user, current_lang, safe_next
from orders import bp, state
from orders.forms import ACTION_LABELS, ZONE_LABELS, CurrencyForm, ExchangeRateForm, ShippingRatesForm
from orders.shipping import rates_for, set_rates

PER_PAGE = 20
ACTION_DONE = {
    "accept": _l("Pesanan diterima. Siapkan barangnya."),
    "pack": _l("Pesanan ditandai sedang dikemas."),
    "ship": _l("Pesanan ditandai dikirim. Pembeli sudah diberi tahu nomor resinya."),
    "deliver": _l("Pesanan ditandai sudah sampai."),
    "complete": _l("Terima kasih! Pesanan selesai."),
    "cancel": _l("Pesanan dibatalkan; stok dikembalikan."),
}


# --- helpers ----------------------------------------------------------------------------------

def _display_currency() -> str:
    chosen = session.get("currency")
    return chosen if chosen in DISPLAY_CURRENCIES else "IDR"


def _rate_amount(rate) -> str:
    """Rupiah per unit: "Rp15.875", or "Rp105,25" when the rate has decimals."""
    value = Decimal(rate.idr_per_unit)
    if value == value.to_integral_value():
        return rupiah(int(value))
    return "Rp" + format_decimal(value.normalize(), locale="id")


def _rate_day(rate) -> str:
    return format_date(rate.valid_on, "d MMM yyyy")


def _rate_text(rate) -> str:
    """ "Kurs 1 USD = Rp15.875 (28 Nov 2026)" """
    return _("Kurs 1 %(currency)s = %(amount)s (%(day)s)", currency=rate.currency,
             amount=_rate_amount(rate), day=_rate_day(rate))


@bp.app_template_global()
def foreign_price(amount_idr) -> Markup:
    """An approximate price in the buyer's display currency, e.g. "≈ US$2,84", with the rate and
    its date in the title; empty when rupiah is chosen or no rate is set."""
    currency = _display_currency()
    if currency == "IDR" or amount_idr is None:
        return Markup("")
    if "fx_rate" not in g:
        g.fx_rate = current_rate(currency)
    rate = g.fx_rate
    if rate is None:
        return Markup("")
    shown = format_foreign(int(amount_idr), rate, locale="id" if current_lang() == "id" else "en_001")
    return Markup('<span class="fx" title="{title}">≈ {amount}</span>').format(
        title=_rate_text(rate), amount=shown)


@bp.app_context_processor
def _header_helpers():
    """What the site header's currency switch shows on every page."""
    return {"display_currency": _display_currency(), "display_currencies": DISPLAY_CURRENCIES}


@bp.context_processor
def _order_helpers():
    def address_lines(address: dict) -> list[str]:
        """A stored shipping address as lines to print, region codes turned into names."""
        address = address or {}
        region = [address.get("district"), address.get("regency"), address.get("province")]
        if (address.get("country") or "ID") == "ID":
            regency = db.session.get(Regency, address.get("regency") or "")
            province = db.session.get(Province, address.get("province") or "")
            region = [address.get("district"), regency and regency.name, province and province.name]
        country = address.get("country") or "ID"
        return [line for line in (
            address.get("line1"), ", ".join(p for p in region if p),
            " ".join(p for p in (address.get("postal_code"),
                                 Locale.parse(current_lang()).territories.get(country, country)) if p))
            if line]

    return {"status_label": state.status_label,
            "action_labels": ACTION_LABELS, "address_lines": address_lines,
            "zone_labels": ZONE_LABELS}


# --- seller settings, notifications, admin ----------------------------------------------------

@bp.route("/jual/ongkir", methods=["GET", "POST"])
@store_required(message=None)
def shipping_rates(store):
    """The store's shipping price per zone: first kilogram and each further kilogram."""
    me = acting_user()
    form = ShippingRatesForm.build(rates_for(store))
    if form.validate_on_submit():
        try:
            set_rates(store, form.rates(), actor=me)
        except DomainError as exc:
            db.session.rollback()
            for message in apply_errors(form, exc):
                flash(message, "error")
        else:
            flash(_("Tarif ongkos kirim tersimpan."), "success")
            return redirect(url_for("orders.shipping_rates"))
    return render_template("orders/shipping_rates.html", form=form, store=store)


def _today_wib() -> date:
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


@bp.route("/admin/kurs", methods=["GET", "POST"])
@admin_required
def exchange_rates():
    """Admins set how many rupiah a display currency is worth, from a given day."""
    form = ExchangeRateForm()
    if not form.valid_on.data:
        form.valid_on.data = _today_wib().isoformat()
    if form.validate_on_submit():
        try:
            valid_on = date.fromisoformat((form.valid_on.data or "").strip())
        except ValueError:
            form.valid_on.errors = [_("Tanggal tidak valid.")]
        else:
            try:
                row = set_rate(form.currency.data, form.rate_value(), valid_on, actor=acting_user())
            except DomainError as exc:
                db.session.rollback()
                for message in apply_errors(form, exc):
                    flash(message, "error")
            else:
                flash(_rate_text(row), "success")
                return redirect(url_for("orders.exchange_rates"))
    return render_template("orders/exchange_rates.html", form=form, rates=latest_rates(),
                           rate_amount=_rate_amount, rate_day=_rate_day)


@bp.post("/mata-uang")
def set_currency():
    """Show approximate prices in another currency too (rupiah is always shown and charged)."""
    form = CurrencyForm()
    if not form.validate_on_submit():
        abort(400)
    if form.currency.data in DISPLAY_CURRENCIES:
        session["currency"] = form.currency.data
    else:
        session.pop("currency", None)
    return redirect(safe_next(form.next.data, url_for("catalog.home")))
