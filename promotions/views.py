"""Promotion pages: the public events and their showcase, buyer registration and meetings, and
the seller's applications; with the helpers the other page modules share. Requests for quotation
are in trade_views.py, the trade officer's desk in officer_views.py.

As in catalog/views.py, each view parses the request with a form from promotions.forms, calls a
service (promotions.services, promotions.trade, promotions.report) and renders. Services only
flush: a view commits after a successful call and rolls back when a service raises a
DomainError it expects (a ValidationError goes under the form fields, a Conflict is flashed);
NotFound and Forbidden become the 404 and 403 pages.
"""
from __future__ import annotations

import sqlalchemy as sa
from babel import Locale
from babel.numbers import format_currency
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from catalog import services as catalog_services
from catalog.access import store_required
from catalog.home import HomeSection
from marketplace.errors import Conflict, DomainError, NotFound, ValidationError
from marketplace.extensions import db
from marketplace.i18n import duration, duration_units, local_date, local_datetime, local_time, viewer_zone
from marketplace.timeutil import as_utc, isoformat, utcnow
from marketplace.web import acting_user, current_lang, flash_errors, safe_next
from promotions import bp, services, trade
from promotions.forms import (
    APPLICATION_LABELS,
    BUYER_TYPE_LABELS,
    KIND_LABELS,
    MOVE_LABELS,
    QUOTE_LABELS,
    RFQ_LABELS,
    STATUS_LABELS,
    ActionForm,
    ApplyForm,
    RegistrationForm,
    zone_label,
)
from promotions.models import Booking, EventStatus, MeetingSlot

PER_PAGE = 20
LIST_LIMIT = 100
REGISTRATION_OPEN = (EventStatus.OPEN, EventStatus.PUBLISHED, EventStatus.LIVE)
TRADE_OPEN = (EventStatus.PUBLISHED, EventStatus.LIVE)
INVITE_OPEN = (EventStatus.DRAFT, EventStatus.OPEN, EventStatus.CURATION)


# --- helpers ----------------------------------------------------------------------------------

def _countdown(event) -> dict:
    """Where the event stands now (services.event_phase) and, while it is upcoming or live, the
    moment counted down to (its start, or its end) and the time left as words."""
    phase = services.event_phase(event)
    if phase not in ("upcoming", "live"):
        return {"state": phase}
    target = as_utc(event.starts_at if phase == "upcoming" else event.ends_at)
    return {"state": phase, "target": target, "left": duration((target - utcnow()).total_seconds())}


def _until(value) -> str:
    """The time from now until `value`, in words ("7 hari 1 jam")."""
    return duration((as_utc(value) - utcnow()).total_seconds())


@bp.context_processor
def _promotion_helpers():
    lang = current_lang()
    territories = Locale.parse(lang).territories

    def country_name(code: str) -> str:
        return territories.get(code, code)

    def usd(value) -> str:
        return format_currency(value, "USD", locale=lang)

    return {"kind_labels": KIND_LABELS, "status_labels": STATUS_LABELS, "move_labels": MOVE_LABELS,
            "application_labels": APPLICATION_LABELS, "rfq_labels": RFQ_LABELS,
            "quote_labels": QUOTE_LABELS, "buyer_type_labels": BUYER_TYPE_LABELS,
            "zone_label": zone_label, "when": local_datetime, "clock": local_time, "iso": isoformat, "viewer_zone": viewer_zone(),
            "country_name": country_name, "usd": usd, "day": local_date, "duration": _until,
            "duration_units": duration_units, "shown_status": services.shown_status}


def home_events():
    """The home page's section of live and upcoming events (catalog's `home_sections` hook),
    or None when there is none."""
    events = services.current_events()
    if not events:
        return None
    return HomeSection("promotions/_home_events.html", {"events": events, **_promotion_helpers()},
                       order=10)


# --- public event pages -----------------------------------------------------------------------

