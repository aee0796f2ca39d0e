"""Complaint pages (orders/complaints.py): the buyer's "Ajukan komplain" form, a complaint's page
with its thread and photos, the seller's (or finance's) answer, the returned goods received,
and the photos served privately. Finance's list of complaints to decide is in finance_views."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required

from catalog.images import prepare_image
from marketplace.errors import DomainError, ValidationError
from marketplace.web import acting_user, flash_errors, service_call
from orders import bp, complaints, services, state
from orders.forms import ComplaintAnswerForm, ComplaintForm, RefundAccountForm, ToggleForm, parse_rupiah
from orders.models import MANUAL_METHODS
from orders.payments import escrow


def _render_new(order, form):
    form.set_choices()
    return render_template("orders/complaint_new.html", order=order, form=form,
                           manual=order.checkout.payment_method in MANUAL_METHODS,
                           refusal=complaints.window_refusal(order),
                           existing=complaints.Complaint.open_for(order.id),
                           deadline=complaints.complaint_deadline(order),
                           remaining=order.total_idr - order.refunded_idr,
                           answer_days=current_app.config["COMPLAINT_ANSWER_DAYS"])


@bp.route("/pesanan/<int:order_id>/komplain", methods=["GET", "POST"])
@login_required
def complaint_new(order_id: int):
    """The buyer's complaint form (phone first, no JavaScript), and its sending."""
    me = acting_user()
    order = services.order_for(order_id, me)
    if state.role_of(order, me) != state.BUYER:
        abort(403)
    form = ComplaintForm()
    if not form.is_submitted():
        return _render_new(order, ComplaintForm(formdata=None))
    if not form.validate():
        abort(400)
    try:
        # every photo is decoded and checked before the request writes anything
        prepared = [prepare_image(data) for data in form.uploads()[:complaints.MAX_PHOTOS + 1]]
        complaint = complaints.open_complaint(order, form.service_data(), prepared, actor=me,
                                              require_account=True)
    except ValidationError as exc:
        flash_errors(exc, form)
        return _render_new(services.order_for(order_id, me), form), 422
    except DomainError as exc:
        flash_errors(exc)
        return redirect(url_for("orders.order_page", order_id=order_id))
    flash(_("Komplain terkirim. Penjual akan menjawab dalam %(n)s hari.",
            n=current_app.config["COMPLAINT_ANSWER_DAYS"]), "success")
    return redirect(url_for("orders.complaint_page", complaint_id=complaint.id))


def _render_complaint(complaint, answer_form=None, account_form=None):
    me = acting_user()
    if account_form is None:
        account_form = RefundAccountForm(formdata=None, bank_code=complaint.refund_bank_code,
                                         number=complaint.refund_account_number,
                                         holder=complaint.refund_account_holder)
    account_form.set_choices()
    answering = complaints.answering_role(complaint, me)
    form = answer_form or ComplaintAnswerForm(formdata=None, decision="refund")
    form.set_choices()
    order = complaint.order
    return render_template(
        "orders/complaint.html", complaint=complaint, order=order, role=state.role_of(order, me),
        answering=answering, answer_form=form, toggle_form=ToggleForm(formdata=None),
        account_form=account_form,
        can_set_account=complaint.buyer_id == me.id and complaints.needs_refund_account(complaint),
        can_mark_returned=complaints.can_mark_returned(complaint, me),
        remaining=order.total_idr - order.refunded_idr, deadline=complaints.answer_deadline(complaint),
        party_of=complaints.party_of, labels=complaints, bank_name=escrow.bank_name)


@bp.get("/komplain/<int:complaint_id>")
@login_required
def complaint_page(complaint_id: int):
    """A complaint for its buyer, its seller and finance: status, photos, the thread, the answer."""
    return _render_complaint(complaints.complaint_for(complaint_id, acting_user()))


@bp.post("/komplain/<int:complaint_id>/jawab")
@login_required
def complaint_answer(complaint_id: int):
    """The seller's (or finance's) answer: refund in full or in part, or reject with a reason."""
    me = acting_user()
    complaint = complaints.complaint_for(complaint_id, me, lock=True)
    form = ComplaintAnswerForm()
    if not form.validate_on_submit():
        abort(400)
    return _submit(complaint_id, form, "answer_form", _("Jawaban tersimpan."), lambda: complaints.answer_complaint(
        complaint, form.decision.data or "", actor=me, amount_idr=parse_rupiah(form.amount_idr.data),
        reason=form.reason.data))


def _submit(complaint_id: int, form, form_name: str, done: str, run):
    """Run a complaint page's form action: its field errors show on the page again (422),
    other refusals and success come back as a message on the complaint's page."""
    try:
        run()
    except ValidationError as exc:
        flash_errors(exc, form)
        complaint = complaints.complaint_for(complaint_id, acting_user())
        return _render_complaint(complaint, **{form_name: form}), 422
    except DomainError as exc:
        flash_errors(exc)
    else:
        flash(done, "success")
    return redirect(url_for("orders.complaint_page", complaint_id=complaint_id))


@bp.post("/komplain/<int:complaint_id>/rekening")
@login_required
def complaint_refund_account(complaint_id: int):
    """The buyer gives (or corrects) the account a transfer/QRIS refund is paid into."""
    me = acting_user()
    form = RefundAccountForm()
    form.set_choices()
    if not form.validate_on_submit():
        abort(400)
    account = {"bank_code": form.bank_code.data, "number": form.number.data, "holder": form.holder.data}
    return _submit(complaint_id, form, "account_form", _("Rekening pengembalian dana tersimpan."),
                   lambda: complaints.set_refund_account(complaint_id, account, actor=me))


@bp.post("/komplain/<int:complaint_id>/retur-diterima")
@login_required
def complaint_returned(complaint_id: int):
    """The seller received the returned goods: the agreed refund is made."""
    me = acting_user()
    complaint = complaints.complaint_for(complaint_id, me, lock=True)
    if not ToggleForm().validate_on_submit():
        abort(400)
    with service_call() as call:
        complaints.mark_returned(complaint, actor=me)
    if call.ok:
        flash(_("Barang retur diterima; dana dikembalikan ke pembeli."), "success")
    return redirect(url_for("orders.complaint_page", complaint_id=complaint_id))


@bp.get("/komplain/<int:complaint_id>/foto/<int:number>")
@login_required
def complaint_photo(complaint_id: int, number: int):
    """A complaint's photo, for its buyer, seller, finance and admins only (never cached)."""
    path = complaints.photo_file(complaints.complaint_for(complaint_id, acting_user()), number)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/webp", max_age=0, conditional=False, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response

