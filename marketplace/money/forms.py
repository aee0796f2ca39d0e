"""The rates page's form and the header's currency switch. As everywhere, forms only parse:
`rates.set_rate` holds the rules and its ValidationError fields map back onto these fields."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField

from marketplace.money.rates import DISPLAY_CURRENCIES


class ExchangeRateForm(FlaskForm):
    """An admin's rate: rupiah per unit of a display currency, valid from a day."""

    currency = SelectField(_l("Mata uang"), validate_choice=False,
                           choices=[SelectChoice(c, c) for c in DISPLAY_CURRENCIES])
    idr_per_unit = StringField(_l("Rupiah per 1 satuan"), render_kw={"inputmode": "decimal",
                                                                     "placeholder": "15875"})
    valid_on = StringField(_l("Berlaku mulai"), render_kw={"type": "date"})

    def rate_value(self) -> str:
        """The rate as `set_rate` reads it: Indonesian "15.875,50" and plain "15875.5" both work
        (a dot followed by three digits is a thousands separator)."""
        text = (self.idr_per_unit.data or "").strip().replace(" ", "")
        if "," in text:
            return text.replace(".", "").replace(",", ".")
        if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
            return text.replace(".", "")
        return text


class CurrencyForm(FlaskForm):
    """The display currency switch in the header (IDR or one of DISPLAY_CURRENCIES)."""

    currency = SelectField(_l("Mata uang tampilan"), validate_choice=False,
                           choices=[SelectChoice("IDR", "IDR (Rp)")] + [
                               SelectChoice(c, c) for c in DISPLAY_CURRENCIES])
    next = HiddenField()
