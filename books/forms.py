"""The books' forms (parsing and CSRF only: the rules are in books.services)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, SelectChoice, SelectField, StringField

from books import chart
from catalog.forms import REQUIRED
from marketplace.forms import default_field_for_error

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"


class EntryForm(FlaskForm):
    """One entry: the kind comes from the page's links (or the select without them)."""

    kind = SelectField(_l("Jenis catatan"), validate_choice=False, validators=REQUIRED,
                       choices=[SelectChoice(k.key, k.label) for k in chart.KINDS.values()])
    category = SelectField(_l("Kategori"), validate_choice=False, validators=REQUIRED)
    entry_date = StringField(_l("Tanggal"), validators=REQUIRED, render_kw={"type": "date"})
    amount = StringField(_l("Jumlah (Rp)"), validators=REQUIRED,
                         render_kw={"inputmode": "numeric", "autocomplete": "off", "placeholder": "150.000"})
    method = RadioField(_l("Dibayar dengan"), validate_choice=False, default=chart.CASH,
                        choices=[SelectChoice(k, label) for k, label in chart.METHODS.items()])
    useful_life_months = StringField(_l("Umur manfaat (bulan)"), render_kw={"inputmode": "numeric"})
    note = StringField(_l("Catatan"), render_kw={"maxlength": 200})
    receipt = FileField(_l("Foto nota (boleh dikosongkan)"), render_kw={"accept": IMAGE_ACCEPT})

    #: the service's keys -> this form's fields
    _FIELDS = {"date": "entry_date", "amount_idr": "amount"}

    def field_for_error(self, key: str):
        return default_field_for_error(self, self._FIELDS.get(key, key))

    def for_kind(self, kind_key: str) -> None:
        kind = chart.KINDS[kind_key]
        self.category.choices = [SelectChoice(key, label) for key, (_code, label) in kind.categories.items()]
        self.method.choices = [SelectChoice(k, chart.METHODS[k]) for k in kind.methods]
        if kind.key == "income":
            self.method.choices[-1] = SelectChoice(chart.CREDIT, _l("Belum dibayar pembeli (piutang)"))
        elif chart.CREDIT in kind.methods:
            self.method.choices[-1] = SelectChoice(chart.CREDIT, _l("Belum dibayar (utang)"))

    def data_for_service(self) -> dict:
        return {"date": self.entry_date.data, "kind": self.kind.data, "category": self.category.data,
                "amount_idr": self.amount.data, "method": self.method.data or chart.CASH,
                "note": self.note.data, "useful_life_months": self.useful_life_months.data}


class StockCountForm(FlaskForm):
    """A stock count: a total, or unit costs per product (fields `cost-<id>` read from the form)."""

    entry_date = StringField(_l("Tanggal hitung stok"), validators=REQUIRED, render_kw={"type": "date"})
    source = RadioField(_l("Cara menghitung"), default="catalog", validate_choice=False, choices=[
        SelectChoice("catalog", _l("Dari stok katalog × harga pokok satuan")),
        SelectChoice("manual", _l("Saya isi nilai totalnya"))])
    amount = StringField(_l("Nilai stok (Rp, harga pokok)"), render_kw={"inputmode": "numeric"})
    note = StringField(_l("Catatan"), render_kw={"maxlength": 200})

    _FIELDS = {"date": "entry_date", "amount_idr": "amount"}

    def field_for_error(self, key: str):
        return default_field_for_error(self, self._FIELDS.get(key, key))


class VoidForm(FlaskForm):
    """The "cancel this entry" button (CSRF only)."""
