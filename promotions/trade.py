"""B2B trade around events and products: requests for quotation, quotes, message threads,
and business-matching meeting slots with bookings that never double-book."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from catalog import validation as v
from catalog.addresses import COUNTRY_CODE
from catalog.models import Product, ProductStatus, Store
from marketplace.accounts.models import User
from marketplace.errors import Conflict, Forbidden, NotFound, ValidationError
from marketplace.extensions import db
from marketplace.i18n import number
from marketplace.money.rates import today_wib
from marketplace.timeutil import as_utc, utcnow
from promotions.models import (
    FREIGHT_TERMS,
    INCOTERMS,
    MAX_PORT_LEN,
    PORT_TERMS,
    Application,
    ApplicationStatus,
    Booking,
    Event,
    EventStatus,
    MeetingSlot,
    Quote,
    QuoteStatus,
    Registration,
    Rfq,
    RfqMessage,
    RfqStatus,
)
from promotions.notify import notify_user
from promotions.services import parse_time, registration_of, require_officer


def _date(value, name: str, errors: dict) -> date | None:
    try:
        return date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        errors[name] = _l("Tanggal tidak valid (contoh 2026-12-31).")
        return None


def create_rfq(buyer: User, data: dict) -> Rfq:
    """A buyer asks a seller for a quotation (optionally within an event they registered for)."""
    errors: dict = {}
    product = None
    try:
        product = db.session.get(Product, int(data.get("product_id")))
    except (TypeError, ValueError):
        pass
    if product is None or product.status != ProductStatus.ACTIVE:
        errors["product_id"] = _l("Produk tidak ditemukan.")
    elif product.store.owner_id == buyer.id:
        raise Conflict(_l("Anda tidak dapat meminta penawaran dari toko sendiri."), code="own_product")
    try:
        quantity = v.clean_int(data.get("quantity"), minimum=1)
    except v.FieldError as exc:
        errors["quantity"], quantity = exc.message, None
    target = None
    if data.get("target_price_idr") not in (None, ""):
        try:
            target = v.clean_price(data.get("target_price_idr"))
        except v.FieldError as exc:
            errors["target_price_idr"] = exc.message
    country = str(data.get("destination_country") or "").strip().upper()
    if not COUNTRY_CODE.match(country):
        errors["destination_country"] = _l("Kode negara dua huruf (ISO), mis. ID, SG, JP.")
    incoterm = str(data.get("incoterm") or "").strip().upper()
    if incoterm not in INCOTERMS:
        errors["incoterm"] = _l("Pilih Incoterm: %(list)s.", list=", ".join(INCOTERMS))
    needed_by = _date(data.get("needed_by"), "needed_by", errors)
    if needed_by and needed_by < utcnow().date():
        errors["needed_by"] = _l("Tanggal sudah lewat.")
    event = None
    if data.get("event"):
        event = db.session.scalar(sa.select(Event).where(Event.slug == str(data["event"])))
        if event is None or event.status not in (EventStatus.PUBLISHED, EventStatus.LIVE):
            errors["event"] = _l("Acara tidak ditemukan atau belum dibuka.")
        elif registration_of(event, buyer) is None:
            raise Forbidden(_l("Daftar sebagai pembeli di acara ini terlebih dahulu."))
    if errors:
        raise ValidationError(fields=errors)
    rfq = Rfq(buyer_id=buyer.id, store_id=product.store_id, product_id=product.id,
              event_id=event.id if event else None, quantity=quantity, target_price_idr=target,
              destination_country=country, incoterm=incoterm, needed_by=needed_by)
    db.session.add(rfq)
    db.session.flush()
    notify_user(product.store.owner_id, "rfq_received", url=f"/rfq/{rfq.id}",
                product=product.title, quantity=quantity)
    return rfq


def rfq_for(rfq_id: int, actor: User) -> Rfq:
    """An RFQ its buyer or its seller (or an officer) may see; others get 'not found'."""
    rfq = db.session.get(Rfq, rfq_id)
    if rfq is None or not (rfq.buyer_id == actor.id or rfq.store.owner_id == actor.id
                           or actor.is_officer):
        raise NotFound()
    return rfq


def rfq_for_seller(rfq_id: int, actor: User) -> Rfq:
    """An RFQ to the actor's store; anyone else's (the buyer's too) is 'not found'."""
    rfq = db.session.get(Rfq, rfq_id)
    if rfq is None or rfq.store.owner_id != actor.id:
        raise NotFound()
    return rfq


def rfqs_of_buyer(buyer: User) -> sa.Select:
    return sa.select(Rfq).where(Rfq.buyer_id == buyer.id).order_by(Rfq.created_at.desc())


def rfqs_of_store(store: Store, *, actor: User) -> sa.Select:
    from catalog.services import require_owner

    require_owner(store, actor)
    return sa.select(Rfq).where(Rfq.store_id == store.id).order_by(Rfq.created_at.desc())


def make_quote(rfq: Rfq, data: dict, *, actor: User) -> Quote:
    """The seller answers with a unit price from a minimum quantity, lead time and validity, and
    what the RFQ's Incoterm needs (`quote_terms`): a port, a freight line, made to order."""
    if rfq.store.owner_id != actor.id:
        raise NotFound()
    if rfq.status not in (RfqStatus.OPEN, RfqStatus.QUOTED):
        raise Conflict(_l("Permintaan ini sudah ditutup."), code="rfq_closed")
    errors: dict = {}
    values = {}
    for name, fn in (("unit_price_idr", v.clean_price),
                     ("min_qty", lambda x: v.clean_int(x, minimum=1)),
                     ("lead_time_days", lambda x: v.clean_int(x, minimum=0, maximum=365))):
        try:
            values[name] = fn(data.get(name))
        except v.FieldError as exc:
            errors[name] = exc.message
    valid_until = _date(data.get("valid_until"), "valid_until", errors)
    if valid_until and valid_until < utcnow().date():
        errors["valid_until"] = _l("Tanggal sudah lewat.")
    values.update(quote_terms(rfq, data, min_qty=values.get("min_qty"),
                              lead_time_days=values.get("lead_time_days"), errors=errors))
    if errors:
        raise ValidationError(fields=errors)
    for older in rfq.quotes:
        if older.status == QuoteStatus.OFFERED:
            older.status = QuoteStatus.WITHDRAWN  # the newest offer replaces the earlier one
    quote = Quote(rfq_id=rfq.id, valid_until=valid_until, **values)
    db.session.add(quote)
    rfq.status = RfqStatus.QUOTED
    db.session.flush()
    notify_user(rfq.buyer_id, "quote_received", url=f"/rfq/{rfq.id}", store=rfq.store.name,
                product=rfq.product.title)
    return quote


def quote_terms(rfq: Rfq, data: dict, *, min_qty: int | None, lead_time_days: int | None,
                errors: dict) -> dict:
    """The trade terms of a quote on `rfq`, checked against its Incoterm and the stock; field
    messages go into `errors`. The rules (pages and the API share them):

    - FOB, CFR and CIF name a port (FOB the port of loading, CFR/CIF the port of destination);
      the other terms may name their place; at most MAX_PORT_LEN characters.
    - FREIGHT_TERMS (CFR, CIF, CPT, CIP, DAP, DPU, DDP) need the seller's freight line, at least
      Rp1: the term makes the seller pay the carriage, and a line of nothing is a forgotten
      field far more often than free carriage. EXW, FCA and FOB carry none (0 or left out).
    - A body that leaves `port` and `freight_idr` out altogether is the API's documented quote
      (`{unit_price_idr, min_qty, lead_time_days, valid_until}`, which outside programs send):
      the port is then to be agreed (None) and the carriage is included in the unit price
      (freight_idr 0 under a freight term, `freight_included`). A field that is sent, as the
      page's form always does, must be filled where the term needs it.
    - The quantity the order will have (the RFQ's, or the quote's minimum if higher) may exceed
      the product's stock only when the quote is made to order, and made to order needs a lead
      time of at least one day.
    """
    terms: dict = {"port": None, "freight_idr": 0, "made_to_order": False}
    incoterm = rfq.incoterm
    try:
        terms["port"] = v.clean_text(data.get("port"), required=False, max_len=MAX_PORT_LEN)
    except v.FieldError as exc:
        errors["port"] = exc.message
    else:
        if terms["port"] is None and incoterm in PORT_TERMS and "port" in data:
            errors["port"] = port_required_message(incoterm)
    freight = data.get("freight_idr")
    no_freight = freight is None or (not isinstance(freight, bool) and str(freight).strip() in ("", "0"))
    if incoterm in FREIGHT_TERMS:
        if "freight_idr" not in data:
            pass  # the documented body: carriage included in the unit price
        elif no_freight:
            errors["freight_idr"] = _l("Dengan %(term)s penjual menanggung pengangkutan: isi ongkos "
                                       "angkut dalam rupiah (lebih dari 0).", term=incoterm)
        else:
            try:
                terms["freight_idr"] = v.clean_price(freight)
            except v.FieldError as exc:
                errors["freight_idr"] = exc.message
    elif not no_freight:
        errors["freight_idr"] = _l("Dengan %(term)s pembeli menanggung pengangkutan: kosongkan "
                                   "ongkos angkut.", term=incoterm)
    try:
        terms["made_to_order"] = v.clean_bool(data.get("made_to_order"))
    except v.FieldError as exc:
        errors["made_to_order"] = exc.message
    if terms["made_to_order"] and lead_time_days is not None and lead_time_days < 1:
        errors["lead_time_days"] = _l("Barang yang dibuat sesuai pesanan perlu waktu produksi "
                                      "minimal 1 hari.")
    quantity = max(rfq.quantity, min_qty or 0)
    if min_qty is not None and not terms["made_to_order"] and quantity > rfq.product.stock:
        errors.setdefault("made_to_order", _l(
            "Stok tersedia %(stock)s pcs, kurang dari %(n)s pcs yang ditawarkan. Tandai “dibuat "
            "sesuai pesanan” dengan waktu produksinya, atau tawarkan paling banyak sejumlah stok.",
            stock=number(rfq.product.stock), n=number(quantity)))
    return terms


def port_required_message(incoterm: str):
    """What to write where the port is missing: FOB's is where the goods are loaded."""
    if incoterm == "FOB":
        return _l("Dengan FOB, isi pelabuhan muat (mis. Panjang, Tanjung Priok).")
    return _l("Dengan %(term)s, isi pelabuhan tujuan (mis. Rotterdam, Tokyo).", term=incoterm)


def ready_on(quote: Quote) -> date:
    """The day the goods of `quote` should be ready if it is accepted today (WIB)."""
    return today_wib() + timedelta(days=quote.lead_time_days)


def quote_for(quote_id: int, actor: User) -> Quote:
    quote = db.session.get(Quote, quote_id)
    if quote is None:
        raise NotFound()
    rfq_for(quote.rfq_id, actor)
    return quote


def accept_quote(quote: Quote, *, actor: User, shipping_address, payment_method: str,
                 payment_method_id: str | None = None):
    """The buyer accepts: the quote becomes an order at the quoted terms, through the normal
    checkout (totals on the server, card or bank transfer). The order charges the quote's freight
    line instead of parcel shipping (none for EXW, FCA, FOB) and keeps its trade terms; stock is
    reserved as for any checkout unless the quote is made to order. Returns the checkout."""
    from orders.checkout import checkout_input, place_checkout
    from orders.terms import TradeTerms

    rfq = quote.rfq
    if rfq.buyer_id != actor.id:
        raise Forbidden() if rfq.store.owner_id == actor.id else NotFound()
    if quote.status != QuoteStatus.OFFERED:
        raise Conflict(_l("Penawaran ini tidak berlaku lagi."), code="quote_not_offered")
    if quote.valid_until < utcnow().date():
        raise Conflict(_l("Penawaran ini sudah kedaluwarsa."), code="quote_expired")
    quantity = max(rfq.quantity, quote.min_qty)
    source = f"event:{rfq.event.slug}" if rfq.event else f"quote:{quote.id}"
    terms = TradeTerms(incoterm=rfq.incoterm, port=quote.port, freight_idr=quote.freight_idr,
                       made_to_order=quote.made_to_order, lead_time_days=quote.lead_time_days,
                       ready_by=ready_on(quote))
    checkout = place_checkout(
        actor, {rfq.product_id: quantity}, checkout_input(shipping_address, payment_method),
        payment_method=payment_method, payment_method_id=payment_method_id, source=source,
        fixed_prices={rfq.product_id: (quote.unit_price_idr, f"quote:{quote.id}")},
        trade_terms=terms)
    quote.status = QuoteStatus.ACCEPTED
    quote.decided_at = utcnow()
    quote.order_id = checkout.orders[0].id
    rfq.status = RfqStatus.ACCEPTED
    db.session.flush()
    notify_user(rfq.store.owner_id, "quote_accepted", url=f"/pesanan/{quote.order_id}",
                product=rfq.product.title, order=quote.order_id)
    return checkout


def decline_quote(quote: Quote, *, actor: User) -> Quote:
    rfq = quote.rfq
    if rfq.buyer_id != actor.id:
        raise NotFound()
    if quote.status != QuoteStatus.OFFERED:
        raise Conflict(_l("Penawaran ini tidak berlaku lagi."), code="quote_not_offered")
    quote.status = QuoteStatus.DECLINED
    quote.decided_at = utcnow()
    rfq.status = RfqStatus.DECLINED
    db.session.flush()
    notify_user(rfq.store.owner_id, "quote_declined", url=f"/rfq/{rfq.id}", product=rfq.product.title)
    return quote


def post_message(rfq: Rfq, body: str, *, actor: User) -> RfqMessage:
    if actor.id not in (rfq.buyer_id, rfq.store.owner_id):
        raise NotFound()
    try:
        body = v.clean_text(body, required=True, max_len=4000)
    except v.FieldError as exc:
        raise ValidationError(fields={"body": exc.message}) from None
    message = RfqMessage(rfq_id=rfq.id, author_id=actor.id, body=body)
    db.session.add(message)
    db.session.flush()
    other = rfq.store.owner_id if actor.id == rfq.buyer_id else rfq.buyer_id
    notify_user(other, "rfq_message", url=f"/rfq/{rfq.id}", product=rfq.product.title)
    return message


# --- meetings ---------------------------------------------------------------------------------

def create_slot(event: Event, data: dict, *, actor: User) -> MeetingSlot:
    """An officer publishes a meeting slot with one exhibitor; a store's slots never overlap."""
    from zoneinfo import ZoneInfo

    require_officer(actor)
    if event.status not in (EventStatus.CURATION, EventStatus.PUBLISHED, EventStatus.LIVE):
        raise Conflict(_l("Jadwal pertemuan dibuat setelah kurasi."), code="invalid_transition")
    errors: dict = {}
    tz = ZoneInfo(event.timezone)
    starts = parse_time(data.get("starts_at"), tz, "starts_at", errors)
    ends = parse_time(data.get("ends_at"), tz, "ends_at", errors)
    store = db.session.scalar(sa.select(Store).where(Store.slug == str(data.get("store_slug") or "")))
    if store is None:
        errors["store_slug"] = _l("Toko tidak ditemukan.")
    elif db.session.scalar(sa.select(Application.id).where(
            Application.event_id == event.id, Application.store_id == store.id,
            Application.status == ApplicationStatus.ACCEPTED)) is None:
        errors["store_slug"] = _l("Toko ini bukan peserta acara.")
    if starts and ends:
        if ends <= starts:
            errors["ends_at"] = _l("Selesai harus sesudah mulai.")
        elif not (as_utc(event.starts_at) <= starts and ends <= as_utc(event.ends_at)):
            errors["starts_at"] = _l("Jadwal harus di dalam waktu acara.")
    if errors:
        raise ValidationError(fields=errors)
    # serialise slot creation per store so two officers cannot overlap a seller
    db.session.execute(sa.select(Store.id).where(Store.id == store.id).with_for_update())
    overlap = db.session.scalar(sa.select(MeetingSlot.id).where(
        MeetingSlot.store_id == store.id, MeetingSlot.starts_at < ends, MeetingSlot.ends_at > starts))
    if overlap is not None:
        raise Conflict(_l("Penjual ini sudah punya jadwal pada waktu itu."), code="slot_overlap")
    slot = MeetingSlot(event_id=event.id, store_id=store.id, starts_at=starts, ends_at=ends)
    db.session.add(slot)
    db.session.flush()
    return slot


def slots_of(event: Event) -> list[MeetingSlot]:
    return list(db.session.scalars(sa.select(MeetingSlot).where(MeetingSlot.event_id == event.id)
                                   .order_by(MeetingSlot.starts_at, MeetingSlot.id)))


def active_booking(slot: MeetingSlot) -> Booking | None:
    return next((b for b in slot.bookings if b.status == "booked"), None)


def book_slot(slot: MeetingSlot, *, actor: User) -> Booking:
    """A registered buyer books a slot. Never two bookings of one slot (a unique index), never
    two overlapping meetings for one buyer (checked under a lock on their registration)."""
    event = db.session.get(Event, slot.event_id)
    if event.status not in (EventStatus.PUBLISHED, EventStatus.LIVE):
        raise Conflict(_l("Pemesanan pertemuan belum dibuka."), code="not_open")
    registration = db.session.scalar(sa.select(Registration).where(
        Registration.event_id == event.id, Registration.user_id == actor.id).with_for_update())
    if registration is None:
        raise Forbidden(_l("Daftar sebagai pembeli di acara ini terlebih dahulu."))
    locked = db.session.scalar(sa.select(MeetingSlot).where(MeetingSlot.id == slot.id).with_for_update())
    taken = db.session.scalar(sa.select(Booking.id).where(Booking.slot_id == locked.id,
                                                          Booking.status == "booked"))
    if taken is not None:
        raise Conflict(_l("Jadwal ini sudah dipesan."), code="slot_taken")
    clash = db.session.scalar(
        sa.select(Booking.id).join(MeetingSlot, MeetingSlot.id == Booking.slot_id)
        .where(Booking.buyer_id == actor.id, Booking.status == "booked",
               MeetingSlot.starts_at < locked.ends_at, MeetingSlot.ends_at > locked.starts_at))
    if clash is not None:
        raise Conflict(_l("Anda sudah punya pertemuan pada waktu itu."), code="buyer_busy")
    booking = Booking(slot_id=locked.id, buyer_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(booking)
    except IntegrityError:
        raise Conflict(_l("Jadwal ini sudah dipesan."), code="slot_taken") from None
    notify_user(locked.store.owner_id, "meeting_booked", event, when=_when(locked, event))
    return booking


def cancel_booking(booking: Booking, *, actor: User) -> Booking:
    """The buyer, the exhibitor or an officer cancels a booking; the slot is free again."""
    slot = booking.slot
    if actor.id not in (booking.buyer_id, slot.store.owner_id) and not actor.is_officer:
        raise NotFound()
    if booking.status != "booked":
        raise Conflict(_l("Pemesanan ini sudah dibatalkan."), code="already_cancelled")
    booking.status = "cancelled"
    booking.cancelled_by_id, booking.cancelled_at = actor.id, utcnow()
    db.session.flush()
    event = db.session.get(Event, slot.event_id)
    other = slot.store.owner_id if actor.id == booking.buyer_id else booking.buyer_id
    notify_user(other, "meeting_cancelled", event, when=_when(slot, event))
    return booking


def _when(slot: MeetingSlot, event: Event) -> str:
    """The slot's start in the event's zone, in the pages' one date-time format."""
    from marketplace.i18n import local_datetime

    return local_datetime(slot.starts_at, event.timezone)
