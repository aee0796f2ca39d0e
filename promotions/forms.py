"""Promotion forms: events and their life cycle, applications, curation, meeting slots, buyer
registrations, requests for quotation, quotes and accepting a quote.

As in catalog/forms.py and orders/forms.py, forms only parse the request and carry the CSRF
token: every field is plain text, a select or a checkbox, with no validators of its own. The
rules live in promotions.services and promotions.trade, whose ValidationError fields are mapped
back onto these fields by `marketplace.forms.apply_errors`.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from catalog.forms import AddressForm, country_choices
from marketplace.forms import default_field_for_error
from marketplace.timeutil import as_utc
from promotions.models import (
    FREIGHT_TERMS,
    INCOTERMS,
    MAX_PORT_LEN,
    PORT_TERMS,
    ApplicationStatus,
    BuyerType,
    Event,
    EventKind,
    EventStatus,
    QuoteStatus,
    RfqStatus,
)

NUMERIC = {"inputmode": "numeric"}
LOCAL_TIME = {"type": "datetime-local"}
DATE = {"type": "date"}

KIND_LABELS = {
    EventKind.NATIONAL_EXPO: _l("Pameran nasional"),
    EventKind.EXPORT_FORUM: _l("Forum promosi ekspor"),
    EventKind.BUSINESS_MATCHING: _l("Temu bisnis"),
    EventKind.ONLINE_CAMPAIGN: _l("Kampanye daring"),
}
STATUS_LABELS = {
    EventStatus.DRAFT: _l("Draf"),
    EventStatus.OPEN: _l("Pendaftaran peserta dibuka"),
    EventStatus.CURATION: _l("Kurasi"),
    EventStatus.PUBLISHED: _l("Terbit"),
    EventStatus.LIVE: _l("Sedang berlangsung"),
    EventStatus.CLOSED: _l("Selesai"),
    EventStatus.CANCELLED: _l("Dibatalkan"),
}
#: the buttons for promotions.services.MOVES
MOVE_LABELS = {
    "open": _l("Buka pendaftaran peserta"),
    "curate": _l("Tutup pendaftaran, mulai kurasi"),
    "publish": _l("Terbitkan acara"),
    "start": _l("Mulai acara"),
    "close": _l("Tutup acara"),
    "cancel": _l("Batalkan acara"),
}
APPLICATION_LABELS = {
    ApplicationStatus.PENDING: _l("Menunggu keputusan"),
    ApplicationStatus.ACCEPTED: _l("Diterima"),
    ApplicationStatus.REJECTED: _l("Ditolak"),
    ApplicationStatus.WITHDRAWN: _l("Ditarik"),
}
RFQ_LABELS = {
    RfqStatus.OPEN: _l("Menunggu penawaran"),
    RfqStatus.QUOTED: _l("Ada penawaran"),
    RfqStatus.ACCEPTED: _l("Penawaran diterima"),
    RfqStatus.DECLINED: _l("Penawaran ditolak"),
    RfqStatus.CLOSED: _l("Ditutup"),
}
QUOTE_LABELS = {
    QuoteStatus.OFFERED: _l("Berlaku"),
    QuoteStatus.ACCEPTED: _l("Diterima"),
    QuoteStatus.DECLINED: _l("Ditolak"),
    QuoteStatus.WITHDRAWN: _l("Diganti penawaran baru"),
}
BUYER_TYPE_LABELS = {
    BuyerType.DOMESTIC: _l("Pembeli dalam negeri"),
    BuyerType.EXPORT: _l("Pembeli ekspor (luar negeri)"),
}
#: the zones an officer may set an event in; Indonesian zones by their usual names
ZONES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT",
         "Asia/Singapore": "", "Asia/Tokyo": "", "Europe/Amsterdam": "", "UTC": ""}


def zone_label(name: str) -> str:
    """ "WIB", "WITA", "WIT" for Indonesia's zones, else the zone's own name."""
    return ZONES.get(name) or name


def _select(label, **kwargs) -> SelectField:
    # The services say which values are valid, in the reader's language (see catalog/forms.py).
    return SelectField(label, validate_choice=False, **kwargs)


def local_input(value: datetime | None, zone: str) -> str:
    """A stored UTC time as a datetime-local input shows it in the event's zone."""
    if value is None:
        return ""
    return as_utc(value).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


