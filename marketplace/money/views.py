"""The display currency on every page, its switch, and the admins' exchange-rate page."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.numbers import format_decimal
from flask import abort, flash, g, redirect, render_template, session, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from marketplace.auth import admin_required
from marketplace.i18n import current_lang, rupiah
from marketplace.money import bp
from marketplace.money.forms import CurrencyForm, ExchangeRateForm
from marketplace.money.rates import DISPLAY_CURRENCIES, current_rate, format_foreign, latest_rates, set_rate, today_wib
from marketplace.web import acting_user, safe_next, service_call

#: The session key of the chosen display currency (kept across login).
SESSION_KEY = "currency"


def display_currency() -> str:
    chosen = session.get(SESSION_KEY)
    return chosen if chosen in DISPLAY_CURRENCIES else "IDR"


def rate_amount(rate) -> str:
    """Rupiah per unit: "Rp15.875", or "Rp105,25" when the rate has decimals."""
    value = Decimal(rate.idr_per_unit)
    if value == value.to_integral_value():
        return rupiah(int(value))
    return "Rp" + format_decimal(value.normalize(), locale="id")


def rate_day(rate) -> str:
    return format_date(rate.valid_on, "d MMM yyyy")


def rate_text(rate) -> str:
    """ "Kurs 1 USD = Rp15.875 (28 Nov 2026)" """
    return _("Kurs 1 %(currency)s = %(amount)s (%(day)s)", currency=rate.currency,
             amount=rate_amount(rate), day=rate_day(rate))


@bp.app_template_global()
def foreign_price(amount_idr) -> Markup:
    """An approximate price in the buyer's display currency, e.g. "≈ US$2,84", with the rate and
    its date in the title; empty when rupiah is chosen or no rate is set."""
    currency = display_currency()
    if currency == "IDR" or amount_idr is None:
        return Markup("")
    if "fx_rate" not in g:
        g.fx_rate = current_rate(currency)
    rate = g.fx_rate
    if rate is None:
        return Markup("")
    shown = format_foreign(int(amount_idr), rate, locale="id" if current_lang() == "id" else "en_001")
    return Markup('<span class="fx" title="{title}">≈ {amount}</span>').format(
        title=rate_text(rate), amount=shown)


@bp.app_context_processor
def _header_currency():
    """What the site header's currency switch shows on every page."""
    return {"display_currency": display_currency(), "display_currencies": DISPLAY_CURRENCIES}


@bp.route("/admin/kurs", methods=["GET", "POST"])
@admin_required
def exchange_rates():
    """Admins set how many rupiah a display currency is worth, from a given day."""
    form = ExchangeRateForm()
    if not form.valid_on.data:
        form.valid_on.data = today_wib().isoformat()
    if form.validate_on_submit():
        try:
            valid_on = date.fromisoformat((form.valid_on.data or "").strip())
        except ValueError:
            form.valid_on.errors = [_("Tanggal tidak valid.")]
        else:
            with service_call(form) as call:
                row = set_rate(form.currency.data, form.rate_value(), valid_on, actor=acting_user())
            if call.ok:
                flash(rate_text(row), "success")
                return redirect(url_for("money.exchange_rates"))
    return render_template("money/exchange_rates.html", form=form, rates=latest_rates(),
                           rate_amount=rate_amount, rate_day=rate_day)


@bp.post("/mata-uang")
def set_currency():
    """Show approximate prices in another currency too (rupiah is always shown and charged)."""
    form = CurrencyForm()
    if not form.validate_on_submit():
        abort(400)
    if form.currency.data in DISPLAY_CURRENCIES:
        session[SESSION_KEY] = form.currency.data
    else:
        session.pop(SESSION_KEY, None)
    return redirect(safe_next(form.next.data, url_for("catalog.home")))
