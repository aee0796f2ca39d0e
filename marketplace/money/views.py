"""The display currency on every page, its switch, and the admins' exchange-rate page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel.numbers import format_decimal
from flask import abort, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from marketplace.auth import admin_required
from marketplace.i18n import current_lang, local_date, rupiah
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
    """The day a rate holds from, in the one date format of every page (marketplace.i18n)."""
    return local_date(rate.valid_on)


def rate_text(rate) -> str:
    """ "Kurs 1 USD = Rp15.875 (28 Nov 2026)" """
    return _("Kurs 1 %(currency)s = %(amount)s (%(day)s)", currency=rate.currency,
             amount=rate_amount(rate), day=rate_day(rate))


@dataclass(frozen=True)
class ShownRate:
    """The rate a request shows prices at, copied out of the session's `ExchangeRate` row so a
    rollback or commit during the request does not expire it (and cost another query)."""

    currency: str
    idr_per_unit: Decimal
    valid_on: date


def display_rate() -> ShownRate | None:
    """The rate of the chosen display currency, looked up once per request (`g.fx_rate`);
    None when rupiah is chosen or no rate is set for the chosen currency."""
    currency = display_currency()
    if currency == "IDR":
        return None
    if "fx_rate" not in g:
        row = current_rate(currency)
        g.fx_rate = None if row is None else ShownRate(row.currency, row.idr_per_unit, row.valid_on)
    return g.fx_rate


def _approximate(amount_idr: int, rate: ShownRate, unit: str) -> Markup:
    shown = format_foreign(int(amount_idr), rate, locale="id" if current_lang() == "id" else "en_001")
    return Markup('<span class="fx" title="{title}">≈ {amount}{unit}</span>').format(
        title=_("Perkiraan · %(rate)s", rate=rate_text(rate)), amount=shown, unit=unit)


@bp.app_template_global()
def price(amount_idr, per: str | None = None) -> Markup:
    """A price as every page shows it: the rupiah amount ("Rp25.000", or "Rp25.000/pcs" with
    `per`), followed by the approximate amount in the buyer's display currency ("≈ US$1,58")
    when one is chosen and has a rate. The rate and its date are in the title and, visibly, in
    the page's currency notice (`money/_notice.html`). Rupiah alone otherwise: it is what is
    charged. Empty for None."""
    if amount_idr is None:
        return Markup("")
    unit = f"/{per}" if per else ""
    shown = Markup.escape(rupiah(int(amount_idr)) + unit)
    rate = display_rate()
    if rate is None:
        return shown
    return shown + Markup(" ") + _approximate(amount_idr, rate, unit)


@bp.app_template_global()
def currency_notice() -> str:
    """The line every page shows under the header while a currency other than rupiah is chosen:
    the rate and its date the estimates use, or that the currency has no rate yet. Empty for
    rupiah (no lookup at all, so the default page costs nothing more)."""
    currency = display_currency()
    if currency == "IDR":
        return ""
    rate = display_rate()
    if rate is None:
        return _("Kurs %(currency)s belum tersedia; harga ditampilkan dalam rupiah.", currency=currency)
    return _("Harga dalam %(currency)s hanya perkiraan, dengan kurs 1 %(currency)s = %(amount)s "
             "(%(day)s). Pembayaran tetap dalam rupiah.",
             currency=currency, amount=rate_amount(rate), day=rate_day(rate))


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
        if display_rate() is None:
            flash(_("Mata uang %(currency)s dipilih, tetapi kursnya belum tersedia; harga "
                    "ditampilkan dalam rupiah.", currency=form.currency.data), "info")
        else:
            flash(_("Harga kini disertai perkiraan dalam %(currency)s. Pembayaran tetap dalam "
                    "rupiah.", currency=form.currency.data), "info")
    else:
        session.pop(SESSION_KEY, None)
        flash(_("Harga ditampilkan dalam rupiah."), "info")
    return redirect(safe_next(form.next.data, url_for("catalog.home")))