class EventForm(FlaskForm):
    """Create or edit an event. Times are datetime-local inputs read in the chosen zone."""

    title = StringField(_l("Judul acara"), render_kw={"maxlength": 160})
    title_en = StringField(_l("Judul dalam bahasa Inggris (opsional)"), render_kw={"maxlength": 160})
    description = TextAreaField(_l("Deskripsi"))
    description_en = TextAreaField(_l("Deskripsi dalam bahasa Inggris (opsional)"))
    kind = _select(_l("Jenis acara"), choices=[SelectChoice("", _l("Pilih jenis acara"))] + [
        SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()])
    timezone = _select(_l("Zona waktu acara"), default="Asia/Jakarta", choices=[
        SelectChoice(name, f"{name} ({label})" if label else name) for name, label in ZONES.items()])
    starts_at = StringField(_l("Mulai"), render_kw=LOCAL_TIME)
    ends_at = StringField(_l("Selesai"), render_kw=LOCAL_TIME)
    application_deadline = StringField(_l("Batas pendaftaran peserta (opsional)"), render_kw=LOCAL_TIME)
    venue = StringField(_l("Tempat (opsional)"), render_kw={"maxlength": 200})
    online_url = StringField(_l("Tautan acara daring (opsional)"),
                             render_kw={"maxlength": 300, "type": "url", "placeholder": "https://"})
    target_markets = StringField(_l("Pasar tujuan (kode negara)"),
                                 render_kw={"placeholder": "JP, SG, NL", "autocapitalize": "characters"})
    categories = SelectMultipleField(_l("Kategori produk"), validate_choice=False,
                                     render_kw={"size": 8})
    exhibitor_quota = StringField(_l("Kuota peserta (toko)"), default="50", render_kw=NUMERIC)

    def set_category_choices(self, tree, lang: str) -> None:
        """Nested category names, e.g. "Kopi & Teh › Kopi", by slug."""
        self.categories.choices = [SelectChoice(cat.slug, " › ".join(c.display_name(lang) for c in path))
                                   for cat, path in tree]

    def service_data(self) -> dict:
        """The submitted values as the dict create_event/update_event take."""
        data = {name: getattr(self, name).data for name in (
            "title", "title_en", "description", "description_en", "kind", "timezone", "starts_at",
            "ends_at", "application_deadline", "venue", "online_url", "target_markets",
            "exhibitor_quota")}
        data["categories"] = list(self.categories.data or [])
        return data


def event_form_data(event: Event) -> dict:
    """An event's current values in the shape EventForm shows them."""
    return {
        "title": event.title, "title_en": event.title_en or "", "description": event.description,
        "description_en": event.description_en or "", "kind": event.kind,
        "timezone": event.timezone, "starts_at": local_input(event.starts_at, event.timezone),
        "ends_at": local_input(event.ends_at, event.timezone),
        "application_deadline": local_input(event.application_deadline, event.timezone),
        "venue": event.venue or "", "online_url": event.online_url or "",
        "target_markets": ", ".join(event.target_markets or []),
        "categories": list(event.categories or []), "exhibitor_quota": str(event.exhibitor_quota),
    }


class TransitionForm(FlaskForm):
    """One life-cycle button: `action` is a key of promotions.services.MOVES."""

    action = HiddenField()
    #: "1" once the officer confirmed starting before the planned start
    confirm_early = HiddenField()


class DecisionForm(FlaskForm):
    """Accept (decision=accept) or reject (decision=reject, with a reason) an application."""

    decision = HiddenField()
    reason = TextAreaField(_l("Alasan"), render_kw={"rows": 2, "maxlength": 1000})


class ApplyForm(FlaskForm):
    """A seller's application: some of the store's active products and a short pitch."""

    product_ids = SelectMultipleField(_l("Produk yang dipamerkan"), validate_choice=False)
    pitch = TextAreaField(_l("Mengapa produk Anda cocok untuk acara ini?"),
                          render_kw={"rows": 4, "maxlength": 2000})

    def set_products(self, products, lang: str) -> None:
        self.product_ids.choices = [SelectChoice(str(p.id), p.display_title(lang)) for p in products]


