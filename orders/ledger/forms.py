"""The admin's commission form (parsing and CSRF only: the rules are in orders.ledger.commission)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField


class CommissionForm(FlaskForm):
    """A commission rate for one category or one store."""

    target = SelectField(_l("Berlaku untuk"), validate_choice=False, default="category",
                         choices=[SelectChoice("category", _l("Kategori")), SelectChoice("store", _l("Toko"))])
    category = SelectField(_l("Kategori"), validate_choice=False)
    store = StringField(_l("Alamat toko (slug)"), render_kw={"maxlength": 80, "placeholder": "kopi-lereng"})
    rate = StringField(_l("Komisi (%)"), render_kw={"inputmode": "decimal", "placeholder": "2,5"})

    def set_category_choices(self, tree, lang: str) -> None:
        self.category.choices = [SelectChoice("", _l("Pilih kategori"))] + [
            SelectChoice(cat.slug, " › ".join(c.display_name(lang) for c in path)) for cat, path in tree]


class RemoveCommissionForm(FlaskForm):
    """The "remove" button of one rate (CSRF only)."""
