"""Promotion pages: the public events and their showcase, buyer registration and meetings, the
seller's applications, requests for quotation with their quotes, and the trade officer's desk
(events, life cycle, applications, invitations, curation, meeting slots, report).

As in catalog/views.py, each view parses the request with a form from promotions.forms, calls a
service (promotions.services, promotions.trade, promotions.report) and renders. Services only
flush: a view commits after a successful call and rolls back when a service raises a
DomainError it expects (a ValidationError goes under the form fields, a Conflict is flashed);
NotFound and Forbidden become the 404 and 403 pages.
"""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_currency
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required

from catalog import services as catalog_services
from catalog.images import image_url
from catalog.models import Province, Regency
from marketplace.auth import officer_required
from marketplace.errors import Conflict, DomainError, NotFound, ValidationError
from marketplace.extensions import db
from marketplace.timeutil import as_utc, isoformat, utcnow
from marketplace.web import safe_next
from promotions import bp, services, trade
from promotions import report as reports
from promotions.forms import (APPLICATION_LABELS, BUYER_TYPE_LABELS, KIND_LABELS, MOVE_LABELS,
                              QUOTE_LABELS, RFQ_LABELS, STATUS_LABELS, AcceptQuoteForm, ActionForm,
                              ApplyForm, CurateForm, DecisionForm, EventForm, InviteForm,
                              MessageForm, QuoteForm, RegistrationForm, RfqForm, SlotForm,
                              TransitionForm, apply_errors, curate_form_data, event_form_data,
                              zone_label)
from promotions.models import Booking, EventStatus, MeetingSlot, Quote, QuoteStatus, RfqStatus

PER_PAGE = 20
LIST_LIMIT = 100
REGISTRATION_OPEN = (EventStatus.OPEN, EventStatus.PUBLISHED, EventStatus.LIVE)
TRADE_OPEN = (EventStatus.PUBLISHED, EventStatus.LIVE)
INVITE_OPEN = (EventStatus.DRAFT, EventStatus.OPEN, EventStatus.CURATION)


# --- helpers ----------------------------------------------------------------------------------

def _me():
    """The signed-in user as a real model object (services compare and store it), or None."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def _lang() -> str:
    return str(get_locale() or "id")


def _failed(form, exc: DomainError) -> None:
    """Roll back; put field errors under the form's fields and flash the rest."""
    db.session.rollback()
    for message in apply_errors(form, exc) if form is not None else [exc.message]:
        flash(message, "error")


def _flash_conflict(exc: DomainError) -> None:
    db.session.rollback()
    for message in (list(exc.fields.values()) or [exc.message]):
        flash(message, "error")


def _when(value, zone: str) -> str:
    """A moment in `zone`, e.g. "Kamis, 10 Des 2026 09.00 WIB"."""
    local = as_utc(value).astimezone(ZoneInfo(zone))
    lang = _lang()
    return "%s %s %s" % (format_date(local, "EEE, d MMM y", locale=lang),
                         format_time(local, "short", locale=lang), zone_label(zone))


def _clock(value, zone: str) -> str:
    """Just the time of day in `zone`, e.g. "10.30"."""
    return format_time(as_utc(value).astimezone(ZoneInfo(zone)), "short", locale=_lang())


def _viewer_zone() -> str:
    tz = get_timezone()
    return getattr(tz, "key", None) or str(tz)