class InviteForm(FlaskForm):
    """The officer invites a store with some of its active products."""

    store_slug = HiddenField()
    product_ids = SelectMultipleField(_l("Produk"), validate_choice=False)

    def set_products(self, products, lang: str) -> None:
        self.product_ids.choices = [SelectChoice(str(p.id), p.display_title(lang)) for p in products]


class CurateRow(Form):
    """One curated product (a sub-form without its own CSRF token)."""

    product_id = HiddenField()
    position = StringField(_l("Urutan"), render_kw={**NUMERIC, "type": "number", "min": "0"})
    featured = BooleanField(_l("Unggulan"))
    event_price_idr = StringField(_l("Harga acara (Rp)"), render_kw=NUMERIC)


class CurateForm(FlaskForm):
    """The showcase table: position, featured and event price of each curated product."""

    items = FieldList(FormField(CurateRow))

    def service_items(self) -> list[dict]:
        """The rows as `curate` takes them; a blank position keeps the current one."""
        items = []
        for row in self.items:
            item = {"product_id": row.product_id.data, "featured": row.featured.data,
                    "event_price_idr": row.event_price_idr.data or None}
            if (row.position.data or "").strip():
                item["position"] = row.position.data
            items.append(item)
        return items

    def field_for_error(self, key: str):
        """`items.<n>.<field>` and `items.<n>` errors go under the row's fields."""
        parts = key.split(".")
        if parts[0] == "items" and len(parts) >= 2 and parts[1].isdigit() \
                and int(parts[1]) < len(self.items):
            row = self.items[int(parts[1])]
            return row[parts[2]] if len(parts) == 3 and parts[2] in row._fields else row.position
        return default_field_for_error(self, key)

def curate_form_data(rows) -> dict:
    """The curated products (EventProduct rows) in the shape CurateForm shows them."""
    return {"items": [{"product_id": str(r.product_id), "position": str(r.position),
                       "featured": r.featured,
                       "event_price_idr": str(r.event_price_idr) if r.event_price_idr else ""}
                      for r in rows]}


class SlotForm(FlaskForm):
    """A business-matching slot with one exhibitor, in the event's zone."""

    store_slug = _select(_l("Peserta (toko)"))
    starts_at = StringField(_l("Mulai"), render_kw=LOCAL_TIME)
    ends_at = StringField(_l("Selesai"), render_kw=LOCAL_TIME)

    def set_stores(self, stores) -> None:
        self.store_slug.choices = [SelectChoice("", _l("Pilih peserta"))] + [
            SelectChoice(s.slug, s.name) for s in stores]

    def service_data(self) -> dict:
        return {"store_slug": self.store_slug.data, "starts_at": self.starts_at.data,
                "ends_at": self.ends_at.data}


class RegistrationForm(FlaskForm):
    """A buyer registers for an event."""

    buyer_type = RadioField(_l("Jenis pembeli"), validate_choice=False, default=BuyerType.DOMESTIC.value,
                            choices=[SelectChoice(t.value, label) for t, label in BUYER_TYPE_LABELS.items()])
    company = StringField(_l("Nama perusahaan / usaha"), render_kw={"maxlength": 160,
                                                                   "autocomplete": "organization"})
    country = _select(_l("Negara"), default="ID")
    interests = StringField(_l("Produk yang Anda cari (opsional)"),
                            render_kw={"maxlength": 500, "placeholder": _l("mis. kopi robusta, lada hitam")})

    def set_choices(self, lang: str) -> None:
        self.country.choices = country_choices(lang)

    def service_data(self) -> dict:
        return {name: getattr(self, name).data for name in ("buyer_type", "company", "country", "interests")}


class ActionForm(FlaskForm):
    """A button that needs nothing but the CSRF token (book, cancel, decline)."""

    next = HiddenField()