@bp.get("/acara")
def events():
    """Public events (open, published, live, closed), newest first, by kind and status."""
    kind = request.args.get("kind") or None
    status = request.args.get("status") or None
    kind = kind if kind in KIND_LABELS else None
    status = status if status in services.PUBLIC else None
    stmt = services.list_events(None, status=status, kind=kind)
    page = db.paginate(stmt, per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    store = catalog_services.store_of(acting_user()) if acting_user() else None
    return render_template("promotions/events.html", page=page, kind=kind, status=status,
                           public_statuses=[s for s in STATUS_LABELS if s in services.PUBLIC],
                           store=store)


def _render_event(event, reg_form: RegistrationForm | None = None, status: int = 200):
    me = acting_user()
    registration = services.registration_of(event, me) if me else None
    store = catalog_services.store_of(me) if me else None
    if reg_form is None:
        reg_form = RegistrationForm(formdata=None)
    reg_form.set_choices(current_lang())
    slots = trade.slots_of(event)
    mine = {}
    if me is not None:
        mine = {b.slot_id: b for b in db.session.scalars(sa.select(Booking).where(
            Booking.buyer_id == me.id, Booking.status == "booked",
            Booking.slot_id.in_([s.id for s in slots])))} if slots else {}
    return render_template(
        "promotions/event.html", event=event, lang=current_lang(),
        exhibitors=services.exhibitors(event), showcase=services.event_products(event),
        prices_valid=services.event_prices_valid(event), registration=registration,
        reg_form=reg_form, store=store,
        application=services.application_of(event, store) if store else None,
        slots=slots, my_bookings=mine, taken={s.id for s in slots if trade.active_booking(s)},
        countdown=_countdown(event), registration_open=event.status in REGISTRATION_OPEN,
        trade_open=event.status in TRADE_OPEN), status


@bp.get("/acara/<slug>")
def event_page(slug: str):
    """An event: what, when (in its own zone and the viewer's), where, who exhibits, the
    showcase with event prices, registration, meetings and the search within the event."""
    return _render_event(services.visible_event(slug, acting_user()))


@bp.post("/acara/<slug>/daftar")
@login_required
def register(slug: str):
    """A buyer registers for the event (domestic or export, company, country)."""
    me = acting_user()
    event = services.visible_event(slug, me)
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            services.register(event, me, form.service_data())
        except ValidationError as exc:
            flash_errors(exc, form)
            return _render_event(event, reg_form=form)
        except Conflict as exc:
            flash_errors(exc)
        else:
            flash(_("Anda terdaftar sebagai pembeli di acara ini."), "success")
    return redirect(url_for("promotions.event_page", slug=slug, _anchor="daftar"))


def _event_slot(slug: str, slot_id: int):
    event = services.visible_event(slug, acting_user())
    slot = db.session.get(MeetingSlot, slot_id)
    if slot is None or slot.event_id != event.id:
        raise NotFound()
    return event, slot


@bp.post("/acara/<slug>/pertemuan/<int:slot_id>/pesan")
@login_required
def book_slot(slug: str, slot_id: int):
    """A registered buyer books a meeting slot; a taken slot or a clash is flashed."""
    _event, slot = _event_slot(slug, slot_id)
    if ActionForm().validate_on_submit():
        try:
            trade.book_slot(slot, actor=acting_user())
        except Conflict as exc:
            flash_errors(exc)
        else:
            flash(_("Pertemuan dipesan."), "success")
    return redirect(url_for("promotions.event_page", slug=slug, _anchor="pertemuan"))


@bp.post("/acara/<slug>/pertemuan/pesanan/<int:booking_id>/batal")
@login_required
def cancel_booking(slug: str, booking_id: int):
    """The buyer, the exhibitor or an officer cancels a booking."""
    event = services.visible_event(slug, acting_user())
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.slot.event_id != event.id:
        raise NotFound()
    form = ActionForm()
    if form.validate_on_submit():
        try:
            trade.cancel_booking(booking, actor=acting_user())
        except Conflict as exc:
            flash_errors(exc)
        else:
            flash(_("Pemesanan pertemuan dibatalkan."), "success")
    fallback = url_for("promotions.event_page", slug=slug, _anchor="pertemuan")
    return redirect(safe_next(form.next.data, fallback))


# --- seller pages -----------------------------------------------------------------------------

#: Seller pages of events: without a store, say why and go to "open a store".
exhibitor_required = store_required(message=_l("Buka toko terlebih dahulu untuk ikut pameran."))


@bp.route("/acara/<slug>/daftar-peserta", methods=["GET", "POST"])
@exhibitor_required
def apply(slug: str, store):
    """A seller applies to exhibit with some of the store's active products and a pitch."""
    me = acting_user()
    event = services.visible_event(slug, me)
    products = db.session.scalars(catalog_services.active_products(store=store)).all()
    form = ApplyForm()
    form.set_products(products, current_lang())
    existing = services.application_of(event, store)
    if existing is None and form.validate_on_submit():
        try:
            services.apply(event, store, product_ids=list(form.product_ids.data or []),
                           pitch=form.pitch.data, actor=me)
        except DomainError as exc:
            flash_errors(exc, form)
        else:
            flash(_("Pendaftaran toko Anda ke %(event)s terkirim. Petugas akan memeriksanya.",
                    event=event.display_title(current_lang())), "success")
            return redirect(url_for("promotions.my_applications"))
    return render_template("promotions/apply.html", event=event, store=store, form=form,
                           products=products, existing=existing)


@bp.get("/jual/acara")
@exhibitor_required
def my_applications(store):
    """The store's applications and invitations, with their status and the officer's reason."""
    return render_template("promotions/my_applications.html", store=store,
                           applications=services.applications_of_store(store, actor=acting_user()))
