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
from flask_wtf.file import FileField, MultipleFileField
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField

from catalog.forms import AddressForm
from orders.couriers import COURIERS, SERVICES, find_courier
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
        from orders.payments.escrow import method_errors

        methods = [SelectChoice(m.value, label) for m, label in (
            (PaymentMethod.BANK_TRANSFER, _l("Transfer bank")), (PaymentMethod.QRIS, _l("QRIS")))
            if not method_errors(m)]
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
    """A move of the order (orders.state.MOVES); ship needs a courier (the buyer's choice by
    default) and, for couriers that track, a tracking number; cancel a reason (required from
    the seller)."""

    action = HiddenField()
    reason = TextAreaField(_l("Alasan pembatalan"), render_kw={"rows": 3, "maxlength": 500})
    courier = _select(_l("Kurir"))
    tracking_number = StringField(_l("Nomor resi"), render_kw={"maxlength": 80, "autocomplete": "off"})

    def set_couriers(self, order) -> None:
        """The couriers that go to the order's zone; the buyer's chosen one first and selected."""
        chosen = SERVICES.get(order.shipping_service or "")
        couriers = [c for c in COURIERS.values() if c.serves(order.shipping_zone)]
        typed = find_courier(self.courier.data)
        self.courier.data = typed.code if typed else self.courier.data
        if chosen is not None:
            couriers.sort(key=lambda c: c.code != chosen.courier)
            if not self.courier.data:
                self.courier.data = chosen.courier
        self.courier.choices = [SelectChoice(c.code, c.name) for c in couriers]


class FreightActionForm(OrderActionForm):
    """The moves of an order under export terms: the seller ships by the carrier arranged under
    the Incoterm (a shipping line or forwarder, typed), with a bill of lading if there is one."""

    courier = StringField(_l("Pengangkut"), render_kw={
        "maxlength": 80, "placeholder": _l("mis. Meratus Line, Maersk, JNE")})
    tracking_number = StringField(_l("Nomor B/L, pemesanan atau resi"),
                                  render_kw={"maxlength": 80, "autocomplete": "off"})

    def set_couriers(self, order) -> None:
        """Nothing to list: the carrier is typed."""


def action_form_class(order) -> type[OrderActionForm]:
    """The form for `order`'s moves: couriers to choose from, or a carrier to type."""
    return FreightActionForm if order.trade_terms is not None else OrderActionForm


class TransferProofForm(FlaskForm):
    """The buyer's photo of the bank transfer receipt."""

    image = FileField(_l("Foto bukti transfer"), render_kw={"accept": IMAGE_ACCEPT})
    next = HiddenField()

    def upload(self) -> bytes:
        data = self.image.data
        return data.read() if data is not None and getattr(data, "filename", "") else b""


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


class ShippingSettingsForm(FlaskForm):
    """The store's couriers: a checkbox per service (`svc_<code>`), its own rate per zone it
    serves (`first_<code>_<zone>`, `next_<code>_<zone>`; blank: the default) and the
    free-shipping threshold (`free_shipping_min`; blank: none)."""

    free_shipping_min = StringField(_l("Gratis ongkir untuk belanja minimal (Rp)"), render_kw=NUMERIC)

    @classmethod
    def build(cls, plan, **kwargs) -> ShippingSettingsForm:
        """The form filled with the store's offer (`orders.shipping.ShippingPlan`): its own rates
        only; the defaults show as placeholders."""
        data = {f"svc_{s.code}": True for s in plan.services}
        for (code, zone), (first, nxt) in plan.own_rates.items():
            data[f"first_{code}_{zone}"], data[f"next_{code}_{zone}"] = str(first), str(nxt)
        if plan.free_shipping_min_idr:
            data["free_shipping_min"] = str(plan.free_shipping_min_idr)
        return cls(data=data, **kwargs)

    def couriers(self):
        """For the page: [(courier, [(service, checkbox, [(zone, label, first, next)])])]."""
        return [(courier, [(service, self[f"svc_{service.code}"],
                            [(zone, ZONE_LABELS[zone], self[f"first_{service.code}_{zone}"],
                              self[f"next_{service.code}_{zone}"])
                             for zone in ShippingZone if service.serves(zone) and not service.free])
                           for service in courier.services])
                for courier in COURIERS.values()]

    def services(self) -> list[str]:
        return [code for code in SERVICES if self[f"svc_{code}"].data]

    def rates(self) -> dict[str, dict[str, tuple]]:
        return {code: {zone.value: (parse_rupiah(self[f"first_{code}_{zone}"].data),
                                    parse_rupiah(self[f"next_{code}_{zone}"].data))
                       for zone in ShippingZone if SERVICES[code].serves(zone) and not SERVICES[code].free}
                for code in self.services()}

    def free_shipping_min_idr(self):
        return parse_rupiah(self.free_shipping_min.data)

    def field_for_error(self, key: str):
        """`rates.<service>.<zone>` goes under its first-kilogram field; `services` is flashed."""
        if key == "free_shipping_min_idr":
            return self.free_shipping_min
        if key.startswith("rates."):
            _prefix, code, zone = (key.split(".") + ["", ""])[:3]
            return self._fields.get(f"first_{code}_{zone}")
        return None