class RfqForm(FlaskForm):
    """A buyer's request for quotation on one product, optionally within an event."""

    product_id = HiddenField()
    event = HiddenField()
    quantity = StringField(_l("Jumlah yang dibutuhkan (pcs)"), render_kw={**NUMERIC, "type": "number", "min": "1"})
    target_price_idr = StringField(_l("Harga sasaran per pcs (Rp, opsional)"), render_kw=NUMERIC)
    destination_country = _select(_l("Negara tujuan"), default="ID")
    incoterm = _select(_l("Incoterm"), default="FOB", choices=[SelectChoice(t, t) for t in INCOTERMS])
    needed_by = StringField(_l("Dibutuhkan paling lambat"), render_kw=DATE)

    def set_choices(self, lang: str) -> None:
        self.destination_country.choices = country_choices(lang)

    def service_data(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "product_id", "event", "quantity", "target_price_idr", "destination_country", "incoterm",
            "needed_by")}


class MessageForm(FlaskForm):
    """One message in an RFQ's thread."""

    body = TextAreaField(_l("Pesan"), render_kw={"rows": 3, "maxlength": 4000})


#: what the port field names under each Incoterm (promotions.models.PORT_TERMS require it)
PORT_LABELS = {
    "FOB": _l("Pelabuhan muat"),
    "CFR": _l("Pelabuhan tujuan"),
    "CIF": _l("Pelabuhan tujuan"),
    "EXW": _l("Tempat penyerahan (opsional)"),
    "FCA": _l("Tempat penyerahan (opsional)"),
}
PLACE_LABEL = _l("Tempat tujuan (opsional)")  # CPT, CIP, DAP, DPU, DDP
#: the freight line's name under each of promotions.models.FREIGHT_TERMS
FREIGHT_LABELS = {
    "CIF": _l("Ongkos angkut dan asuransi (Rp)"),
    "CIP": _l("Ongkos angkut dan asuransi (Rp)"),
    "DDP": _l("Ongkos angkut sampai tujuan, termasuk bea masuk (Rp)"),
}
FREIGHT_LABEL = _l("Ongkos angkut (Rp)")
#: the same line in a sentence ("termasuk ongkos angkut Rp6.130.000")
FREIGHT_LINES = {
    "CIF": _l("ongkos angkut dan asuransi"),
    "CIP": _l("ongkos angkut dan asuransi"),
    "DDP": _l("ongkos angkut dan bea masuk"),
}
FREIGHT_LINE = _l("ongkos angkut")


def freight_line(incoterm: str):
    """The seller's freight line under `incoterm`, as a sentence names it."""
    return FREIGHT_LINES.get(incoterm, FREIGHT_LINE)


class QuoteForm(FlaskForm):
    """The seller's quote: unit price from a minimum quantity, lead time and validity, and what
    the RFQ's Incoterm needs (a port, a freight line); in stock or made to order."""

    unit_price_idr = StringField(_l("Harga per pcs (Rp)"), render_kw=NUMERIC)
    min_qty = StringField(_l("Minimal pesanan (pcs)"), render_kw={**NUMERIC, "type": "number", "min": "1"})
    lead_time_days = StringField(_l("Waktu produksi/siap kirim (hari)"),
                                 render_kw={**NUMERIC, "type": "number", "min": "0"})
    valid_until = StringField(_l("Berlaku sampai"), render_kw=DATE)
    port = StringField(PLACE_LABEL, render_kw={"maxlength": MAX_PORT_LEN, "autocomplete": "off"})
    freight_idr = StringField(FREIGHT_LABEL, render_kw=NUMERIC)
    made_to_order = BooleanField(_l("Dibuat sesuai pesanan (boleh melebihi stok)"))

    def set_terms(self, incoterm: str) -> None:
        """Name the port and freight fields as the RFQ's Incoterm calls them, and mark the ones
        it requires (the service holds the rule: promotions.trade.quote_terms)."""
        self.port.label.text = PORT_LABELS.get(incoterm, PLACE_LABEL)
        self.port.flags.required = incoterm in PORT_TERMS
        self.freight_idr.label.text = FREIGHT_LABELS.get(incoterm, FREIGHT_LABEL)
        self.freight_idr.flags.required = incoterm in FREIGHT_TERMS

    def service_data(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "unit_price_idr", "min_qty", "lead_time_days", "valid_until", "port", "freight_idr",
            "made_to_order")}


class AcceptQuoteForm(AddressForm):
    """Accepting a quote: the shipping address (the checkout's fields); paid by bank transfer."""

    def set_choices(self, *, lang: str) -> None:
        self.set_address_choices(lang=lang)


