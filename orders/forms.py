"""Order forms: the cart, checkout (shipping address and payment), order actions, transfer
proofs, refunds and shipping rates.

As in catalog/forms.py, forms only parse the request and carry the CSRF token: every field is
plain text, a select or a file, with no validators of its own. The rules live in the services
(orders.cart, orders.checkout, orders.state, orders.services, orders.payments, orders.shipping),
whose ValidationError fields are mapped back onto these fields by `marketplace.forms.apply_errors`.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField

from catalog.forms import AddressForm
from orders.models import PaymentMethod, ShippingZone

NUMERIC = {"inputmode": "numeric"}
IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"


def _select(label, **kwargs) -> SelectField:
    # The services name the valid values, in the reader's language (see catalog/forms.py).
    return SelectField(label, validate_choice=False, **kwargs)


def parse_rupiah(raw) -> int | str | None:
    """ "Rp25.000", "25.000" or "25000" -> 25000; text that is no whole rupiah amount comes back
    as it was, for the service to refuse; blank -> None."""
    text = (raw or "").strip()
    if not text:
        return None
    digits = re.sub(r"^rp\.?\s*", "", text, flags=re.IGNORECASE).replace(".", "").replace(" ", "")
    return int(digits) if digits.isdigit() else text


class AddToCartForm(FlaskForm):
    """The product page's "add to cart" form."""

    product_id = HiddenField()
    quantity = StringField(_l("Jumlah"), render_kw={"inputmode": "numeric", "type": "number",
                                                    "min": "1", "step": "1"})


class CartLineForm(FlaskForm):
    """One cart line: change its quantity, or remove it (the `remove` button)."""

    product_id = HiddenField()
    quantity = StringField(_l("Jumlah"), render_kw={"inputmode": "numeric", "type": "number",
                                                    "min": "0", "step": "1"})


class CheckoutForm(AddressForm):
    """The shipping address and the payment method."""

    payment_method = RadioField(_l("Cara pembayaran"), validate_choice=False,
                                default=PaymentMethod.BANK_TRANSFER.value)
    #: the Stripe PaymentMethod id that card.js puts here (never a card number)
    payment_method_id = HiddenField()
    #: one key per rendered checkout page: a double submit places one checkout
    idempotency_key = HiddenField()
    #: the total (shipping included) the page showed; a checkout is placed only at that total
    shown_total = HiddenField()

    def set_choices(self, *, lang: str, card: bool) -> None:
        self.set_address_choices(lang=lang)
        methods = [SelectChoice(PaymentMethod.BANK_TRANSFER.value, _l("Transfer bank"))]
        if card:
            methods.insert(0, SelectChoice(PaymentMethod.CARD.value, _l("Kartu kredit/debit")))
        self.payment_method.choices = methods


ACTION_LABELS = {
    "accept": _l("Terima pesanan"),
    "pack": _l("Tandai sedang dikemas"),
    "ship": _l("Kirim pesanan"),
    "deliver": _l("Tandai sudah sampai"),
    "complete": _l("Pesanan sudah saya terima"),
    "cancel": _l("Batalkan pesanan"),
}


class OrderActionForm(FlaskForm):
    """A move of the order (orders.state.MOVES); ship needs courier and tracking number,
    cancel a reason (required from the seller)."""

    action = HiddenField()
    reason = TextAreaField(_l("Alasan pembatalan"), render_kw={"rows": 3, "maxlength": 500})
    courier = StringField(_l("Kurir"), render_kw={"maxlength": 60, "placeholder": "JNE, J&T, SiCepat, Pos Indonesia…"})
    tracking_number = StringField(_l("Nomor resi"), render_kw={"maxlength": 80})


class TransferProofForm(FlaskForm):
    """The buyer's photo of the bank transfer receipt."""

    image = FileField(_l("Foto bukti transfer"), render_kw={"accept": IMAGE_ACCEPT})
    next = HiddenField()

    def upload(self) -> bytes:
        data = self.image.data
        return data.read() if data is not None and getattr(data, "filename", "") else b""


class ConfirmTransferForm(FlaskForm):
    """The seller's "the transfer reached my account" button (CSRF only)."""


class RefundForm(FlaskForm):
    """The seller gives back part or all of a paid order."""

    amount_idr = StringField(_l("Jumlah dana dikembalikan (Rp)"), render_kw=NUMERIC)
    reason = TextAreaField(_l("Alasan pengembalian dana"), render_kw={"rows": 2, "maxlength": 500})


ZONE_LABELS = {
    ShippingZone.SAME_REGENCY: _l("Satu kabupaten/kota"),
    ShippingZone.SAME_PROVINCE: _l("Satu provinsi"),
    ShippingZone.SAME_ISLAND: _l("Satu pulau"),
    ShippingZone.OTHER_ISLAND: _l("Antarpulau"),
    ShippingZone.INTERNATIONAL: _l("Luar negeri"),
}


class ShippingRatesForm(FlaskForm):
    """First-kilogram and next-kilogram rupiah for each zone: fields `first_<zone>`, `next_<zone>`."""

    @classmethod
    def build(cls, rates: dict[str, tuple[int, int]], **kwargs) -> ShippingRatesForm:
        data = {}
        for zone, (first, nxt) in rates.items():
            data[f"first_{zone}"], data[f"next_{zone}"] = str(first), str(nxt)
        return cls(data=data, **kwargs)

    def rows(self):
        """(zone, label, first-kg field, next-kg field) in zone order."""
        return [(zone, ZONE_LABELS[zone], self[f"first_{zone}"], self[f"next_{zone}"])
                for zone in ShippingZone]

    def rates(self) -> dict[str, tuple]:
        return {zone.value: (parse_rupiah(self[f"first_{zone}"].data),
                             parse_rupiah(self[f"next_{zone}"].data)) for zone in ShippingZone}

    def field_for_error(self, key: str):
        """A zone's error goes under its first-kilogram field."""
        return self._fields.get(f"first_{key}")

for _zone in ShippingZone:
    setattr(ShippingRatesForm, f"first_{_zone}", StringField(_l("Kilogram pertama (Rp)"), render_kw=NUMERIC))
    setattr(ShippingRatesForm, f"next_{_zone}", StringField(_l("Tiap kilogram berikutnya (Rp)"), render_kw=NUMERIC))
