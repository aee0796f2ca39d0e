"""Order pages: the buyer's and the seller's orders, an order with its actions, its invoice,
transfer proofs and refunds.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required

from catalog.access import store_required
from marketplace.errors import DomainError, ValidationError
from marketplace.extensions import db
from marketplace.forms import apply_errors
from marketplace.i18n import rupiah
from marketplace.pdf import pdf_response
from marketplace.web import acting_user, flash_errors, paginate, safe_next
from orders import bp, complaints, invoices, services, state
from orders.couriers import SERVICES
from orders.forms import (
    RefundForm,
    TransferProofForm,
    action_form_class,
    parse_rupiah,
)
from orders.models import MANUAL_METHODS, OrderStatus
from orders.payments import escrow
from orders.payments import service as payments
from orders.serialise import shipment_json
from orders.views import ACTION_DONE, PER_PAGE

# --- orders -----------------------------------------------------------------------------------

@bp.get("/pesanan")
@login_required
def my_orders():
    """The buyer's orders, newest first."""
    return render_template("orders/my_orders.html", page=paginate(services.buyer_orders(acting_user()), PER_PAGE))


@bp.get("/jual/pesanan")
@store_required(message=None)
def store_orders(store):
    """The seller's orders, filterable by status, newest first."""
    me = acting_user()
    status = request.args.get("status") or None
    if status not in {s.value for s in OrderStatus}:
        status = None
    return render_template("orders/store_orders.html", store=store, status=status,
                           counts=services.order_counts_by_status(store, actor=me),
                           page=paginate(services.store_orders(store, actor=me, status=status), PER_PAGE))


def _render_order(order, *, action_form=None, refund_form=None):
    me = acting_user()
    actions = state.allowed_actions(order, me)
    form_class = action_form_class(order)
    forms = {a: form_class(formdata=None, action=a) for a in actions}
    if action_form is not None and action_form.action.data in forms:
        forms[action_form.action.data] = action_form
    if "ship" in forms:
        forms["ship"].set_couriers(order)
    role = state.role_of(order, me)
    checkout = order.checkout
    manual = checkout.payment_method in MANUAL_METHODS
    pending = order.status == OrderStatus.PENDING_PAYMENT
    paid = any(e.action == "pay" for e in order.events)
    return render_template(
        "orders/order.html", order=order, checkout=checkout, role=role, forms=forms,
        shipment=shipment_json(order), chosen_service=SERVICES.get(order.shipping_service or ""),
        can_upload_proof=role == state.BUYER and manual and pending,
        can_confirm_payment=escrow.is_finance(me) and role != state.BUYER and manual and pending,
        can_refund=role in (state.SELLER, state.ADMIN) and paid
        and order.total_idr > order.refunded_idr,
        proof_form=TransferProofForm(formdata=None),
        order_complaints=complaints.complaints_of(order), can_complain=complaints.can_open(order, me),
        complaint_labels=complaints.STATUS_LABELS,
        refund_form=refund_form or RefundForm(formdata=None))


@bp.get("/pesanan/<int:order_id>")
@login_required
def order_page(order_id: int):
    """An order for its buyer or its seller: lines, money, address, history and next steps."""
    return _render_order(services.order_for(order_id, acting_user()))


@bp.get("/pesanan/<int:order_id>/faktur")
@login_required
def invoice_page(order_id: int):
    """The order's invoice as a printable page, for its buyer, its seller and admins."""
    return invoices.render_html(invoices.invoice_for(services.order_for(order_id, acting_user())))


@bp.get("/pesanan/<int:order_id>/faktur.pdf")
@login_required
def invoice_pdf(order_id: int):
    """The same invoice as a PDF (503 while the PDF libraries are not installed here)."""
    invoice = invoices.invoice_for(services.order_for(order_id, acting_user()))
    return pdf_response(lambda: invoices.render_html(invoice), invoice.filename)


@bp.post("/pesanan/<int:order_id>/aksi")
@login_required
def order_action(order_id: int):
    """Move the order (accept, pack, ship, deliver, complete, cancel) through services.act."""
    me = acting_user()
    order = services.order_for(order_id, me)
    form = action_form_class(order)()
    if not form.validate_on_submit():
        abort(400)
    action = form.action.data
    try:
        services.act(order, action, actor=me, reason=form.reason.data,
                     courier=form.courier.data, tracking_number=form.tracking_number.data)
    except ValidationError as exc:
        db.session.rollback()
        for message in apply_errors(form, exc):
            flash(message, "error")
        flash(_("Periksa kembali isian yang ditandai."), "error")
        return _render_order(services.order_for(order_id, me), action_form=form)
    except DomainError as exc:
        flash_errors(exc)
    else:
        done = _("Pesanan dibatalkan.") if action == "cancel" and order.made_to_order else \
            ACTION_DONE.get(action, _("Tersimpan."))
        flash(done, "success")
    return redirect(url_for("orders.order_page", order_id=order_id))


@bp.post("/pesanan/<int:order_id>/bukti-transfer")
@login_required
def transfer_proof(order_id: int):
    """The buyer uploads a photo of the bank transfer for the seller to check."""
    me = acting_user()
    order = services.order_for(order_id, me)
    form = TransferProofForm()
    back = safe_next(form.next.data, url_for("orders.order_page", order_id=order_id))
    if not form.validate_on_submit():
        abort(400)
    try:
        services.attach_transfer_proof(order, form.upload(), actor=me)
    except DomainError as exc:
        flash_errors(exc)
    else:
        flash(_("Bukti transfer terkirim. Penjual akan memeriksa dan mengonfirmasi pembayaran."),
              "success")
    return redirect(back)


@bp.get("/pesanan/<int:order_id>/bukti-transfer")
@login_required
def transfer_proof_image(order_id: int):
    """The transfer photo, for the order's buyer and seller only (never cached publicly)."""
    order = services.order_for(order_id, acting_user())
    legacy = (order.transfer_proof_path or "").startswith(services.LEGACY_PRIVATE_PREFIX)
    path = services.transfer_proof_file(order)
    if legacy:
        # The file was moved on disk out of the public folder: its new path must be kept even
        # when this answer is a 404, so this is committed here rather than at the request's end.
        db.session.commit()
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/webp", max_age=0, conditional=False, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/pesanan/<int:order_id>/pengembalian-dana")
@login_required
def refund(order_id: int):
    """The seller gives back part or all of a paid order (card refunds go through Stripe)."""
    me = acting_user()
    order = services.order_for(order_id, me)
    form = RefundForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        made = payments.refund_order(order, parse_rupiah(form.amount_idr.data),
                                     reason=form.reason.data or "", actor=me)
    except ValidationError as exc:
        db.session.rollback()
        for message in apply_errors(form, exc):
            flash(message, "error")
        return _render_order(services.order_for(order_id, me), refund_form=form)
    except DomainError as exc:
        flash_errors(exc)
    else:
        flash(_("Dana %(amount)s dikembalikan ke pembeli.", amount=rupiah(made.amount_idr)), "success")
    return redirect(url_for("orders.order_page", order_id=order_id))