def _countdown(event) -> dict:
    """Where the event stands now: upcoming (with days, hours, minutes left), running or ended."""
    now = utcnow()
    starts, ends = as_utc(event.starts_at), as_utc(event.ends_at)
    if now >= ends:
        return {"state": "ended"}
    if now >= starts:
        return {"state": "running"}
    left = int((starts - now).total_seconds())
    return {"state": "upcoming", "days": left // 86400, "hours": left % 86400 // 3600,
            "minutes": left % 3600 // 60}


@bp.context_processor
def _promotion_helpers():
    lang = _lang()
    territories = Locale.parse(lang).territories

    def country_name(code: str) -> str:
        return territories.get(code, code)

    def usd(value) -> str:
        return format_currency(value, "USD", locale=lang)

    def day(value) -> str:
        """A date (or an ISO date string), e.g. "31 Des 2026"."""
        value = date.fromisoformat(value) if isinstance(value, str) else value
        return format_date(value, "d MMM y", locale=lang)

    def page_url(page: int) -> str:
        args = {**request.view_args, **request.args.to_dict(), "page": page}
        return url_for(request.endpoint, **args)

    return {"kind_labels": KIND_LABELS, "status_labels": STATUS_LABELS, "move_labels": MOVE_LABELS,
            "application_labels": APPLICATION_LABELS, "rfq_labels": RFQ_LABELS,
            "quote_labels": QUOTE_LABELS, "buyer_type_labels": BUYER_TYPE_LABELS,
            "zone_label": zone_label, "when": _when, "clock": _clock, "iso": isoformat, "viewer_zone": _viewer_zone(),
            "country_name": country_name, "usd": usd, "day": day,
            "image_url": image_url, "page_url": page_url}


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
    store = catalog_services.store_of(_me()) if _me() else None
    return render_template("promotions/events.html", page=page, kind=kind, status=status,
                           public_statuses=[s for s in STATUS_LABELS if s in services.PUBLIC],
                           store=store)


def _render_event(event, reg_form: RegistrationForm | None = None, status: int = 200):
    me = _me()
    registration = services.registration_of(event, me) if me else None
    store = catalog_services.store_of(me) if me else None
    if reg_form is None:
        reg_form = RegistrationForm(formdata=None)
    reg_form.set_choices(_lang())
    slots = trade.slots_of(event)
    mine = {}
    if me is not None:
        mine = {b.slot_id: b for b in db.session.scalars(sa.select(Booking).where(
            Booking.buyer_id == me.id, Booking.status == "booked",
            Booking.slot_id.in_([s.id for s in slots])))} if slots else {}
    return render_template(
        "promotions/event.html", event=event, lang=_lang(),
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
    return _render_event(services.visible_event(slug, _me()))


@bp.post("/acara/<slug>/daftar")
@login_required
def register(slug: str):
    """A buyer registers for the event (domestic or export, company, country)."""
    me = _me()
    event = services.visible_event(slug, me)
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            services.register(event, me, form.service_data())
        except ValidationError as exc:
            _failed(form, exc)
            return _render_event(event, reg_form=form)
        except Conflict as exc:
            _flash_conflict(exc)
        else:
            db.session.commit()
            flash(_("Anda terdaftar sebagai pembeli di acara ini."), "success")
    return redirect(url_for("promotions.event_page", slug=slug, _anchor="daftar"))


def _event_slot(slug: str, slot_id: int):
    event = services.visible_event(slug, _me())
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
            trade.book_slot(slot, actor=_me())
        except Conflict as exc:
            _flash_conflict(exc)
        else:
            db.session.commit()
            flash(_("Pertemuan dipesan."), "success")
    return redirect(url_for("promotions.event_page", slug=slug, _anchor="pertemuan"))


@bp.post("/acara/<slug>/pertemuan/pesanan/<int:booking_id>/batal")
@login_required
def cancel_booking(slug: str, booking_id: int):
    """The buyer, the exhibitor or an officer cancels a booking."""
    event = services.visible_event(slug, _me())
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.slot.event_id != event.id:
        raise NotFound()
    form = ActionForm()
    if form.validate_on_submit():
        try:
            trade.cancel_booking(booking, actor=_me())
        except Conflict as exc:
            _flash_conflict(exc)
        else:
            db.session.commit()
            flash(_("Pemesanan pertemuan dibatalkan."), "success")
    fallback = url_for("promotions.event_page", slug=slug, _anchor="pertemuan")
    return redirect(safe_next(form.next.data, fallback))


# --- seller pages -----------------------------------------------------------------------------

def _my_store():
    store = catalog_services.store_of(_me())
    if store is None:
        flash(_("Buka toko terlebih dahulu untuk ikut pameran."), "info")
    return store


@bp.route("/acara/<slug>/daftar-peserta", methods=["GET", "POST"])
@login_required
def apply(slug: str):
    """A seller applies to exhibit with some of the store's active products and a pitch."""
    me = _me()
    event = services.visible_event(slug, me)
    store = _my_store()
    if store is None:
        return redirect(url_for("catalog.store_new"))
    products = db.session.scalars(catalog_services.active_products(store=store)).all()
    form = ApplyForm()
    form.set_products(products, _lang())
    existing = services.application_of(event, store)
    if existing is None and form.validate_on_submit():
        try:
            services.apply(event, store, product_ids=list(form.product_ids.data or []),
                           pitch=form.pitch.data, actor=me)
        except DomainError as exc:
            _failed(form, exc)
        else:
            db.session.commit()
            flash(_("Pendaftaran toko Anda ke %(event)s terkirim. Petugas akan memeriksanya.",
                    event=event.display_title(_lang())), "success")
            return redirect(url_for("promotions.my_applications"))
    return render_template("promotions/apply.html", event=event, store=store, form=form,
                           products=products, existing=existing)


@bp.get("/jual/acara")
@login_required
def my_applications():
    """The store's applications and invitations, with their status and the officer's reason."""
    store = _my_store()
    if store is None:
        return redirect(url_for("catalog.store_new"))
    return render_template("promotions/my_applications.html", store=store,
                           applications=services.applications_of_store(store, actor=_me()))


# --- requests for quotation -------------------------------------------------------------------

@bp.route("/rfq/baru", methods=["GET", "POST"])
@login_required
def rfq_new():
    """A buyer asks the product's seller for a quotation, within an event or not."""
    me = _me()
    form = RfqForm()
    form.set_choices(_lang())
    if request.method == "GET":
        form.product_id.data = request.args.get("product", "")
        form.event.data = request.args.get("event", "")
    try:
        product = catalog_services.visible_product(int(form.product_id.data or ""), me)
    except ValueError:
        abort(404)
    event = services.visible_event(form.event.data, me) if form.event.data else None
    if request.method == "GET" and event is not None:
        registration = services.registration_of(event, me)
        if registration is not None:
            form.destination_country.data = registration.country
    if form.validate_on_submit():
        try:
            rfq = trade.create_rfq(me, form.service_data())
        except ValidationError as exc:
            _failed(form, exc)
        except DomainError as exc:  # not registered for the event (403), or one's own product
            _flash_conflict(exc)
            if event is not None:
                return redirect(url_for("promotions.event_page", slug=event.slug, _anchor="daftar"))
        else:
            db.session.commit()
            flash(_("Permintaan penawaran terkirim ke %(store)s.", store=product.store.name), "success")
            return redirect(url_for("promotions.rfq_page", rfq_id=rfq.id))
    return render_template("promotions/rfq_new.html", form=form, product=product, event=event)


@bp.get("/rfq")
@login_required
def rfqs():
    """My requests for quotation as a buyer, and my store's as a seller."""
    me = _me()
    store = catalog_services.store_of(me)
    sent = db.session.scalars(trade.rfqs_of_buyer(me).limit(LIST_LIMIT)).all()
    received = db.session.scalars(trade.rfqs_of_store(store, actor=me).limit(LIST_LIMIT)).all() \
        if store else []
    return render_template("promotions/rfqs.html", sent=sent, received=received, store=store)


def _render_rfq(rfq, *, message_form=None, quote_form=None, accept_form=None):
    me = _me()
    is_buyer, is_seller = rfq.buyer_id == me.id, rfq.store.owner_id == me.id
    offered = next((q for q in rfq.quotes if q.status == QuoteStatus.OFFERED), None)
    accept_form = accept_form or AcceptQuoteForm(formdata=None, name=me.name,
                                                 country=rfq.destination_country)
    accept_form.set_choices(
        lang=_lang(), provinces=db.session.scalars(sa.select(Province).order_by(Province.name)).all(),
        regencies=db.session.scalars(sa.select(Regency).order_by(Regency.name)).all())
    return render_template(
        "promotions/rfq.html", rfq=rfq, is_buyer=is_buyer, is_seller=is_seller, offered=offered,
        can_quote=is_seller and rfq.status in (RfqStatus.OPEN, RfqStatus.QUOTED),
        message_form=message_form or MessageForm(formdata=None),
        quote_form=quote_form or QuoteForm(formdata=None), accept_form=accept_form,
        action_form=ActionForm(formdata=None), today=utcnow().date())


@bp.get("/rfq/<int:rfq_id>")
@login_required
def rfq_page(rfq_id: int):
    """An RFQ for its buyer and seller: the request, the thread, the quotes and what to do next."""
    return _render_rfq(trade.rfq_for(rfq_id, _me()))


@bp.post("/rfq/<int:rfq_id>/pesan")
@login_required
def rfq_message(rfq_id: int):
    """Add a message to the RFQ's thread."""
    rfq = trade.rfq_for(rfq_id, _me())
    form = MessageForm()
    if form.validate_on_submit():
        try:
            trade.post_message(rfq, form.body.data, actor=_me())
        except ValidationError as exc:
            _failed(form, exc)
            return _render_rfq(rfq, message_form=form)
        db.session.commit()
    return redirect(url_for("promotions.rfq_page", rfq_id=rfq_id, _anchor="pesan"))


@bp.post("/rfq/<int:rfq_id>/penawaran")
@login_required
def rfq_quote(rfq_id: int):
    """The seller answers with a quote (a newer quote replaces the one on offer)."""
    rfq = trade.rfq_for(rfq_id, _me())
    form = QuoteForm()
    if form.validate_on_submit():
        try:
            trade.make_quote(rfq, form.service_data(), actor=_me())
        except ValidationError as exc:
            _failed(form, exc)
            return _render_rfq(rfq, quote_form=form)
        except Conflict as exc:
            _flash_conflict(exc)
        else:
            db.session.commit()
            flash(_("Penawaran terkirim ke pembeli."), "success")
    return redirect(url_for("promotions.rfq_page", rfq_id=rfq_id))


def _quote(quote_id: int) -> Quote:
    return trade.quote_for(quote_id, _me())


@bp.post("/penawaran/<int:quote_id>/terima")
@login_required
def quote_accept(quote_id: int):
    """The buyer accepts a quote: an order at the quoted price, paid by bank transfer."""
    quote = _quote(quote_id)
    form = AcceptQuoteForm()
    if form.validate_on_submit():
        try:
            trade.accept_quote(quote, actor=_me(), shipping_address=form.address(),
                               payment_method="bank_transfer")
        except ValidationError as exc:
            db.session.rollback()
            for message in form.apply_errors(exc):
                flash(message, "error")
            return _render_rfq(trade.rfq_for(quote.rfq_id, _me()), accept_form=form)
        except Conflict as exc:
            _flash_conflict(exc)
        else:
            db.session.commit()
            flash(_("Penawaran diterima. Pesanan dibuat; silakan transfer sesuai petunjuk."), "success")
            return redirect(f"/pesanan/{quote.order_id}")
    return redirect(url_for("promotions.rfq_page", rfq_id=quote.rfq_id))


@bp.post("/penawaran/<int:quote_id>/tolak")
@login_required
def quote_decline(quote_id: int):
    """The buyer declines a quote."""
    quote = _quote(quote_id)
    if ActionForm().validate_on_submit():
        try:
            trade.decline_quote(quote, actor=_me())
        except Conflict as exc:
            _flash_conflict(exc)
        else:
            db.session.commit()
            flash(_("Penawaran ditolak."), "info")
    return redirect(url_for("promotions.rfq_page", rfq_id=quote.rfq_id))


# --- officer pages ----------------------------------------------------------------------------

def _officer_event(slug: str):
    return services.visible_event(slug, _me())


@bp.get("/petugas/acara")
@officer_required
def manage_events():
    """Every event, drafts included, with its status and counts."""
    rows = db.session.scalars(services.list_events(_me()).limit(200)).all()
    return render_template("promotions/manage_events.html", events=rows,
                           counts=services.event_counts([e.id for e in rows]))


def _event_form(event=None) -> EventForm:
    form = EventForm(data=event_form_data(event)) if event is not None else EventForm()
    form.set_category_choices(catalog_services.category_tree(), _lang())
    return form


@bp.route("/petugas/acara/baru", methods=["GET", "POST"])
@officer_required
def event_new():
    """A new event, in draft."""
    form = _event_form()
    if form.validate_on_submit():
        try:
            event = services.create_event(form.service_data(), actor=_me())
        except DomainError as exc:
            _failed(form, exc)
        else:
            db.session.commit()
            flash(_("Acara %(title)s tersimpan sebagai draf.", title=event.title), "success")
            return redirect(url_for("promotions.event_manage", slug=event.slug))
    return render_template("promotions/event_form.html", form=form, event=None)


@bp.route("/petugas/acara/<slug>/ubah", methods=["GET", "POST"])
@officer_required
def event_edit(slug: str):
    """Change an event's details (not once it is closed or cancelled)."""
    event = _officer_event(slug)
    form = _event_form(event)
    if form.validate_on_submit():
        try:
            services.update_event(event, form.service_data(), actor=_me())
        except DomainError as exc:
            _failed(form, exc)
        else:
            db.session.commit()
            flash(_("Perubahan acara tersimpan."), "success")
            return redirect(url_for("promotions.event_manage", slug=slug))
    return render_template("promotions/event_form.html", form=form, event=event)


def _render_manage(event, *, curate_form=None, slot_form=None, status: int = 200):
    me = _me()
    showcase = services.event_products(event)
    exhibitors = services.exhibitors(event)
    invite_store, invite_form = None, None
    if event.status in INVITE_OPEN and request.args.get("undang"):
        invite_store = catalog_services.get_store(request.args["undang"])
        invite_form = InviteForm(formdata=None, store_slug=invite_store.slug)
        invite_form.set_products(db.session.scalars(
            catalog_services.active_products(store=invite_store)).all(), _lang())
    if slot_form is None:
        slot_form = SlotForm(formdata=None)
    slot_form.set_stores(exhibitors)
    return render_template(
        "promotions/event_manage.html", event=event,
        moves=[a for a, move in services.MOVES.items() if event.status in move.sources],
        applications=services.applications_of_event(event, actor=me),
        invitable=services.stores_to_invite(event, actor=me) if event.status in INVITE_OPEN else [],
        invite_store=invite_store, invite_form=invite_form, showcase=showcase,
        by_product={ep.product_id: ep for ep in showcase},
        curate_form=curate_form or CurateForm(formdata=None, data=curate_form_data(showcase)),
        slot_form=slot_form, slots=trade.slots_of(event), exhibitors=exhibitors,
        registrations=services.event_counts([event.id])[event.id]["registrations"]), status


@bp.get("/petugas/acara/<slug>")
@officer_required
def event_manage(slug: str):
    """The officer's desk for one event: life cycle, applications, invitations, curation,
    meeting slots and the report."""
    return _render_manage(_officer_event(slug))


@bp.post("/petugas/acara/<slug>/status")
@officer_required
def event_transition(slug: str):
    """Move the event one step along its life cycle (services.MOVES)."""
    event = _officer_event(slug)
    form = TransitionForm()
    if form.validate_on_submit():
        try:
            services.transition_event(event, form.action.data, actor=_me())
        except DomainError as exc:
            _flash_conflict(exc)
        else:
            db.session.commit()
            flash(_("Status acara sekarang: %(status)s.", status=STATUS_LABELS[event.status]), "success")
    return redirect(url_for("promotions.event_manage", slug=slug))


@bp.post("/petugas/acara/<slug>/peserta/<int:application_id>")
@officer_required
def event_decide(slug: str, application_id: int):
    """Accept or reject (with a reason) one application."""
    event = _officer_event(slug)
    application = next((a for a in services.applications_of_event(event, actor=_me())
                        if a.id == application_id), None)
    if application is None:
        raise NotFound()
    form = DecisionForm()
    if form.validate_on_submit():
        if form.decision.data not in ("accept", "reject"):
            abort(400)
        try:
            services.decide(application, accept=form.decision.data == "accept",
                            reason=form.reason.data, actor=_me())
        except DomainError as exc:
            _flash_conflict(exc)
        else:
            db.session.commit()
            if application.status == "accepted":
                flash(_("%(store)s diterima sebagai peserta.", store=application.store.name), "success")
            else:
                flash(_("Pendaftaran %(store)s ditolak.", store=application.store.name), "info")
    return redirect(url_for("promotions.event_manage", slug=slug, _anchor="pendaftar"))


@bp.post("/petugas/acara/<slug>/undang")
@officer_required
def event_invite(slug: str):
    """Invite a store directly with some of its products."""
    event = _officer_event(slug)
    form = InviteForm()
    if form.validate_on_submit():
        store = catalog_services.get_store(form.store_slug.data or "")
        try:
            services.invite(event, store, product_ids=list(form.product_ids.data or []), actor=_me())
        except DomainError as exc:
            _flash_conflict(exc)
            return redirect(url_for("promotions.event_manage", slug=slug, undang=store.slug,
                                    _anchor="undang"))
        db.session.commit()
        flash(_("%(store)s diundang menjadi peserta.", store=store.name), "success")
    return redirect(url_for("promotions.event_manage", slug=slug, _anchor="pendaftar"))


@bp.post("/petugas/acara/<slug>/kurasi")
@officer_required
def event_curate(slug: str):
    """Save the showcase: positions, featured products and event prices."""
    event = _officer_event(slug)
    form = CurateForm()
    if form.validate_on_submit():
        try:
            services.curate(event, form.service_items(), actor=_me())
        except DomainError as exc:
            db.session.rollback()
            for message in form.apply_errors(exc):
                flash(message, "error")
            return _render_manage(event, curate_form=form)
        db.session.commit()
        flash(_("Etalase acara tersimpan."), "success")
    return redirect(url_for("promotions.event_manage", slug=slug, _anchor="etalase"))


@bp.post("/petugas/acara/<slug>/pertemuan")
@officer_required
def event_slot_new(slug: str):
    """Publish a meeting slot with one exhibitor, in the event's zone."""
    event = _officer_event(slug)
    form = SlotForm()
    if form.validate_on_submit():
        try:
            trade.create_slot(event, form.service_data(), actor=_me())
        except ValidationError as exc:
            _failed(form, exc)
            return _render_manage(event, slot_form=form)
        except Conflict as exc:
            _flash_conflict(exc)
        else:
            db.session.commit()
            flash(_("Jadwal pertemuan ditambahkan."), "success")
    return redirect(url_for("promotions.event_manage", slug=slug, _anchor="pertemuan"))


@bp.get("/petugas/acara/<slug>/laporan")
@officer_required
def event_report(slug: str):
    """What the event produced: exhibitors, buyers by country, the RFQ funnel, the value."""
    event = _officer_event(slug)
    return render_template("promotions/report.html", event=event,
                           report=reports.event_report(event, actor=_me()))


@bp.get("/petugas/acara/<slug>/laporan.csv")
@officer_required
def event_report_csv(slug: str):
    """The report as CSV, for spreadsheets."""
    event = _officer_event(slug)
    body = reports.report_csv(reports.event_report(event, actor=_me()))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="laporan-{event.slug}.csv"'})