for _service in SERVICES.values():
    setattr(ShippingSettingsForm, f"svc_{_service.code}", BooleanField(_service.title))
    for _zone in ShippingZone:
        if _service.serves(_zone) and not _service.free:
            setattr(ShippingSettingsForm, f"first_{_service.code}_{_zone}",
                    StringField(_l("Kilogram pertama (Rp)"), render_kw=NUMERIC))
            setattr(ShippingSettingsForm, f"next_{_service.code}_{_zone}",
                    StringField(_l("Tiap kilogram berikutnya (Rp)"), render_kw=NUMERIC))


def shipping_choices(formdata) -> dict[str, str]:
    """The checkout page's courier choices: radio groups `ship-<store slug>` -> {slug: code}."""
    return {key.removeprefix("ship-"): value for key, value in formdata.items()
            if key.startswith("ship-") and value}


# --- finance and the marketplace's accounts (orders/finance_views.py) ---------------------------

class ConfirmPaymentForm(FlaskForm):
    """Finance confirms a transfer or QRIS payment reached the marketplace."""

    reference = StringField(_l("Referensi bank (opsional)"), render_kw={"maxlength": 120, "autocomplete": "off"})


class StatementUploadForm(FlaskForm):
    """A bank statement (mutasi rekening, CSV) of one of the marketplace's accounts."""

    bank_account_id = _select(_l("Rekening"))
    file = FileField(_l("Berkas mutasi (CSV)"), render_kw={"accept": ".csv,text/csv,text/plain"})

    def upload(self) -> tuple[bytes, str]:
        data = self.file.data
        if data is None or not getattr(data, "filename", ""):
            return b"", ""
        return data.read(), data.filename


class PlatformBankAccountForm(FlaskForm):
    """An admin adds one of the marketplace's bank accounts."""

    bank_code = _select(_l("Bank"))
    number = StringField(_l("Nomor rekening"), render_kw={**NUMERIC, "maxlength": 30, "autocomplete": "off"})
    holder = StringField(_l("Atas nama"), render_kw={"maxlength": 120})

    def set_choices(self) -> None:
        from orders.payments.banks import bank_choices

        self.bank_code.choices = [SelectChoice("", _l("Pilih bank"))] + [
            SelectChoice(code, label) for code, label in bank_choices()]


class QrisMerchantForm(FlaskForm):
    """An admin pastes the marketplace's static merchant QRIS (the text inside its QR code)."""

    payload = TextAreaField(_l("String QRIS merchant"), render_kw={"rows": 4, "maxlength": 512,
                                                                    "spellcheck": "false"})


class ToggleForm(FlaskForm):
    """A button that switches something on or off (CSRF only; the value is in the URL)."""


class PayoutAccountForm(PlatformBankAccountForm):
    """A seller's account to be paid out to (the same fields as the marketplace's own)."""


class RefundAccountForm(PlatformBankAccountForm):
    """A complaining buyer's account for a transfer/QRIS refund (the same fields)."""


