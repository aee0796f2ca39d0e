"""The trade officer's desk: events, their life cycle, applications, invitations, curation,
meeting slots and the report.
"""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from catalog import services as catalog_services
from marketplace.auth import officer_required
from marketplace.errors import Conflict, DomainError, NotFound, ValidationError
from marketplace.extensions import db
from marketplace.forms import apply_errors
from marketplace.web import acting_user, current_lang, flash_errors
from promotions import bp, services, trade
from promotions import report as reports
from promotions.forms import (
    STATUS_LABELS,
    CurateForm,
    DecisionForm,
    EventForm,
    InviteForm,
    SlotForm,
    TransitionForm,
    curate_form_data,
    event_form_data,
)
from promotions.models import EventStatus

PER_PAGE = 20
LIST_LIMIT = 100
REGISTRATION_OPEN = (EventStatus.OPEN, EventStatus.PUBLISHED, EventStatus.LIVE)
TRADE_OPEN = (EventStatus.PUBLISHED, EventStatus.LIVE)
INVITE_OPEN = (EventStatus.DRAFT, EventStatus.OPEN, EventStatus.CURATION)


# --- officer pages ----------------------------------------------------------------------------

def _officer_event(slug: str):
    return services.visible_event(slug, acting_user())


@bp.get("/petugas/acara")
@officer_required
def manage_events():
    """Every event, drafts included, with its status and counts."""
    rows = db.session.scalars(services.list_events(acting_user()).limit(200)).all()
    return render_template("promotions/manage_events.html", events=rows,
                           counts=services.event_counts([e.id for e in rows]))


def _event_form(event=None) -> EventForm:
    form = EventForm(data=event_form_data(event)) if event is not None else EventForm()
    form.set_category_choices(catalog_services.category_tree(), current_lang())
    return form


@bp.route("/petugas/acara/baru", methods=["GET", "POST"])
@officer_required
def event_new():
    """A new event, in draft."""
    form = _event_form()
    if form.validate_on_submit():
        try:
            event = services.create_event(form.service_data(), actor=acting_user())
        except DomainError as exc:
            flash_errors(exc, form)
        else:
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
            services.update_event(event, form.service_data(), actor=acting_user())
        except DomainError as exc:
            flash_errors(exc, form)
        else:
            flash(_("Perubahan acara tersimpan."), "success")
            return redirect(url_for("promotions.event_manage", slug=slug))
    return render_template("promotions/event_form.html", form=form, event=event)


def _render_manage(event, *, curate_form=None, slot_form=None, status: int = 200):
    me = acting_user()
    showcase = services.event_products(event)
    exhibitors = services.exhibitors(event)
    invite_store, invite_form = None, None
    if event.status in INVITE_OPEN and request.args.get("undang"):
        invite_store = catalog_services.get_store(request.args["undang"])
        invite_form = InviteForm(formdata=None, store_slug=invite_store.slug)
        invite_form.set_products(db.session.scalars(
            catalog_services.active_products(store=invite_store)).all(), current_lang())
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
        starts_early=services.starts_early(event),
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
        early = form.confirm_early.data == "1"
        if form.action.data == "start" and services.starts_early(event) and not early:
            # starting before the planned dates is a decision: show them and ask first
            return render_template("promotions/event_start_confirm.html", event=event,
                                   form=TransitionForm(formdata=None, action="start",
                                                       confirm_early="1"))
        try:
            services.transition_event(event, form.action.data, actor=acting_user(), early=early)
        except DomainError as exc:
            flash_errors(exc)
        else:
            flash(_("Status acara sekarang: %(status)s.", status=STATUS_LABELS[event.status]), "success")
    return redirect(url_for("promotions.event_manage", slug=slug))


@bp.post("/petugas/acara/<slug>/peserta/<int:application_id>")
@officer_required
def event_decide(slug: str, application_id: int):
    """Accept or reject (with a reason) one application."""
    event = _officer_event(slug)
    application = next((a for a in services.applications_of_event(event, actor=acting_user())
                        if a.id == application_id), None)
    if application is None:
        raise NotFound()
    form = DecisionForm()
    if form.validate_on_submit():
        if form.decision.data not in ("accept", "reject"):
            abort(400)
        try:
            services.decide(application, accept=form.decision.data == "accept",
                            reason=form.reason.data, actor=acting_user())
        except DomainError as exc:
            flash_errors(exc)
        else:
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
            services.invite(event, store, product_ids=list(form.product_ids.data or []), actor=acting_user())
        except DomainError as exc:
            flash_errors(exc)
            return redirect(url_for("promotions.event_manage", slug=slug, undang=store.slug,
                                    _anchor="undang"))
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
            services.curate(event, form.service_items(), actor=acting_user())
        except DomainError as exc:
            db.session.rollback()
            for message in apply_errors(form, exc):
                flash(message, "error")
            return _render_manage(event, curate_form=form)
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
            trade.create_slot(event, form.service_data(), actor=acting_user())
        except ValidationError as exc:
            flash_errors(exc, form)
            return _render_manage(event, slot_form=form)
        except Conflict as exc:
            flash_errors(exc)
        else:
            flash(_("Jadwal pertemuan ditambahkan."), "success")
    return redirect(url_for("promotions.event_manage", slug=slug, _anchor="pertemuan"))


@bp.get("/petugas/acara/<slug>/laporan")
@officer_required
def event_report(slug: str):
    """What the event produced: exhibitors, buyers by country, the RFQ funnel, the value."""
    event = _officer_event(slug)
    return render_template("promotions/report.html", event=event,
                           report=reports.event_report(event, actor=acting_user()))


@bp.get("/petugas/acara/<slug>/laporan.csv")
@officer_required
def event_report_csv(slug: str):
    """The report as CSV, for spreadsheets."""
    event = _officer_event(slug)
    body = reports.report_csv(reports.event_report(event, actor=acting_user()))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="laporan-{event.slug}.csv"'})
