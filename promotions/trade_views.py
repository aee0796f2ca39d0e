"""Request-for-quotation pages: new RFQ, the buyer's and the seller's RFQs, the thread with quotes,
accepting (into an order) and declining.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from catalog import services as catalog_services
from marketplace.errors import Conflict, DomainError, ValidationError
from marketplace.extensions import db
from marketplace.forms import apply_errors
from marketplace.timeutil import utcnow
from marketplace.web import acting_user, current_lang, flash_errors
from orders.terms import terms_label
from promotions import bp, services, trade
from promotions.forms import AcceptQuoteForm, ActionForm, MessageForm, QuoteForm, RfqForm, freight_line
from promotions.models import EXPORT_PORTS, FREIGHT_TERMS, EventStatus, Quote, QuoteStatus, RfqStatus

PER_PAGE = 20
LIST_LIMIT = 100
REGISTRATION_OPEN = (EventStatus.OPEN, EventStatus.PUBLISHED, EventStatus.LIVE)
TRADE_OPEN = (EventStatus.PUBLISHED, EventStatus.LIVE)
INVITE_OPEN = (EventStatus.DRAFT, EventStatus.OPEN, EventStatus.CURATION)


# --- requests for quotation -------------------------------------------------------------------

@bp.route("/rfq/baru", methods=["GET", "POST"])
@login_required
def rfq_new():
    """A buyer asks the product's seller for a quotation, within an event or not."""
    me = acting_user()
    form = RfqForm()
    form.set_choices(current_lang())
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
            flash_errors(exc, form)
        except DomainError as exc:  # not registered for the event (403), or one's own product
            flash_errors(exc)
            if event is not None:
                return redirect(url_for("promotions.event_page", slug=event.slug, _anchor="daftar"))
        else:
            flash(_("Permintaan penawaran terkirim ke %(store)s.", store=product.store.name), "success")
            return redirect(url_for("promotions.rfq_page", rfq_id=rfq.id))
    return render_template("promotions/rfq_new.html", form=form, product=product, event=event)


@bp.get("/rfq")
@login_required
def rfqs():
    """My requests for quotation as a buyer, and my store's as a seller."""
    me = acting_user()
    store = catalog_services.store_of(me)
    sent = db.session.scalars(trade.rfqs_of_buyer(me).limit(LIST_LIMIT)).all()
    received = db.session.scalars(trade.rfqs_of_store(store, actor=me).limit(LIST_LIMIT)).all() \
        if store else []
    return render_template("promotions/rfqs.html", sent=sent, received=received, store=store)


def _render_rfq(rfq, *, message_form=None, quote_form=None, accept_form=None):
    me = acting_user()
    is_buyer, is_seller = rfq.buyer_id == me.id, rfq.store.owner_id == me.id
    offered = next((q for q in rfq.quotes if q.status == QuoteStatus.OFFERED), None)
    accept_form = accept_form or AcceptQuoteForm(formdata=None, name=me.name,
                                                 country=rfq.destination_country)
    accept_form.set_choices(lang=current_lang())
    quote_form = quote_form or QuoteForm(formdata=None)
    quote_form.set_terms(rfq.incoterm)
    return render_template(
        "promotions/rfq.html", rfq=rfq, is_buyer=is_buyer, is_seller=is_seller, offered=offered,
        can_quote=is_seller and rfq.status in (RfqStatus.OPEN, RfqStatus.QUOTED),
        message_form=message_form or MessageForm(formdata=None),
        quote_form=quote_form, accept_form=accept_form,
        action_form=ActionForm(formdata=None), today=utcnow().date(),
        terms_label=terms_label, freight_terms=FREIGHT_TERMS, freight_line=freight_line,
        export_ports=EXPORT_PORTS, ready_on=trade.ready_on)


@bp.get("/rfq/<int:rfq_id>")
@login_required
def rfq_page(rfq_id: int):
    """An RFQ for its buyer and seller: the request, the thread, the quotes and what to do next."""
    return _render_rfq(trade.rfq_for(rfq_id, acting_user()))


@bp.post("/rfq/<int:rfq_id>/pesan")
@login_required
def rfq_message(rfq_id: int):
    """Add a message to the RFQ's thread."""
    rfq = trade.rfq_for(rfq_id, acting_user())
    form = MessageForm()
    if form.validate_on_submit():
        try:
            trade.post_message(rfq, form.body.data, actor=acting_user())
        except ValidationError as exc:
            flash_errors(exc, form)
            return _render_rfq(rfq, message_form=form)
    return redirect(url_for("promotions.rfq_page", rfq_id=rfq_id, _anchor="pesan"))


@bp.post("/rfq/<int:rfq_id>/penawaran")
@login_required
def rfq_quote(rfq_id: int):
    """The seller answers with a quote (a newer quote replaces the one on offer)."""
    rfq = trade.rfq_for(rfq_id, acting_user())
    form = QuoteForm()
    form.set_terms(rfq.incoterm)
    if form.validate_on_submit():
        try:
            trade.make_quote(rfq, form.service_data(), actor=acting_user())
        except ValidationError as exc:
            flash_errors(exc, form)
            return _render_rfq(rfq, quote_form=form)
        except Conflict as exc:
            flash_errors(exc)
        else:
            flash(_("Penawaran terkirim ke pembeli."), "success")
    return redirect(url_for("promotions.rfq_page", rfq_id=rfq_id))


def _quote(quote_id: int) -> Quote:
    return trade.quote_for(quote_id, acting_user())


@bp.post("/penawaran/<int:quote_id>/terima")
@login_required
def quote_accept(quote_id: int):
    """The buyer accepts a quote: an order at the quoted price, paid by bank transfer."""
    quote = _quote(quote_id)
    form = AcceptQuoteForm()
    if form.validate_on_submit() and "region_step" in request.form:
        # without JavaScript: the next step of the place (the province's regencies, the
        # regency's districts), nothing accepted yet
        return _render_rfq(trade.rfq_for(quote.rfq_id, acting_user()), accept_form=form)
    if form.validate_on_submit():
        try:
            trade.accept_quote(quote, actor=acting_user(), shipping_address=form.address(),
                               payment_method="bank_transfer")
        except ValidationError as exc:
            db.session.rollback()
            for message in apply_errors(form, exc):
                flash(message, "error")
            return _render_rfq(trade.rfq_for(quote.rfq_id, acting_user()), accept_form=form)
        except Conflict as exc:
            flash_errors(exc)
        else:
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
            trade.decline_quote(quote, actor=acting_user())
        except Conflict as exc:
            flash_errors(exc)
        else:
            flash(_("Penawaran ditolak."), "info")
    return redirect(url_for("promotions.rfq_page", rfq_id=quote.rfq_id))