class CheckAccountForm(FlaskForm):
    """An officer's verdict on a payout account: a note is needed to reject."""

    note = StringField(_l("Catatan untuk penjual"), render_kw={"maxlength": 500})


class PayoutBatchForm(FlaskForm):
    """Finance makes a payout batch of every available balance of at least this much."""

    min_amount_idr = StringField(_l("Saldo minimal yang dicairkan (Rp)"), default="50.000",
                                 render_kw={**NUMERIC, "maxlength": 15})


class SettleLineForm(FlaskForm):
    """What the bank did with one payout: its reference, or why it failed."""

    reference = StringField(_l("Referensi bank"), render_kw={"maxlength": 120, "autocomplete": "off"})
    reason = StringField(_l("Sebab gagal"), render_kw={"maxlength": 120})


# --- complaints (orders/complaint_views.py) -----------------------------------------------------

class ComplaintForm(FlaskForm):
    """The buyer's complaint: reason, what happened, up to three photos, what they want and,
    for a transfer or QRIS order, the account the money goes back to."""

    reason = RadioField(_l("Alasan"), validate_choice=False)
    description = TextAreaField(_l("Ceritakan masalahnya"), render_kw={"rows": 4, "maxlength": 2000})
    photos = MultipleFileField(_l("Foto (paling banyak 3)"), render_kw={"accept": IMAGE_ACCEPT, "multiple": True})
    resolution = RadioField(_l("Yang Anda minta"), validate_choice=False, default="refund")
    bank_code = _select(_l("Bank"))
    account_number = StringField(_l("Nomor rekening"), render_kw={**NUMERIC, "maxlength": 30, "autocomplete": "off"})
    account_holder = StringField(_l("Atas nama"), render_kw={"maxlength": 120})

    def set_choices(self) -> None:
        from orders.complaints import REASON_LABELS, RESOLUTION_LABELS
        from orders.payments.banks import bank_choices

        self.reason.choices = [SelectChoice(code.value, label) for code, label in REASON_LABELS.items()]
        self.resolution.choices = [SelectChoice(code.value, label) for code, label in RESOLUTION_LABELS.items()]
        self.bank_code.choices = [SelectChoice("", _l("Pilih bank"))] + [
            SelectChoice(code, label) for code, label in bank_choices()]

    def uploads(self) -> list[bytes]:
        """The chosen files' bytes (an empty file input sends one nameless part)."""
        return [f.read() for f in (self.photos.data or []) if getattr(f, "filename", "")]

    def service_data(self) -> dict:
        return {"reason": self.reason.data, "description": self.description.data,
                "resolution": self.resolution.data,
                "bank_account": {"bank_code": self.bank_code.data, "number": self.account_number.data,
                                 "holder": self.account_holder.data}}

    def field_for_error(self, key: str):
        from marketplace.forms import default_field_for_error

        return {"bank_account.bank_code": self.bank_code, "bank_account.number": self.account_number,
                "bank_account.holder": self.account_holder, "image": self.photos,
                "photos": self.photos}.get(key) or default_field_for_error(self, key)


class RefundPaidForm(FlaskForm):
    """Finance records a refund transferred to the buyer's account: the bank's reference."""

    reference = StringField(_l("Referensi transfer"), render_kw={"maxlength": 120, "autocomplete": "off"})


class ComplaintAnswerForm(FlaskForm):
    """The seller's (or finance's) answer: a full refund, a partial one, or a rejection."""

    decision = RadioField(_l("Keputusan"), validate_choice=False)
    amount_idr = StringField(_l("Jumlah pengembalian sebagian (Rp)"), render_kw=NUMERIC)
    reason = TextAreaField(_l("Alasan atau catatan"), render_kw={"rows": 2, "maxlength": 500})

    def set_choices(self) -> None:
        self.decision.choices = [SelectChoice("refund", _l("Kembalikan dana penuh")),
                                 SelectChoice("partial", _l("Kembalikan dana sebagian")),
                                 SelectChoice("reject", _l("Tolak komplain"))]
